/**
 * Redis going away under the SDK (issue 12, item 5): closing a connection, and unloading the
 * container, return in bounded time while the server is down.
 */
import assert from 'node:assert/strict';
import { Container } from 'inversify';
import { TOKENS, closeConnection, createConnection, createGoodRedisModule } from '../../src/index.js';
import { startThrowawayRedis, type ThrowawayRedis } from '../../scripts/throwaway-redis.js';

describe('Redis down (issue 12, item 5)', function () {
  this.timeout(30_000);
  let server: ThrowawayRedis | undefined;

  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  it('closeConnection returns within its timeout while the server is down', async () => {
    server = await startThrowawayRedis();
    const client = createConnection({ url: server.url });
    client.on('error', () => undefined); // ECONNREFUSED while it tries to reconnect: expected here
    assert.equal(await client.ping(), 'PONG');
    await server.stop();
    server = undefined;
    const started = Date.now();
    await closeConnection(client, { timeoutMs: 300 });
    assert.ok(Date.now() - started < 5000, `closed after ${String(Date.now() - started)} ms`);
  });

  it('unloading the container returns while the server is down, its connection ended', async () => {
    server = await startThrowawayRedis();
    const container = new Container();
    await container.loadAsync(createGoodRedisModule({ connection: { url: server.url }, expirer: { intervalMs: 50 } }));
    container.get(TOKENS.Expirer).start();
    const client = container.get(TOKENS.RedisClient);
    assert.equal(await client.ping(), 'PONG');
    await server.stop();
    server = undefined;
    await container.unbindAllAsync(); // its deactivation closes the connection, bounded
  });
});

/**
 * Redis going away under the SDK (issue 12, item 5): closing a connection, and unloading the
 * container, return in bounded time while the server is down.
 */
import assert from 'node:assert/strict';
import { Container } from 'inversify';
import { TOKENS, closeConnection, createConnection, createGoodRedisModule } from '../../../src/index.js';
import { freePort, serverArgs, spawnRedis, startThrowawayRedis, type RedisProcess, type ThrowawayRedis } from '../../../scripts/throwaway-redis.js';
import { startCli } from '../cli/cli-support.js';
import { waitFor } from '../support.js';

describe('Redis down (issue 12, item 5)', function () {
  this.timeout(90_000);
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

  /** The environment of a CLI child on this test's server only. */
  const cliEnv = (port: number): NodeJS.ProcessEnv => ({
    ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('REDIS_'))),
    REDIS_URL: `redis://127.0.0.1:${String(port)}`,
  });

  it('good-redis top and expirer ride out a server stopped and restarted under them', async () => {
    const port = await freePort();
    let redis: RedisProcess | undefined = await spawnRedis(() => serverArgs(port));
    const top = startCli(['top', '--json', '--interval', '200ms'], cliEnv(port));
    const expirer = startCli(['expirer', '--interval', '200ms', '--verbose'], cliEnv(port));
    try {
      await waitFor(() => top.lines.length >= 2 && expirer.lines.some((l) => l.includes('expirer started')), 10_000, 'both to run');
      await redis.stop();
      redis = undefined;
      // ioredis gives up on a command after 20 reconnection attempts (about 10 s): top shows that frame and goes on.
      await waitFor(() => top.lines.some((l) => l.includes('"error"')), 20_000, 'top to report the outage');
      await waitFor(() => expirer.lines.some((l) => l.includes('sweep failed')), 20_000, 'the expirer to report the outage');
      redis = await spawnRedis(() => serverArgs(port));
      const topSeen = top.lines.length;
      const expirerSeen = expirer.lines.length;
      await waitFor(() => top.lines.slice(topSeen).some((l) => l.includes('"objects"')), 20_000, 'top frames after the restart');
      await waitFor(
        () => expirer.lines.slice(expirerSeen).some((l) => l.includes('"sweep finished"') && l.includes('"failed":0')),
        20_000,
        'sweeps after the restart',
      );
      assert.equal(top.process.exitCode, null, 'top is still running');
      assert.equal(expirer.process.exitCode, null, 'the expirer is still running');
      top.process.kill('SIGTERM');
      expirer.process.kill('SIGTERM');
      assert.equal((await top.exited).code, 0);
      assert.equal((await expirer.exited).code, 0);
    } finally {
      for (const child of [top, expirer]) if (child.process.exitCode === null) child.process.kill('SIGKILL');
      await redis?.stop();
    }
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

import assert from 'node:assert/strict';
import { Container } from 'inversify';
import RedisMock from 'ioredis-mock';
import type { Redis } from 'ioredis';
import sinon from 'sinon';
import { Expirer, PrioritizedStream, StreamRegistry, TOKENS, createGoodRedisModule, type RedisClient } from '../../../src/index.js';

describe('createGoodRedisModule (unit)', () => {
  it('should bind the client, registry, expirer and stream factory', async () => {
    const client = new RedisMock() as unknown as RedisClient;
    const container = new Container();
    await container.loadAsync(createGoodRedisModule({ client, registry: { prefix: 'p' } }));
    assert.equal(container.get(TOKENS.RedisClient), client);
    const registry = container.get(TOKENS.StreamRegistry);
    assert.ok(registry instanceof StreamRegistry);
    assert.equal(registry.key, 'p:ps:keys');
    const expirer = container.get(TOKENS.Expirer);
    assert.ok(expirer instanceof Expirer);
    assert.equal(expirer.running, false, 'not started unless autoStart');
    assert.equal(container.get(TOKENS.Expirer), expirer, 'a singleton');
    const stream = container.get(TOKENS.StreamFactory)('jobs');
    assert.ok(stream instanceof PrioritizedStream);
    assert.equal(stream.redisKeys.items, 'p{jobs}:t');
    await container.unbindAllAsync();
    client.disconnect();
  });

  it('should never close a client the user passed in', async () => {
    const client = new RedisMock() as unknown as RedisClient;
    const quit = sinon.spy(client, 'quit');
    const disconnect = sinon.spy(client, 'disconnect');
    const module = createGoodRedisModule({ client });
    const container = new Container();
    await container.loadAsync(module);
    container.get(TOKENS.StreamFactory)('jobs');
    await container.unloadAsync(module);
    assert.equal(quit.callCount + disconnect.callCount, 0);
    client.disconnect();
  });

  it('should stop the expirer before closing the connection it opened', async () => {
    const module = createGoodRedisModule({
      connection: { redis: { lazyConnect: true } },
      expirer: { autoStart: true, intervalMs: 60_000 },
    });
    const container = new Container();
    await container.loadAsync(module);
    const expirer = container.get(TOKENS.Expirer);
    const client = container.get(TOKENS.RedisClient) as Redis;
    assert.equal(expirer.running, true);
    const stop = sinon.spy(expirer, 'stop');
    const disconnect = sinon.spy(client, 'disconnect');
    await container.unloadAsync(module);
    // stop() is idempotent: its own deactivation and the connection's both call it.
    assert.ok(stop.callCount >= 1);
    assert.ok(stop.calledBefore(disconnect), 'expirer stopped first');
    assert.equal(client.status, 'end');
    assert.equal(expirer.running, false);
  });

  it('should refuse bad expirer options when the expirer is resolved', async () => {
    const container = new Container();
    await container.loadAsync(createGoodRedisModule({ client: new RedisMock() as unknown as RedisClient, expirer: { intervalMs: -5 } }));
    assert.throws(() => container.get(TOKENS.Expirer), /intervalMs/);
  });
});

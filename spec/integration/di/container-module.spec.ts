import assert from 'node:assert/strict';
import { Container } from 'inversify';
import type { RedisClient } from '../../../src/index.js';
import { Cluster } from 'ioredis';
import { Expirer, PrioritizedStream, StreamRegistry, TOKENS, Worker, connectionFromEnv, createGoodRedisModule } from '../../../src/index.js';
import { closeAll, connect, describeEachTopology, topologyEnv, uniqueName, waitFor } from '../support.js';

describeEachTopology('createGoodRedisModule (real Redis)', (kind) => {
  afterEach(closeAll);

  it('should connect from the environment variables and resolve working streams', async () => {
    const container = new Container();
    const prefix = uniqueName('di');
    await container.loadAsync(createGoodRedisModule({ env: topologyEnv(), registry: { prefix } }));
    const streams = container.get(TOKENS.StreamFactory);
    const stream = streams('jobs');
    assert.ok(stream instanceof PrioritizedStream);
    assert.equal(await stream.add('k', 'v', 2), 2);
    const registry = container.get(TOKENS.StreamRegistry);
    assert.ok(registry instanceof StreamRegistry);
    assert.deepEqual(await registry.names(), ['jobs']);
    assert.equal(container.get(TOKENS.StreamRegistry), registry, 'a singleton');
    const client = container.get<RedisClient>(TOKENS.RedisClient);
    assert.equal(client instanceof Cluster, kind === 'cluster', 'a Cluster client exactly on a cluster');
    if (!(client instanceof Cluster)) assert.equal(Array.isArray(client.options.sentinels), kind === 'sentinel', 'sentinels exactly on Sentinel');
    await container.unbindAllAsync();
    assert.equal(client.status, 'end', 'the module closed the connection it opened');
  });

  it('should stop a running expirer and then quit, on unload', async () => {
    const module = createGoodRedisModule({ connection: connectionFromEnv(topologyEnv()), expirer: { autoStart: true, intervalMs: 5 } });
    const container = new Container();
    await container.loadAsync(module);
    const expirer = container.get(TOKENS.Expirer);
    assert.ok(expirer instanceof Expirer);
    assert.equal(expirer.running, true);
    let sweeps = 0;
    expirer.on('sweep', () => {
      sweeps += 1;
    });
    await waitFor(() => sweeps > 0, 5000, 'a background sweep');
    const client = container.get<RedisClient>(TOKENS.RedisClient);
    await container.unloadAsync(module);
    assert.equal(expirer.running, false);
    assert.equal(client.status, 'end');
  });

  it('should close what a family added to TOKENS.Closeables while the connection still works, then quit', async () => {
    const container = new Container();
    await container.loadAsync(createGoodRedisModule({ connection: connectionFromEnv(topologyEnv()) }));
    const client = container.get<RedisClient>(TOKENS.RedisClient);
    const seen: string[] = [];
    container.get(TOKENS.Closeables).add({
      close: async () => {
        seen.push(await client.ping()); // still connected: the core closes this first
      },
    });
    await container.unbindAllAsync();
    assert.deepEqual(seen, ['PONG']);
    assert.equal(client.status, 'end');
  });

  it('should close the workers it made, their jobs finished, before quitting', async () => {
    const module = createGoodRedisModule({ connection: connectionFromEnv(topologyEnv()), registry: { prefix: uniqueName('dw') } });
    const container = new Container();
    await container.loadAsync(module);
    const stream = container.get(TOKENS.StreamFactory)('jobs', { cooldownMs: 0 });
    await stream.add('k', 'v');
    let release!: () => void;
    const started = new Promise<void>((resolve) => {
      const worker = container.get(TOKENS.WorkerFactory)(stream, async () => {
        resolve();
        await new Promise<void>((r) => (release = r));
      });
      assert.ok(worker instanceof Worker);
    });
    await started;
    const client = container.get<RedisClient>(TOKENS.RedisClient);
    const unloading = container.unloadAsync(module);
    release();
    await unloading;
    assert.equal(client.status, 'end');
    const check = connect();
    assert.equal(await check.exists(stream.redisKeys.leases, stream.redisKeys.items), 0, 'the job was acked before the connection closed');
  });

  it('should never close a client the user passed in', async () => {
    const mine = connect();
    const container = new Container();
    await container.loadAsync(createGoodRedisModule({ client: mine }));
    assert.equal(container.get(TOKENS.RedisClient), mine);
    await container.get(TOKENS.StreamFactory)(uniqueName()).add('k', 'v');
    await container.unbindAllAsync();
    assert.equal(await mine.ping(), 'PONG');
  });
});

describeEachTopology(
  'createGoodRedisModule (standalone settings)',
  () => {
    it('should connect from REDIS_HOST and REDIS_PORT', async () => {
      const url = new URL(topologyEnv().REDIS_URL ?? '');
      const container = new Container();
      await container.loadAsync(createGoodRedisModule({ env: { REDIS_HOST: url.hostname, REDIS_PORT: url.port } }));
      const client = container.get<RedisClient>(TOKENS.RedisClient);
      assert.equal(await client.ping(), 'PONG');
      await container.unbindAllAsync();
    });
  },
  ['standalone'],
);

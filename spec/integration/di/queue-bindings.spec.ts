/** The module's queue bindings on every topology: registry, factories, and unloading hands back what queues hold. */
import assert from 'node:assert/strict';
import { Container } from 'inversify';
import { Pool, Queue, QueueRegistry, TOKENS, UniqueQueue, connectionFromEnv, createGoodRedisModule, type RedisClient } from '../../../src/index.js';
import { closeAll, connect, describeEachTopology, topologyEnv, uniqueName } from '../support.js';

describeEachTopology('createGoodRedisModule: queues', () => {
  afterEach(closeAll);

  it('binds the registry and the factories on the prefix; unloading closes the queues it made, handing back what they held', async () => {
    const prefix = uniqueName('diq');
    const container = new Container();
    await container.loadAsync(createGoodRedisModule({ connection: connectionFromEnv(topologyEnv()), registry: { prefix } }));
    const registry = container.get(TOKENS.QueueRegistry);
    assert.ok(registry instanceof QueueRegistry);
    assert.equal(registry.prefix, prefix);
    const queue = container.get(TOKENS.QueueFactory)('jobs');
    assert.ok(queue instanceof Queue);
    assert.ok(container.get(TOKENS.UniqueQueueFactory)('urls') instanceof UniqueQueue);
    const pool = container.get(TOKENS.PoolFactory)('feeds');
    assert.ok(pool instanceof Pool);
    const consumer = container.get(TOKENS.QueueFactory)('mail');
    await consumer.addItems(['m1', 'm2']);
    const mailed: string[] = [];
    const worker = container.get(TOKENS.WorkerFactory)(consumer, (job) => {
      mailed.push(job.value);
    });
    await new Promise<void>((resolve) => worker.once('drained', resolve));
    assert.deepEqual(mailed, ['m1', 'm2'], 'the WorkerFactory takes a queue too');
    await queue.addItems(['a', 'b']);
    assert.equal((await queue.getItems(2)).length, 2);
    await pool.addItem('f');
    assert.deepEqual(await registry.names(), ['feeds', 'jobs', 'mail']);
    await container.unbindAllAsync();
    const redis: RedisClient = connect();
    assert.deepEqual(await redis.lrange(`${prefix}:q{jobs}:list`, 0, -1), ['b', 'a'], 'handed back to the head on unload');
    assert.equal(await redis.zcard(`${prefix}:q{jobs}:held`), 0);
  });
});

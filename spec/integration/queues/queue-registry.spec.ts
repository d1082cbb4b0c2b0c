/** QueueRegistry and the Expirer's reaping of registered queues, on every topology. */
import assert from 'node:assert/strict';
import { Expirer, GoodRedisError, Queue, QueueRegistry, StreamRegistry, UniqueQueue, type RedisClient } from '../../../src/index.js';
import { closeAll, connect, describeEachTopology, uniqueName, waitFor } from '../support.js';

describeEachTopology('QueueRegistry', () => {
  let redis: RedisClient;
  let prefix: string;
  let registry: QueueRegistry;

  beforeEach(() => {
    redis = connect();
    prefix = uniqueName('qr');
    registry = new QueueRegistry(redis, { prefix });
  });
  afterEach(closeAll);

  it('registers each name with its kind at its first add, lists by kind, and refuses another kind', async () => {
    await registry.queue('jobs').addItem('a');
    await registry.uniqueQueue('urls').addItem('u');
    await registry.pool('feeds').addItem('f');
    assert.deepEqual(await registry.names(), ['feeds', 'jobs', 'urls']);
    assert.deepEqual(await registry.names({ kind: 'unique' }), ['urls']);
    assert.equal(await registry.kindOf('feeds'), 'pool');
    assert.equal(await registry.kindOf('nothing'), null);
    assert.equal(await registry.has('jobs'), true);
    await assert.rejects(registry.register('jobs', 'pool'), (err: unknown) => GoodRedisError.is(err, 'InvalidArgument'));
    assert.equal(await redis.llen(`${prefix}:q{jobs}:list`), 1, "the queues live under the registry's prefix");
    assert.equal(await redis.hlen(`${prefix}:ps:keys`), 0, 'the streams registry never sees a queue');
    assert.ok(registry.reliableQueue('urls', 'unique') instanceof UniqueQueue, 'the reliable queue of a kind');
    assert.ok(registry.reliableQueue('jobs', 'queue') instanceof Queue);
    assert.deepEqual(await registry.reliableQueue('jobs', 'queue').items(), ['a']);
  });

  it('prune forgets names that hold nothing', async () => {
    await registry.register('ghost', 'queue');
    await registry.queue('jobs').addItem('a');
    assert.deepEqual(await registry.prune(), ['ghost']);
    assert.deepEqual(await registry.names(), ['jobs']);
  });

  it("the Expirer gives a dead consumer's deliveries back at each sweep, and counts them", async () => {
    const consumer = registry.queue('jobs', { heartbeatMs: 200, consumerTimeoutMs: 1000 });
    await consumer.addItems(['1', '2']);
    await consumer.getItems(2);
    await consumer.close({ handBack: false });
    const expirer = new Expirer(new StreamRegistry(redis, { prefix }), { queues: registry });
    let back = 0;
    let queues = 0;
    await waitFor(
      async () => {
        const result = await expirer.sweepOnce();
        back += result.reEnqueued;
        queues = result.queues;
        return back === 2;
      },
      5000,
      'the expirer to reap the dead consumer',
    );
    assert.equal(queues, 1);
    assert.deepEqual(await redis.lrange(`${prefix}:q{jobs}:list`, 0, -1), ['2', '1']);
    assert.equal((await expirer.sweepOnce()).reEnqueued, 0, 'nothing comes back twice');
  });
});

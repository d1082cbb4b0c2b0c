/**
 * Streams spread over every master of a Redis Cluster: the registry, the Expirer and the
 * operations that touch many streams work across shards, and no master ever answers
 * CROSSSLOT.
 */
import assert from 'node:assert/strict';
import { Expirer, StreamRegistry, type RedisClient } from '../../../src/index.js';
import { closeAll, connect, describeEachTopology, errorCounts, masterOf, masters, slotOf, uniqueName } from '../support.js';

describeEachTopology(
  'streams over every shard',
  () => {
    let redis: RedisClient;

    beforeEach(() => {
      redis = connect({ enableAutoPipelining: true });
    });
    afterEach(closeAll);

    it('should compute the slot of a stream as the cluster does', async () => {
      for (const name of ['a', 'jobs', uniqueName(), uniqueName(), 'ünïcode-name']) {
        assert.equal(slotOf(name), await redis.cluster('KEYSLOT', `{${name}}:t`), name);
      }
    });

    it('should register, sweep, recover and prune streams that live on different masters', async () => {
      const registry = new StreamRegistry(redis, { prefix: uniqueName('shards') });
      const names = Array.from({ length: 9 }, () => uniqueName('s'));
      const homes = await Promise.all(names.map((n) => masterOf(redis, n)));
      assert.equal(new Set(homes).size, (await masters(redis)).length, `streams on ${[...new Set(homes)].join(', ')}`);
      const streams = names.map((n) => registry.stream(n, { cooldownMs: 0 }));

      // Adds to every shard at once, each script in its slot (the registrations auto-pipelined per node).
      await Promise.all(
        streams.map((s) =>
          s.addMany([
            ['a', 'v', 2],
            ['b', 'v', 1],
            ['c', 'v', 0],
          ]),
        ),
      );
      assert.deepEqual(await registry.names(), [...names].sort());
      await Promise.all(streams.map((s) => s.pull({ count: 1, expireAt: 1 }))); // a: cooldown already over
      await Promise.all(streams.map((s) => s.lease({ count: 1, leaseMs: 1 }))); // b: lease that expires at once
      for (const node of await masters(redis)) assert.ok((await node.dbsize()) > 0, 'every master holds stream keys');

      const sweep = await new Expirer(registry).sweepOnce();
      assert.equal(sweep.streams, 9);
      assert.equal(sweep.failed, 0);
      assert.equal(sweep.expired, 9, 'one ended cooldown per stream');
      assert.equal(sweep.returned, 9, 'one expired lease per stream');
      assert.deepEqual(
        await Promise.all(streams.map((s) => s.keys())),
        names.map(() => ['b', 'c']),
      );

      await Promise.all(streams.map((s) => s.delete()));
      assert.deepEqual(await registry.names(), []);
      assert.deepEqual(
        await Promise.all(streams.map((s) => redis.exists(...(Object.values(s.redisKeys) as string[])))),
        names.map(() => 0),
        'no key left',
      );

      // Streams emptied by pulls are pruned, wherever they live; the others stay.
      const emptied = Array.from({ length: 6 }, () => registry.stream(uniqueName('e'), { cooldownMs: 0 }));
      await Promise.all(emptied.map((s) => s.add('k', 'v')));
      await Promise.all(emptied.slice(0, 3).map((s) => s.pull()));
      assert.deepEqual(
        (await registry.prune()).sort(),
        emptied
          .slice(0, 3)
          .map((s) => s.name)
          .sort(),
      );
      assert.deepEqual(
        await registry.names(),
        emptied
          .slice(3)
          .map((s) => s.name)
          .sort(),
      );
      assert.equal(await errorCounts(redis, 'CROSSSLOT'), 0);
    });
  },
  ['cluster'],
);

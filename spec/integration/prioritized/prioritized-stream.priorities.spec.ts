import assert from 'node:assert/strict';
import type { RedisClient } from '../../../src/index.js';
import { GoodRedisError, PrioritizedStream } from '../../../src/index.js';
import { closeAll, commandStats, foregroundCalls, describeEachTopology, statSum, uniqueName, newStream } from '../support.js';

/** Key lookups the masters made (`keyspace_hits + keyspace_misses`). */
async function keyLookups(redis: RedisClient): Promise<number> {
  return (await statSum(redis, 'keyspace_hits')) + (await statSum(redis, 'keyspace_misses'));
}

/** The TYPE calls of the scripts' key type guard (one per declared key, before the script's own commands). */
async function guardCalls(redis: RedisClient): Promise<number> {
  return (await commandStats(redis)).get('type') ?? 0;
}

describeEachTopology('PrioritizedStream (priorities)', () => {
  let redis: RedisClient;
  let stream: PrioritizedStream;

  beforeEach(async () => {
    ({ redis, stream } = await newStream());
  });
  afterEach(closeAll);

  describe('.increment', () => {
    it('should add to a queued item and return the new priority', async () => {
      await stream.add('k', 'v', 2);
      assert.equal(await stream.increment('k', 3.5), 5.5);
      assert.equal(await stream.increment('k', -10), -4.5);
      assert.equal(await stream.increment('k'), -3.5);
    });

    it('should return null for a key that is not queued and create nothing', async () => {
      await stream.add('other', 'v', 1);
      assert.equal(await stream.increment('missing', 5), null);
      assert.equal(await redis.zscore(stream.redisKeys.scores, 'missing'), null);
      assert.deepEqual(
        (await stream.pull({ count: 2 })).map((i) => i.key),
        ['other'],
      );
    });

    it('should reorder the stream', async () => {
      await stream.addMany([
        ['a', 'A', 1],
        ['b', 'B', 2],
      ]);
      await stream.increment('a', 5);
      assert.deepEqual(await stream.keys(), ['a', 'b']);
    });
  });

  describe('.decrementAll', () => {
    it('should lower every priority and keep them exact', async () => {
      await stream.addMany([
        ['a', 'A', 10],
        ['b', 'B', 0.5],
        ['c', 'C', -3],
      ]);
      assert.equal(await stream.decrementAll(3), 3);
      await stream.decrementAll(0.25);
      assert.deepEqual(
        (await stream.entries()).map((i) => [i.key, i.priority]),
        [
          ['a', 6.75],
          ['b', -2.75],
          ['c', -6.25],
        ],
      );
      assert.equal(await stream.increment('b', 1), -1.75);
    });

    it('should give items added afterwards the priority they were added with', async () => {
      await stream.add('old', 'v', 5);
      await stream.decrementAll(2);
      assert.equal(await stream.add('new', 'v', 4), 4);
      assert.equal(await stream.add('old', 'v', 1), 4);
      assert.deepEqual(
        (await stream.pull({ count: 2 })).map((i) => [i.key, i.priority]),
        [
          ['new', 4],
          ['old', 4],
        ],
      );
    });

    it('should give new keys added in a batch afterwards the priority they were added with', async () => {
      await stream.addMany([
        ['old-a', 'v', 5],
        ['old-b', 'v', 1],
      ]);
      await stream.decrementAll(2.5);
      assert.deepEqual(
        await stream.addMany([
          ['new-a', 'v', 4],
          ['new-b', 'v', -1],
          ['new-c', 'v', 0.5],
        ]),
        [4, -1, 0.5],
      );
      assert.deepEqual(
        (await stream.entries()).map((i) => [i.key, i.priority]),
        [
          ['new-a', 4],
          ['old-a', 2.5],
          ['new-c', 0.5],
          ['new-b', -1],
          ['old-b', -1.5],
        ],
      );
    });

    it('should touch a constant number of keys and commands whatever the size', async () => {
      const measure = async (size: number): Promise<[number, number]> => {
        const s = new PrioritizedStream(redis, uniqueName());
        for (let i = 0; i < size; i += 5000) {
          await s.addMany(Array.from({ length: Math.min(5000, size - i) }, (_, j) => [`k${String(i + j)}`, 'v', i + j] as const));
        }
        const [calls, lookups, guard] = [await foregroundCalls(redis), await keyLookups(redis), await guardCalls(redis)];
        assert.equal(await s.decrementAll(1), size);
        // The script's own commands and lookups: the key type guard's TYPE calls (one per key, each a lookup) left out.
        const guarded = (await guardCalls(redis)) - guard;
        return [(await foregroundCalls(redis)) - calls - guarded, (await keyLookups(redis)) - lookups - guarded];
      };
      const small = await measure(10);
      const large = await measure(50_000);
      assert.deepEqual(large, small);
      assert.ok(small[0] <= 3 && small[1] <= 3, `decrementAll ran ${String(small[0])} commands over ${String(small[1])} key lookups`);
    });

    it('should stay exact for integers up to 2^53 - 1', async () => {
      await stream.add('big', 'v', Number.MAX_SAFE_INTEGER);
      await stream.add('small', 'v', -1);
      await stream.decrementAll(1);
      assert.deepEqual(
        (await stream.entries()).map((i) => i.priority),
        [Number.MAX_SAFE_INTEGER - 1, -2],
      );
    });

    it('should refuse to move the offset past 2^53 - 1 and change nothing', async () => {
      await stream.add('k', 'v', 0);
      await stream.decrementAll(Number.MAX_SAFE_INTEGER);
      await assert.rejects(stream.decrementAll(1), (err) => GoodRedisError.is(err, 'Range'));
      assert.equal((await stream.entries())[0]?.priority, -Number.MAX_SAFE_INTEGER);
    });

    it('should restart the offset from 0 once the stream is empty', async () => {
      await stream.add('k', 'v', 1);
      await stream.decrementAll(100);
      await stream.pull();
      assert.equal(await stream.add('k2', 'v', 3), 3);
      assert.equal(await redis.hget(stream.redisKeys.meta, 'base'), null);
    });

    it('should do nothing on an empty stream', async () => {
      assert.equal(await stream.decrementAll(5), 0);
      assert.equal(await redis.exists(stream.redisKeys.meta), 0);
    });
  });

  describe('.deleteBelow', () => {
    beforeEach(async () => {
      await stream.addMany([
        ['a', 'A', 1],
        ['b', 'B', 2],
        ['c', 'C', 3],
        ['d', 'D', 4],
      ]);
    });

    it('should remove items strictly below the threshold and return their keys', async () => {
      assert.deepEqual((await stream.deleteBelow(3)).sort(), ['a', 'b']);
      assert.deepEqual(await stream.keys(), ['d', 'c']);
      assert.equal(await stream.get('a'), null);
    });

    it('should gate the removed keys with gate true', async () => {
      await stream.deleteBelow(2, { gate: true });
      assert.equal(await stream.add('a', 'A', 9), null);
      assert.equal(await stream.add('b', 'B', 9), 11);
    });

    it('should honour the offset left by decrementAll', async () => {
      await stream.decrementAll(2);
      assert.deepEqual((await stream.deleteBelow(1)).sort(), ['a', 'b']);
    });

    it('should work through many chunks', async () => {
      const chunked = new PrioritizedStream(redis, uniqueName(), { chunkSize: 7 });
      await chunked.addMany(Array.from({ length: 100 }, (_, i) => [`k${String(i)}`, 'v', i] as const));
      const removed = await chunked.deleteBelow(50);
      assert.equal(removed.length, 50);
      assert.equal(await chunked.len(), 50);
      assert.deepEqual(
        (await chunked.entries({ offset: 49 })).map((i) => i.priority),
        [50],
      );
    });

    it('should refuse a non-finite threshold', async () => {
      await assert.rejects(stream.deleteBelow(Number.NaN), (err) => GoodRedisError.is(err, 'InvalidArgument'));
      assert.equal(await stream.len(), 4);
    });
  });
});

import assert from 'node:assert/strict';
import type { RedisClient } from '../../../src/index.js';
import { GoodRedisError, PrioritizedStream, jsonCodec } from '../../../src/index.js';
import { closeAll, describeEachTopology, uniqueName, newStream } from '../support.js';

describeEachTopology('PrioritizedStream (add)', () => {
  let redis: RedisClient;
  let stream: PrioritizedStream;

  beforeEach(async () => {
    ({ redis, stream } = await newStream());
  });
  afterEach(closeAll);

  describe('.add', () => {
    it('should store the value and return the priority', async () => {
      assert.equal(await stream.add('k', 'v', 5), 5);
      assert.equal(await stream.get('k'), 'v');
      assert.equal(await stream.len(), 1);
    });

    it('should default the priority to 1', async () => {
      assert.equal(await stream.add('k', 'v'), 1);
    });

    it('should add the priority to a queued key and replace its value', async () => {
      await stream.add('k', 'old', 5);
      assert.equal(await stream.add('k', 'new', 2.5), 7.5);
      assert.equal(await stream.get('k'), 'new');
      assert.equal(await stream.len(), 1);
    });

    it('should set the priority with mode replace', async () => {
      await stream.add('k', 'v', 5);
      assert.equal(await stream.add('k', 'v', 2, { mode: 'replace' }), 2);
    });

    it('should keep the higher priority with mode max', async () => {
      await stream.add('k', 'v', 5);
      assert.equal(await stream.add('k', 'v', 2, { mode: 'max' }), 5);
      assert.equal(await stream.add('k', 'v', 9, { mode: 'max' }), 9);
    });

    it('should keep fractional and negative priorities exactly', async () => {
      assert.equal(await stream.add('a', 'v', 0.1), 0.1);
      assert.equal(await stream.add('b', 'v', -2.75), -2.75);
      assert.equal(await stream.add('c', 'v', 0), 0);
      assert.deepEqual(
        (await stream.entries()).map((i) => i.priority),
        [0.1, 0, -2.75],
      );
    });

    it('should reject a gated key with null and write nothing', async () => {
      await stream.add('k', 'v', 1);
      await stream.pull({ gate: true });
      assert.equal(await stream.add('k', 'again', 3), null);
      assert.equal(await stream.get('k'), null);
      assert.equal(await stream.len(), 0);
    });

    it('should reject a key that is cooling down', async () => {
      await stream.add('k', 'v', 1);
      await stream.pull({ cooldownMs: 60_000 });
      assert.equal(await stream.add('k', 'v', 1), null);
      assert.equal(await stream.len(), 0);
    });

    it('should accept a key whose cooldown deadline has passed, before any sweep', async () => {
      await stream.add('k', 'v', 1);
      await stream.pull({ expireAt: 1 }); // a deadline in 1970
      assert.equal(await stream.add('k', 'v', 4), 4);
      // The stale cooldown is gone, so a later sweep cannot remove the new item.
      assert.equal(await stream.expire(), 0);
      assert.equal(await stream.get('k'), 'v');
    });

    it('should clear gating and cooldown with readd', async () => {
      await stream.addMany([
        ['g', 'v', 1],
        ['c', 'v', 1],
      ]);
      await stream.pull({ count: 1, gate: true }); // "c" < "g": equal priorities pull in key order
      await stream.pull({ count: 1, cooldownMs: 60_000 });
      assert.equal(await stream.add('c', 'v', 2, { readd: true }), 2);
      assert.equal(await stream.add('g', 'v', 3, { readd: true }), 3);
      assert.equal(await redis.sismember(stream.redisKeys.gated, 'c'), 0);
      assert.equal(await redis.zscore(stream.redisKeys.cooldowns, 'g'), null);
    });

    it('should register the stream name', async () => {
      await stream.add('k', 'v');
      assert.equal(await redis.sismember(':ps:keys', stream.name), 1);
    });

    it('should refuse a non-finite priority before writing', async () => {
      await assert.rejects(stream.add('k', 'v', Number.POSITIVE_INFINITY), (err) => GoodRedisError.is(err, 'InvalidArgument'));
      assert.equal(await redis.exists(stream.redisKeys.items, stream.redisKeys.scores), 0);
      assert.equal(await redis.sismember(':ps:keys', stream.name), 0);
    });
  });

  describe('.addMany', () => {
    it('should add objects and tuples in input order and return one result each', async () => {
      const results = await stream.addMany([{ key: 'a', value: 'A', priority: 3 }, ['b', 'B', 2], ['c', 'C']]);
      assert.deepEqual(results, [3, 2, 1]);
      assert.deepEqual(await stream.keys(), ['a', 'b', 'c']);
    });

    it('should default a missing or undefined priority to 1 and refuse null', async () => {
      assert.deepEqual(await stream.addMany([['a', 'A'], ['b', 'B', undefined], { key: 'c', value: 'C' }]), [1, 1, 1]);
      await assert.rejects(
        stream.addMany([{ key: 'd', value: 'D', priority: null as unknown as number }]),
        (err) => GoodRedisError.is(err, 'InvalidArgument') && err.message.includes('items[0].priority'),
      );
      assert.equal(await stream.get('d'), null);
    });

    it('should treat duplicate keys as added one after another', async () => {
      const results = await stream.addMany([
        ['k', 'first', 1],
        ['k', 'second', 2],
        ['k', 'third', 4],
      ]);
      assert.deepEqual(results, [1, 3, 7]);
      assert.equal(await stream.get('k'), 'third');
    });

    it('should return null for gated and cooling keys and add the others', async () => {
      await stream.addMany([
        ['gated', 'v', 9],
        ['cool', 'v', 8],
      ]);
      await stream.pull({ count: 1, gate: true });
      await stream.pull({ count: 1, cooldownMs: 60_000 });
      assert.deepEqual(
        await stream.addMany([
          ['gated', 'v', 1],
          ['new', 'v', 1],
          ['cool', 'v', 1],
        ]),
        [null, 1, null],
      );
    });

    it('should span several chunks and keep the order across them', async () => {
      const small = new PrioritizedStream(redis, uniqueName(), { chunkSize: 3 });
      const items = Array.from({ length: 10 }, (_, i) => ({ key: 'k', value: `v${String(i)}`, priority: 1 }));
      const results = await small.addMany(items);
      assert.deepEqual(results, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      assert.equal(await small.get('k'), 'v9');
    });

    it('should write nothing when one item is bad', async () => {
      await assert.rejects(
        stream.addMany([
          ['a', 'A', 1],
          ['', 'B', 1],
        ]),
        (err) => GoodRedisError.is(err, 'InvalidArgument') && err.message.includes('items[1].key'),
      );
      await assert.rejects(
        stream.addMany([
          ['a', 'A', 1],
          ['b', 'B', Number.NaN],
        ]),
        /items\[1\]\.priority/,
      );
      assert.equal(await stream.len(), 0);
    });

    it('should write nothing when the codec refuses one value', async () => {
      const json = new PrioritizedStream<unknown>(redis, uniqueName(), { codec: jsonCodec() });
      await assert.rejects(
        json.addMany([
          ['a', { ok: true }, 1],
          ['b', 10n, 1],
        ]),
        (err) => GoodRedisError.is(err, 'Codec'),
      );
      assert.equal(await json.len(), 0);
    });

    it('should return an empty array and send nothing for no items', async () => {
      assert.deepEqual(await stream.addMany([]), []);
      assert.equal(await redis.sismember(':ps:keys', stream.name), 0);
    });
  });
});

import assert from 'node:assert/strict';
import type { RedisClient } from '../../../src/index.js';
import { GoodRedisError, PrioritizedStream, bufferCodec, jsonCodec, type Item } from '../../../src/index.js';
import { closeAll, describeEachTopology, uniqueName, newStream } from '../support.js';

describeEachTopology('PrioritizedStream (read and delete)', () => {
  let redis: RedisClient;
  let stream: PrioritizedStream;

  beforeEach(async () => {
    ({ redis, stream } = await newStream([
      ['c', 'C', 1],
      ['a', 'A', 3],
      ['b', 'B', 2],
    ]));
  });
  afterEach(closeAll);

  describe('.get', () => {
    it('should return the value, or null for an unknown key', async () => {
      assert.equal(await stream.get('a'), 'A');
      assert.equal(await stream.get('zz'), null);
    });
  });

  describe('.len', () => {
    it('should count the queued items', async () => {
      assert.equal(await stream.len(), 3);
      await stream.pull();
      assert.equal(await stream.len(), 2);
    });
  });

  describe('.keys / .values / .entries', () => {
    it('should read in pull order', async () => {
      assert.deepEqual(await stream.keys(), ['a', 'b', 'c']);
      assert.deepEqual(await stream.values(), ['A', 'B', 'C']);
      assert.deepEqual(await stream.entries(), [
        { key: 'a', value: 'A', priority: 3 },
        { key: 'b', value: 'B', priority: 2 },
        { key: 'c', value: 'C', priority: 1 },
      ]);
    });

    it('should read a page with offset and limit', async () => {
      assert.deepEqual(await stream.keys({ offset: 1, limit: 1 }), ['b']);
      assert.deepEqual(await stream.values({ offset: 1 }), ['B', 'C']);
      assert.deepEqual(await stream.entries({ limit: 0 }), []);
      assert.deepEqual(await stream.keys({ offset: 10 }), []);
    });

    it('should refuse a negative offset', async () => {
      await assert.rejects(stream.keys({ offset: -1 }), (err) => GoodRedisError.is(err, 'InvalidArgument'));
    });
  });

  describe('.scan', () => {
    it('should visit every item of a large stream incrementally', async () => {
      const big = new PrioritizedStream(redis, uniqueName());
      await big.addMany(Array.from({ length: 3000 }, (_, i) => [`k${String(i)}`, `v${String(i)}`, i] as const));
      const seen = new Map<string, Item<string>>();
      for await (const item of big.scan({ batchSize: 200 })) seen.set(item.key, item);
      assert.equal(seen.size, 3000);
      assert.deepEqual(seen.get('k1234'), { key: 'k1234', value: 'v1234', priority: 1234 });
    });

    it('should be the async iterator of the stream', async () => {
      const keys: string[] = [];
      for await (const item of stream) keys.push(item.key);
      assert.deepEqual(keys.sort(), ['a', 'b', 'c']);
    });
  });

  describe('.delete', () => {
    it('should remove every key of the stream and unregister it', async () => {
      await stream.pull({ gate: true });
      await stream.decrementAll(1);
      await stream.pull({ purge: false });
      assert.equal(await stream.delete(), true);
      const k = stream.redisKeys;
      assert.equal(await redis.exists(k.items, k.scores, k.gated, k.cooldowns, k.meta), 0);
      assert.equal(await redis.sismember(':ps:keys', stream.name), 0);
      assert.equal(await stream.delete(), false);
    });

    it('should let the stream be used again afterwards', async () => {
      await stream.pull({ gate: true });
      await stream.delete();
      assert.equal(await stream.add('a', 'A', 1), 1);
      assert.equal(await redis.sismember(':ps:keys', stream.name), 1);
    });
  });

  describe('codecs', () => {
    it('should round-trip JSON values', async () => {
      const json = new PrioritizedStream(redis, uniqueName(), { codec: jsonCodec<{ url: string; depth: number }>() });
      await json.add('p', { url: 'https://example.com/', depth: 2 }, 1);
      assert.deepEqual(await json.get('p'), { url: 'https://example.com/', depth: 2 });
      assert.deepEqual(await json.pull(), [{ key: 'p', value: { url: 'https://example.com/', depth: 2 }, priority: 1 }]);
    });

    it('should round-trip binary values with the buffer codec', async () => {
      const binary = new PrioritizedStream(redis, uniqueName(), { codec: bufferCodec });
      const bytes = Buffer.from([0, 255, 1, 254, 0x80]);
      await binary.add('b', bytes, 2.5);
      assert.deepEqual(await binary.get('b'), bytes);
      assert.deepEqual(await binary.values(), [bytes]);
      assert.deepEqual(await binary.entries(), [{ key: 'b', value: bytes, priority: 2.5 }]);
      const scanned: Item<Buffer>[] = [];
      for await (const item of binary) scanned.push(item);
      assert.deepEqual(scanned, [{ key: 'b', value: bytes, priority: 2.5 }]);
      assert.deepEqual(await binary.pull(), [{ key: 'b', value: bytes, priority: 2.5 }]);
    });

    it('should refuse a value the default codec cannot store', async () => {
      const loose = new PrioritizedStream<unknown>(redis, uniqueName());
      await assert.rejects(loose.add('k', { not: 'a string' }), (err) => GoodRedisError.is(err, 'Codec'));
      assert.equal(await loose.len(), 0);
    });
  });

  describe('prefix', () => {
    it('should put every key and the registry under the prefix', async () => {
      const prefixed = new PrioritizedStream(redis, 'jobs', { prefix: `app-${uniqueName()}` });
      await prefixed.add('k', 'v');
      assert.match(prefixed.redisKeys.items, /^app-.*\{jobs\}:t$/);
      assert.equal(await redis.exists(prefixed.redisKeys.items), 1);
      assert.equal(await redis.sismember(`${prefixed.redisKeys.items.split('{')[0] ?? ''}:ps:keys`, 'jobs'), 1);
    });
  });
});

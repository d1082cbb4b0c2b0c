import assert from 'node:assert/strict';
import type { RedisClient } from '../../../src/index.js';
import { DEFAULT_COOLDOWN_MS, GoodRedisError, PrioritizedStream } from '../../../src/index.js';
import { closeAll, describeEachTopology, serverNow, uniqueName, newStream } from '../support.js';

describeEachTopology('PrioritizedStream (pull)', () => {
  let redis: RedisClient;
  let stream: PrioritizedStream;

  beforeEach(async () => {
    ({ redis, stream } = await newStream([
      ['low', 'L', 1],
      ['high', 'H', 10],
      ['mid-b', 'B', 5],
      ['mid-a', 'A', 5],
    ]));
  });
  afterEach(closeAll);

  describe('.pull', () => {
    it('should take the highest priority first, ties in ascending key order', async () => {
      const items = await stream.pull({ count: 4 });
      assert.deepEqual(items, [
        { key: 'high', value: 'H', priority: 10 },
        { key: 'mid-a', value: 'A', priority: 5 },
        { key: 'mid-b', value: 'B', priority: 5 },
        { key: 'low', value: 'L', priority: 1 },
      ]);
    });

    it('should take one item by default and remove it', async () => {
      const items = await stream.pull();
      assert.deepEqual(
        items.map((i) => i.key),
        ['high'],
      );
      assert.equal(await stream.get('high'), null);
      assert.equal(await stream.len(), 3);
    });

    it('should return each key at most once when count exceeds the length', async () => {
      const items = await stream.pull({ count: 100, purge: false });
      assert.deepEqual(
        items.map((i) => i.key),
        ['high', 'mid-a', 'mid-b', 'low'],
      );
    });

    it('should return an empty array on an empty stream', async () => {
      assert.deepEqual(await new PrioritizedStream(redis, uniqueName()).pull({ count: 5 }), []);
    });

    it('should keep items with purge false, their priority decreased by 1', async () => {
      const items = await stream.pull({ count: 2, purge: false });
      assert.deepEqual(
        items.map((i) => i.priority),
        [10, 5],
      );
      assert.deepEqual(await stream.entries(), [
        { key: 'high', value: 'H', priority: 9 },
        { key: 'mid-b', value: 'B', priority: 5 },
        { key: 'mid-a', value: 'A', priority: 4 },
        { key: 'low', value: 'L', priority: 1 },
      ]);
    });

    it('should decrease by decreaseBy with purge false', async () => {
      await stream.pull({ purge: false, decreaseBy: 7.5 });
      assert.equal((await stream.entries({ limit: 4 })).find((i) => i.key === 'high')?.priority, 2.5);
    });

    it('should gate purged keys so they are never re-added', async () => {
      await stream.pull({ count: 2, gate: true, cooldownMs: 0 });
      assert.deepEqual((await redis.smembers(stream.redisKeys.gated)).sort(), ['high', 'mid-a']);
      assert.deepEqual(
        await stream.addMany([
          ['high', 'H', 1],
          ['mid-a', 'A', 1],
        ]),
        [null, null],
      );
    });

    it('should refuse gate without purge and write nothing', async () => {
      await assert.rejects(stream.pull({ gate: true, purge: false }), (err) => GoodRedisError.is(err, 'InvalidArgument'));
      assert.equal(await stream.len(), 4);
      assert.equal(await redis.exists(stream.redisKeys.gated, stream.redisKeys.cooldowns), 0);
    });

    it('should give pulled keys the stream default cooldown of 24 h on the server clock', async () => {
      const before = await serverNow(redis);
      await stream.pull();
      const after = await serverNow(redis);
      const deadline = Number(await redis.zscore(stream.redisKeys.cooldowns, 'high'));
      assert.ok(deadline >= before + DEFAULT_COOLDOWN_MS && deadline <= after + DEFAULT_COOLDOWN_MS, `deadline ${String(deadline)}`);
    });

    it('should use cooldownMs from now', async () => {
      const before = await serverNow(redis);
      await stream.pull({ cooldownMs: 5000 });
      const deadline = Number(await redis.zscore(stream.redisKeys.cooldowns, 'high'));
      assert.ok(deadline >= before + 5000 && deadline <= (await serverNow(redis)) + 5000);
    });

    it('should use expireAt over cooldownMs, as a Date or epoch ms', async () => {
      const at = new Date('2100-01-01T00:00:00Z');
      await stream.pull({ expireAt: at, cooldownMs: 5000 });
      assert.equal(Number(await redis.zscore(stream.redisKeys.cooldowns, 'high')), at.getTime());
      await stream.pull({ expireAt: at.getTime() + 1 });
      assert.equal(Number(await redis.zscore(stream.redisKeys.cooldowns, 'mid-a')), at.getTime() + 1);
    });

    it('should set no cooldown with cooldownMs 0, clearing an earlier one', async () => {
      await stream.pull({ purge: false, cooldownMs: 60_000 });
      assert.notEqual(await redis.zscore(stream.redisKeys.cooldowns, 'high'), null);
      await stream.pull({ cooldownMs: 0 });
      assert.equal(await redis.exists(stream.redisKeys.cooldowns), 0);
      assert.equal(await stream.add('high', 'H', 1), 1);
    });

    it('should apply the stream option cooldownMs as the default', async () => {
      const noCooldown = new PrioritizedStream(redis, stream.name, { cooldownMs: 0 });
      await noCooldown.pull();
      assert.equal(await redis.exists(stream.redisKeys.cooldowns), 0);
    });

    for (const [label, options] of [
      ['count 0', { count: 0 }],
      ['a fractional count', { count: 1.5 }],
      ['a count over 10000', { count: 10_001 }],
      ['a negative cooldownMs', { cooldownMs: -1 }],
      ['a NaN expireAt', { expireAt: Number.NaN }],
      ['an infinite decreaseBy', { decreaseBy: Number.POSITIVE_INFINITY }],
    ] as const) {
      it(`should refuse ${label} and write nothing`, async () => {
        await assert.rejects(stream.pull(options), (err) => GoodRedisError.is(err, 'InvalidArgument'));
        assert.equal(await stream.len(), 4);
      });
    }
  });
});

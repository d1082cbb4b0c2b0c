import assert from 'node:assert/strict';
import type { RedisClient } from '../../../src/index.js';
import { GoodRedisError, PrioritizedStream, StreamRegistry } from '../../../src/index.js';
import { closeAll, connect, describeEachTopology, uniqueName } from '../support.js';

describeEachTopology('StreamRegistry', () => {
  let redis: RedisClient;
  let registry: StreamRegistry;
  let prefix: string;

  beforeEach(() => {
    redis = connect();
    prefix = uniqueName('reg');
    registry = new StreamRegistry(redis, { prefix });
  });
  afterEach(closeAll);

  describe('.names / .has', () => {
    it('should list the streams that had items added, sorted', async () => {
      await registry.stream('b').add('k', 'v');
      await registry.stream('a').addMany([['k', 'v', 1]]);
      assert.deepEqual(await registry.names(), ['a', 'b']);
      assert.equal(await registry.has('a'), true);
      assert.equal(await registry.has('c'), false);
      assert.equal(registry.key, `${prefix}:ps:keys`);
    });

    it('should read a large registry incrementally', async () => {
      await redis.sadd(registry.key, ...Array.from({ length: 2500 }, (_, i) => `s${String(i)}`));
      assert.equal((await registry.names()).length, 2500);
    });
  });

  describe('.stream', () => {
    it('should hand out a stream with the registry prefix and defaults', async () => {
      const withDefaults = new StreamRegistry(redis, { prefix, streamDefaults: { cooldownMs: 0 } });
      const stream = withDefaults.stream('jobs');
      assert.ok(stream instanceof PrioritizedStream);
      assert.equal(stream.redisKeys.items, `${prefix}{jobs}:t`);
      await stream.add('k', 'v');
      await stream.pull();
      assert.equal(await redis.exists(stream.redisKeys.cooldowns), 0, 'cooldownMs 0 came from the defaults');
    });

    it('should refuse a name with braces', () => {
      assert.throws(
        () => registry.stream('a{b'),
        (err) => GoodRedisError.is(err, 'InvalidArgument'),
      );
    });
  });

  describe('.register / .unregister', () => {
    it('should be idempotent', async () => {
      assert.equal(await registry.register('x'), true);
      assert.equal(await registry.register('x'), false);
      assert.equal(await registry.unregister('x'), true);
      assert.equal(await registry.unregister('x'), false);
    });
  });

  describe('.prune', () => {
    it('should unregister names without data and keep the others', async () => {
      await registry.stream('full').add('k', 'v');
      const gone = registry.stream('gone');
      await gone.add('k', 'v');
      await redis.unlink(gone.redisKeys.items, gone.redisKeys.scores);
      await registry.register('never');
      assert.deepEqual((await registry.prune()).sort(), ['gone', 'never']);
      assert.deepEqual(await registry.names(), ['full']);
    });

    it('should keep a stream whose only data is gated keys', async () => {
      const gated = registry.stream('gated');
      await gated.add('k', 'v');
      await gated.pull({ gate: true, cooldownMs: 0 });
      assert.deepEqual(await registry.prune(), []);
    });

    it('should re-register a name whose data appears while it is pruned', async () => {
      await registry.register('racy');
      const stream = registry.stream('racy');
      // An add that lands between prune's emptiness check and its SREM.
      const exists = redis.exists.bind(redis);
      let checks = 0;
      (redis as unknown as { exists: typeof redis.exists }).exists = (async (...keys: string[]) => {
        const result = await exists(...keys);
        checks += 1;
        if (checks === 1) await stream.add('k', 'v');
        return result;
      }) as typeof redis.exists;
      try {
        assert.deepEqual(await registry.prune(), []);
      } finally {
        (redis as unknown as { exists: typeof redis.exists }).exists = exists;
      }
      assert.equal(await registry.has('racy'), true);
    });
  });
});

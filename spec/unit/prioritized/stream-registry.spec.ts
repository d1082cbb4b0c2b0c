import assert from 'node:assert/strict';
import RedisMock from 'ioredis-mock';
import { GoodRedisError, PrioritizedStream, StreamRegistry, type RedisClient } from '../../../src/index.js';

// ioredis-mock is faithful for the plain set commands the registry sends; everything that
// runs Lua is proven against a real Redis in spec/integration.
describe('StreamRegistry (unit, ioredis-mock)', () => {
  let redis: RedisClient;

  beforeEach(async () => {
    redis = new RedisMock();
    await redis.flushall(); // ioredis-mock instances share their in-memory data
  });
  afterEach(() => {
    redis.disconnect();
  });

  it('should keep names in :ps:keys by default', async () => {
    const registry = new StreamRegistry(redis);
    assert.equal(registry.key, ':ps:keys');
    assert.equal(await registry.register('b'), true);
    assert.equal(await registry.register('a'), true);
    assert.deepEqual(await registry.names(), ['a', 'b']);
    assert.deepEqual((await redis.smembers(':ps:keys')).sort(), ['a', 'b']);
  });

  it('should answer has and unregister', async () => {
    const registry = new StreamRegistry(redis, { prefix: 'app' });
    await registry.register('x');
    assert.equal(await registry.has('x'), true);
    assert.equal(await registry.unregister('x'), true);
    assert.equal(await registry.has('x'), false);
    assert.equal(registry.key, 'app:ps:keys');
  });

  it('should hand out streams with its prefix, overriding a prefix passed in', () => {
    const registry = new StreamRegistry(redis, { prefix: 'app' });
    const stream = registry.stream('jobs', { prefix: 'other' } as object);
    assert.ok(stream instanceof PrioritizedStream);
    assert.equal(stream.redisKeys.scores, 'app{jobs}:s');
  });

  it('should refuse bad names and prefixes before sending anything', async () => {
    assert.throws(
      () => new StreamRegistry(redis, { prefix: 'a{' }),
      (err) => GoodRedisError.is(err, 'InvalidArgument'),
    );
    const registry = new StreamRegistry(redis);
    await assert.rejects(registry.register(''), (err) => GoodRedisError.is(err, 'InvalidArgument'));
    await assert.rejects(registry.has('x}'), (err) => GoodRedisError.is(err, 'InvalidArgument'));
    assert.equal(await redis.exists(':ps:keys'), 0);
  });
});

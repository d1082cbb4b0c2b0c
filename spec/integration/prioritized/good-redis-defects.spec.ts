/**
 * Each defect of good-redis that the behaviour contract lists as fixed, proven against a real
 * Redis. The tests are named after the defect.
 */
import assert from 'node:assert/strict';
import type { RedisClient } from '../../../src/index.js';
import { type PrioritizedStream } from '../../../src/index.js';
import { STREAM_SCRIPTS } from '../../../src/prioritized/scripts.js';
import { closeAll, describeEachTopology, keysMatching, scriptCalls, newStream } from '../support.js';

describeEachTopology('good-redis defects, fixed', () => {
  let redis: RedisClient;
  let stream: PrioritizedStream;

  beforeEach(async () => {
    ({ redis, stream } = await newStream());
  });
  afterEach(closeAll);

  it('should give every key of a stream the {name} hash tag (Cluster slots)', async () => {
    await stream.addMany([
      ['k', 'v', 2],
      ['other', 'v', 1],
    ]);
    await stream.pull({ purge: false });
    await stream.decrementAll(1);
    await stream.pull({ gate: true });
    const keys = await keysMatching(redis, `*${stream.name}*`);
    assert.equal(keys.length, 7, `found ${keys.join(', ')}`); // t, s, exc, exp, meta, marker, stats
    // Cluster hashes the first {...} of a key: it must be the stream name in every key.
    for (const key of keys) assert.equal(/\{([^}]*)\}/.exec(key)?.[1], stream.name, key);
  });

  it('should declare every key a script touches in KEYS (no key built in Lua)', () => {
    const sources = STREAM_SCRIPTS.sources();
    assert.ok(sources.size >= 12);
    for (const [file, source] of sources) {
      // Every key argument is one of the script's declared keys, K.name (helpers receive K or K.name as metaKey, …), unpack(KEYS), or KEYS[i] in the key type guard.
      for (const call of source.matchAll(/(?:redis\.call|callChunked|readBase|zaddAll|setCooldowns)\(('\w+',\s*)?([^,)]+)/g)) {
        const keyArg = call[2] ?? '';
        assert.match(
          keyArg,
          /^(K\.\w+|metaKey|hashKey|pending|inFlight|set|zset|cooldownKey|statsKey|stateKey|markerKey|unpack\(KEYS|KEYS\[i\]|command|'TIME')$/,
          `${file}: ${call[0]}`,
        );
      }
      assert.doesNotMatch(source, /\.\.\s*':(t|s|exc|exp)'/, `${file} builds a key name`);
    }
  });

  it('should make add with readd one atomic script', async () => {
    await stream.add('k', 'v', 1);
    await stream.pull({ gate: true });
    const before = await scriptCalls(redis);
    await stream.add('k', 'v', 2, { readd: true });
    assert.equal((await scriptCalls(redis)) - before, 1);
  });

  it('should make deleteBelow atomic per chunk and exclusive of the threshold', async () => {
    await stream.addMany([
      ['at', 'v', 5],
      ['below', 'v', 4.999],
    ]);
    const before = await scriptCalls(redis);
    assert.deepEqual(await stream.deleteBelow(5), ['below']);
    assert.equal((await scriptCalls(redis)) - before, 1);
    assert.deepEqual(await stream.keys(), ['at']);
  });

  it('should never let expire delete an item re-added after its cooldown ended', async () => {
    await stream.add('k', 'v', 1);
    await stream.pull({ purge: false, expireAt: 1 }); // ended long ago, not yet swept
    // good-redis read the expired keys, then deleted them: a re-add in between was lost.
    assert.equal(await stream.add('k', 'fresh', 3), 3);
    assert.equal(await stream.expire(), 0);
    assert.equal(await stream.get('k'), 'fresh');
  });

  it('should make expire one atomic script per chunk', async () => {
    await stream.addMany([
      ['a', 'v', 1],
      ['b', 'v', 1],
      ['c', 'v', 1],
    ]);
    await stream.pull({ count: 2, purge: false, expireAt: 1 });
    await stream.pull({ count: 1, expireAt: 1 });
    const before = await scriptCalls(redis);
    assert.equal(await stream.expire(), 3);
    assert.equal((await scriptCalls(redis)) - before, 1);
    assert.equal(await stream.len(), 0);
  });

  it('should decrement all priorities without a loop over the set', async () => {
    await stream.addMany(Array.from({ length: 2000 }, (_, i) => [`k${String(i)}`, 'v', i] as const));
    const rawScores = await redis.zrange(stream.redisKeys.scores, 0, 4, 'WITHSCORES');
    await stream.decrementAll(10);
    assert.deepEqual(await redis.zrange(stream.redisKeys.scores, 0, 4, 'WITHSCORES'), rawScores, 'no stored score moved');
    assert.equal((await stream.entries({ limit: 1 }))[0]?.priority, 1989);
  });

  it('should decrease (not reset to -1) priorities on pull with purge false', async () => {
    await stream.add('k', 'v', 10);
    await stream.pull({ purge: false });
    assert.equal((await stream.entries())[0]?.priority, 9);
  });

  it('should not return an item twice when count exceeds the length', async () => {
    await stream.addMany([
      ['a', 'v', 1],
      ['b', 'v', 2],
    ]);
    assert.deepEqual(
      (await stream.pull({ count: 10, purge: false })).map((i) => i.key),
      ['b', 'a'],
    );
  });

  it('should not create a score without a value on increment of an unknown key', async () => {
    await stream.add('real', 'v', 1);
    assert.equal(await stream.increment('ghost', 100), null);
    assert.deepEqual(await stream.pull({ count: 1 }), [{ key: 'real', value: 'v', priority: 1 }]);
  });

  it('should tell a rejected add (null) from a total priority of 0', async () => {
    assert.equal(await stream.add('zero', 'v', 0), 0);
    await stream.pull({ gate: true });
    assert.equal(await stream.add('zero', 'v', 0), null);
  });

  it('should keep fractional priorities', async () => {
    assert.equal(await stream.add('f', 'v', 1.75), 1.75);
    assert.equal((await stream.pull())[0]?.priority, 1.75);
  });

  it('should take cooldown deadlines from the Redis server clock, not the client', async () => {
    // A client clock one day behind must not shorten the cooldown.
    const realNow = Date.now;
    Date.now = () => realNow() - 86_400_000;
    try {
      await stream.add('k', 'v');
      await stream.pull({ cooldownMs: 60_000 });
    } finally {
      Date.now = realNow;
    }
    const [seconds] = await redis.time();
    const deadline = Number(await redis.zscore(stream.redisKeys.cooldowns, 'k'));
    assert.ok(deadline > Number(seconds) * 1000 + 50_000, `deadline ${String(deadline)} follows the server clock`);
  });
});

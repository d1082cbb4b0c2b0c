import assert from 'node:assert/strict';
import type { RedisClient } from '../../../src/index.js';
import { PrioritizedStream } from '../../../src/index.js';
import { closeAll, describeEachTopology, serverNow, uniqueName, waitFor, newStream } from '../support.js';

/** Waits until the server clock has passed a key's cooldown deadline. */
async function waitPastDeadline(redis: RedisClient, stream: PrioritizedStream, key: string): Promise<void> {
  const deadline = Number(await redis.zscore(stream.redisKeys.cooldowns, key));
  assert.ok(deadline > 0, `${key} has a cooldown`);
  await waitFor(async () => (await serverNow(redis)) > deadline, 5000, `the server clock to pass ${String(deadline)}`);
}

describeEachTopology('PrioritizedStream (cooldowns)', () => {
  let redis: RedisClient;
  let stream: PrioritizedStream;

  beforeEach(async () => {
    ({ redis, stream } = await newStream([
      ['a', 'A', 2],
      ['b', 'B', 1],
    ]));
  });
  afterEach(closeAll);

  it('should block a pulled key until its real deadline passes, then accept it', async () => {
    await stream.pull({ cooldownMs: 150 });
    assert.equal(await stream.add('a', 'A', 1), null);
    await waitPastDeadline(redis, stream, 'a');
    assert.equal(await stream.add('a', 'A', 1), 1);
  });

  describe('.expire', () => {
    it('should count ended cooldowns and leave running ones', async () => {
      await stream.pull({ cooldownMs: 100 });
      await stream.pull({ cooldownMs: 60_000 });
      await waitPastDeadline(redis, stream, 'a');
      assert.equal(await stream.expire(), 1);
      assert.equal(await redis.zscore(stream.redisKeys.cooldowns, 'a'), null);
      assert.notEqual(await redis.zscore(stream.redisKeys.cooldowns, 'b'), null);
      assert.equal(await stream.expire(), 0);
    });

    it('should remove a key still queued after a pull with purge false', async () => {
      await stream.pull({ purge: false, cooldownMs: 100 });
      await waitPastDeadline(redis, stream, 'a');
      assert.equal(await stream.expire(), 1);
      assert.equal(await stream.get('a'), null);
      assert.deepEqual(await stream.keys(), ['b']);
    });

    it('should not remove an item re-added with readd during its cooldown', async () => {
      await stream.pull({ purge: false, cooldownMs: 100 });
      const deadline = Number(await redis.zscore(stream.redisKeys.cooldowns, 'a'));
      await stream.add('a', 'A2', 5, { readd: true });
      await waitFor(async () => (await serverNow(redis)) > deadline, 5000, 'the old deadline to pass');
      assert.equal(await stream.expire(), 0);
      assert.equal(await stream.get('a'), 'A2');
    });

    it('should sweep many cooldowns in bounded chunks', async () => {
      const chunked = new PrioritizedStream(redis, uniqueName(), { chunkSize: 50 });
      await chunked.addMany(Array.from({ length: 420 }, (_, i) => [`k${String(i)}`, 'v', 1] as const));
      await chunked.pull({ count: 420, expireAt: 1 });
      assert.equal(await chunked.expire(), 420);
      assert.equal(await redis.exists(chunked.redisKeys.cooldowns), 0);
    });
  });
});

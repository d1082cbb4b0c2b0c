import assert from 'node:assert/strict';
import type { RedisClient } from '../../../src/index.js';
import { type PrioritizedStream } from '../../../src/index.js';
import { closeAll, describeEachTopology, serverNow, newStream } from '../support.js';

describeEachTopology('PrioritizedStream (stats, cooldowns, reasons)', () => {
  let redis: RedisClient;
  let stream: PrioritizedStream;

  beforeEach(async () => {
    ({ redis, stream } = await newStream());
  });
  afterEach(closeAll);

  describe('.stats', () => {
    it('should count zero for a stream that never existed', async () => {
      const stats = await stream.stats();
      const now = await serverNow(redis);
      assert.deepEqual({ ...stats, now: 0 }, { length: 0, gated: 0, cooling: 0, cooldownsDue: 0, leased: 0, delayed: 0, dead: 0, added: 0, pulled: 0, now: 0 });
      assert.ok(Math.abs(stats.now - now) < 5_000, `server clock ${String(stats.now)} vs ${String(now)}`);
    });

    it('should count every structure, and adds and pulls as they are accepted', async () => {
      await stream.addMany([
        ['a', 'A', 5],
        ['b', 'B', 4],
        ['c', 'C', 3],
        ['d', 'D', 2],
        ['e', 'E', 1],
        ['f', 'F', 0],
      ]);
      await stream.pull({ gate: true, cooldownMs: 0 }); // a: gated
      await stream.pull({ cooldownMs: 60_000 }); // b: cooling
      await stream.pull({ expireAt: 1 }); // c: an ended cooldown, due for the sweep
      const [leased] = await stream.lease({ count: 2 }); // d, e
      assert.ok(leased);
      await stream.nack([leased], { delayMs: 60_000 }); // d: delayed
      await stream.add('b', 'B', 1); // refused: cooling, not counted
      await stream.add('a', 'A', 1); // refused: gated
      const stats = await stream.stats();
      assert.deepEqual({ ...stats, now: 0 }, { length: 1, gated: 1, cooling: 1, cooldownsDue: 1, leased: 1, delayed: 1, dead: 0, added: 6, pulled: 5, now: 0 });
    });

    it('should give the stats hash a TTL and drop it with the stream', async () => {
      await stream.add('a', 'A');
      const ttl = await redis.pttl(stream.redisKeys.stats);
      assert.ok(ttl > 86_000_000 && ttl <= 86_400_000, `TTL ${String(ttl)}`);
      await stream.delete();
      assert.equal(await redis.exists(stream.redisKeys.stats), 0);
    });
  });

  describe('.cooldowns', () => {
    it('should list cooldowns soonest first, ended ones included, in ranges', async () => {
      await stream.addMany([
        ['late', 'v', 3],
        ['soon', 'v', 2],
        ['ended', 'v', 1],
      ]);
      const now = await serverNow(redis);
      await stream.pull({ expireAt: now + 120_000 });
      await stream.pull({ expireAt: now + 60_000 });
      await stream.pull({ expireAt: 1 });
      assert.deepEqual(await stream.cooldowns(), [
        { key: 'ended', until: 1 },
        { key: 'soon', until: now + 60_000 },
        { key: 'late', until: now + 120_000 },
      ]);
      assert.deepEqual(
        (await stream.cooldowns({ offset: 1, limit: 1 })).map((c) => c.key),
        ['soon'],
      );
    });
  });

  describe('.addManyDetailed', () => {
    it('should tell why each refused item was refused, and add the rest as addMany does', async () => {
      await stream.addMany([
        ['gated', 'v', 3],
        ['cooling', 'v', 2],
        ['leased', 'v', 1],
      ]);
      await stream.pull({ gate: true });
      await stream.pull({ cooldownMs: 60_000 });
      await stream.lease();
      await stream.add('queued', 'v', 2);
      const outcomes = await stream.addManyDetailed([
        ['gated', 'v', 1],
        ['cooling', 'v', 1],
        ['leased', 'v', 1],
        ['queued', 'v', 3],
        ['new', 'v', 1],
      ]);
      assert.deepEqual(outcomes, [
        { added: false, reason: 'gated' },
        { added: false, reason: 'cooling' },
        { added: false, reason: 'inFlight' },
        { added: true, priority: 5, merged: true },
        { added: true, priority: 1, merged: false },
      ]);
      assert.deepEqual(await stream.keys(), ['queued', 'new']);
    });

    it('should say in flight for a leased key that is also gated, and add everything with readd but in-flight keys', async () => {
      await stream.addMany([
        ['k', 'v', 1],
        ['g', 'v', 1],
      ]);
      await stream.pull({ gate: true, count: 1 }); // g (ties: ascending key order)
      await stream.lease(); // k
      await redis.sadd(stream.redisKeys.gated, 'k');
      assert.deepEqual(
        await stream.addManyDetailed([
          ['k', 'v'],
          ['g', 'v'],
        ]),
        [
          { added: false, reason: 'inFlight' },
          { added: false, reason: 'gated' },
        ],
      );
      assert.deepEqual(
        await stream.addManyDetailed(
          [
            ['k', 'v'],
            ['g', 'v'],
          ],
          { readd: true },
        ),
        [
          { added: false, reason: 'inFlight' },
          { added: true, priority: 1, merged: false },
        ],
      );
    });

    it('should tell new keys from merged ones, a key listed twice merging into itself (issue 11, item 10)', async () => {
      await stream.add('old', 'v', 2);
      assert.deepEqual(
        await stream.addManyDetailed(
          [
            ['old', 'v', 1],
            ['fresh', 'v', 1],
            ['fresh', 'w', 4],
          ],
          { mode: 'replace' },
        ),
        [
          { added: true, priority: 1, merged: true },
          { added: true, priority: 1, merged: false },
          { added: true, priority: 4, merged: true },
        ],
      );
    });

    it('should take the fast path when every item is new and still report each one', async () => {
      const outcomes = await stream.addManyDetailed(Array.from({ length: 2500 }, (_, i) => [`k${String(i)}`, 'v', i] as const));
      assert.equal(outcomes.length, 2500);
      assert.deepEqual(outcomes[2499], { added: true, priority: 2499, merged: false });
      assert.equal((await stream.stats()).added, 2500);
    });
  });
});

import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { RedisClient } from '../../../src/index.js';
import { Expirer, StreamRegistry, type SweepResult } from '../../../src/index.js';
import { closeAll, connect, describeEachTopology, uniqueName, waitFor } from '../support.js';

describeEachTopology('Expirer (real Redis)', () => {
  let redis: RedisClient;
  let registry: StreamRegistry;

  beforeEach(() => {
    redis = connect();
    registry = new StreamRegistry(redis, { prefix: uniqueName('exp') });
  });
  afterEach(closeAll);

  describe('.sweepOnce', () => {
    it('should sweep ended cooldowns of every registered stream and report per stream', async () => {
      const a = registry.stream('a');
      const b = registry.stream('b');
      await a.addMany([
        ['k1', 'v', 1],
        ['k2', 'v', 1],
      ]);
      await b.addMany([
        ['k1', 'v', 1],
        ['k2', 'v', 1],
      ]);
      await a.pull({ count: 2, expireAt: 1 });
      await b.pull({ count: 1, purge: false, expireAt: 1 });
      await b.pull({ count: 1, cooldownMs: 60_000 }); // k2 (k1 was lowered to 0): still cooling
      const result = await new Expirer(registry).sweepOnce();
      assert.equal(result.streams, 2);
      assert.equal(result.expired, 3);
      assert.deepEqual(result.perStream, { a: 2, b: 1 });
      assert.equal(result.failed, 0);
      assert.equal(await b.len(), 0, 'the purge-false item whose cooldown ended left the stream');
    });

    it('should report a broken stream as an error event and sweep the others', async () => {
      await registry.stream('good').add('k', 'v');
      await registry.stream('good').pull({ expireAt: 1 });
      await redis.sadd(registry.key, 'bad');
      await redis.set(registry.stream('bad').redisKeys.cooldowns, 'not a zset');
      const expirer = new Expirer(registry);
      const errors: [Error, string | undefined][] = [];
      expirer.on('error', (err, stream) => errors.push([err, stream]));
      const result = await expirer.sweepOnce();
      assert.equal(result.expired, 1);
      assert.equal(result.failed, 1);
      const [first] = errors;
      assert.ok(first !== undefined);
      assert.equal(first[1], 'bad');
      assert.match(first[0].message, /WRONGTYPE/);
    });
  });

  describe('.start', () => {
    it('should sweep real cooldowns in the background once their deadline passes', async () => {
      const stream = registry.stream('live');
      await stream.addMany([
        ['a', 'v', 1],
        ['b', 'v', 1],
      ]);
      await stream.pull({ count: 2, cooldownMs: 100, purge: false });
      const expirer = new Expirer(registry, { intervalMs: 20 });
      const sweeps: SweepResult[] = [];
      expirer.on('sweep', (r) => sweeps.push(r));
      expirer.start();
      try {
        await waitFor(async () => (await stream.len()) === 0, 5000, 'the expirer to remove both items');
      } finally {
        await expirer.stop();
      }
      assert.equal(
        sweeps.reduce((n, r) => n + r.expired, 0),
        2,
      );
      assert.equal(await redis.exists(stream.redisKeys.cooldowns), 0);
    });

    it('should be safe with several expirers on the same streams', async () => {
      const stream = registry.stream('shared', { chunkSize: 100 });
      await stream.addMany(Array.from({ length: 3000 }, (_, i) => [`k${String(i)}`, 'v', 1] as const));
      await stream.pull({ count: 3000, expireAt: 1 });
      const expirers = Array.from(
        { length: 3 },
        () => new Expirer(new StreamRegistry(connect(), { prefix: registry.key.replace(/:ps:keys$/, '') }), { batchSize: 100 }),
      );
      const results = await Promise.all(expirers.map((e) => e.sweepOnce()));
      assert.equal(
        results.reduce((n, r) => n + r.expired, 0),
        3000,
        'each cooldown counted exactly once',
      );
      assert.equal(await redis.exists(stream.redisKeys.cooldowns), 0);
    });

    it('should stop waiting for the sweep in flight', async () => {
      const stream = registry.stream('inflight');
      await stream.add('k', 'v');
      await stream.pull({ expireAt: 1 });
      const expirer = new Expirer(registry, { intervalMs: 1 });
      expirer.start();
      const [result] = (await once(expirer, 'sweep')) as [SweepResult];
      await expirer.stop();
      assert.equal(result.expired, 1);
      assert.equal(expirer.running, false);
    });

    it('should stop, with one error event, once its connection was quit (issue 12, item 14)', async () => {
      const own = connect();
      const expirer = new Expirer(new StreamRegistry(own, { prefix: uniqueName('quit') }), { intervalMs: 5 });
      const errors: Error[] = [];
      expirer.on('error', (err) => errors.push(err));
      expirer.start();
      await once(expirer, 'sweep');
      await own.quit();
      await waitFor(() => !expirer.running, 5000, 'the expirer to stop by itself');
      assert.deepEqual(
        errors.map((e) => e.message),
        ["the registry's connection was closed; the Expirer stops"],
      );
    });
  });
});

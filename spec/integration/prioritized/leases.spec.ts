import assert from 'node:assert/strict';
import type { RedisClient } from '../../../src/index.js';
import { Expirer, GoodRedisError, PrioritizedStream, StreamRegistry } from '../../../src/index.js';
import { closeAll, connect, describeEachTopology, serverNow, uniqueName, waitFor } from '../support.js';

const isLeaseLost = (err: unknown): boolean => GoodRedisError.is(err, 'LeaseLost');

describeEachTopology('PrioritizedStream (leases)', () => {
  let redis: RedisClient;
  let stream: PrioritizedStream;

  beforeEach(async () => {
    redis = connect();
    stream = new PrioritizedStream(redis, uniqueName(), { cooldownMs: 0 });
    await stream.addMany([
      ['low', 'L', 1],
      ['high', 'H', 9],
      ['mid', 'M', 5],
    ]);
  });
  afterEach(closeAll);

  /** Waits until the server clock passes a key's lease deadline. */
  async function waitLeaseExpired(key: string): Promise<void> {
    const deadline = Number(await redis.zscore(stream.redisKeys.leases, key));
    await waitFor(async () => (await serverNow(redis)) > deadline, 5000, `the lease of ${key} to expire`);
  }

  describe('.lease', () => {
    it('should take items highest first, with attempt 1 and distinct lease ids', async () => {
      const jobs = await stream.lease({ count: 2 });
      assert.deepEqual(
        jobs.map((j) => [j.key, j.value, j.priority, j.attempt]),
        [
          ['high', 'H', 9, 1],
          ['mid', 'M', 5, 1],
        ],
      );
      assert.notEqual(jobs[0]?.leaseId, jobs[1]?.leaseId);
    });

    it('should keep leased items out of pull, len and other leases', async () => {
      await stream.lease({ count: 2 });
      assert.equal(await stream.len(), 1);
      assert.deepEqual(
        (await stream.pull({ count: 5, purge: false })).map((i) => i.key),
        ['low'],
      );
      assert.deepEqual(
        (await stream.lease({ count: 5 })).map((j) => j.key),
        ['low'],
      );
    });

    it('should set the lease deadline on the server clock', async () => {
      const before = await serverNow(redis);
      await stream.lease({ leaseMs: 5000 });
      const deadline = Number(await redis.zscore(stream.redisKeys.leases, 'high'));
      assert.ok(deadline >= before + 5000 && deadline <= (await serverNow(redis)) + 5000);
    });

    it('should refuse re-adding a key while it is leased', async () => {
      await stream.lease();
      assert.equal(await stream.add('high', 'H2', 1), null);
      assert.equal(await stream.add('high', 'H2', 1, { readd: true }), null);
      assert.deepEqual(
        await stream.addMany([
          ['high', 'H2', 1],
          ['new', 'N', 1],
        ]),
        [null, 1],
      );
    });

    it('should refuse bad options', async () => {
      await assert.rejects(stream.lease({ count: 0 }), (err) => GoodRedisError.is(err, 'InvalidArgument'));
      await assert.rejects(stream.lease({ leaseMs: 0 }), /leaseMs/);
      await assert.rejects(stream.lease({ maxAttempts: -1 }), /maxAttempts/);
      assert.equal(await stream.len(), 3);
    });
  });

  describe('.ack', () => {
    it('should finish jobs: value gone, not re-queued, cooldown and gate as for pull', async () => {
      const [job] = await stream.lease();
      assert.ok(job);
      assert.equal(await stream.ack([job], { gate: true, cooldownMs: 60_000 }), 1);
      assert.equal(await stream.get('high'), null);
      assert.equal(await redis.zscore(stream.redisKeys.leases, 'high'), null);
      assert.equal(await redis.hexists(stream.redisKeys.state, 'high'), 0);
      assert.equal(await redis.sismember(stream.redisKeys.gated, 'high'), 1);
      assert.notEqual(await redis.zscore(stream.redisKeys.cooldowns, 'high'), null);
      assert.equal(await stream.add('high', 'H', 1), null);
    });

    it('should refuse a wrong lease id and change nothing', async () => {
      const [a, b] = await stream.lease({ count: 2 });
      assert.ok(a && b);
      await assert.rejects(stream.ack([a, { key: b.key, leaseId: 'not-mine' }]), (err) => isLeaseLost(err) && (err as Error).message.includes('mid'));
      assert.notEqual(await redis.zscore(stream.redisKeys.leases, a.key), null, 'the valid lease is untouched too');
      assert.equal(await stream.ack([a, b]), 2);
    });

    it('should refuse a lease that expired and was handed to someone else', async () => {
      const [first] = await stream.lease({ leaseMs: 50 });
      assert.ok(first);
      await waitLeaseExpired(first.key);
      const [second] = await stream.lease();
      assert.deepEqual([second?.key, second?.attempt], ['high', 2]);
      await assert.rejects(stream.ack([first]), isLeaseLost);
      assert.equal(await stream.ack(second ? [second] : []), 1);
    });
  });

  describe('.nack', () => {
    it('should return jobs to the stream at their priority, attempts kept', async () => {
      const [job] = await stream.lease();
      assert.ok(job);
      assert.deepEqual(await stream.nack([job], { error: 'flaky' }), { requeued: 1, delayed: 0, dead: 0 });
      assert.deepEqual(
        (await stream.entries()).map((i) => [i.key, i.priority]),
        [
          ['high', 9],
          ['mid', 5],
          ['low', 1],
        ],
      );
      const [again] = await stream.lease();
      assert.deepEqual([again?.key, again?.attempt], ['high', 2]);
    });

    it('should return jobs with another priority', async () => {
      const [job] = await stream.lease();
      await stream.nack(job ? [job] : [], { priority: 0 });
      assert.deepEqual(await stream.keys(), ['mid', 'low', 'high']);
    });

    it('should hold jobs back for delayMs on the server clock', async () => {
      const [job] = await stream.lease();
      assert.ok(job);
      assert.deepEqual(await stream.nack([job], { delayMs: 150 }), { requeued: 0, delayed: 1, dead: 0 });
      assert.deepEqual(
        (await stream.lease({ count: 5, leaseMs: 60_000 })).map((j) => j.key),
        ['mid', 'low'],
      );
      const due = Number(await redis.zscore(stream.redisKeys.delayed, 'high'));
      await waitFor(async () => (await serverNow(redis)) > due, 5000, 'the delay to pass');
      const [back] = await stream.lease();
      assert.deepEqual([back?.key, back?.attempt, back?.priority], ['high', 2, 9]);
    });

    it('should dead-letter a job after maxAttempts, with its last error', async () => {
      for (let attempt = 1; attempt <= 3; attempt += 1) {
        const [job] = await stream.lease({ maxAttempts: 3 });
        assert.deepEqual([job?.key, job?.attempt], ['high', attempt]);
        const result = await stream.nack(job ? [job] : [], { error: `boom ${String(attempt)}` });
        assert.equal(result.dead, attempt === 3 ? 1 : 0);
      }
      const dead = await stream.deadLetters();
      assert.equal(dead.length, 1);
      assert.deepEqual({ ...dead[0], diedAt: 0 }, { key: 'high', decoded: true, value: 'H', priority: 9, attempts: 3, error: 'boom 3', diedAt: 0 });
      assert.ok((dead[0]?.diedAt ?? 0) > 1_700_000_000_000);
      assert.deepEqual(await stream.keys(), ['mid', 'low']);
    });

    it('should refuse a lost lease and change nothing', async () => {
      const [job] = await stream.lease();
      assert.ok(job);
      await assert.rejects(stream.nack([{ key: job.key, leaseId: 'other' }]), isLeaseLost);
      assert.notEqual(await redis.zscore(stream.redisKeys.leases, job.key), null);
    });
  });

  describe('.extend', () => {
    it('should push the deadline out and keep the job leased past its first deadline', async () => {
      const [job] = await stream.lease({ leaseMs: 100 });
      assert.ok(job);
      const deadline = await stream.extend([job], 60_000);
      assert.equal(Number(await redis.zscore(stream.redisKeys.leases, job.key)), deadline);
      assert.ok(deadline > (await serverNow(redis)) + 50_000);
      assert.deepEqual((await stream.recover()).returned, 0);
    });

    it('should refuse a lost lease', async () => {
      await assert.rejects(stream.extend([{ key: 'high', leaseId: 'none' }], 1000), isLeaseLost);
    });
  });

  describe('recovery', () => {
    it('should return an expired lease to the stream through recover, attempt raised next time', async () => {
      const [job] = await stream.lease({ leaseMs: 50 });
      await waitLeaseExpired('high');
      assert.deepEqual(await stream.recover(), { returned: 1, died: 0, promoted: 0 });
      assert.equal(job?.key, 'high');
      const [again] = await stream.lease();
      assert.deepEqual([again?.key, again?.attempt], ['high', 2]);
    });

    it('should dead-letter an expired lease after its last attempt, as "lease expired"', async () => {
      await stream.lease({ leaseMs: 50, maxAttempts: 1 });
      await waitLeaseExpired('high');
      assert.deepEqual(await stream.recover(), { returned: 0, died: 1, promoted: 0 });
      assert.equal((await stream.deadLetters())[0]?.error, 'lease expired');
    });

    it('should be done by the Expirer for every registered stream', async () => {
      const registry = new StreamRegistry(redis);
      await stream.lease({ leaseMs: 50 });
      await waitLeaseExpired('high');
      const result = await new Expirer(registry).sweepOnce();
      assert.ok(result.returned >= 1);
      assert.ok(await registry.has(stream.name));
      assert.equal(await stream.len(), 3);
    });
  });

  describe('dead letters', () => {
    beforeEach(async () => {
      for (const key of ['high', 'mid']) {
        const [job] = await stream.lease({ maxAttempts: 1 });
        assert.ok(job);
        assert.equal(job.key, key);
        await stream.nack([job], { error: `${key} failed` });
      }
    });

    it('should list them oldest first, with a page', async () => {
      assert.deepEqual(
        (await stream.deadLetters()).map((d) => [d.key, d.error]),
        [
          ['high', 'high failed'],
          ['mid', 'mid failed'],
        ],
      );
      assert.deepEqual(
        (await stream.deadLetters({ offset: 1 })).map((d) => d.key),
        ['mid'],
      );
    });

    it('should replay named ones into the stream with attempts reset', async () => {
      assert.deepEqual(await stream.replayDead(['mid', 'not-dead']), ['mid']);
      assert.deepEqual(
        (await stream.deadLetters()).map((d) => d.key),
        ['high'],
      );
      const [job] = await stream.lease();
      assert.deepEqual([job?.key, job?.attempt, job?.priority], ['mid', 1, 5]);
    });

    it('should replay all of them', async () => {
      assert.deepEqual((await stream.replayDead()).sort(), ['high', 'mid']);
      assert.deepEqual(await stream.keys(), ['high', 'mid', 'low']);
    });

    it('should purge them with their values', async () => {
      assert.deepEqual(await stream.purgeDead(['high']), ['high']);
      assert.equal(await stream.get('high'), null);
      assert.deepEqual(await stream.purgeDead(), ['mid']);
      assert.deepEqual(await stream.deadLetters(), []);
      assert.equal(await redis.hlen(stream.redisKeys.state), 0);
    });

    it('should keep them within their caps: the newest deadLetterLimit, none older than deadLetterMaxAgeMs, values and states dropped with them', async () => {
      const capped = new PrioritizedStream(redis, stream.name, { cooldownMs: 0, deadLetterLimit: 2, deadLetterMaxAgeMs: 400 });
      // Deaths in one ms tie, and ties go by key: each death below waits for the next ms.
      const died = async (): Promise<number> => Math.max(...(await capped.deadLetters()).map((d) => d.diedAt));
      const nextMs = async (): Promise<void> => {
        const last = await died();
        await waitFor(async () => (await serverNow(redis)) > last, 5000, 'the next ms');
      };
      await nextMs();
      const [low] = await capped.lease({ maxAttempts: 1 });
      assert.ok(low);
      await capped.nack([low], { error: 'low failed' });
      assert.deepEqual(
        (await capped.deadLetters()).map((d) => d.key),
        ['mid', 'low'],
        'a nack past the limit drops the oldest',
      );
      assert.equal(await redis.hexists(stream.redisKeys.items, 'high'), 0, 'its value went with it');
      assert.equal(await redis.hexists(stream.redisKeys.state, 'high'), 0, 'and its state');
      // A lease that expires after its last attempt dies through recovery: the limit holds there too.
      await nextMs();
      await capped.add('late', 'LATE', 1);
      await capped.lease({ maxAttempts: 1, leaseMs: 1 });
      const deadline = Number(await redis.zscore(stream.redisKeys.leases, 'late'));
      await waitFor(async () => (await serverNow(redis)) > deadline, 5000, 'the lease to expire');
      assert.equal((await capped.recover()).died, 1);
      assert.deepEqual(
        (await capped.deadLetters()).map((d) => d.key),
        ['low', 'late'],
      );
      // Once the server's clock is past their age, the next death drops them all but itself.
      const newest = await died();
      await waitFor(async () => (await serverNow(redis)) > newest + 400, 5000, 'the age to pass');
      await capped.add('last', 'LAST', 1);
      const [last] = await capped.lease({ maxAttempts: 1 });
      assert.ok(last);
      await capped.nack([last]);
      assert.deepEqual(
        (await capped.deadLetters()).map((d) => d.key),
        ['last'],
      );
      assert.deepEqual((await redis.hkeys(stream.redisKeys.state)).sort(), ['last']);
      assert.deepEqual((await redis.hkeys(stream.redisKeys.items)).sort(), ['last']);
    });

    it('should refuse bad caps, writing nothing', () => {
      assert.throws(
        () => new PrioritizedStream(redis, stream.name, { deadLetterLimit: 0 }),
        (err: unknown) => GoodRedisError.is(err, 'InvalidArgument'),
      );
      assert.throws(
        () => new PrioritizedStream(redis, stream.name, { deadLetterMaxAgeMs: -1 }),
        (err: unknown) => GoodRedisError.is(err, 'InvalidArgument'),
      );
    });

    it('should refuse a dead key on add (issue 11, item 2), and take it out of the dead letters with readd', async () => {
      assert.equal(await stream.add('high', 'fresh', 2), null, 'a dead key is not revived by a plain add');
      assert.deepEqual(
        await stream.addManyDetailed([
          ['high', 'fresh', 2],
          ['new', 'n', 1],
        ]),
        [
          { added: false, reason: 'dead' },
          { added: true, priority: 1, merged: false },
        ],
      );
      assert.deepEqual(
        (await stream.deadLetters()).map((d) => d.key),
        ['high', 'mid'],
      );
      assert.equal(await stream.get('high'), 'H', 'the refused adds wrote nothing');
      assert.equal(await stream.add('high', 'fresh', 2, { readd: true }), 2);
      assert.deepEqual(
        (await stream.deadLetters()).map((d) => d.key),
        ['mid'],
      );
      const [job] = await stream.lease();
      assert.deepEqual([job?.key, job?.value, job?.attempt], ['high', 'fresh', 1]);
    });

    it('should let replayDead bring a dead key back, and a later add merge into it', async () => {
      assert.deepEqual(await stream.replayDead(['high']), ['high']);
      assert.equal(await stream.add('high', 'again', 1), 10, 'the replayed item is queued; the add sums into it');
    });
  });

  it('should drop the job state of retried items that leave by pull or deleteBelow', async () => {
    const jobs = await stream.lease({ count: 3 });
    await stream.nack(jobs);
    assert.equal(await redis.hlen(stream.redisKeys.state), 3);
    await stream.pull();
    await stream.deleteBelow(3);
    assert.equal(await redis.hlen(stream.redisKeys.state), 1);
  });
});

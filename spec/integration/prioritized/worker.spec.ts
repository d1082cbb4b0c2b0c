import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { RedisClient } from '../../../src/index.js';
import { GoodRedisError, PrioritizedStream, Worker, type Job } from '../../../src/index.js';
import { clientList, closeAll, connect, describeEachTopology, foregroundCalls, serverNow, uniqueName, waitFor, trackEach } from '../support.js';

/** A promise with its resolve, for handlers the test releases. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

describeEachTopology('Worker', () => {
  let redis: RedisClient;
  let stream: PrioritizedStream;
  const { track } = trackEach();

  beforeEach(() => {
    redis = connect();
    stream = new PrioritizedStream(redis, uniqueName(), { cooldownMs: 0 });
  });

  it('should process every job once, highest priority first, and ack it', async () => {
    await stream.addMany(Array.from({ length: 50 }, (_, i) => [`k${String(i)}`, `v${String(i)}`, i] as const));
    const seen: string[] = [];
    const worker = track(
      new Worker(stream, (job) => {
        seen.push(job.key);
        return job.value.toUpperCase();
      }),
    );
    const results: string[] = [];
    worker.on('completed', (_job, result) => results.push(result));
    await once(worker, 'drained');
    assert.equal(seen.length, 50);
    assert.equal(new Set(seen).size, 50);
    assert.deepEqual(seen.slice(0, 3), ['k49', 'k48', 'k47']);
    assert.equal(results[0], 'V49');
    assert.equal(await stream.len(), 0);
    assert.equal(await redis.exists(stream.redisKeys.leases, stream.redisKeys.items, stream.redisKeys.state), 0);
  });

  it('should run at most concurrency jobs at once, and that many', async () => {
    await stream.addMany(Array.from({ length: 40 }, (_, i) => [`k${String(i)}`, 'v', 1] as const));
    let running = 0;
    let peak = 0;
    const worker = track(
      new Worker(
        stream,
        async () => {
          running += 1;
          peak = Math.max(peak, running);
          await new Promise((resolve) => setImmediate(resolve));
          await redis.ping(); // a round trip, so jobs overlap
          running -= 1;
        },
        { concurrency: 5 },
      ),
    );
    await once(worker, 'drained');
    assert.equal(peak, 5);
  });

  it('should retry a failing job with backoff, then dead-letter it with its error; replay makes it processable', async () => {
    await stream.add('poison', 'p', 1);
    let fail = true;
    const attempts: number[] = [];
    const worker = track(
      new Worker(
        stream,
        (job) => {
          attempts.push(job.attempt);
          if (fail) throw new Error(`bad input at attempt ${String(job.attempt)}`);
          return 'ok';
        },
        { maxAttempts: 3, backoff: 0 },
      ),
    );
    const failures: unknown[] = [];
    worker.on('failed', (_job, err) => failures.push(err));
    await waitFor(async () => (await stream.deadLetters()).length === 1, 5000, 'the dead letter');
    assert.deepEqual(attempts, [1, 2, 3]);
    assert.equal(failures.length, 3);
    const [dead] = await stream.deadLetters();
    assert.deepEqual([dead?.key, dead?.attempts, dead?.error], ['poison', 3, 'bad input at attempt 3']);
    fail = false;
    const done = once(worker, 'completed');
    assert.deepEqual(await stream.replayDead(), ['poison']);
    const [job, result] = (await done) as [Job<string>, string];
    assert.deepEqual([job.key, job.attempt, result], ['poison', 1, 'ok']);
    assert.deepEqual(await stream.deadLetters(), []);
  });

  it('should delay a retry by the backoff, on the server clock', async () => {
    await stream.add('slow', 's', 1);
    const attempts: [number, number][] = [];
    const worker = track(
      new Worker(
        stream,
        async (job) => {
          attempts.push([job.attempt, await serverNow(redis)]);
          if (job.attempt === 1) throw new Error('later');
        },
        { backoff: (attempt) => attempt * 150 },
      ),
    );
    await once(worker, 'completed');
    assert.equal(attempts.length, 2);
    const [[, first], [second, at]] = attempts as [[number, number], [number, number]];
    assert.equal(second, 2);
    assert.ok(at - first >= 150, `retried after ${String(at - first)} ms`);
  });

  it('should keep renewing the lease of a long job (autoExtend)', async () => {
    await stream.add('long', 'l', 1);
    const release = gate();
    const worker = track(new Worker(stream, () => release.promise, { leaseMs: 200 }));
    await waitFor(async () => (await redis.zcard(stream.redisKeys.leases)) === 1, 5000, 'the lease');
    const firstDeadline = Number(await redis.zscore(stream.redisKeys.leases, 'long'));
    await waitFor(async () => (await serverNow(redis)) > firstDeadline + 300, 5000, 'the first deadline to be long past');
    assert.deepEqual(await stream.recover(), { returned: 0, died: 0, promoted: 0 }, 'the lease is still held');
    assert.ok(Number(await redis.zscore(stream.redisKeys.leases, 'long')) > firstDeadline);
    const completed = once(worker, 'completed');
    release.open();
    const [job] = (await completed) as [Job<string>];
    assert.equal(job.attempt, 1);
  });

  it('should let the lease of a long job expire without autoExtend', async () => {
    await stream.add('long', 'l', 1);
    const release = gate();
    const worker = track(new Worker(stream, () => release.promise, { leaseMs: 100, autoExtend: false }));
    const errors: Error[] = [];
    worker.on('error', (err) => errors.push(err));
    await waitFor(async () => (await redis.zcard(stream.redisKeys.leases)) === 1, 5000, 'the lease');
    const deadline = Number(await redis.zscore(stream.redisKeys.leases, 'long'));
    await waitFor(async () => (await serverNow(redis)) > deadline, 5000, 'the deadline');
    assert.equal((await stream.recover()).returned, 1);
    release.open();
    await waitFor(() => errors.length === 1, 5000, 'the lost lease to be reported');
    assert.ok(GoodRedisError.is(errors[0], 'LeaseLost'));
  });

  it('should wait in close() for the jobs in flight, then ack them', async () => {
    await stream.add('k', 'v', 1);
    const release = gate();
    const started = gate();
    const worker = track(
      new Worker(stream, async () => {
        started.open();
        await release.promise;
        return 'done';
      }),
    );
    await started.promise;
    let closed = false;
    const closing = worker.close().then(() => {
      closed = true;
    });
    await redis.ping();
    assert.equal(closed, false);
    assert.equal(worker.running, false);
    release.open();
    await closing;
    assert.equal(await redis.exists(stream.redisKeys.leases, stream.redisKeys.items), 0);
  });

  it('should pick up a new item within milliseconds and send no command while idle', async () => {
    const picked: number[] = [];
    const worker = track(
      new Worker(
        stream,
        () => {
          picked.push(performance.now());
        },
        { blockTimeoutMs: 10_000 },
      ),
    );
    // Idle means blocked in BLPOP on the marker.
    await waitFor(async () => (await clientList(redis)).includes('cmd=blpop'), 5000, 'the worker to block');
    const before = await foregroundCalls(redis);
    await new Promise((resolve) => setTimeout(resolve, 300)); // an observation window, not a wait for a condition
    assert.equal((await foregroundCalls(redis)) - before, 0, 'no command while idle');
    const added = performance.now();
    await stream.add('fresh', 'f', 1);
    await waitFor(() => picked.length === 1, 5000, 'the pick-up');
    const latency = (picked[0] ?? 0) - added;
    assert.ok(latency < 250, `picked up after ${latency.toFixed(1)} ms`);
    assert.equal(worker.running, true);
  });

  it('should report and stop itself when its connection is closed under it', async () => {
    const own = connect();
    own.on('error', () => undefined); // writes after quit() fail with EPIPE; that is the point here
    const orphan = new Worker(new PrioritizedStream(own, uniqueName()), () => undefined, { blockTimeoutMs: 10_000 });
    const errors: Error[] = [];
    orphan.on('error', (err) => errors.push(err));
    const closed = new Promise<void>((resolve) =>
      orphan.once('closed', () => {
        resolve();
      }),
    ); // events.once would reject on 'error'
    await waitFor(async () => (await clientList(redis)).includes('cmd=blpop'), 5000, 'the worker to block');
    await own.quit();
    await orphan.stream.add('k', 'v').catch(() => undefined); // wakes nothing: the connection is gone
    await closed;
    assert.equal(orphan.running, false);
    assert.ok(errors.length >= 1);
  });

  it('should settle every job even when a completed listener throws', async () => {
    await stream.addMany([
      ['a', 'v', 1],
      ['b', 'v', 1],
    ]);
    const worker = track(new Worker(stream, () => 'done', { concurrency: 2 }));
    const errors: Error[] = [];
    worker.on('error', (err) => errors.push(err));
    worker.on('completed', () => {
      throw new Error('listener bug');
    });
    await waitFor(() => errors.length === 2, 5000, 'both listener errors');
    await worker.close(); // would hang if a job stayed unsettled
    assert.equal(await redis.exists(stream.redisKeys.leases, stream.redisKeys.items), 0);
  });

  it('should share one end listener per client among its workers', () => {
    const many = Array.from({ length: 12 }, () => track(new Worker(stream, () => undefined, { blockTimeoutMs: 10_000 })));
    assert.equal(many.length, 12);
    assert.equal(redis.listenerCount('end'), 1);
  });

  it('should refuse bad options', () => {
    assert.throws(() => new Worker(stream, () => undefined, { concurrency: 0, autorun: false }), /concurrency/);
    assert.throws(() => new Worker(stream, () => undefined, { backoff: -1, autorun: false }), /backoff/);
    assert.throws(() => new Worker(stream, 'nope' as unknown as () => void), /handler/);
  });
});

describeEachTopology('PrioritizedStream.consume', () => {
  afterEach(closeAll);

  it('should yield jobs with their own ack and nack, and wait for new ones', async () => {
    const redis = connect();
    const stream = new PrioritizedStream(redis, uniqueName(), { cooldownMs: 0 });
    await stream.addMany([
      ['a', 'A', 2],
      ['b', 'B', 1],
    ]);
    const seen: string[] = [];
    const consuming = (async () => {
      for await (const job of stream.consume({ blockTimeoutMs: 10_000 })) {
        seen.push(`${job.key}@${String(job.attempt)}`);
        if (job.key === 'b' && job.attempt === 1) await job.nack();
        else await job.ack();
        if (seen.length === 4) break;
      }
    })();
    await waitFor(() => seen.length === 3, 5000, 'three deliveries');
    await stream.add('c', 'C', 1); // wakes the waiting consumer
    await consuming;
    assert.deepEqual(seen, ['a@1', 'b@1', 'b@2', 'c@1']);
    assert.equal(await redis.exists(stream.redisKeys.leases), 0);
  });
});

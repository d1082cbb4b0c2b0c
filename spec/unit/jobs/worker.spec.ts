/**
 * The one Worker over a fake JobSource (no Redis): concurrency, batched acks, backoff,
 * autoExtend, lost leases aborting the handler's signal, close's grace, logging. Time is faked
 * where it is the subject (lease renewal, close's timeout, the pause after a failed lease).
 */
import assert from 'node:assert/strict';
import sinon from 'sinon';
import { GoodRedisError, JobWorker, RetryLater, exponentialBackoff, type Handler, type JobWorkerOptions, type Logger } from '../../../src/index.js';
import { PREFETCH_BELOW_MS } from '../../../src/jobs/job-worker.js';
import { deferred, FakeJob, FakeSource, jobs, until } from './fake-source.js';

describe('JobWorker (unit, fake source)', () => {
  let source: FakeSource;
  let clock: sinon.SinonFakeTimers | undefined;
  const workers: JobWorker<FakeJob>[] = [];

  beforeEach(() => {
    source = new FakeSource();
  });
  afterEach(async () => {
    clock?.restore();
    clock = undefined;
    await Promise.all(workers.splice(0).map((w) => w.close({ timeoutMs: 0 })));
  });

  function worker<R>(handler: Handler<FakeJob, R>, options: JobWorkerOptions = {}): JobWorker<FakeJob, R> {
    const w = new JobWorker(source, handler, { blockTimeoutMs: 60_000, ...options });
    w.on('error', () => undefined); // asserted where a test expects one
    workers.push(w);
    return w;
  }

  /** Fakes the timers the Worker arms (renewal, close's grace, pauses), not setImmediate (ack batching). */
  function fakeTime(): sinon.SinonFakeTimers {
    clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
    return clock;
  }

  it('should run at most `concurrency` handlers at once and lease no more than the free slots', async () => {
    source.push(...jobs(10));
    const gates = new Map<string, () => void>();
    let running = 0;
    let most = 0;
    const w = worker(
      async (job) => {
        running += 1;
        most = Math.max(most, running);
        const gate = deferred();
        gates.set(job.id, gate.resolve);
        await gate.promise;
        running -= 1;
      },
      { concurrency: 3 },
    );
    await until(() => gates.size === 3, 'three handlers running');
    assert.equal(source.leases[0]?.count, 3);
    gates.get('j0')?.();
    await until(() => gates.size === 4, 'a fourth handler');
    assert.ok(
      source.leases.slice(1).every((l) => l.count <= 3),
      JSON.stringify(source.leases),
    );
    for (let i = 1; i < 10; i++) {
      await until(() => gates.has(`j${String(i)}`), `j${String(i)} started`);
      gates.get(`j${String(i)}`)?.();
    }
    await until(() => source.acks.flat().length === 10, 'every job acked');
    assert.equal(most, 3);
    assert.equal(w.id.split(':').length, 3);
    assert.ok(source.leases.every((l) => l.owner === w.id));
  });

  it('should ack the jobs that finish in one turn of the event loop in one call', async () => {
    source.push(...jobs(5));
    const completed: string[] = [];
    const w = worker((job) => job.id.toUpperCase(), { concurrency: 5 });
    w.on('completed', (job, result) => completed.push(`${job.id}=${result}`));
    await until(() => completed.length === 5, 'five completed');
    assert.deepEqual(source.acks, [['j0', 'j1', 'j2', 'j3', 'j4']]);
    assert.deepEqual(completed, ['j0=J0', 'j1=J1', 'j2=J2', 'j3=J3', 'j4=J4']);
  });

  it('should nack a failed job after the default exponential backoff, by attempt', async () => {
    source.push(new FakeJob('a', 1), new FakeJob('b', 3), new FakeJob('c', 9));
    const failed: [string, boolean, number][] = [];
    const w = worker(() => Promise.reject(new Error('boom')), { concurrency: 3 });
    w.on('failed', (job, _err, outcome) => failed.push([job.id, outcome.willRetry, outcome.delayMs]));
    await until(() => failed.length === 3, 'three failures');
    assert.deepEqual(
      source.nacks.map((n) => [n.id, n.delayMs, n.error]),
      [
        ['a', 1000, 'boom'],
        ['b', 4000, 'boom'],
        ['c', 60_000, 'boom'],
      ],
    );
    assert.deepEqual(failed, [
      ['a', true, 1000],
      ['b', true, 4000],
      ['c', true, 60_000],
    ]);
  });

  it('should take a numeric backoff, a backoff function, and a RetryLater delay over either', async () => {
    source.push(new FakeJob('fixed'));
    worker(() => Promise.reject(new Error('x')), { backoff: 250 });
    await until(() => source.nacks.length === 1);
    source.push(new FakeJob('fn', 2), new FakeJob('later'));
    worker((job) => Promise.reject(job.id === 'later' ? new RetryLater('rate limited', 42) : new Error('y')), {
      concurrency: 2,
      backoff: (attempt, err) => attempt * 100 + (err instanceof Error ? err.message.length : 0),
    });
    await until(() => source.nacks.length === 3);
    assert.deepEqual(
      source.nacks.map((n) => [n.id, n.delayMs]),
      [
        ['fixed', 250],
        ['fn', 201],
        ['later', 42],
      ],
    );
  });

  it('should nack with the delay an exponentialBackoff with jitter draws, attempt by attempt', async () => {
    const draws = [0.5, 0];
    source.push(new FakeJob('a', 1), new FakeJob('b', 4));
    worker(() => Promise.reject(new Error('x')), {
      concurrency: 1,
      backoff: exponentialBackoff({ baseMs: 100, maxMs: 500, jitter: 0.4 }, () => draws.shift() ?? 0),
    });
    await until(() => source.nacks.length === 2);
    assert.deepEqual(
      source.nacks.map((n) => [n.id, n.delayMs]),
      [
        ['a', 80], // 100 less 0.4 × 0.5 of it
        ['b', 500], // 800, capped at 500, less nothing
      ],
    );
  });

  it('should report a job that went to the dead letters with failed (no retry) and dead', async () => {
    source.dying.add('d');
    source.push(new FakeJob('d', 5));
    const events: string[] = [];
    const w = worker(() => Promise.reject(new Error('poison')));
    w.on('failed', (job, err, outcome) => events.push(`failed ${job.id} ${String(outcome.willRetry)} ${String(outcome.delayMs)} ${(err as Error).message}`));
    w.on('dead', (job) => events.push(`dead ${job.id}`));
    await until(() => events.length === 2);
    assert.deepEqual(events, ['failed d false 0 poison', 'dead d']);
  });

  it('should renew the leases of running jobs every leaseMs / 2', async () => {
    const time = fakeTime();
    source.push(...jobs(2));
    const gate = deferred();
    worker(() => gate.promise, { concurrency: 2, leaseMs: 1000 });
    await until(() => source.leases.length >= 1 && source.extends.length === 0);
    await time.tickAsync(499);
    assert.deepEqual(source.extends, []);
    await time.tickAsync(1);
    assert.deepEqual(source.extends, [['j0', 'j1']]);
    await time.tickAsync(500);
    assert.equal(source.extends.length, 2);
    gate.resolve();
    await until(() => source.acks.length === 1);
    await time.tickAsync(2000);
    assert.equal(source.extends.length, 2, 'nothing left to renew');
  });

  it('should not renew with autoExtend: false', async () => {
    const time = fakeTime();
    source.push(...jobs(1));
    worker(() => new Promise(() => undefined), { leaseMs: 1000, autoExtend: false });
    await until(() => source.leases.length >= 1);
    await time.tickAsync(5000);
    assert.deepEqual(source.extends, []);
  });

  it('should abort the handler signal and emit lost when a renewal answers LeaseLost; the other jobs keep running', async () => {
    const time = fakeTime();
    source.push(...jobs(2));
    const signals = new Map<string, AbortSignal>();
    const lost: [string, string][] = [];
    const errors: unknown[] = [];
    const w = worker(
      (job, signal) => {
        signals.set(job.id, signal);
        return new Promise(() => undefined);
      },
      { concurrency: 2, leaseMs: 1000 },
    );
    w.on('lost', (job, reason) => lost.push([job.id, reason.message]));
    w.on('error', (err) => errors.push(err));
    await until(() => signals.size === 2);
    source.lost.add('j1');
    await time.tickAsync(500);
    await until(() => lost.length === 1);
    assert.deepEqual(lost, [['j1', 'the lease of j1 is no longer held']]);
    assert.equal(signals.get('j1')?.aborted, true);
    assert.ok(GoodRedisError.is(signals.get('j1')?.reason, 'LeaseLost'));
    assert.equal(signals.get('j0')?.aborted, false);
    assert.ok(errors.some((e) => GoodRedisError.is(e, 'LeaseLost')));
  });

  it('should abort the signal and emit lost when the ack answers LeaseLost', async () => {
    source.lost.add('j0');
    source.push(...jobs(1));
    let seen: AbortSignal | undefined;
    const lost: string[] = [];
    const w = worker((_job, signal) => {
      seen = signal;
    });
    w.on('lost', (job) => lost.push(job.id));
    await until(() => lost.length === 1);
    assert.equal(seen?.aborted, true);
    assert.deepEqual(source.acks, [['j0']]);
  });

  it('should make a signal per job only for a handler that declares it; lost is emitted either way', async () => {
    source.lost.add('j0');
    source.push(...jobs(1));
    const lost: string[] = [];
    let passed: unknown;
    const w = worker(function (this: unknown, ...args: unknown[]) {
      passed = args[1];
    });
    w.on('lost', (job) => lost.push(job.id));
    await until(() => lost.length === 1);
    assert.ok(passed instanceof AbortSignal);
    assert.equal(passed.aborted, false, 'a handler without the parameter gets a signal that never aborts');
  });

  it('should make a signal on signalOf for a handler that declares none: aborted by a loss after it was made, made aborted after one', async () => {
    const time = fakeTime();
    source.push(...jobs(3));
    const running = new Map<string, FakeJob>();
    const lost: string[] = [];
    const w = worker(
      (job) => {
        running.set(job.id, job);
        return job.id === 'j2' ? 'done' : new Promise(() => undefined);
      },
      { concurrency: 3, leaseMs: 1000 },
    );
    w.on('lost', (job) => lost.push(job.id));
    await until(() => running.size === 3 && source.acks.length === 1);
    const job = (id: string): FakeJob => {
      const found = running.get(id);
      assert.ok(found);
      return found;
    };
    const [j0, j1, j2] = [job('j0'), job('j1'), job('j2')];
    const early = w.signalOf(j0);
    assert.equal(early.aborted, false);
    assert.equal(w.signalOf(j0), early, 'one signal per job');
    assert.equal(w.signalOf(j2).aborted, false, 'a job whose handler returned gets one that never aborts');
    source.lost.add('j0');
    source.lost.add('j1');
    await time.tickAsync(500);
    await until(() => lost.length === 2);
    assert.equal(early.aborted, true, 'made before the loss, aborted by it');
    const late = w.signalOf(j1);
    assert.equal(late.aborted, true, 'made after the loss, aborted already');
    assert.ok(GoodRedisError.is(late.reason, 'LeaseLost'));
  });

  it('should abandon handlers that outlive close({ timeoutMs }): signal aborted, job nacked, lost emitted, outcome ignored', async () => {
    const time = fakeTime();
    source.push(...jobs(1));
    const gate = deferred();
    let seen: AbortSignal | undefined;
    const lost: string[] = [];
    const w = worker(
      (_job, signal) => {
        seen = signal;
        return gate.promise;
      },
      { autoExtend: false },
    );
    w.on('lost', (job, reason) => lost.push(`${job.id}: ${reason.message}`));
    await until(() => seen !== undefined);
    let closed = false;
    const closing = w.close({ timeoutMs: 1000 }).then(() => (closed = true));
    await until(() => time.countTimers() === 1, 'close to arm its grace timer');
    await time.tickAsync(999);
    assert.equal(closed, false);
    await time.tickAsync(1);
    await closing;
    assert.equal(seen?.aborted, true);
    assert.deepEqual(lost, ['j0: the worker closed before the handler finished']);
    assert.deepEqual(source.nacks, [{ id: 'j0', delayMs: 0, error: 'the worker closed before the handler finished' }]);
    gate.resolve();
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(source.acks, [], 'the late result is ignored');
  });

  it('should wait for every handler on close() without a timeout, and lease no more', async () => {
    source.push(...jobs(3));
    const gate = deferred();
    const w = worker(() => gate.promise, { concurrency: 1 });
    await until(() => source.leases.length === 1);
    let closed = false;
    const closing = w.close().then(() => (closed = true));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(closed, false);
    gate.resolve();
    await closing;
    assert.deepEqual(source.acks, [['j0']]);
    assert.equal(source.leases.length, 1);
    assert.equal(source.queued.length, 2);
  });

  it('should report a failed lease and try again a second later', async () => {
    const time = fakeTime();
    source.failNextLease = new Error('connection lost');
    const errors: string[] = [];
    const w = worker(() => undefined);
    w.on('error', (err) => errors.push(err.message));
    await until(() => errors.length === 1);
    assert.equal(source.leases.length, 1);
    await time.tickAsync(999);
    assert.equal(source.leases.length, 1);
    await time.tickAsync(1);
    await until(() => source.leases.length === 2);
  });

  it('should stop with an error when its connection ends', async () => {
    const errors: string[] = [];
    const w = worker(() => undefined);
    w.on('error', (err) => errors.push(err.message));
    const closed = new Promise<void>((resolve) => w.once('closed', resolve));
    source.connection.end();
    await closed;
    assert.equal(w.running, false);
    assert.match(errors.join('\n'), /connection was closed/);
  });

  it('should log to a pino-shaped logger and refuse anything else', async () => {
    const lines: string[] = [];
    const log = (level: string) => (fields: Record<string, unknown>, message: string) =>
      lines.push(`${level} ${message}${'attempt' in fields ? ` attempt=${String(fields.attempt)}` : ''}`);
    const logger: Logger = { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
    source.dying.add('j0');
    source.push(...jobs(1));
    const w = worker(() => Promise.reject(new Error('bad')), { logger });
    await until(() => source.nacks.length === 1);
    await w.close();
    assert.deepEqual(lines, ['info worker started', 'warn job dead-lettered attempt=1', 'info worker stopped']);
    assert.throws(
      () => new JobWorker(source, () => undefined, { logger: console.log as unknown as Logger }),
      (err: unknown) => GoodRedisError.is(err, 'InvalidArgument'),
    );
  });

  it('should close on `await using`', async () => {
    source.push(...jobs(1));
    const gate = deferred();
    let outside: JobWorker<FakeJob> | undefined;
    {
      await using w = new JobWorker(source, () => gate.promise);
      outside = w;
      await until(() => source.leases.length === 1);
      setImmediate(() => {
        gate.resolve();
      });
    }
    assert.equal(outside.running, false);
    assert.deepEqual(source.acks, [['j0']]);
  });

  describe('leasing ahead (prefetch)', () => {
    /** A handler that returns at once for the first `quick` jobs, then waits for the test to release each job. */
    function quickThenHeld(quick: number): {
      handler: Handler<FakeJob, void>;
      started: string[];
      release: (id: string) => void;
      running: () => number;
      most: () => number;
    } {
      const started: string[] = [];
      const gates = new Map<string, () => void>();
      let running = 0;
      let most = 0;
      const handler: Handler<FakeJob, void> = async (job) => {
        started.push(job.id);
        running += 1;
        most = Math.max(most, running);
        if (started.length > quick) {
          const gate = deferred();
          gates.set(job.id, gate.resolve);
          await gate.promise;
        }
        running -= 1;
      };
      return { handler, started, release: (id) => gates.get(id)?.(), running: () => running, most: () => most };
    }

    it('should lease a batch ahead while quick handlers run, start it as slots free, and never run more than concurrency', async () => {
      source.push(...jobs(20));
      const h = quickThenHeld(5);
      worker(h.handler, { concurrency: 5 });
      await until(() => h.started.length === 10, 'the second batch running');
      await until(() => source.queued.length === 5, 'a batch leased ahead');
      assert.equal(h.running(), 5, 'the batch ahead waits for slots');
      assert.equal(h.started.length, 10);
      for (const id of h.started.slice(5)) h.release(id);
      for (let i = 10; i < 20; i++) {
        await until(() => h.started.includes(`j${String(i)}`), `j${String(i)} started`);
        h.release(`j${String(i)}`);
      }
      await until(() => source.acks.flat().length === 20, 'every job acked');
      assert.equal(h.most(), 5);
      assert.deepEqual(source.released, []);
    });

    it('should lease only for free slots with prefetch: false', async () => {
      source.push(...jobs(20));
      const h = quickThenHeld(5);
      worker(h.handler, { concurrency: 5, prefetch: false });
      await until(() => h.started.length === 10, 'the second batch running');
      for (let turn = 0; turn < 20; turn++) await new Promise((resolve) => setImmediate(resolve));
      assert.equal(source.queued.length, 10, 'nothing leased beyond the free slots');
    });

    it('should lease only for free slots while handlers are slow', async () => {
      const time = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date', 'performance'] });
      clock = time;
      source.push(...jobs(12));
      let completed = 0;
      const overLeased: number[] = [];
      const lease = source.leaseBatch.bind(source);
      let leased = 0;
      source.leaseBatch = async (request) => {
        const batch = await lease(request);
        leased += batch.items.length;
        if (leased - completed > 3) overLeased.push(leased - completed);
        return batch;
      };
      const w = worker(() => new Promise<void>((resolve) => setTimeout(resolve, PREFETCH_BELOW_MS * 3)), { concurrency: 3 });
      w.on('completed', () => (completed += 1));
      for (let step = 0; step < 12 && completed < 12; step++) {
        await time.tickAsync(PREFETCH_BELOW_MS * 3);
        await until(() => true);
      }
      await until(() => completed === 12, 'every job completed');
      assert.deepEqual(overLeased, [], 'never more jobs leased than slots');
    });

    it('should give back, without running it, a job that waited half its lease for a slot', async () => {
      const time = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date', 'performance'] });
      clock = time;
      source.push(...jobs(6));
      const started: string[] = [];
      worker(
        (job) => {
          started.push(job.id);
          // The first two are quick; the next two hold their slots for 600 ms of a 1000 ms lease.
          return started.length <= 2 ? undefined : new Promise<void>((resolve) => setTimeout(resolve, 600));
        },
        { concurrency: 2, leaseMs: 1000, autoExtend: false },
      );
      await until(() => started.length === 4 && source.queued.length === 0, 'two running, two leased ahead');
      await time.tickAsync(600);
      await until(() => source.released.length === 2, 'the two that waited given back');
      assert.deepEqual(source.released, ['j4', 'j5']);
      assert.deepEqual(started, ['j0', 'j1', 'j2', 'j3']);
    });

    it('should give back on close() the jobs leased ahead and not started', async () => {
      source.push(...jobs(6));
      const h = quickThenHeld(2);
      const w = worker(h.handler, { concurrency: 2 });
      await until(() => h.started.length === 4 && source.queued.length === 0, 'two running, two leased ahead');
      const closing = w.close();
      h.release('j2');
      h.release('j3');
      await closing;
      assert.deepEqual(source.released, ['j4', 'j5']);
      assert.deepEqual(source.acks.flat().sort(), ['j0', 'j1', 'j2', 'j3']);
    });
  });
});

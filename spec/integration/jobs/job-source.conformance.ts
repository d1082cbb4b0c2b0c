/**
 * The conformance suite every {@link JobSource} passes: one set of tests, run by each family
 * against its own source on every topology (`describeJobSource` inside a
 * `describeEachTopology`). A source declares the guarantees it gives; the tests of the others
 * are skipped by name, so the output says what a source does not promise.
 */
import assert from 'node:assert/strict';
import { GoodRedisError, JobWorker, type JobSource, type SourceJob } from '../../../src/index.js';
import { waitFor } from '../support.js';

/** What the suite needs from a family: a fresh source per test, a way to add jobs, and the id of a job. */
export interface ConformanceSubject<J extends SourceJob> {
  /** The source under test (a new, empty one). */
  source: JobSource<J>;
  /** Adds jobs by id (each becomes available at once). */
  add(ids: readonly string[]): Promise<void>;
  /** The id a job was added with. */
  idOf(job: J): string;
}

/** The guarantees a source declares. */
export interface Guarantees {
  /** A job whose lease expires is delivered again, its attempt raised. */
  expiringLeases: boolean;
  /** An ack or extend after the lease moved on answers `LeaseLost` and changes nothing. */
  fencedAcks: boolean;
  /** A job nacked on its last attempt goes to the dead letters. */
  maxAttempts: boolean;
  /** A job delivered again after a nack comes with its attempt raised (a pool counts none). */
  countsAttempts: boolean;
  /** A nacked job comes back after its delay (a broadcast is never retried). */
  retries: boolean;
}

/**
 * Declares the conformance tests for one family's source.
 *
 * @param make - a new subject per test (with its own empty source)
 * @param guarantees - what the source promises
 */
export function describeJobSource<J extends SourceJob>(make: () => Promise<ConformanceSubject<J>>, guarantees: Guarantees): void {
  describe('JobSource conformance', () => {
    let subject: ConformanceSubject<J>;
    beforeEach(async () => {
      subject = await make();
    });

    const lease = (count: number, leaseMs = 30_000, maxAttempts = 5) => subject.source.leaseBatch({ count, leaseMs, maxAttempts, owner: 'conformance' });
    const ids = (jobs: readonly J[]) => jobs.map((j) => subject.idOf(j)).sort();
    /** Leases one job, waiting (up to 5 s) until there is one. */
    const leaseOne = async (what: string, leaseMs = 30_000, maxAttempts = 5): Promise<J> => {
      let job: J | undefined;
      await waitFor(async () => (job = (await lease(1, leaseMs, maxAttempts)).items[0]) !== undefined, 5000, what);
      if (job === undefined) throw new Error(`no job: ${what}`);
      return job;
    };

    it('leases at most count jobs, each once, first delivery attempt 1', async () => {
      await subject.add(['a', 'b', 'c']);
      const first = await lease(2);
      assert.equal(first.items.length, 2);
      assert.ok(first.items.every((j) => j.attempt === 1));
      const second = await lease(5);
      assert.deepEqual([...ids(first.items), ...ids(second.items)].sort(), ['a', 'b', 'c']);
      assert.deepEqual((await lease(5)).items, []);
    });

    it('hands concurrent leases disjoint jobs', async () => {
      const all = Array.from({ length: 50 }, (_, i) => `j${String(i)}`);
      await subject.add(all);
      const batches = await Promise.all(Array.from({ length: 10 }, () => lease(7)));
      const got = batches.flatMap((b) => ids(b.items));
      assert.equal(new Set(got).size, got.length, 'a job was leased twice');
      assert.deepEqual(got.sort(), [...all].sort());
    });

    it('acks: one outcome per job, and an acked job never comes back', async () => {
      await subject.add(['a', 'b']);
      const { items } = await lease(2, 200);
      assert.deepEqual(await subject.source.ack(items), [undefined, undefined]);
      await new Promise((resolve) => setTimeout(resolve, 300)); // past the lease: nothing to return
      assert.deepEqual((await lease(5)).items, []);
    });

    (guarantees.retries ? it : it.skip)('nacks: the job comes back with its attempt raised, not before its delay', async () => {
      await subject.add(['a']);
      const [job] = (await lease(1)).items;
      assert.ok(job);
      assert.deepEqual(await subject.source.nack([job], { delayMs: 300, error: 'try later' }), ['retry']);
      assert.deepEqual((await lease(1)).items, [], 'back before its delay');
      const again = await leaseOne('the nacked job to return');
      assert.equal(subject.idOf(again), 'a');
      assert.equal(again.attempt, guarantees.countsAttempts ? 2 : 1);
    });

    it('releases: the job comes back at once, its attempt not counted', async () => {
      await subject.add(['a']);
      const { items } = await lease(1);
      await subject.source.release(items);
      const [again] = (await lease(1)).items;
      assert.equal(again === undefined ? undefined : subject.idOf(again), 'a');
      assert.equal(again?.attempt, 1);
    });

    (guarantees.expiringLeases ? it : it.skip)('an expired lease delivers the job again (attempt raised where counted); extend keeps it', async () => {
      await subject.add(['short', 'kept']);
      const { items } = await lease(2, 300);
      const kept = items.find((j) => subject.idOf(j) === 'kept');
      assert.ok(kept);
      assert.deepEqual(await subject.source.extend([kept], 60_000), [undefined]);
      const again = await leaseOne('the expired job to return');
      assert.equal(subject.idOf(again), 'short');
      assert.equal(again.attempt, guarantees.countsAttempts ? 2 : 1);
      assert.deepEqual((await lease(5)).items, [], 'the extended job stays leased');
    });

    (guarantees.fencedAcks ? it : it.skip)('fences: an ack or extend after the lease moved on answers LeaseLost and changes nothing', async () => {
      await subject.add(['a']);
      const [stale] = (await lease(1, 200)).items;
      assert.ok(stale);
      const fresh = await leaseOne('the job to be leased again', 60_000);
      const [ackOutcome] = await subject.source.ack([stale]);
      assert.ok(GoodRedisError.is(ackOutcome, 'LeaseLost'), String(ackOutcome));
      const [extendOutcome] = await subject.source.extend([stale], 60_000);
      assert.ok(GoodRedisError.is(extendOutcome, 'LeaseLost'), String(extendOutcome));
      assert.deepEqual(await subject.source.ack([fresh]), [undefined], 'the new lease still holds');
    });

    (guarantees.maxAttempts ? it : it.skip)('dead-letters a job nacked on its last attempt', async () => {
      await subject.add(['poison']);
      const first = await leaseOne('the first delivery', 30_000, 2);
      assert.deepEqual(await subject.source.nack([first], { delayMs: 0, error: 'bad' }), ['retry']);
      const second = await leaseOne('the second delivery', 30_000, 2);
      assert.equal(second.attempt, 2);
      assert.deepEqual(await subject.source.nack([second], { delayMs: 0, error: 'bad' }), ['dead']);
      assert.deepEqual((await lease(1)).items, []);
    });

    it('signals work: an idle wait ends soon after an add, and close() ends it too', async () => {
      const signal = subject.source.openSignal();
      try {
        const waiting = signal.waitForWork(-1, 10_000);
        const started = Date.now();
        await subject.add(['wake']);
        assert.equal(await waiting, true);
        assert.ok(Date.now() - started < 2000, `woke after ${String(Date.now() - started)} ms`);
      } finally {
        signal.close();
      }
      const other = subject.source.openSignal();
      const ended = other.waitForWork(-1, 10_000);
      other.close();
      assert.equal(await ended, false);
    });

    it('runs under the one Worker: every job completed exactly once', async () => {
      const all = Array.from({ length: 200 }, (_, i) => `w${String(i)}`);
      const seen: string[] = [];
      const worker = new JobWorker(
        subject.source,
        (job) => {
          seen.push(subject.idOf(job));
        },
        { concurrency: 20 },
      );
      try {
        const drained = new Promise<void>((resolve) => worker.once('drained', resolve));
        await subject.add(all);
        await drained;
      } finally {
        await worker.close();
      }
      assert.deepEqual([...seen].sort(), [...all].sort());
      assert.deepEqual((await lease(5)).items, []);
    });
  });
}

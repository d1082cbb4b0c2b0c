/**
 * What the one Worker takes and tells: the handler, the options, the events.
 *
 * @module
 */
import type { Logger } from '../internal/logger.js';

/**
 * Processes one job; what it returns is reported with `completed`, what it throws retries the
 * job (after the error's `retryDelayMs` when it carries one, see {@link RetryLater}, else after
 * the Worker's backoff). `signal` aborts when the job's lease is lost (a renewal or the ack
 * answered `LeaseLost`: the job runs again elsewhere) or when `close({ timeoutMs })` gave up
 * waiting: stop the work then, it no longer counts.
 *
 * Declare the `signal` parameter to get it: the Worker makes one per job only for a handler
 * that takes two parameters (`handler.length >= 2`, as mocha decides on `done`), since an
 * AbortSignal costs microseconds to make on Node 20, as much as the rest of a job's handling. A
 * handler declared otherwise (`(job) => …`, rest parameters) gets a signal that never aborts;
 * the `lost` event still reports its job.
 */
export type Handler<J, R> = (job: J, signal: AbortSignal) => R | Promise<R>;

/** What became of a job whose handler failed (or nacked it), as `failed` reports it. */
export interface FailureOutcome {
  /** `true`: the job comes back after `delayMs`; `false`: it used up its attempts and went to the dead letters. */
  willRetry: boolean;
  /** The delay before the retry, in ms (0 when it went to the dead letters or returns at once). */
  delayMs: number;
}

/** Options of a Worker's `close()`. */
export interface CloseOptions {
  /**
   * How long to wait for running handlers, in ms. A handler still running then is abandoned:
   * its signal aborts, its job is nacked (the attempt counts, the error says the worker
   * closed) and what the handler does afterwards is ignored.
   *
   * @defaultValue no limit: wait for every handler
   */
  timeoutMs?: number | undefined;
}

/** Options of every Worker, the same for every family. */
export interface JobWorkerOptions {
  /**
   * How many jobs run at once.
   *
   * @defaultValue 1
   */
  concurrency?: number | undefined;
  /**
   * The most jobs one lease takes (never more than the free slots).
   *
   * @defaultValue `concurrency`
   */
  batch?: number | undefined;
  /**
   * The lease of each job, in ms.
   *
   * @defaultValue 30000
   */
  leaseMs?: number | undefined;
  /**
   * Lease the next batch while the current one runs, when the handlers are quick (under
   * 20 ms on average over the last jobs), so that a slot never waits a
   * round trip to Redis for its next job. Such jobs wait in the worker for a free slot, a few
   * ms at most; one that waited half its lease is given back to the source (its delivery not
   * counted) instead of run, and `close()` gives back the ones not started. Slow handlers
   * gain nothing from it, so the worker then leases only for free slots, as it does with
   * `false`.
   *
   * @defaultValue `true`
   */
  prefetch?: boolean | undefined;
  /**
   * Renew the lease every `leaseMs / 2` while the handler runs, so long jobs keep it.
   *
   * @defaultValue `true`
   */
  autoExtend?: boolean | undefined;
  /**
   * Deliveries before a failing job goes to the dead letters; 0 for no limit.
   *
   * @defaultValue 5
   */
  maxAttempts?: number | undefined;
  /**
   * The delay before a failed job is retried, in ms: a number, or a function of the attempt
   * that failed and its error.
   *
   * @defaultValue `min(1000 * 2^(attempt - 1), 60000)`
   */
  backoff?: number | ((attempt: number, error: unknown) => number) | undefined;
  /**
   * The longest idle wait before looking again for expired leases and due delayed jobs, in ms.
   *
   * @defaultValue 5000
   */
  blockTimeoutMs?: number | undefined;
  /**
   * How often the worker beats into the worker registry of its object's prefix (what it is and
   * what it runs, for the dashboard's live workers page) and reads whether its object is paused
   * (see {@link WorkerRegistry.pause}): a pause takes effect within this long. 0 for neither: no
   * registry entry, and pauses are not honoured. A source that does not name its object (a
   * custom {@link JobSource}) never beats.
   *
   * @defaultValue 2000
   */
  heartbeatMs?: number | undefined;
  /**
   * Start at once; otherwise call the worker's `run()`.
   *
   * @defaultValue `true`
   */
  autorun?: boolean | undefined;
  /**
   * Where the worker logs (pino's shape: `debug`, `info`, `warn`, `error`): start and stop,
   * failures outside handlers, lost leases, jobs that died.
   *
   * @defaultValue silent
   */
  logger?: Logger | undefined;
}

/** The events every Worker emits. */
export interface JobWorkerEvents<J, R> {
  /** A job's handler is about to run (it was leased and given a slot). */
  active: [job: J];
  /** A job's handler returned and the job was acked. */
  completed: [job: J, result: R];
  /**
   * A job's handler threw (or nacked its own job); the job was nacked: `outcome` says whether
   * it will be retried, and when, or went to the dead letters.
   */
  failed: [job: J, error: unknown, outcome: FailureOutcome];
  /** A failed job used up its attempts and went to the dead letters (after its `failed`). */
  dead: [job: J, error: unknown];
  /**
   * A job's handler signal was aborted: its lease was lost (a renewal or its ack answered
   * `LeaseLost`; the job will run again), or `close({ timeoutMs })` gave up on its handler.
   */
  lost: [job: J, reason: Error];
  /**
   * Something outside a handler failed (a lost lease, a connection error); the worker goes
   * on, unless its connection was closed (`quit()`), in which case it closes itself.
   */
  error: [error: Error];
  /** The worker ran out of jobs: nothing to lease and nothing running. */
  drained: [];
  /** Its object was found paused (by a heartbeat): it leases nothing until it is resumed; running jobs finish. */
  paused: [];
  /** Its object was found resumed: it leases again. */
  resumed: [];
  /** `close()` finished. */
  closed: [];
}

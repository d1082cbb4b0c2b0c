import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { hostname } from 'node:os';
import { GoodRedisError } from '../errors.js';
import { reportError } from '../internal/report-error.js';
import { settlesWithin } from '../internal/settles-within.js';
import { assertBoolean, assertInteger, invalid, optionsOf } from '../internal/validate.js';
import type { PrioritizedStream } from './prioritized-stream.js';
import { jobOf, type LeasedJob } from './consume.js';
import { ackArgs } from './stream-jobs.js';
import { DEFAULT_LEASE_MS, DEFAULT_MAX_ATTEMPTS, type AckOptions, type Job, type LeasedItem, type NackResult } from './types.js';
import { WorkSignal } from './work-signal.js';

/**
 * Processes one job; what it returns is reported with `completed`, what it throws retries the
 * job (after the error's `retryDelayMs` when it carries one, see {@link RetryLater}, else after
 * the Worker's backoff). A handler may also settle its own job with `job.ack()` or
 * `job.nack()`; the Worker then does not settle it again.
 */
export type JobHandler<T, R> = (job: Job<T>) => R | Promise<R>;

/**
 * An error a handler throws to retry its job after a delay of its choosing (a rate limit's
 * `Retry-After`, say) instead of the Worker's backoff. Any error with a numeric
 * `retryDelayMs` property does the same.
 *
 * @example
 * ```ts
 * const worker = new Worker(stream, async (job) => {
 *   const res = await fetch(job.value);
 *   if (res.status === 429) throw new RetryLater('rate limited', Number(res.headers.get('retry-after')) * 1000);
 * });
 * ```
 */
export class RetryLater extends Error {
  /** How long to wait before the retry, in ms. */
  public readonly retryDelayMs: number;

  /**
   * @param message - why the job failed (kept as its last error)
   * @param retryDelayMs - how long to wait before the retry, in ms (an integer >= 0)
   */
  public constructor(message: string, retryDelayMs: number) {
    super(message);
    assertInteger(retryDelayMs, 'retryDelayMs', 0);
    this.name = 'RetryLater';
    this.retryDelayMs = retryDelayMs;
  }
}

/** What became of a job whose handler failed (or nacked it), as `failed` reports it. */
export interface FailureOutcome {
  /** `true`: the job comes back after `delayMs`; `false`: it used up its attempts and went to the dead letters. */
  willRetry: boolean;
  /** The delay before the retry, in ms (0 when it went to the dead letters or returns at once). */
  delayMs: number;
}

/** Options of {@link Worker.close}. */
export interface CloseOptions {
  /**
   * How long to wait for running handlers, in ms. A handler still running then is abandoned:
   * its job is nacked (the attempt counts, the error says the worker closed) and what the
   * handler does afterwards is ignored.
   *
   * @defaultValue no limit: wait for every handler
   */
  timeoutMs?: number | undefined;
}

/** Options of {@link Worker}. */
export interface WorkerOptions {
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
   * How completed jobs are acked (gate, cooldown).
   *
   * @defaultValue the stream's defaults: no gating, the stream's `ackCooldownMs` (0 unless set)
   */
  ack?: AckOptions | undefined;
  /**
   * Start at once; otherwise call {@link Worker.run}.
   *
   * @defaultValue `true`
   */
  autorun?: boolean | undefined;
}

/** The events a {@link Worker} emits. */
export interface WorkerEvents<T, R> {
  /** A job's handler returned and the job was acked. */
  completed: [job: Job<T>, result: R];
  /**
   * A job's handler threw (or nacked its own job); the job was nacked: `outcome` says whether
   * it will be retried, and when, or went to the dead letters.
   */
  failed: [job: Job<T>, error: unknown, outcome: FailureOutcome];
  /** A failed job used up its attempts and went to the dead letters (after its `failed`). */
  dead: [job: Job<T>, error: unknown];
  /**
   * Something outside a handler failed (a lost lease, a connection error); the worker goes
   * on, unless the stream's connection was closed (`quit()`), in which case it closes itself.
   */
  error: [error: Error];
  /** The worker ran out of jobs: nothing to lease and nothing running. */
  drained: [];
  /** `close()` finished. */
  closed: [];
}

const defaultBackoff = (attempt: number): number => Math.min(1000 * 2 ** (attempt - 1), 60_000);

/** The retry delay an error carries (`retryDelayMs`, see {@link RetryLater}), if any. */
function retryDelayOf(error: unknown): number | undefined {
  const delay = typeof error === 'object' && error !== null ? (error as { retryDelayMs?: unknown }).retryDelayMs : undefined;
  return typeof delay === 'number' && Number.isFinite(delay) ? Math.max(0, Math.floor(delay)) : undefined;
}

/** The error of a job whose handler was still running when `close({ timeoutMs })` ran out. */
const CLOSED_UNDER_HANDLER = 'the worker closed before the handler finished';

/**
 * One `end` listener per client, shared by all its workers: a listener per worker would trip
 * Node's MaxListenersExceededWarning with more than ten workers on one connection.
 */
const endWatchers = new WeakMap<object, Set<() => void>>();

function watchEnd(client: PrioritizedStream<unknown>['client'], onEnd: () => void): () => void {
  let watchers = endWatchers.get(client);
  if (watchers === undefined) {
    const set = new Set<() => void>();
    watchers = set;
    endWatchers.set(client, set);
    client.once('end', () => {
      endWatchers.delete(client);
      for (const notify of set) notify();
    });
  }
  watchers.add(onEnd);
  return () => watchers.delete(onEnd);
}

/**
 * Consumes a prioritized stream at least once: leases jobs, runs the handler (up to
 * `concurrency` at once), acks on success, nacks with backoff on a throw, renews the leases of
 * long jobs, and waits for new jobs without polling (a blocking wait on the stream's marker,
 * woken within milliseconds of an add). A job whose worker dies comes back when its lease
 * expires, with its attempt count raised; after `maxAttempts` it goes to the dead letters.
 *
 * @typeParam T - the stream's value type
 * @typeParam R - what the handler returns
 * @example
 * ```ts
 * const worker = new Worker(stream, async (job) => fetchPage(job.value), { concurrency: 8 });
 * worker.on('failed', (job, err) => log.warn({ key: job.key, attempt: job.attempt, err }));
 * // …
 * await worker.close(); // waits for the jobs in flight
 * ```
 */
export class Worker<T = string, R = unknown> extends EventEmitter<WorkerEvents<T, R>> {
  /** The stream this worker consumes. */
  public readonly stream: PrioritizedStream<T>;
  /**
   * Who this worker is, recorded with every lease it takes (see `stream.state()` and
   * `stream.leases()`): `host:pid:random`.
   */
  public readonly id: string = `${hostname()}:${String(process.pid)}:${randomBytes(4).toString('hex')}`;
  private readonly handler: JobHandler<T, R>;
  private readonly concurrency: number;
  private readonly batch: number;
  private readonly leaseMs: number;
  private readonly autoExtend: boolean;
  private readonly maxAttempts: number;
  private readonly backoff: (attempt: number, error: unknown) => number;
  private readonly blockTimeoutMs: number;
  private readonly ackOptions: AckOptions;
  /** Jobs whose handler is running: what concurrency counts (and what autoExtend renews). */
  private readonly active = new Set<LeasedJob<T>>();
  /** Jobs whose handler outlived `close({ timeoutMs })`: nacked already, their outcome ignored. */
  private readonly abandoned = new WeakSet<LeasedJob<T>>();
  /** Jobs not yet acked or nacked, handlers included: what close() waits for. */
  private unsettled = 0;
  private settled: (() => void) | undefined;
  private renewer: NodeJS.Timeout | undefined;
  private unwatchEnd: (() => void) | undefined;
  private signal: WorkSignal | undefined;
  private loop: Promise<void> | undefined;
  private closing: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private idle = false;
  private worked = false;
  private acks: { job: Job<T>; result: R }[] = [];

  /**
   * @param stream - the stream to consume
   * @param handler - runs each job
   * @param options - concurrency, leases, retries, waiting
   * @throws {@link GoodRedisError} `InvalidArgument` for a bad option
   */
  public constructor(stream: PrioritizedStream<T>, handler: JobHandler<T, R>, options: WorkerOptions = {}) {
    options = optionsOf(options);
    super();
    if (typeof handler !== 'function') throw invalid('handler must be a function');
    this.stream = stream;
    this.handler = handler;
    this.concurrency = options.concurrency ?? 1;
    assertInteger(this.concurrency, 'concurrency', 1, 10_000);
    this.batch = options.batch ?? this.concurrency;
    assertInteger(this.batch, 'batch', 1, 10_000);
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    assertInteger(this.leaseMs, 'leaseMs', 1);
    this.autoExtend = options.autoExtend ?? true;
    assertBoolean(this.autoExtend, 'autoExtend');
    this.maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    assertInteger(this.maxAttempts, 'maxAttempts', 0);
    const { backoff = defaultBackoff } = options;
    if (typeof backoff === 'number') assertInteger(backoff, 'backoff', 0);
    else if (typeof backoff !== 'function') throw invalid('backoff must be a number of ms or a function');
    this.backoff = typeof backoff === 'number' ? () => backoff : backoff;
    this.blockTimeoutMs = options.blockTimeoutMs ?? 5000;
    assertInteger(this.blockTimeoutMs, 'blockTimeoutMs', 1);
    this.ackOptions = optionsOf(options.ack, 'ack');
    ackArgs(this.ackOptions, 0); // a bad ack option fails here, not on every job's ack
    if (options.autorun ?? true) this.run();
  }

  /** Whether the worker is consuming (started and not closing). */
  public get running(): boolean {
    return this.loop !== undefined && this.closing === undefined;
  }

  /** Starts consuming. Idempotent; a closed worker does not start again. */
  public run(): void {
    if (this.loop !== undefined || this.closing !== undefined) return;
    this.signal = new WorkSignal(this.stream.client, this.stream.redisKeys.marker);
    this.unwatchEnd = watchEnd(this.stream.client, () => {
      reportError(this, new Error("the stream's connection was closed; the worker stops"), 'Worker');
      void this.close();
    });
    this.loop = this.consume();
  }

  /**
   * Stops leasing, ends the idle wait, and waits for the jobs in flight to finish (and be acked
   * or nacked): all of them, or for at most `timeoutMs`, after which the handlers still running
   * are abandoned and their jobs nacked. Idempotent: a later call returns the first one's
   * promise.
   *
   * @param options - `timeoutMs`: the longest wait for running handlers
   * @returns when the worker has stopped
   * @example
   * ```ts
   * process.once('SIGTERM', () => void worker.close({ timeoutMs: 10_000 }).then(() => process.exit(0)));
   * ```
   */
  public close(options: CloseOptions = {}): Promise<void> {
    options = optionsOf(options);
    const { timeoutMs } = options;
    if (timeoutMs !== undefined) assertInteger(timeoutMs, 'timeoutMs', 0);
    this.closing ??= (async () => {
      this.unwatchEnd?.();
      this.signal?.close();
      this.wake?.();
      await this.loop;
      if (this.unsettled > 0) {
        const allSettled = new Promise<void>((resolve) => (this.settled = resolve));
        if (timeoutMs === undefined) await allSettled;
        else if (!(await settlesWithin(allSettled, timeoutMs))) await this.abandonRunning();
      }
      clearInterval(this.renewer);
      this.emit('closed');
    })();
    return this.closing;
  }

  /** Nacks the jobs whose handler is still running, so close() ends; their handlers' outcome is ignored. */
  private async abandonRunning(): Promise<void> {
    const running = [...this.active].filter((job) => job.settlement() === undefined);
    for (const job of running) {
      this.abandoned.add(job);
      this.active.delete(job);
    }
    await Promise.all(
      running.map(async (job) => {
        try {
          const result = await job.nack({ error: CLOSED_UNDER_HANDLER });
          this.reportFailure(job, new Error(CLOSED_UNDER_HANDLER), result, 0);
        } catch (err) {
          reportError(this, err, 'Worker');
        }
        this.jobSettled();
      }),
    );
  }

  private async consume(): Promise<void> {
    while (!this.stopping()) {
      const free = this.concurrency - this.active.size;
      if (free === 0) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        // Let the jobs finishing in this turn free their slots too: one larger lease, not many small ones.
        await new Promise<void>((resolve) => setImmediate(resolve));
        continue;
      }
      try {
        const batch = await this.stream.leaseBatch({ count: Math.min(this.batch, free), leaseMs: this.leaseMs, maxAttempts: this.maxAttempts, owner: this.id });
        for (const err of batch.undecodable) reportError(this, err, 'Worker'); // those jobs went to the dead letters
        for (const job of batch.items) this.start(job);
        this.idle = batch.items.length === 0;
        if (!this.idle) {
          this.worked = true;
          continue;
        }
        this.checkDrained();
        await this.signal?.waitForWork(batch.wakeInMs, this.blockTimeoutMs);
      } catch (err) {
        if (this.stopping()) return;
        reportError(this, err, 'Worker');
        if (this.stream.client.status === 'end') {
          // The connection was closed under the worker: nothing will work again; stop.
          void this.close();
          return;
        }
        await this.pause(1000);
      }
    }
  }

  /** Whether close() was called (read through a method: it changes while the loop awaits). */
  private stopping(): boolean {
    return this.closing !== undefined;
  }

  private start(leased: LeasedItem<T>): void {
    const job = jobOf(this.stream, leased);
    this.active.add(job);
    this.unsettled += 1;
    if (this.autoExtend && this.renewer === undefined) {
      this.renewer = setInterval(() => void this.renew(), Math.max(1, Math.floor(this.leaseMs / 2)));
      this.renewer.unref();
    }
    void this.process(job);
  }

  private async process(job: LeasedJob<T>): Promise<void> {
    let result: R;
    try {
      result = await this.handler(job);
    } catch (error) {
      if (this.abandoned.has(job)) return; // close() nacked it already
      this.handlerDone(job);
      if (job.settlement() !== undefined) {
        await this.settledByHandler(job, undefined, error);
        return;
      }
      try {
        const delayMs = retryDelayOf(error) ?? Math.max(0, Math.floor(this.backoff(job.attempt, error)));
        const nacked = await job.nack({ delayMs, error: error instanceof Error ? error.message : String(error) });
        this.reportFailure(job, error, nacked, delayMs);
      } catch (err) {
        reportError(this, err, 'Worker');
      }
      this.jobSettled();
      return;
    }
    if (this.abandoned.has(job)) return;
    this.handlerDone(job);
    if (job.settlement() !== undefined) {
      await this.settledByHandler(job, result, undefined);
      return;
    }
    // Acked together with the jobs that finish in the same turn of the event loop.
    if (this.acks.length === 0) setImmediate(() => void this.flushAcks());
    this.acks.push({ job, result });
  }

  /**
   * The handler acked or nacked its own job: reports what that did (`completed`, or `failed`
   * and maybe `dead`) instead of settling the job again. A handler that threw after settling
   * its job has its error reported too.
   */
  private async settledByHandler(job: LeasedJob<T>, result: R | undefined, thrown: unknown): Promise<void> {
    const settlement = job.settlement();
    try {
      if (thrown !== undefined) reportError(this, thrown, 'Worker: a handler threw after settling its job');
      if (settlement?.kind === 'ack') {
        await settlement.done;
        this.emit('completed', job, result as R);
      } else if (settlement?.kind === 'nack') {
        const nacked = await settlement.done;
        this.reportFailure(job, new Error(settlement.options?.error ?? 'nacked by its handler'), nacked, settlement.options?.delayMs ?? 0);
      }
    } catch (err) {
      reportError(this, err, 'Worker'); // the handler's own ack or nack failed (LeaseLost, say)
    }
    this.jobSettled();
  }

  /** Emits `failed` with what the nack did, and `dead` when the job went to the dead letters. */
  private reportFailure(job: Job<T>, error: unknown, nacked: NackResult, delayMs: number): void {
    const dead = nacked.dead > 0;
    try {
      this.emit('failed', job, error, { willRetry: !dead, delayMs: dead ? 0 : delayMs });
      if (dead) this.emit('dead', job, error);
    } catch (listenerError) {
      reportError(this, listenerError, 'Worker: a failed or dead listener threw');
    }
  }

  /** The job's slot is free; its ack or nack may still be in flight. */
  private handlerDone(job: LeasedJob<T>): void {
    this.active.delete(job);
    this.wake?.();
    this.wake = undefined;
  }

  private jobSettled(): void {
    this.unsettled -= 1;
    if (this.unsettled === 0) {
      this.settled?.();
      this.settled = undefined;
    }
    this.checkDrained();
  }

  private async flushAcks(): Promise<void> {
    const batch = this.acks;
    this.acks = [];
    let lost: unknown[] | undefined;
    try {
      await this.stream.ack(
        batch.map((a) => a.job),
        this.ackOptions,
      );
    } catch (err) {
      // All or nothing refused the batch and changed nothing: ack one by one to find the lost.
      lost =
        batch.length > 1 && GoodRedisError.is(err, 'LeaseLost')
          ? await Promise.all(batch.map((a) => a.job.ack(this.ackOptions).then(() => undefined, (e: unknown) => e)))
          : batch.map(() => err);
    }
    batch.forEach(({ job, result }, i) => {
      const error = lost?.[i];
      try {
        if (error === undefined) this.emit('completed', job, result);
        else reportError(this, error, 'Worker'); // e.g. LeaseLost: the job went back and will run again
      } catch (listenerError) {
        reportError(this, listenerError, 'Worker: a completed listener threw');
      } finally {
        this.jobSettled();
      }
    });
  }

  /** Renews the leases of every running job at once. */
  private async renew(): Promise<void> {
    // A job its handler settled has no lease left to renew.
    const jobs = [...this.active].filter((job) => job.settlement() === undefined);
    if (jobs.length === 0) return;
    try {
      await this.stream.extend(jobs, this.leaseMs);
    } catch (err) {
      if (!GoodRedisError.is(err, 'LeaseLost')) {
        reportError(this, err, 'Worker');
        return;
      }
      // Renew one by one, so one lost lease does not stop the others.
      await Promise.all(jobs.map((job) => job.extend(this.leaseMs).catch((e: unknown) => { reportError(this, e, 'Worker'); })));
    }
  }

  private checkDrained(): void {
    if (this.idle && this.worked && this.unsettled === 0) {
      this.worked = false;
      this.emit('drained');
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      timer.unref();
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}

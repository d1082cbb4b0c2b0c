import { EventEmitter } from 'node:events';
import { GoodRedisError } from '../errors.js';
import { reportError } from '../internal/report-error.js';
import { assertBoolean, assertInteger, invalid } from '../internal/validate.js';
import type { PrioritizedStream } from './prioritized-stream.js';
import { jobOf } from './consume.js';
import { DEFAULT_LEASE_MS, DEFAULT_MAX_ATTEMPTS, type AckOptions, type Job, type LeasedItem } from './types.js';
import { WorkSignal } from './work-signal.js';

/** Processes one job; what it returns is reported with `completed`, what it throws retries the job. */
export type JobHandler<T, R> = (job: Job<T>) => R | Promise<R>;

/** Options of {@link Worker}. */
export interface WorkerOptions {
  /**
   * How many jobs run at once.
   *
   * @defaultValue 1
   */
  concurrency?: number;
  /**
   * The most jobs one lease takes (never more than the free slots).
   *
   * @defaultValue `concurrency`
   */
  batch?: number;
  /**
   * The lease of each job, in ms.
   *
   * @defaultValue 30000
   */
  leaseMs?: number;
  /**
   * Renew the lease every `leaseMs / 2` while the handler runs, so long jobs keep it.
   *
   * @defaultValue `true`
   */
  autoExtend?: boolean;
  /**
   * Deliveries before a failing job goes to the dead letters; 0 for no limit.
   *
   * @defaultValue 5
   */
  maxAttempts?: number;
  /**
   * The delay before a failed job is retried, in ms: a number, or a function of the attempt
   * that failed and its error.
   *
   * @defaultValue `min(1000 * 2^(attempt - 1), 60000)`
   */
  backoff?: number | ((attempt: number, error: unknown) => number);
  /**
   * The longest idle wait before looking again for expired leases and due delayed jobs, in ms.
   *
   * @defaultValue 5000
   */
  blockTimeoutMs?: number;
  /**
   * How completed jobs are acked (gate, cooldown).
   *
   * @defaultValue the stream's defaults
   */
  ack?: AckOptions;
  /**
   * Start at once; otherwise call {@link Worker.run}.
   *
   * @defaultValue `true`
   */
  autorun?: boolean;
}

/** The events a {@link Worker} emits. */
export interface WorkerEvents<T, R> {
  /** A job's handler returned and the job was acked. */
  completed: [job: Job<T>, result: R];
  /** A job's handler threw; the job was nacked (retried later, or dead-lettered). */
  failed: [job: Job<T>, error: unknown];
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
  private readonly active = new Set<Job<T>>();
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
    this.ackOptions = options.ack ?? {};
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
   * or nacked). Idempotent.
   *
   * @returns when the worker has stopped
   */
  public close(): Promise<void> {
    this.closing ??= (async () => {
      this.unwatchEnd?.();
      this.signal?.close();
      this.wake?.();
      await this.loop;
      if (this.unsettled > 0) await new Promise<void>((resolve) => (this.settled = resolve));
      clearInterval(this.renewer);
      this.emit('closed');
    })();
    return this.closing;
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
        const batch = await this.stream.leaseBatch({ count: Math.min(this.batch, free), leaseMs: this.leaseMs, maxAttempts: this.maxAttempts });
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

  private async process(job: Job<T>): Promise<void> {
    let result: R;
    try {
      result = await this.handler(job);
    } catch (error) {
      this.handlerDone(job);
      try {
        const delayMs = Math.max(0, Math.floor(this.backoff(job.attempt, error)));
        await job.nack({ delayMs, error: error instanceof Error ? error.message : String(error) });
        this.emit('failed', job, error); // a listener that throws is reported below
      } catch (err) {
        reportError(this, err, 'Worker');
      }
      this.jobSettled();
      return;
    }
    this.handlerDone(job);
    // Acked together with the jobs that finish in the same turn of the event loop.
    if (this.acks.length === 0) setImmediate(() => void this.flushAcks());
    this.acks.push({ job, result });
  }

  /** The job's slot is free; its ack or nack may still be in flight. */
  private handlerDone(job: Job<T>): void {
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
    if (this.active.size === 0) return;
    const jobs = [...this.active];
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

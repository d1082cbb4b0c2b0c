/**
 * The one Worker: consumes any {@link JobSource} at least once.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { hostname } from 'node:os';
import { GoodRedisError } from '../errors.js';
import { loggerOf, type Logger } from '../internal/logger.js';
import { reportError } from '../internal/report-error.js';
import { settlesWithin } from '../internal/settles-within.js';
import { objectId } from '../observe/families.js';
import { activeInstruments, WorkerTelemetry, type Instruments } from '../observe/telemetry.js';
import { assertBoolean, assertInteger, invalid, optionsOf } from '../internal/validate.js';
import { defaultBackoff, retryDelayOf } from './backoff.js';
import type { JobSource, NackOutcome, SourceJob, WorkWaiter } from './job-source.js';
import { WorkerPresence, type PresenceContext } from './worker-presence.js';
import type { CloseOptions, Handler, JobWorkerEvents, JobWorkerOptions } from './worker-options.js';

/** The signal of a handler that does not declare one (see {@link Handler}): it never aborts. */
const NEVER_ABORTED = new AbortController().signal;

/** The error of a job whose handler was still running when `close({ timeoutMs })` ran out. */
const CLOSED_UNDER_HANDLER = 'the worker closed before the handler finished';

/** The default lease of a Worker's jobs, in ms. */
const DEFAULT_WORKER_LEASE_MS = 30_000;

/** The default deliveries before a job goes to the dead letters. */
const DEFAULT_WORKER_MAX_ATTEMPTS = 5;

/** A worker leases ahead (see {@link JobWorkerOptions.prefetch}) while its handlers take less than this, in ms, on average. */
export const PREFETCH_BELOW_MS = 20;

/**
 * One `end` listener per client, shared by all its workers: a listener per worker would trip
 * Node's MaxListenersExceededWarning with more than ten workers on one connection.
 */
const endWatchers = new WeakMap<object, Set<() => void>>();

function watchEnd(client: JobSource<SourceJob>['client'], onEnd: () => void): () => void {
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
 * Consumes a {@link JobSource} at least once: leases jobs, runs the handler (up to
 * `concurrency` at once), acks on success (the jobs finishing in one turn of the event loop in
 * one call), nacks with backoff on a throw, renews the leases of long jobs, aborts a handler's
 * signal when its lease is lost, and waits for new jobs without polling (the source's signal).
 * A job whose worker dies comes back when its lease expires, with its attempt count raised;
 * after `maxAttempts` it goes to the dead letters. Supports `await using` (closes, waiting for
 * the jobs in flight).
 *
 * @typeParam J - the source's jobs
 * @typeParam R - what the handler returns
 */
export class JobWorker<J extends SourceJob, R = unknown> extends EventEmitter<JobWorkerEvents<J, R>> {
  /**
   * Who this worker is, recorded with every lease it takes where the source can (see a
   * stream's `state()` and `leases()`): `host:pid:random`.
   */
  public readonly id: string = `${hostname()}:${String(process.pid)}:${randomBytes(4).toString('hex')}`;
  private readonly source: JobSource<J>;
  private readonly handler: Handler<J, R>;
  /** Whether the handler declares its signal parameter, so each job gets a signal of its own. */
  private readonly signals: boolean;
  private readonly concurrency: number;
  private readonly batch: number;
  private readonly leaseMs: number;
  private readonly autoExtend: boolean;
  private readonly prefetch: boolean;
  private readonly maxAttempts: number;
  private readonly backoff: (attempt: number, error: unknown) => number;
  private readonly blockTimeoutMs: number;
  private readonly logger: Logger;
  /** The spans and messaging metrics of its jobs, when the source says what it is (recorded only while an OpenTelemetry SDK is registered). */
  private readonly telemetry: WorkerTelemetry<J> | undefined;
  /** Its presence in the worker registry: beats, what it finished, whether its object is paused. */
  private readonly presence: WorkerPresence<J>;
  /** Jobs whose handler is running: what concurrency counts (and what autoExtend renews). */
  private readonly active = new Set<J>();
  /** The abort controller of each job's handler signal, until the job is settled (a handler that declares none has none). */
  private readonly controllers = new Map<J, AbortController>();
  /** The jobs whose `lost` was emitted (once each), with why: a signal asked for later is made aborted with it. */
  private readonly lostJobs = new WeakMap<J, Error>();
  /** Jobs whose handler outlived `close({ timeoutMs })`: nacked already, their outcome ignored. */
  private readonly abandoned = new WeakSet<J>();
  /** Jobs not yet acked or nacked, handlers included: what close() waits for. */
  private unsettled = 0;
  private settled: (() => void) | undefined;
  private renewer: NodeJS.Timeout | undefined;
  private unwatchEnd: (() => void) | undefined;
  private signal: WorkWaiter | undefined;
  private loop: Promise<void> | undefined;
  private closing: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private idle = false;
  private worked = false;
  private acks: { job: J; result: R }[] = [];
  /** Jobs leased ahead, not started yet, with when they came (performance.now()). */
  private ready: { job: J; at: number }[] = [];
  /** The handlers' recent average duration, in ms (undefined until one finished). */
  private handlerMs: number | undefined;

  /**
   * @param source - the jobs to consume
   * @param handler - runs each job
   * @param options - concurrency, leases, retries, waiting, logging
   * @throws {@link GoodRedisError} `InvalidArgument` for a bad option
   */
  public constructor(source: JobSource<J>, handler: Handler<J, R>, options: JobWorkerOptions = {}) {
    options = optionsOf(options);
    super();
    if (typeof handler !== 'function') throw invalid('handler must be a function');
    this.source = source;
    this.handler = handler;
    this.signals = handler.length >= 2;
    this.concurrency = options.concurrency ?? 1;
    assertInteger(this.concurrency, 'concurrency', 1, 10_000);
    this.batch = options.batch ?? this.concurrency;
    assertInteger(this.batch, 'batch', 1, 10_000);
    this.leaseMs = options.leaseMs ?? DEFAULT_WORKER_LEASE_MS;
    assertInteger(this.leaseMs, 'leaseMs', 1);
    this.autoExtend = options.autoExtend ?? true;
    assertBoolean(this.autoExtend, 'autoExtend');
    this.prefetch = options.prefetch ?? true;
    assertBoolean(this.prefetch, 'prefetch');
    this.maxAttempts = options.maxAttempts ?? DEFAULT_WORKER_MAX_ATTEMPTS;
    assertInteger(this.maxAttempts, 'maxAttempts', 0);
    const { backoff = defaultBackoff } = options;
    if (typeof backoff === 'number') assertInteger(backoff, 'backoff', 0);
    else if (typeof backoff !== 'function') throw invalid('backoff must be a number of ms or a function');
    this.backoff = typeof backoff === 'number' ? () => backoff : backoff;
    this.blockTimeoutMs = options.blockTimeoutMs ?? 5000;
    assertInteger(this.blockTimeoutMs, 'blockTimeoutMs', 1);
    this.logger = loggerOf(options.logger);
    this.telemetry = source.object === undefined ? undefined : new WorkerTelemetry(source.object);
    const heartbeatMs = options.heartbeatMs ?? 2000;
    assertInteger(heartbeatMs, 'heartbeatMs', 0);
    this.presence = new WorkerPresence(this.presenceContext(), heartbeatMs);
    if (options.autorun ?? true) this.run();
  }

  /** Whether the worker is consuming (started and not closing). */
  public get running(): boolean {
    return this.loop !== undefined && this.closing === undefined;
  }

  /** Whether its object is paused (as its last heartbeat read): it leases nothing meanwhile. */
  public get paused(): boolean {
    return this.presence.paused;
  }

  /** Starts consuming. Idempotent; a closed worker does not start again. */
  public run(): void {
    if (this.loop !== undefined || this.closing !== undefined) return;
    this.signal = this.source.openSignal();
    this.unwatchEnd = watchEnd(this.source.client, () => {
      this.fail(new Error("the worker's connection was closed; the worker stops"));
      void this.close();
    });
    this.logger.info({ worker: this.id, concurrency: this.concurrency }, 'worker started');
    this.presence.start();
    this.loop = this.consume();
  }

  /**
   * Stops leasing, ends the idle wait, and waits for the jobs in flight to finish (and be acked
   * or nacked): all of them, or for at most `timeoutMs`, after which the handlers still running
   * are abandoned: their signal aborts and their jobs are nacked. Idempotent: a later call
   * returns the first one's promise.
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
      this.presence.stop();
      this.wake?.();
      await this.loop;
      await this.giveBack(this.ready.splice(0).map((r) => r.job));
      if (this.unsettled > 0) {
        const allSettled = new Promise<void>((resolve) => (this.settled = resolve));
        if (timeoutMs === undefined) await allSettled;
        else if (!(await settlesWithin(allSettled, timeoutMs))) await this.abandonRunning();
      }
      clearInterval(this.renewer);
      await this.source.close?.().catch((err: unknown) => {
        this.fail(err);
      });
      await this.presence.leave();
      this.logger.info({ worker: this.id }, 'worker stopped');
      this.emit('closed');
    })();
    return this.closing;
  }

  /** `await using worker = new Worker(…)`: closes it, waiting for the jobs in flight. */
  public async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /**
   * A running job's handler signal (see {@link Handler}), made on the first call: for a handler
   * that does not declare the parameter, so gets none made for every job, but passes the job on
   * to code that may ask for it (a task broker's handlers read `ctx.signal` only when a task
   * does). Asked for after its job was lost, it is already aborted with the reason; asked for
   * once the handler has returned, it is a signal that never aborts (nothing runs to stop).
   *
   * @param job - a job of this Worker
   * @returns its signal
   */
  public signalOf(job: J): AbortSignal {
    const made = this.controllers.get(job);
    if (made !== undefined) return made.signal;
    const lost = this.lostJobs.get(job);
    if (lost !== undefined) return AbortSignal.abort(lost);
    if (!this.active.has(job)) return NEVER_ABORTED;
    const controller = new AbortController();
    this.controllers.set(job, controller);
    return controller.signal;
  }

  /** What its presence reads of it: its id, concurrency, source and running jobs; a change of pause is logged, emitted and ends the loop's wait. */
  private presenceContext(): PresenceContext<J> {
    return {
      id: this.id,
      concurrency: this.concurrency,
      source: this.source,
      active: this.active,
      stopping: () => this.stopping(),
      fail: (err) => {
        this.fail(err);
      },
      pausedChanged: (paused, object) => {
        this.logger.info({ worker: this.id, object: objectId(object) }, paused ? 'paused' : 'resumed');
        if (!paused) {
          this.wake?.();
          this.wake = undefined;
        }
        this.emit(paused ? 'paused' : 'resumed');
      },
    };
  }

  /** The telemetry to record one step with, and what records it now (looked up once per step): none when the source says nothing of itself or no OpenTelemetry SDK is registered. */
  private tracing(): { telemetry: WorkerTelemetry<J>; tools: Instruments } | undefined {
    if (this.telemetry === undefined) return undefined;
    const tools = activeInstruments();
    return tools === undefined ? undefined : { telemetry: this.telemetry, tools };
  }

  /** Reports a failure outside a handler: the `error` event (or a process warning) and the logger. */
  private fail(err: unknown): void {
    this.logger.error({ worker: this.id, err }, err instanceof Error ? err.message : String(err));
    reportError(this, err, 'Worker');
  }

  /** Aborts a job's handler signal (when it has one) and says so with `lost`, once per job. */
  private abort(job: J, reason: Error): void {
    if (this.lostJobs.has(job)) return;
    this.lostJobs.set(job, reason);
    this.controllers.get(job)?.abort(reason);
    this.logger.warn({ worker: this.id, attempt: job.attempt, reason: reason.message }, 'job lost');
    try {
      this.emit('lost', job, reason);
    } catch (listenerError) {
      reportError(this, listenerError, 'Worker: a lost listener threw');
    }
  }

  /** Nacks the jobs whose handler is still running, so close() ends; their signal aborts and their outcome is ignored. */
  private async abandonRunning(): Promise<void> {
    const running = [...this.active].filter((job) => job.settlement?.() === undefined);
    const reason = new Error(CLOSED_UNDER_HANDLER);
    for (const job of running) {
      this.abort(job, reason);
      this.abandoned.add(job);
      this.active.delete(job);
    }
    await Promise.all(
      running.map(async (job) => {
        await this.nackOne(job, reason, 0);
        this.jobSettled(job);
      }),
    );
  }

  private async consume(): Promise<void> {
    await this.presence.ready();
    while (!this.stopping()) {
      if (this.presence.paused) {
        // Paused: lease nothing (jobs leased ahead wait too) until a beat reads the object resumed, or close().
        await new Promise<void>((resolve) => (this.wake = resolve));
        continue;
      }
      this.startReady();
      // Free slots, plus one batch ahead while the handlers are quick.
      const ahead = this.prefetch && this.handlerMs !== undefined && this.handlerMs < PREFETCH_BELOW_MS ? this.batch : 0;
      const room = this.concurrency + ahead - this.active.size - this.ready.length;
      if (room <= 0) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        // Let the jobs finishing in this turn free their slots too: one larger lease, not many small ones.
        await new Promise<void>((resolve) => setImmediate(resolve));
        continue;
      }
      try {
        const leasedAt = Date.now();
        const asked = performance.now();
        const batch = await this.source.leaseBatch({ count: Math.min(this.batch, room), leaseMs: this.leaseMs, maxAttempts: this.maxAttempts, owner: this.id });
        for (const err of batch.errors) this.fail(err); // jobs the source dealt with itself (dead-lettered)
        const at = performance.now();
        const tracing = batch.items.length > 0 ? this.tracing() : undefined;
        tracing?.telemetry.received(tracing.tools, batch.items, leasedAt, at - asked);
        for (const job of batch.items) this.ready.push({ job, at });
        this.startReady();
        this.idle = batch.items.length === 0;
        if (!this.idle) {
          this.worked = true;
          continue;
        }
        this.checkDrained();
        if (this.ready.length > 0) {
          // Nothing more to lease, but jobs leased ahead wait for slots: wait for a slot, not for new work.
          await new Promise<void>((resolve) => (this.wake = resolve));
          continue;
        }
        await this.signal?.waitForWork(batch.wakeInMs, this.blockTimeoutMs);
      } catch (err) {
        if (this.stopping()) return;
        this.fail(err);
        if (this.source.client.status === 'end') {
          // The connection was closed under the worker: nothing will work again; stop.
          void this.close();
          return;
        }
        await this.pause(1000);
      }
    }
  }

  /**
   * Starts the jobs leased ahead into the free slots, oldest first; gives back, without
   * running them, those that waited half their lease (the rest of it is too short to count on).
   */
  private startReady(): void {
    if (this.ready.length === 0) return;
    const staleBefore = performance.now() - this.leaseMs / 2;
    const stale: J[] = [];
    while (this.ready.length > 0 && this.active.size < this.concurrency) {
      const next = this.ready.shift() as { job: J; at: number };
      if (next.at < staleBefore) stale.push(next.job);
      else this.start(next.job);
    }
    if (stale.length > 0) void this.giveBack(stale);
  }

  /** Gives jobs that were leased but never started back to the source (their delivery not counted). */
  private async giveBack(jobs: J[]): Promise<void> {
    if (jobs.length === 0) return;
    try {
      await this.source.release(jobs);
    } catch (err) {
      this.fail(err); // they come back when their lease expires
    }
  }

  /** Whether close() was called (read through a method: it changes while the loop awaits). */
  private stopping(): boolean {
    return this.closing !== undefined;
  }

  private start(job: J): void {
    let signal = NEVER_ABORTED;
    if (this.signals) {
      const controller = new AbortController();
      this.controllers.set(job, controller);
      signal = controller.signal;
    }
    this.active.add(job);
    this.presence.started(job);
    this.unsettled += 1;
    if (this.autoExtend && this.renewer === undefined) {
      this.renewer = setInterval(() => void this.renew(), Math.max(1, Math.floor(this.leaseMs / 2)));
      this.renewer.unref();
    }
    if (this.listenerCount('active') > 0) {
      try {
        this.emit('active', job);
      } catch (listenerError) {
        reportError(this, listenerError, 'Worker: an active listener threw');
      }
    }
    void this.process(job, signal);
  }

  private async process(job: J, signal: AbortSignal): Promise<void> {
    let result: R;
    const started = performance.now();
    try {
      const tracing = this.tracing();
      result = await (tracing === undefined ? this.handler(job, signal) : tracing.telemetry.process(tracing.tools, job, () => this.handler(job, signal)));
    } catch (error) {
      this.timed(started);
      if (this.abandoned.has(job)) return; // close() nacked it already
      this.handlerDone(job);
      if (job.settlement?.() !== undefined) {
        await this.settledByHandler(job, undefined, error);
        return;
      }
      const delayMs = retryDelayOf(error) ?? Math.max(0, Math.floor(this.backoff(job.attempt, error)));
      await this.nackOne(job, error, delayMs);
      this.jobSettled(job);
      return;
    }
    this.timed(started);
    if (this.abandoned.has(job)) return;
    this.handlerDone(job);
    if (job.settlement?.() !== undefined) {
      await this.settledByHandler(job, result, undefined);
      return;
    }
    // Acked together with the jobs that finish in the same turn of the event loop.
    if (this.acks.length === 0) setImmediate(() => void this.flushAcks());
    this.acks.push({ job, result });
  }

  /** Nacks one failed job and reports what became of it (`failed`, maybe `dead`), or the nack's own failure. */
  private async nackOne(job: J, error: unknown, delayMs: number): Promise<void> {
    try {
      const nack = (): Promise<(NackOutcome | Error)[]> => this.source.nack([job], { delayMs, error: error instanceof Error ? error.message : String(error) });
      const tracing = this.tracing();
      const [outcome] = await (tracing === undefined ? nack() : tracing.telemetry.settle(tracing.tools, 'nack', [job], nack));
      if (outcome instanceof Error) throw outcome;
      this.reportFailure(job, error, outcome ?? 'retry', delayMs);
    } catch (err) {
      this.fail(err);
    }
  }

  /**
   * The handler acked or nacked its own job: reports what that did (`completed`, or `failed`
   * and maybe `dead`) instead of settling the job again. A handler that threw after settling
   * its job has its error reported too.
   */
  private async settledByHandler(job: J, result: R | undefined, thrown: unknown): Promise<void> {
    const settlement = job.settlement?.();
    try {
      if (thrown !== undefined) reportError(this, thrown, 'Worker: a handler threw after settling its job');
      if (settlement?.kind === 'ack') {
        await settlement.done;
        this.presence.count(job, 'completed');
        this.emit('completed', job, result as R);
      } else if (settlement?.kind === 'nack') {
        const outcome = await settlement.done;
        this.reportFailure(job, new Error(settlement.error ?? 'nacked by its handler'), outcome, settlement.delayMs);
      }
    } catch (err) {
      this.fail(err); // the handler's own ack or nack failed (LeaseLost, say)
    }
    this.jobSettled(job);
  }

  /** Emits `failed` with what the nack did, and `dead` when the job went to the dead letters. */
  private reportFailure(job: J, error: unknown, outcome: NackOutcome, delayMs: number): void {
    const dead = outcome === 'dead';
    this.presence.count(job, 'failed');
    if (dead) this.presence.count(job, 'dead');
    if (dead) this.logger.warn({ worker: this.id, attempt: job.attempt, err: error }, 'job dead-lettered');
    try {
      this.emit('failed', job, error, { willRetry: !dead, delayMs: dead ? 0 : delayMs });
      if (dead) this.emit('dead', job, error);
    } catch (listenerError) {
      reportError(this, listenerError, 'Worker: a failed or dead listener threw');
    }
  }

  /** Counts a handler's duration into the recent average that decides whether to lease ahead. */
  private timed(started: number): void {
    const ms = performance.now() - started;
    this.handlerMs = this.handlerMs === undefined ? ms : this.handlerMs * 0.9 + ms * 0.1;
  }

  /** The job's slot is free; its ack or nack may still be in flight. */
  private handlerDone(job: J): void {
    this.active.delete(job);
    this.wake?.();
    this.wake = undefined;
  }

  private jobSettled(job: J): void {
    this.controllers.delete(job);
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
    let outcomes: (Error | undefined)[];
    try {
      const jobs = batch.map((a) => a.job);
      const tracing = this.tracing();
      outcomes = await (tracing === undefined ? this.source.ack(jobs) : tracing.telemetry.settle(tracing.tools, 'ack', jobs, () => this.source.ack(jobs)));
    } catch (err) {
      outcomes = batch.map(() => (err instanceof Error ? err : new Error(String(err))));
    }
    batch.forEach(({ job, result }, i) => {
      const error = outcomes[i];
      try {
        if (error === undefined) {
          this.presence.count(job, 'completed');
          this.emit('completed', job, result);
        } else {
          this.fail(error); // e.g. LeaseLost: the job went back and will run again
          if (GoodRedisError.is(error, 'LeaseLost')) this.abort(job, error);
        }
      } catch (listenerError) {
        reportError(this, listenerError, 'Worker: a completed listener threw');
      } finally {
        this.jobSettled(job);
      }
    });
  }

  /** Renews the leases of every running job at once; a job whose lease was lost has its handler's signal aborted. */
  private async renew(): Promise<void> {
    // A job its handler settled has no lease left to renew.
    const jobs = [...this.active].filter((job) => job.settlement?.() === undefined);
    if (jobs.length === 0) return;
    let outcomes: (Error | undefined)[];
    try {
      outcomes = await this.source.extend(jobs, this.leaseMs);
    } catch (err) {
      this.fail(err);
      return;
    }
    jobs.forEach((job, i) => {
      const error = outcomes[i];
      if (error === undefined) return;
      this.fail(error);
      if (GoodRedisError.is(error, 'LeaseLost')) this.abort(job, error);
    });
  }

  private checkDrained(): void {
    if (this.idle && this.worked && this.unsettled === 0 && this.ready.length === 0) {
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

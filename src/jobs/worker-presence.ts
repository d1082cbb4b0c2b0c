import { hostname } from 'node:os';
import type { ObjectRef } from '../observe/families.js';
import { WorkerRegistry, type JobOutcome, type RunningJob, type WorkerDescription } from '../observe/worker-registry.js';
import type { JobSource, SourceJob } from './job-source.js';

/**
 * What a {@link WorkerPresence} reads of its Worker, and no more (as BullMQ's lock manager gets
 * a narrow context from its worker rather than the worker itself).
 */
export interface PresenceContext<J extends SourceJob> {
  /** The worker's id. */
  readonly id: string;
  /** How many jobs it runs at once. */
  readonly concurrency: number;
  /** Its source: the object it names, its connection and how many jobs wait there. */
  readonly source: JobSource<J>;
  /** The jobs whose handler is running. */
  readonly active: ReadonlySet<J>;
  /** Whether the worker is closing (a beat then changes nothing). */
  stopping(): boolean;
  /** A beat read that the object was paused or resumed. */
  pausedChanged(paused: boolean, object: ObjectRef): void;
  /** Reports a failed beat. */
  fail(err: unknown): void;
}

/**
 * A Worker's presence in the worker registry of its object's prefix: it beats every
 * `heartbeatMs` with what the worker is and runs and what it finished since its last beat that
 * went through, reads whether the object is paused, and leaves as the worker closes. A source
 * that names no object, or `heartbeatMs: 0`, has no presence: nothing beats and pauses are not
 * read.
 */
export class WorkerPresence<J extends SourceJob> {
  /** The registry it beats into (none without a named object or with `heartbeatMs: 0`). */
  private readonly registry: WorkerRegistry | undefined;
  private beater: NodeJS.Timeout | undefined;
  /** The first beat: the worker leases only once it told whether the object is paused. */
  private firstBeat: Promise<void> = Promise.resolve();
  private beating: Promise<void> | undefined;
  private isPaused = false;
  private readonly startedAt = Date.now();
  /** When each running job's handler started (epoch ms). */
  private readonly jobStarts = new WeakMap<J, number>();
  /** What the worker finished since it started, by outcome (`failed` counts dead ones too). */
  private readonly finished: Record<JobOutcome, number> = { completed: 0, failed: 0, dead: 0 };
  /** What its beats have added to its object's totals so far. */
  private readonly reported: Record<JobOutcome, number> = { completed: 0, failed: 0, dead: 0 };
  /** The last jobs it finished (up to 10, oldest first). */
  private recent: { job: J; outcome: JobOutcome; at: number }[] = [];

  /**
   * @param context - what it reads of its worker
   * @param heartbeatMs - the time between beats (0: no presence)
   */
  public constructor(
    private readonly context: PresenceContext<J>,
    private readonly heartbeatMs: number,
  ) {
    const { object, client } = context.source;
    this.registry = object === undefined || heartbeatMs === 0 ? undefined : new WorkerRegistry(client, { prefix: object.prefix });
  }

  /** Whether its object is paused, as the last beat read. */
  public get paused(): boolean {
    return this.isPaused;
  }

  /** Sends the first beat and beats every `heartbeatMs` from then on (on an unref'd timer). */
  public start(): void {
    if (this.registry === undefined) return;
    this.firstBeat = this.beat();
    this.beater = setInterval(() => void this.beat(), this.heartbeatMs);
    this.beater.unref();
  }

  /** @returns when the first beat has told whether the object is paused */
  public ready(): Promise<void> {
    return this.firstBeat;
  }

  /** Beats no more (the worker is closing). */
  public stop(): void {
    clearInterval(this.beater);
  }

  /**
   * Notes that a job's handler started.
   *
   * @param job - the job
   */
  public started(job: J): void {
    if (this.registry !== undefined) this.jobStarts.set(job, Date.now());
  }

  /**
   * Counts a finished job, keeping the last ten.
   *
   * @param job - the job
   * @param outcome - how it ended (`dead` after its `failed`)
   */
  public count(job: J, outcome: JobOutcome): void {
    this.finished[outcome] += 1;
    if (this.registry === undefined) return;
    if (outcome === 'dead') {
      // Counted as failed a moment ago: its entry says how it ended.
      const last = this.recent.at(-1);
      if (last?.job === job) last.outcome = 'dead';
      return;
    }
    if (this.recent.length === 10) this.recent.shift();
    this.recent.push({ job, outcome, at: Date.now() });
  }

  /** Removes the worker from the registry as it closes (a closed connection leaves it to be forgotten). */
  public async leave(): Promise<void> {
    const { registry } = this;
    const object = this.context.source.object;
    if (registry === undefined || object === undefined) return;
    await this.beating;
    if (this.context.source.client.status === 'end') return;
    await this.report(registry, object, true).catch((err: unknown) => {
      this.context.fail(err);
    });
  }

  /**
   * Sends one beat (or the leaving one) with what the worker finished since its last beat that
   * went through (a beat that failed leaves its counts to the next).
   *
   * @returns whether its object is paused
   */
  private async report(registry: WorkerRegistry, object: NonNullable<JobSource<J>['object']>, leave: boolean): Promise<boolean> {
    const snapshot = { ...this.finished };
    const since = {
      completed: snapshot.completed - this.reported.completed,
      failed: snapshot.failed - this.reported.failed,
      dead: snapshot.dead - this.reported.dead,
    };
    const paused = await registry.beat(this.description(object), since, leave);
    Object.assign(this.reported, snapshot);
    return paused;
  }

  /** What the beats say of the worker. */
  private description(object: NonNullable<JobSource<J>['object']>): WorkerDescription {
    const { id, concurrency, active, source } = this.context;
    const jobs: RunningJob[] = [];
    for (const job of active) {
      if (jobs.length === 20) break;
      jobs.push({ id: object.describe?.(job).id, attempt: job.attempt, startedAt: this.jobStarts.get(job) ?? 0 });
    }
    return {
      id,
      host: hostname(),
      pid: process.pid,
      family: object.family,
      name: object.name,
      group: object.group,
      concurrency,
      running: active.size,
      jobs,
      recent: this.recent.map((r) => ({ id: object.describe?.(r.job).id, outcome: r.outcome, at: r.at })).reverse(),
      paused: this.isPaused,
      waiting: source.waiting?.(),
      completed: this.finished.completed,
      failed: this.finished.failed,
      startedAt: this.startedAt,
      heartbeatMs: this.heartbeatMs,
    };
  }

  /** One beat (one at a time): records the worker and reads whether its object is paused; a change goes to the context. */
  private beat(): Promise<void> {
    const { registry, context } = this;
    const object = context.source.object;
    if (registry === undefined || object === undefined || this.beating !== undefined || context.stopping()) return this.beating ?? Promise.resolve();
    this.beating = (async () => {
      try {
        const paused = await this.report(registry, object, false);
        if (paused === this.isPaused || context.stopping()) return;
        this.isPaused = paused;
        context.pausedChanged(paused, object);
      } catch (err) {
        if (!context.stopping()) context.fail(err);
      } finally {
        this.beating = undefined;
      }
    })();
    return this.beating;
  }
}

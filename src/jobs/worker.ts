/**
 * The one public Worker, for every family: the {@link JobWorker} over whatever a
 * {@link JobSourceProvider} gives.
 *
 * @module
 */
import { invalid, optionsOf } from '../internal/validate.js';
import type { JobSource, SourceJob } from './job-source.js';
import { JobWorker } from './job-worker.js';
import type { Handler, JobWorkerEvents, JobWorkerOptions } from './worker-options.js';

/**
 * How a source's completed jobs are acked. A prioritized stream honours all three (it gates
 * keys and starts cooldowns); the other sources ack plainly and take none.
 */
export interface AckOptions {
  /**
   * Gate the keys so they can never be re-added (without `readd`).
   *
   * @defaultValue `false`
   */
  gate?: boolean | undefined;
  /**
   * Cooldown of the keys from now, in ms; 0 for none.
   *
   * @defaultValue the stream's `ackCooldownMs` (0 unless set)
   */
  cooldownMs?: number | undefined;
  /**
   * An absolute cooldown deadline (a Date or epoch ms); wins over `cooldownMs`.
   *
   * @defaultValue none
   */
  expireAt?: Date | number | undefined;
}

/**
 * The types a family lends the {@link Worker}, merged in by the family that owns them (the
 * prioritized streams add `job`, a stream's `Job<T>`, and `stream`, the stream a worker of
 * such jobs consumes), so that `Worker<Email>` means a worker of a stream of `Email`s, as it did
 * when the Worker was the stream's, and `worker.stream` is typed, while this layer names no
 * family.
 *
 * @typeParam T - a Worker's first type parameter: the value type of the default jobs
 * @typeParam J - a Worker's jobs
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-unused-vars -- filled by declaration merging
export interface FamilyTypes<T, J> {}

/** The jobs of a `Worker<T>` that names no job type: those a family lends (a stream's `Job<T>`), else any {@link SourceJob}. */
export type DefaultJob<T> = FamilyTypes<T, never> extends Readonly<Record<'job', infer D extends SourceJob>> ? D : SourceJob;

/** The stream a Worker of jobs `J` consumes, as a family lends it (`never`: jobs of no stream). */
export type StreamOf<J> = FamilyTypes<unknown, J> extends Readonly<Record<'stream', infer S>> ? S : never;

/**
 * What a {@link Worker} consumes: anything with a `jobSource()`, such as a `PrioritizedStream`,
 * a `Queue`, a `UniqueQueue`, a `Pool`, a topic `Consumer` or a task broker.
 *
 * @typeParam J - its jobs
 */
export interface JobSourceProvider<J extends SourceJob> {
  /**
   * The jobs as a {@link JobSource}.
   *
   * @param ack - how a stream's completed jobs are acked (other sources take none)
   */
  jobSource(ack?: AckOptions): JobSource<J>;
}

/** Options of {@link Worker}: those of every {@link JobWorker}, and how a stream's jobs are acked. */
export interface WorkerOptions extends JobWorkerOptions {
  /**
   * How completed jobs are acked (gate, cooldown); for a stream only.
   *
   * @defaultValue the stream's defaults: no gating, the stream's `ackCooldownMs` (0 unless set)
   */
  ack?: AckOptions | undefined;
}

/** The events a {@link Worker} emits. */
export type WorkerEvents<T, R, J extends SourceJob = DefaultJob<T>> = JobWorkerEvents<J, R>;

/**
 * Consumes a prioritized stream, a queue, a unique queue, a pool, a topic consumer or a task
 * broker (any {@link JobSourceProvider}) at least once: the {@link JobWorker} over its
 * `jobSource()`. It leases jobs, runs the handler (up to `concurrency` at once), acks on
 * success, nacks with backoff on a throw, renews the leases of long jobs, and waits for new
 * jobs without polling (a blocking wait on the object's marker, woken within milliseconds of an
 * add). A job whose worker dies comes back when its lease expires, with its attempt count
 * raised; after `maxAttempts` it goes to the dead letters.
 *
 * @typeParam T - the stream's value type, when it consumes a stream
 * @typeParam R - what the handler returns
 * @typeParam J - the jobs (a stream's `Job<T>`, a queue's `QueueJob`, a pool's `PoolJob`, …)
 * @example
 * ```ts
 * const worker = new Worker(stream, async (job, signal) => fetchPage(job.value, { signal }), { concurrency: 8 });
 * worker.on('failed', (job, err) => log.warn({ key: job.key, attempt: job.attempt, err }));
 * // …
 * await worker.close(); // waits for the jobs in flight
 * ```
 */
export class Worker<T = string, R = unknown, J extends SourceJob = DefaultJob<T>> extends JobWorker<J, R> {
  /** What this worker consumes: a stream, a queue, a pool, a consumer or a broker. */
  public readonly consumes: JobSourceProvider<J>;
  /** Whether it consumes a prioritized stream (what its source says of its object). */
  private readonly ofStream: boolean;

  /**
   * @param source - the stream, queue, unique queue, pool, consumer or broker to consume
   * @param handler - runs each job
   * @param options - concurrency, leases, retries, waiting, acks (a stream's), logging
   * @throws {@link GoodRedisError} `InvalidArgument` for a bad option
   */
  public constructor(source: JobSourceProvider<J>, handler: Handler<J, R>, options: WorkerOptions = {}) {
    options = optionsOf(options);
    if (typeof (source as Partial<JobSourceProvider<J>> | null)?.jobSource !== 'function') throw invalid('a Worker consumes a stream, a queue or a pool');
    const jobs = source.jobSource(options.ack);
    super(jobs, handler, options);
    this.consumes = source;
    this.ofStream = jobs.object?.family === 'stream';
  }

  /**
   * The stream this worker consumes.
   *
   * @throws {@link GoodRedisError} `InvalidArgument` when it consumes something else (see {@link consumes})
   */
  public get stream(): StreamOf<J> {
    if (this.ofStream) return this.consumes as unknown as StreamOf<J>;
    throw invalid('this Worker consumes a queue or a pool, not a stream: see worker.consumes');
  }
}

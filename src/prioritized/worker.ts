import type { JobSource, SourceJob } from '../jobs/job-source.js';
import { JobWorker, type Handler, type JobWorkerEvents, type JobWorkerOptions } from '../jobs/worker.js';
import { invalid, optionsOf } from '../internal/validate.js';
import { PrioritizedStream } from './prioritized-stream.js';
import type { AckOptions, Job } from './types.js';

export { RetryLater } from '../jobs/backoff.js';
export type { CloseOptions, FailureOutcome } from '../jobs/worker.js';

/**
 * Processes one job of a stream; what it returns is reported with `completed`, what it throws
 * retries the job (after the error's `retryDelayMs` when it carries one, see
 * {@link RetryLater}, else after the Worker's backoff). A handler may also settle its own job
 * with `job.ack()` or `job.nack()`; the Worker then does not settle it again. `signal` aborts
 * when the job's lease is lost or `close({ timeoutMs })` gave up waiting (see {@link Handler}).
 */
export type JobHandler<T, R> = Handler<Job<T>, R>;

/**
 * What a {@link Worker} consumes: anything with a `jobSource()`, such as a `PrioritizedStream`,
 * a `Queue`, a `UniqueQueue` or a `Pool`.
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
export type WorkerEvents<T, R, J extends SourceJob = Job<T>> = JobWorkerEvents<J, R>;

/**
 * Consumes a prioritized stream (or a queue, a unique queue, a pool: any
 * {@link JobSourceProvider}) at least once: the {@link JobWorker} over its `jobSource()`. It leases jobs, runs the handler (up to `concurrency`
 * at once), acks on success, nacks with backoff on a throw, renews the leases of long jobs,
 * and waits for new jobs without polling (a blocking wait on the stream's marker, woken within
 * milliseconds of an add). A job whose worker dies comes back when its lease expires, with its
 * attempt count raised; after `maxAttempts` it goes to the dead letters.
 *
 * @typeParam T - the stream's value type
 * @typeParam R - what the handler returns
 * @typeParam J - the jobs (a stream's `Job<T>`, a queue's `QueueJob`, a pool's `PoolJob`)
 * @example
 * ```ts
 * const worker = new Worker(stream, async (job, signal) => fetchPage(job.value, { signal }), { concurrency: 8 });
 * worker.on('failed', (job, err) => log.warn({ key: job.key, attempt: job.attempt, err }));
 * // …
 * await worker.close(); // waits for the jobs in flight
 * ```
 */
export class Worker<T = string, R = unknown, J extends SourceJob = Job<T>> extends JobWorker<J, R> {
  /** What this worker consumes: a stream, a queue or a pool. */
  public readonly consumes: JobSourceProvider<J>;

  /**
   * @param stream - the stream to consume
   * @param handler - runs each job
   * @param options - concurrency, leases, retries, waiting, acks, logging
   * @throws {@link GoodRedisError} `InvalidArgument` for a bad option
   */
  public constructor(stream: PrioritizedStream<T>, handler: JobHandler<T, R>, options?: WorkerOptions);
  /**
   * @param source - the queue, unique queue or pool to consume
   * @param handler - runs each job
   * @param options - concurrency, leases, retries, waiting, logging
   * @throws {@link GoodRedisError} `InvalidArgument` for a bad option
   */
  public constructor(source: JobSourceProvider<J>, handler: Handler<J, R>, options?: WorkerOptions);
  public constructor(source: JobSourceProvider<J>, handler: Handler<J, R>, options: WorkerOptions = {}) {
    options = optionsOf(options);
    if (typeof (source as Partial<JobSourceProvider<J>> | null)?.jobSource !== 'function') throw invalid('a Worker consumes a stream, a queue or a pool');
    super(source.jobSource(options.ack), handler, options);
    this.consumes = source;
  }

  /**
   * The stream this worker consumes.
   *
   * @throws {@link GoodRedisError} `InvalidArgument` when it consumes a queue or a pool (see {@link consumes})
   */
  public get stream(): PrioritizedStream<T> {
    if (this.consumes instanceof PrioritizedStream) return this.consumes as PrioritizedStream<T>;
    throw invalid('this Worker consumes a queue or a pool, not a stream: see worker.consumes');
  }
}

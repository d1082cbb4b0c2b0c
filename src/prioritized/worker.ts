/**
 * The one Worker as the prioritized streams see it: the type a stream's handler has, and the
 * types the family lends the Worker (its default jobs, its `stream`). The Worker itself lives
 * in `jobs/worker.ts`; it is re-exported here for imports of this module's old path.
 *
 * @module
 */
import type { Handler } from '../jobs/worker-options.js';
import type { PrioritizedStream } from './prioritized-stream.js';
import type { Job } from './types.js';

export { RetryLater } from '../jobs/backoff.js';
export type { CloseOptions, FailureOutcome } from '../jobs/worker-options.js';
export { Worker, type JobSourceProvider, type WorkerEvents, type WorkerOptions } from '../jobs/worker.js';

/**
 * Processes one job of a stream; what it returns is reported with `completed`, what it throws
 * retries the job (after the error's `retryDelayMs` when it carries one, see
 * {@link RetryLater}, else after the Worker's backoff). A handler may also settle its own job
 * with `job.ack()` or `job.nack()`; the Worker then does not settle it again. `signal` aborts
 * when the job's lease is lost or `close({ timeoutMs })` gave up waiting (see {@link Handler}).
 */
export type JobHandler<T, R> = Handler<Job<T>, R>;

// A stream's jobs are a Worker's default ones, and a Worker of them has its `stream`.
declare module '../jobs/worker.js' {
  interface FamilyTypes<T, J> {
    /** A `Worker<T>`'s jobs: a stream's. */
    readonly job: Job<T>;
    /** What `worker.stream` is for a Worker of a stream's jobs. */
    readonly stream: J extends Job<infer V> ? PrioritizedStream<V> : never;
  }
}

/**
 * `good-redis worker <module>` and `good-redis scheduler <module>`: run the task brokers a module
 * exports (their tasks, or their schedules), with structured logs and a graceful stop.
 *
 * @module
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { RedisClient } from '../connection/redis-client.js';
import { describeClient } from '../connection/open-connection.js';
import type { FailureOutcome } from '../jobs/worker-options.js';
import { Scheduler } from '../tasks/scheduler.js';
import { TaskBroker } from '../tasks/task-broker.js';
import type { TaskJob } from '../tasks/task-job.js';
import { CliError, usage } from './cli-support.js';
import type { Logger } from './expirer-daemon.js';

/** Whether a value is a task broker: one of this package, or of another copy of it (same shape). */
function isBroker(value: unknown): value is TaskBroker {
  if (value instanceof TaskBroker) return true;
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<Record<'worker' | 'jobSource' | 'kind', unknown>>;
  return typeof v.worker === 'function' && typeof v.jobSource === 'function' && (v.kind === 'stream' || v.kind === 'list' || v.kind === 'pubsub');
}

/**
 * Imports a module and returns the task brokers it exports (or the one named), by export name.
 *
 * @param path - the module's path (relative to the working directory) or file URL
 * @param exportName - only this export
 * @throws {@link CliError} (exit 1) when the module cannot be imported or exports no broker; (exit 2) when the named export is not one
 */
export async function brokersOf(path: string, exportName?: string): Promise<[name: string, broker: TaskBroker][]> {
  const url = path.startsWith('file:') ? path : pathToFileURL(resolve(path)).href;
  let exported: Record<string, unknown>;
  try {
    exported = (await import(url)) as Record<string, unknown>;
  } catch (err) {
    throw new CliError(`cannot import ${path}: ${err instanceof Error ? err.message : String(err)}`, 1, { cause: err });
  }
  if (exportName !== undefined) {
    const value = exported[exportName];
    if (!isBroker(value)) throw usage(`${path} exports no broker named ${JSON.stringify(exportName)}`);
    return [[exportName, value]];
  }
  const found = Object.entries(exported).filter((entry): entry is [string, TaskBroker] => isBroker(entry[1]));
  // `export default broker` and `export { broker }` name one broker twice.
  const unique = found.filter(([, broker], i) => found.findIndex(([, b]) => b === broker) === i);
  if (unique.length === 0) throw new CliError(`${path} exports no task broker (a StreamBroker, ListQueueBroker or PubSubBroker)`, 1);
  return unique;
}

/** Options of {@link runTaskWorkerDaemon}. */
export interface TaskWorkerDaemonOptions {
  /** Tasks run at once, per broker. */
  concurrency: number;
  /** Each task's lease, in ms (renewed while it runs). */
  leaseMs: number;
  /** Fields of the `worker started` line (the module). */
  about: Record<string, unknown>;
}

/**
 * Runs one Worker per broker until `stop` aborts, then lets the tasks in flight finish, closes
 * the brokers and quits their connections (and their result stores'). Log lines: `worker
 * started`, `task completed` and `task failed` (task, taskId, attempt, durationMs, error),
 * `worker error`, `stopping`, `worker stopped`.
 *
 * @param brokers - the brokers, by export name
 * @param options - concurrency, lease, what to say at start
 * @param log - where to log
 * @param stop - aborted (with the signal name as reason) to stop
 * @returns how many tasks finished (completed or failed), once stopped
 */
export async function runTaskWorkerDaemon(
  brokers: readonly [string, TaskBroker][],
  options: TaskWorkerDaemonOptions,
  log: Logger,
  stop: AbortSignal,
): Promise<number> {
  let finished = 0;
  const fields = (name: string, job: TaskJob): Record<string, unknown> => ({
    queue: name,
    task: job.taskName,
    taskId: job.taskId,
    attempt: job.attempt,
    durationMs: job.startedAt === undefined ? null : Math.round(performance.now() - job.startedAt),
  });
  const workers = brokers.map(([exportName, broker]) => {
    const worker = broker.worker({ concurrency: options.concurrency, leaseMs: options.leaseMs });
    worker.on('completed', (job) => {
      finished++;
      log.log('info', 'task completed', fields(broker.name, job));
    });
    worker.on('failed', (job, err: unknown, outcome: FailureOutcome) => {
      finished++;
      log.log('warn', 'task failed', {
        ...fields(broker.name, job),
        error: err instanceof Error ? err.message : String(err),
        willRetry: outcome.willRetry,
      });
    });
    worker.on('error', (err) => {
      log.log('error', 'worker error', { queue: broker.name, export: exportName, error: err.message });
    });
    return worker;
  });
  log.log('info', 'worker started', {
    redis: targetsOf(brokers),
    ...options.about,
    queues: brokers.map(([, b]) => `${b.name} (${b.kind})`),
    tasks: [...new Set(brokers.flatMap(([, b]) => b.taskNames()))],
    concurrency: options.concurrency,
    leaseMs: options.leaseMs,
    pid: process.pid,
  });
  await stopped(stop);
  log.log('info', 'stopping', { signal: String(stop.reason) });
  await Promise.all(workers.map((w) => w.close()));
  await closeBrokers(brokers);
  log.log('info', 'worker stopped', { finished });
  return finished;
}

/** Where the brokers' connections go (never a password): what a daemon's first line names. */
function targetsOf(brokers: readonly [string, TaskBroker][]): string {
  return [...new Set(brokers.map(([, b]) => describeClient(b.client)))].join('; ');
}

/** Resolves once `stop` aborts. */
function stopped(stop: AbortSignal): Promise<void> {
  return new Promise<void>((done) => {
    if (stop.aborted) done();
    else
      stop.addEventListener(
        'abort',
        () => {
          done();
        },
        { once: true },
      );
  });
}

/** Closes brokers (their workers and subscriptions) and their result stores, then quits their connections. */
async function closeBrokers(brokers: readonly [string, TaskBroker][]): Promise<void> {
  await Promise.all(brokers.map(([, b]) => b.close()));
  const clients = new Set<RedisClient>();
  for (const [, b] of brokers) {
    clients.add(b.client);
    if (b.results !== undefined) {
      await b.results.close();
      clients.add(b.results.client);
    }
  }
  await Promise.all([...clients].map((c) => c.quit().catch(() => undefined)));
}

/**
 * Fires the schedules of the brokers' queues every `tickMs` until `stop` aborts, then lets the
 * tick in flight finish, closes the brokers and quits their connections. Log lines: `scheduler
 * started`, `schedule fired` (queue, scheduleId, taskId), `tick failed` (queue, error),
 * `stopping`, `scheduler stopped` (fired).
 *
 * @param brokers - the brokers, by export name
 * @param options - `tickMs`, and what to say at start
 * @param log - where to log
 * @param stop - aborted (with the signal name as reason) to stop
 * @returns how many due times fired, once stopped
 */
export async function runSchedulerDaemon(
  brokers: readonly [string, TaskBroker][],
  options: { tickMs: number; about: Record<string, unknown> },
  log: Logger,
  stop: AbortSignal,
): Promise<number> {
  let fired = 0;
  const scheduler = new Scheduler(
    brokers.map(([, b]) => b),
    { tickMs: options.tickMs },
  );
  scheduler.on('fired', (queue, scheduleId, taskId) => {
    fired++;
    log.log('info', 'schedule fired', { queue, scheduleId, taskId });
  });
  scheduler.on('error', (err, queue) => {
    log.log('error', 'tick failed', { queue, error: err.message });
  });
  log.log('info', 'scheduler started', {
    redis: targetsOf(brokers),
    ...options.about,
    queues: brokers.map(([, b]) => b.name),
    tickMs: options.tickMs,
    pid: process.pid,
  });
  scheduler.start();
  await stopped(stop);
  log.log('info', 'stopping', { signal: String(stop.reason) });
  await scheduler.stop();
  await closeBrokers(brokers);
  log.log('info', 'scheduler stopped', { fired });
  return fired;
}

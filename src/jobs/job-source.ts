/**
 * What the one {@link JobWorker} and {@link consumeSource} need from a family that hands out
 * jobs: lease, ack, nack, extend, release, and a way to wait for work without polling. A
 * prioritized stream implements it; each new family (queues, topic consumers, task brokers)
 * does too and passes the conformance suite in `spec/integration/jobs/`.
 *
 * @module
 */
import type { RedisClient } from '../connection/redis-client.js';
import type { SourceObject } from '../observe/telemetry.js';

/** What became of a nacked job: it comes back (at once or after its delay), or it went to the dead letters. */
export type NackOutcome = 'retry' | 'dead';

/**
 * How a handler settled its own job (its first `ack` or `nack`), so the Worker reports that
 * instead of settling the job again.
 */
export type Settlement = AckSettlement | NackSettlement;

/** A job its handler acked itself. */
export interface AckSettlement {
  /** Acked. */
  readonly kind: 'ack';
  /** The ack call: resolves once the ack is done, rejects with its failure. */
  readonly done: Promise<unknown>;
}

/** A job its handler nacked itself. */
export interface NackSettlement {
  /** Nacked. */
  readonly kind: 'nack';
  /** The nack call: resolves to what became of the job, rejects with its failure. */
  readonly done: Promise<NackOutcome>;
  /** The retry delay the handler asked for, in ms. */
  readonly delayMs: number;
  /** The error the handler gave, if any. */
  readonly error: string | undefined;
}

/** What every job a {@link JobSource} hands out has. */
export interface SourceJob {
  /** Which delivery this is (1 for the first). */
  readonly attempt: number;
  /** The first `ack` or `nack` the handler called on the job itself, if any. */
  settlement?(): Settlement | undefined;
}

/** What one lease asks for. */
export interface LeaseRequest {
  /** The most jobs to lease (at least 1). */
  readonly count: number;
  /** The lease of each job, in ms. */
  readonly leaseMs: number;
  /** Deliveries before a job goes to the dead letters; 0 for no limit. */
  readonly maxAttempts: number;
  /** Who leases (a Worker's `id`), recorded with the lease where the source can; `''` for nobody. */
  readonly owner: string;
}

/** What one lease returned. */
export interface LeaseBatch<J> {
  /** The jobs leased, in the order to start them. */
  readonly items: J[];
  /** When to look again for work that is not signalled (an expiring lease, a due retry), in ms; -1 for none. */
  readonly wakeInMs: number;
  /** Failures of single jobs the source dealt with itself (a value that did not decode and went to the dead letters): reported, not thrown. */
  readonly errors: readonly unknown[];
}

/** Waits for work without polling (a blocking read on a connection of its own). */
export interface WorkWaiter {
  /**
   * Waits until work is signalled, until `wakeInMs` (when not -1) or `timeoutMs` passes, or
   * until {@link WorkWaiter.close}.
   *
   * @returns `true` when work was signalled
   */
  waitForWork(wakeInMs: number, timeoutMs: number): Promise<boolean>;
  /** Ends any wait and frees the connection. Idempotent. */
  close(): void;
}

/**
 * A family's jobs as the Worker consumes them. Every method that takes jobs answers one
 * outcome per job, in order: `undefined` for done, else the error (a `LeaseLost`
 * {@link GoodRedisError} when the job's lease moved on), so a source whose jobs span several
 * slots or partitions reports each one.
 *
 * @typeParam J - the source's jobs
 */
export interface JobSource<J extends SourceJob> {
  /** The connection; a Worker stops when it ends (`quit()`). */
  readonly client: RedisClient;
  /**
   * Which object the jobs come from and what each tells about its message: a Worker records
   * its `receive`, `process` and `settle` spans with it (see `docs/observability.md`); a source
   * without it is not traced.
   */
  readonly object?: SourceObject<J> | undefined;
  /** Leases up to `request.count` jobs. */
  leaseBatch(request: LeaseRequest): Promise<LeaseBatch<J>>;
  /** Finishes jobs whose handler returned. */
  ack(jobs: readonly J[]): Promise<(Error | undefined)[]>;
  /** Gives jobs back after a failure, to retry after `delayMs` or, out of attempts, to the dead letters. */
  nack(jobs: readonly J[], options: { readonly delayMs: number; readonly error: string }): Promise<(NackOutcome | Error)[]>;
  /** Renews leases by `leaseMs` from now. */
  extend(jobs: readonly J[], leaseMs: number): Promise<(Error | undefined)[]>;
  /** Gives back jobs that were leased but never started, without counting the delivery. */
  release(jobs: readonly J[]): Promise<void>;
  /** A new waiter for work (the Worker opens one and closes it when it stops). */
  openSignal(): WorkWaiter;
  /**
   * Why the source hands out nothing now though it may have work, when it waits for something
   * else than work (a topic consumer whose topic does not exist yet); undefined otherwise. A
   * Worker's heartbeats carry it to the worker registry (the dashboard's and `good-redis
   * workers`' listings).
   */
  waiting?(): string | undefined;
  /**
   * Called once by a closing Worker after its jobs settled: a source that holds jobs back on
   * the client (a queue's nacks wait out their delay there) gives them back now.
   */
  close?(): Promise<void>;
}

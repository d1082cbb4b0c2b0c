/**
 * A pool's leases as a {@link JobSource}, for the one Worker.
 *
 * @module
 */
import type { RedisClient } from '../connection/redis-client.js';
import type { JobSource, LeaseBatch, LeaseRequest, NackOutcome, Settlement, WorkWaiter } from '../jobs/job-source.js';
import { errorOf, perJobOutcomes } from '../jobs/outcomes.js';
import { WorkSignal } from '../jobs/work-signal.js';
import type { SourceObject } from '../observe/telemetry.js';
import type { PoolLease } from './types.js';

/** What a pool job asks of its pool (a `Pool` is one): to ack its lease. */
export interface PoolLeaseSettler<T> {
  /** Acks one lease: the item rests until due again. */
  ackItem(lease: PoolLease<T>): Promise<void>;
}

/** What a {@link PoolSource} asks of its pool (a `Pool` gives it), and no more. */
export interface PoolSourceContext<T> extends PoolLeaseSettler<T> {
  /** The pool's connection. */
  readonly client: RedisClient;
  /** The pool's name. */
  readonly name: string;
  /** Its key prefix. */
  readonly prefix: string;
  /** Its marker list. */
  readonly marker: string;
  /** Leases up to `count` due items for `ttlMs`; the errors of items that did not decode (removed). */
  lease(count: number, ttlMs: number): Promise<{ leases: PoolLease<T>[]; wakeInMs: number; errors: readonly unknown[] }>;
  /** Acks leases (all or nothing); how many. */
  ackItems(leases: readonly PoolLease<T>[]): Promise<number>;
  /** Moves leases' deadlines to `ttlMs` from now (0: due at once); how many. */
  extendItems(leases: readonly PoolLease<T>[], ttlMs: number): Promise<number>;
}

/** A pool lease as the Worker hands it to a handler. */
export class PoolJob<T> implements PoolLease<T> {
  /** Pool jobs count no deliveries: always 1. */
  public readonly attempt = 1;
  readonly #pool: PoolLeaseSettler<T>;
  #settlement: Settlement | undefined;

  /**
   * @param pool - the pool it came from
   * @param id - the lease id
   * @param value - the item
   */
  public constructor(
    pool: PoolLeaseSettler<T>,
    public readonly id: string,
    public readonly value: T,
  ) {
    this.#pool = pool;
  }

  /** Acknowledges the lease (see `ackItem`); the Worker then does not settle it again. */
  public ack(): Promise<void> {
    const done = this.#pool.ackItem(this);
    this.#settlement ??= { kind: 'ack', done };
    return done;
  }

  /** The first `ack` called on this job, if any. */
  public settlement(): Settlement | undefined {
    return this.#settlement;
  }
}

/**
 * A pool's leases for the Worker: each job is a lease of a due item. An ack lets the item rest
 * until it is due again; a nack makes it due again after `delayMs` (a pool counts no attempts,
 * so nothing dies); an extend moves the lease's deadline; the idle wait is on the pool's marker.
 *
 * @typeParam T - the pool's item type
 */
export class PoolSource<T> implements JobSource<PoolJob<T>> {
  /** The pool, as the Worker's spans and registry name it. */
  public readonly object: SourceObject<PoolJob<T>>;

  /** @param pool - what it asks of its pool */
  public constructor(private readonly pool: PoolSourceContext<T>) {
    this.object = { family: 'pool', name: pool.name, prefix: pool.prefix };
  }

  /** The pool's connection: the Worker stops when it ends. */
  public get client(): RedisClient {
    return this.pool.client;
  }

  /** Leases due items for the Worker's `leaseMs`. */
  public async leaseBatch(request: LeaseRequest): Promise<LeaseBatch<PoolJob<T>>> {
    const { leases, wakeInMs, errors } = await this.pool.lease(request.count, request.leaseMs);
    return { items: leases.map((l) => new PoolJob(this.pool, l.id, l.value)), wakeInMs, errors };
  }

  /** Acks the leases; one outcome per job. */
  public ack(jobs: readonly PoolJob<T>[]): Promise<(Error | undefined)[]> {
    return perJobOutcomes(
      jobs,
      () => this.pool.ackItems(jobs),
      (job) => this.pool.ackItems([job]),
    );
  }

  /** Renews the leases; one outcome per job. */
  public extend(jobs: readonly PoolJob<T>[], leaseMs: number): Promise<(Error | undefined)[]> {
    return perJobOutcomes(
      jobs,
      () => this.pool.extendItems(jobs, leaseMs),
      (job) => this.pool.extendItems([job], leaseMs),
    );
  }

  /** Makes each item due again after `delayMs`: always a retry. */
  public nack(jobs: readonly PoolJob<T>[], { delayMs }: { delayMs: number; error: string }): Promise<(NackOutcome | Error)[]> {
    return Promise.all(jobs.map((job) => this.pool.extendItems([job], delayMs).then(() => 'retry' as const, errorOf)));
  }

  /** Makes leased items never started due at once. */
  public async release(jobs: readonly PoolJob<T>[]): Promise<void> {
    await this.pool.extendItems(jobs, 0);
  }

  /** A wait on the pool's marker list. */
  public openSignal(): WorkWaiter {
    return new WorkSignal(this.pool.client, this.pool.marker);
  }
}

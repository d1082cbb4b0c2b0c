/**
 * A prioritized stream's jobs as a {@link JobSource}, for the one Worker.
 *
 * @module
 */
import type { RedisClient } from '../connection/redis-client.js';
import type { JobSource, LeaseBatch, LeaseRequest, NackOutcome, WorkWaiter } from '../jobs/job-source.js';
import type { SourceObject } from '../observe/telemetry.js';
import { errorOf, perJobOutcomes } from '../jobs/outcomes.js';
import { WorkSignal } from '../jobs/work-signal.js';
import { LeasedJob, outcomeOf, type JobSettler } from './leased-job.js';
import type { AckOptions, Job, LeasedItem, LeaseRef } from './types.js';

/** What a {@link StreamSource} asks of its stream (a `StreamJobs` gives it), and no more. */
export interface StreamSourceContext<T> extends JobSettler {
  /** The stream's connection. */
  readonly client: RedisClient;
  /** The stream's name. */
  readonly name: string;
  /** Its key prefix. */
  readonly prefix: string;
  /** Its marker list, which a lease-worthy write pushes to. */
  readonly marker: string;
  /** Leases up to `count` jobs (recovering expired leases and due delayed jobs first). */
  lease(request: LeaseRequest): Promise<{ items: LeasedItem<T>[]; wakeInMs: number; undecodable: unknown[] }>;
  /** Gives leased jobs back without counting the delivery. */
  release(leases: readonly LeaseRef[]): Promise<number>;
}

/**
 * The stream's jobs for the Worker: leases with the Worker's options, acks with the `ack`
 * options (gate, cooldown), one outcome per job (a batch refused because one lease was lost is
 * acked again one by one), nacks one by one (each says whether its job died), and waits for work
 * on the stream's marker list.
 *
 * @typeParam T - the stream's value type
 */
export class StreamSource<T> implements JobSource<Job<T>> {
  /** The stream, as the Worker's spans and registry name it (a job by its key). */
  public readonly object: SourceObject<Job<T>>;

  /**
   * @param stream - what it asks of its stream
   * @param ack - how completed jobs are acked (checked by the stream)
   */
  public constructor(
    private readonly stream: StreamSourceContext<T>,
    private readonly ackOptions: AckOptions,
  ) {
    this.object = { family: 'stream', name: stream.name, prefix: stream.prefix, describe: (job) => ({ id: job.key }) };
  }

  /** The stream's connection: the Worker stops when it ends. */
  public get client(): RedisClient {
    return this.stream.client;
  }

  /** Leases jobs; those whose value did not decode went to the dead letters and come back as errors. */
  public async leaseBatch(request: LeaseRequest): Promise<LeaseBatch<Job<T>>> {
    const { items, wakeInMs, undecodable } = await this.stream.lease(request);
    return { items: items.map((item) => new LeasedJob(this.stream, item)), wakeInMs, errors: undecodable };
  }

  /** Acks the jobs with the source's ack options; one outcome per job. */
  public ack(jobs: readonly Job<T>[]): Promise<(Error | undefined)[]> {
    return perJobOutcomes(
      jobs,
      () => this.stream.ack(jobs, this.ackOptions),
      (job) => this.stream.ack([job], this.ackOptions),
    );
  }

  /** Renews the jobs' leases; one outcome per job. */
  public extend(jobs: readonly Job<T>[], leaseMs: number): Promise<(Error | undefined)[]> {
    return perJobOutcomes(
      jobs,
      () => this.stream.extend(jobs, leaseMs),
      (job) => this.stream.extend([job], leaseMs),
    );
  }

  /** Nacks each job on its own: it retries after `delayMs`, or died on its last attempt. */
  public nack(jobs: readonly Job<T>[], options: { delayMs: number; error: string }): Promise<(NackOutcome | Error)[]> {
    return Promise.all(jobs.map((job) => this.stream.nack([job], options).then(outcomeOf, errorOf)));
  }

  /** Gives back jobs leased and never started, their delivery uncounted. */
  public async release(jobs: readonly Job<T>[]): Promise<void> {
    await this.stream.release(jobs);
  }

  /** A wait on the stream's marker list. */
  public openSignal(): WorkWaiter {
    return new WorkSignal(this.stream.client, this.stream.marker);
  }
}

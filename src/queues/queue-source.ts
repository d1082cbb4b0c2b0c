/**
 * A queue's and a pool's deliveries as {@link JobSource}s, for the one Worker.
 *
 * @module
 */
import type { RedisClient } from '../connection/redis-client.js';
import { GoodRedisError } from '../errors.js';
import type { JobSource, LeaseBatch, LeaseRequest, NackOutcome, WorkWaiter } from '../jobs/job-source.js';
import { errorOf, perJobOutcomes } from '../jobs/outcomes.js';
import { WorkSignal } from '../jobs/work-signal.js';
import type { SourceObject } from '../observe/telemetry.js';
import { QueueJob, type DeliverySettler } from './queue-job.js';
import type { QueueFamilyKind } from './scripts.js';
import type { RollbackOptions } from './types.js';

/** What a {@link QueueSource} asks of its queue (a `Queue` or `UniqueQueue` gives it), and no more. */
export interface QueueSourceContext<T> extends DeliverySettler<T> {
  readonly client: RedisClient;
  /** Which kind of queue it is (`queue` or `unique`). */
  readonly kind: QueueFamilyKind;
  readonly name: string;
  readonly prefix: string;
  /** Its marker list. */
  readonly marker: string;
  /** The queue's own rollback limits, when it has them (else the Worker's `maxAttempts` decide). */
  readonly rollback: RollbackOptions | undefined;
  /** Takes up to `count` values into this consumer's holdings. */
  take(count: number): Promise<{ taken: { id: string; value: T; rollbacks: number }[]; errors: readonly unknown[] }>;
  /** Acks deliveries (all or nothing); how many. */
  ackItems(deliveries: readonly QueueJob<T>[]): Promise<number>;
  /** Gives deliveries back to the head of the queue; how many. */
  rejectItems(deliveries: readonly QueueJob<T>[]): Promise<number>;
  /** Counts a rollback of a value: false when the value used up its limit. */
  countRollback(value: T, limit: RollbackOptions): Promise<boolean>;
  /** Puts a value that used up its attempts in the dead letter queue, if there is one. */
  bury(value: T): Promise<void>;
  /** Which of the deliveries this consumer still holds (by id; true: held). */
  holds(ids: readonly string[]): Promise<boolean[]>;
  /** Reports a failure in the background (a delayed nack that could not give its delivery back). */
  report(err: unknown): void;
}

/**
 * A queue's deliveries for the Worker: each job is a delivery held by this consumer. An ack
 * removes it; a nack counts a rollback (the queue's limits, else the Worker's `maxAttempts`) and
 * gives it back to the head, after `delayMs` held here (so a closing Worker gives the waiting ones
 * back at once), or puts it in the dead letter queue when it used up its attempts. There is no
 * lease to expire: an extend only checks that the delivery is still held (a reaper may have taken
 * it from a consumer thought dead). The idle wait is on the queue's marker list.
 *
 * @typeParam T - the queue's value type
 */
export class QueueSource<T> implements JobSource<QueueJob<T>> {
  /** The queue, as the Worker's spans and registry name it (a job by its delivery id). */
  public readonly object: SourceObject<QueueJob<T>>;
  /** The Worker's `maxAttempts`, as its last lease said. */
  private maxAttempts = 0;
  /** Nacked jobs waiting out their delay, held, before they are given back to the head. */
  private readonly delayed = new Map<NodeJS.Timeout, QueueJob<T>>();

  /** @param queue - what it asks of its queue */
  public constructor(private readonly queue: QueueSourceContext<T>) {
    this.object = { family: queue.kind, name: queue.name, prefix: queue.prefix, describe: (job) => ({ id: job.id }) };
  }

  /** The queue's connection: the Worker stops when it ends. */
  public get client(): RedisClient {
    return this.queue.client;
  }

  /** Takes deliveries; a delivery's attempt is its rollbacks so far, plus one. */
  public async leaseBatch(request: LeaseRequest): Promise<LeaseBatch<QueueJob<T>>> {
    this.maxAttempts = request.maxAttempts;
    const { taken, errors } = await this.queue.take(request.count);
    return { items: taken.map((t) => new QueueJob(this.queue, t.id, t.value, t.rollbacks + 1)), wakeInMs: -1, errors };
  }

  /** Acks the deliveries; one outcome per job. */
  public ack(jobs: readonly QueueJob<T>[]): Promise<(Error | undefined)[]> {
    return perJobOutcomes(
      jobs,
      () => this.queue.ackItems(jobs),
      (job) => this.queue.ackItems([job]),
    );
  }

  /** Nacks each delivery on its own (see the class). */
  public nack(jobs: readonly QueueJob<T>[], { delayMs }: { delayMs: number; error: string }): Promise<(NackOutcome | Error)[]> {
    return Promise.all(jobs.map((job) => this.nackOne(job, delayMs).catch(errorOf)));
  }

  /** Checks that each delivery is still held: `LeaseLost` for one that is not. */
  public async extend(jobs: readonly QueueJob<T>[]): Promise<(Error | undefined)[]> {
    const held = await this.queue.holds(jobs.map((j) => j.id));
    return jobs.map((job, i) =>
      held[i] === true ? undefined : new GoodRedisError('LeaseLost', `queue ${JSON.stringify(this.queue.name)}: delivery ${job.id} is no longer held`),
    );
  }

  /** Gives deliveries never started back to the head. */
  public async release(jobs: readonly QueueJob<T>[]): Promise<void> {
    await this.queue.rejectItems(jobs);
  }

  /** A wait on the queue's marker list. */
  public openSignal(): WorkWaiter {
    return new WorkSignal(this.queue.client, this.queue.marker);
  }

  /** Gives back at once the nacked deliveries still waiting out their delay. */
  public async close(): Promise<void> {
    const waiting = [...this.delayed];
    this.delayed.clear();
    for (const [timer] of waiting) clearTimeout(timer);
    if (waiting.length > 0) await this.queue.rejectItems(waiting.map(([, job]) => job));
  }

  private async nackOne(job: QueueJob<T>, delayMs: number): Promise<NackOutcome> {
    const limit = this.queue.rollback ?? (this.maxAttempts > 0 ? { maxRetry: this.maxAttempts - 1, maxTimeoutMs: 0 } : undefined);
    if (limit !== undefined && !(await this.queue.countRollback(job.value, limit))) {
      await this.queue.bury(job.value);
      await this.queue.ackItems([job]);
      return 'dead';
    }
    if (delayMs <= 0) {
      await this.queue.rejectItems([job]);
      return 'retry';
    }
    const timer = setTimeout(() => {
      this.delayed.delete(timer);
      this.queue.rejectItems([job]).catch((err: unknown) => {
        this.queue.report(err);
      });
    }, delayMs);
    timer.unref();
    this.delayed.set(timer, job);
    return 'retry';
  }
}

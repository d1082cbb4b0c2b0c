/**
 * A consumer's messages as a {@link JobSource}, one message or one batch a job, for the one
 * Worker.
 *
 * @module
 */
import type { RedisClient } from '../connection/redis-client.js';
import type { JobSource, LeaseBatch, LeaseRequest, NackOutcome, SourceJob, WorkWaiter } from '../jobs/job-source.js';
import type { SourceObject } from '../observe/telemetry.js';
import type { Fetched, UnitMessages } from './partition-fetcher.js';
import type { TopicMessage } from './topic-message.js';

/** What a {@link ConsumerSource} asks of its consumer, and no more. */
export interface ConsumerSourceContext<T> {
  readonly client: RedisClient;
  readonly topic: string;
  readonly prefix: string;
  readonly group: string;
  /** The consumer's lease, in ms: no extend goes past it. */
  readonly leaseMs: number;
  /** The consumer's `maxAttempts`, until a lease says the Worker's. */
  readonly maxAttempts: number;
  /** Fetches up to `maxUnits` units of up to `unitSize` messages. */
  fetchUnits(maxUnits: number, unitSize: number, leaseMs: number, maxAttempts: number): Promise<Fetched<T>>;
  /** Acks messages; one outcome per message. */
  ackMessages(messages: readonly TopicMessage<T>[]): Promise<(Error | undefined)[]>;
  /** Nacks messages; one outcome per message. */
  nackMessages(messages: readonly TopicMessage<T>[], delayMs: number, error: string, maxAttempts: number): Promise<(NackOutcome | Error)[]>;
  /** Renews messages' leases; one outcome per message. */
  extendMessages(messages: readonly TopicMessage<T>[], ms: number): Promise<(Error | undefined)[]>;
  /** Gives back messages never started, their delivery uncounted. */
  release(messages: readonly TopicMessage<T>[]): Promise<void>;
  /** A new idle wait over the consumer's partitions. */
  openSignal(): WorkWaiter;
  /** What the consumer waits for instead of work, if anything (its topic). */
  waiting(): string | undefined;
  /** The Worker closed (the source made by `process()`: the consumer leaves its group too); undefined for a source that outlives its Worker. */
  readonly workerClosed: (() => Promise<void>) | undefined;
}

/** The first error of a job's messages, if any. */
const firstError = (outcomes: readonly (Error | undefined)[]): Error | undefined => outcomes.find((o) => o instanceof Error);

/**
 * The consumer's messages for the Worker: each job is a unit of up to `unitSize` consecutive
 * messages of one partition (one message, or a `MessageBatch`), wrapped as a job. A lease
 * fetches (one unit per partition at a time under `'partition'` ordering); acks, nacks and
 * extends settle every job's messages in one call per partition and fold the outcomes back per
 * job; the idle wait is the consumer's.
 *
 * @typeParam T - the message value type
 * @typeParam J - the jobs
 */
export class ConsumerSource<T, J extends SourceJob> implements JobSource<J> {
  /** The topic and group, as the Worker's spans and registry name them (a lone message by its id, a batch by its partition). */
  public readonly object: SourceObject<J>;
  /** The Worker's `maxAttempts`, as its last lease said (the consumer's until then). */
  private maxAttempts: number;

  /**
   * @param consumer - what it asks of its consumer
   * @param unitSize - the most messages of a job
   * @param wrap - makes a job of a unit
   * @param messagesOf - a job's messages to settle
   */
  public constructor(
    private readonly consumer: ConsumerSourceContext<T>,
    private readonly unitSize: number,
    private readonly wrap: (unit: UnitMessages<T>) => J,
    private readonly messagesOf: (job: J) => TopicMessage<T>[],
  ) {
    this.maxAttempts = consumer.maxAttempts;
    this.object = {
      family: 'topic',
      name: consumer.topic,
      prefix: consumer.prefix,
      group: consumer.group,
      describe: (job) => {
        // A batch of messages (processBatch) tells its partition only: its messages came from different sends.
        const messages = messagesOf(job);
        const [first] = messages;
        return messages.length === 1 && first !== undefined
          ? { id: first.id, partition: first.partition, headers: first.headers }
          : { partition: first?.partition };
      },
    };
  }

  /** The consumer's connection: the Worker stops when it ends. */
  public get client(): RedisClient {
    return this.consumer.client;
  }

  /** Fetches units for the Worker. */
  public async leaseBatch(request: LeaseRequest): Promise<LeaseBatch<J>> {
    this.maxAttempts = request.maxAttempts;
    const fetched = await this.consumer.fetchUnits(request.count, this.unitSize, request.leaseMs, request.maxAttempts);
    return { items: fetched.units.map(this.wrap), wakeInMs: fetched.wakeInMs, errors: fetched.errors };
  }

  /** Acks every job's messages; a job fails with its first message's error. */
  public ack(jobs: readonly J[]): Promise<(Error | undefined)[]> {
    return this.each(jobs, (messages) => this.consumer.ackMessages(messages), firstError);
  }

  /** Nacks every job's messages; a job died when all its messages did. */
  public nack(jobs: readonly J[], { delayMs, error }: { delayMs: number; error: string }): Promise<(NackOutcome | Error)[]> {
    return this.each(
      jobs,
      (messages) => this.consumer.nackMessages(messages, delayMs, error, this.maxAttempts),
      (outcomes): NackOutcome | Error =>
        outcomes.find((o) => o instanceof Error) ?? (outcomes.length > 0 && outcomes.every((o) => o === 'dead') ? 'dead' : 'retry'),
    );
  }

  /** Renews every job's messages (at most the consumer's lease). */
  public extend(jobs: readonly J[], leaseMs: number): Promise<(Error | undefined)[]> {
    return this.each(jobs, (messages) => this.consumer.extendMessages(messages, Math.min(leaseMs, this.consumer.leaseMs)), firstError);
  }

  /** Gives back the jobs' messages never started. */
  public release(jobs: readonly J[]): Promise<void> {
    return this.consumer.release(jobs.flatMap(this.messagesOf));
  }

  /** The consumer's idle wait. */
  public openSignal(): WorkWaiter {
    return this.consumer.openSignal();
  }

  /** What the consumer waits for instead of work (its topic), if anything. */
  public waiting(): string | undefined {
    return this.consumer.waiting();
  }

  /** The Worker closed: a consumer made for it (by `process()`) leaves its group too. */
  public async close(): Promise<void> {
    await this.consumer.workerClosed?.();
  }

  /** Settles every job's messages in one call and folds the outcomes back per job. */
  private async each<O>(
    jobs: readonly J[],
    settle: (messages: TopicMessage<T>[]) => Promise<(O | Error)[]>,
    fold: (outcomes: (O | Error)[]) => O | Error,
  ): Promise<(O | Error)[]> {
    const lists = jobs.map(this.messagesOf);
    const outcomes = await settle(lists.flat());
    let at = 0;
    return lists.map((list) => fold(outcomes.slice(at, (at += list.length))));
  }
}

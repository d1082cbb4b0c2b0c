import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { RedisClient } from '../connection/redis-client.js';
import type { JobSource, NackOutcome, SourceJob } from '../jobs/job-source.js';
import { deadLetterCaps, encodeDeadLetterCaps } from '../jobs/dead-letters.js';
import { errorOf } from '../jobs/outcomes.js';
import { reportError } from '../internal/report-error.js';
import { assertInteger, assertOneOf, describe as describeValue, invalid, optionsOf } from '../internal/validate.js';
import { Worker, type JobSourceProvider, type WorkerOptions } from '../jobs/worker.js';
import type { Handler } from '../jobs/worker-options.js';
import type { Ordering } from './scripts.js';
import { TopicBase } from './topic-base.js';
import { assertGroupName, type GroupKeys, type PartitionGroupKeys } from './topic-keys.js';
import { lostMessage, TopicMessage, type MessageSettler } from './topic-message.js';
import { TopicSignal } from './topic-signal.js';
import { MessageBatch, type BatchOptions } from './message-batch.js';
import { Membership } from './membership.js';
import { PartitionFetcher, type Fetched, type UnitMessages } from './partition-fetcher.js';
import { ConsumerSource, type ConsumerSourceContext } from './consumer-source.js';
import { TopicWait } from './topic-wait.js';
import { loggerOf, type Logger } from '../internal/logger.js';
import type { ConsumerEvents, ConsumerOptions } from './types.js';

const MEMBER_ID = /^[^\n]{1,200}$/;

/**
 * A member of a consumer group of a topic. It joins on first use: heartbeats on its own timer
 * (one `{T}` script that also starts a new generation with a sticky, balanced target when the
 * members or the partition count change), takes the lease of each partition its target gives
 * it, and hands the partitions it no longer targets over once their messages settle. It fetches
 * from the partitions it holds the lease of (the fence), in the order the fetch script keeps:
 * takeovers, its own expired messages, due retries, new entries. `close()` settles, releases and
 * leaves.
 *
 * @typeParam T - the type of message values, fixed by the codec
 * @example
 * ```ts
 * const consumer = new Consumer(redis, 'orders', { group: 'billing' });
 * for await (const message of consumer) {
 *   await bill(message.value);
 *   await message.ack();
 * }
 * ```
 */
export class Consumer<T = string> extends TopicBase<T, ConsumerEvents> implements MessageSettler<T> {
  /** The group. */
  public readonly group: string;
  /** This member's id. */
  public readonly memberId: string;
  /** A token per consumer object: a restarted static member fences its earlier self. */
  private readonly incarnation = randomUUID();
  private readonly from: 'start' | 'end';
  private readonly heartbeatMs: number;
  private readonly sessionTimeoutMs: number;
  /** The lease of each delivered message, in ms. */
  public readonly leaseMs: number;
  /** Deliveries before a message goes to the dead letters; 0 for no limit. */
  public readonly maxAttempts: number;
  /** The most dead letters the group keeps per partition (the oldest go first). */
  public readonly deadLetterLimit: number;
  /** How old a dead letter of the group may get, in ms (0: no age cap). */
  public readonly deadLetterMaxAgeMs: number;
  /** The caps as the scripts take them. */
  private readonly deadCaps: string;
  /** How a partition's deliveries are ordered. */
  public readonly ordering: Ordering;
  /** The longest idle wait, in ms. */
  public readonly blockTimeoutMs: number;
  private readonly keys: GroupKeys;

  /** Its membership of the group: heartbeats and the partition leases. */
  private readonly membership: Membership;
  /** Its fetching from the partitions it holds, and the wakes of an idle wait. */
  private readonly fetcher: PartitionFetcher<T>;
  private joining: Promise<void> | undefined;
  private closing: Promise<void> | undefined;
  private consumer: 'iterator' | 'worker' | undefined;
  /** The Worker process() or processBatch() started. */
  private worker: { close(): Promise<unknown> } | undefined;
  /** Set by process() for the source its Worker takes: closing that Worker closes the consumer. */
  private closeWithWorker = false;
  /** Its topic, awaited while it does not exist (a consumer never creates it). */
  private readonly topicWait: TopicWait;
  private joined = false;
  private readonly logger: Logger;

  /**
   * @param client - the connection
   * @param topic - the topic name
   * @param options - `group` (required) and the rest of {@link ConsumerOptions}
   * @throws {@link GoodRedisError} `InvalidArgument` for a bad name or option
   */
  public constructor(client: RedisClient, topic: string, options: ConsumerOptions<T>) {
    super(client, topic, options);
    const o = optionsOf(options);
    const group: unknown = o.group;
    if (group === undefined) throw invalid('a Consumer needs a group');
    assertGroupName(o.group);
    this.group = o.group;
    this.memberId = o.memberId ?? `${hostname()}-${String(process.pid)}-${randomUUID().slice(0, 8)}`;
    if (typeof this.memberId !== 'string' || !MEMBER_ID.test(this.memberId))
      throw invalid(`memberId must be 1 to 200 characters without a newline, got ${describeValue(this.memberId)}`);
    this.from = o.from ?? 'start';
    assertOneOf(this.from, ['start', 'end'], 'from');
    this.heartbeatMs = o.heartbeatMs ?? 1000;
    assertInteger(this.heartbeatMs, 'heartbeatMs', 10);
    this.sessionTimeoutMs = o.sessionTimeoutMs ?? 10_000;
    assertInteger(this.sessionTimeoutMs, 'sessionTimeoutMs', 1);
    if (this.sessionTimeoutMs < 3 * this.heartbeatMs)
      throw invalid(`sessionTimeoutMs must be at least 3 × heartbeatMs (${String(3 * this.heartbeatMs)}), got ${String(this.sessionTimeoutMs)}`);
    this.leaseMs = o.leaseMs ?? 30_000;
    assertInteger(this.leaseMs, 'leaseMs', 1);
    this.maxAttempts = o.maxAttempts ?? 5;
    assertInteger(this.maxAttempts, 'maxAttempts', 0);
    const caps = deadLetterCaps(o);
    this.deadLetterLimit = caps.limit;
    this.deadLetterMaxAgeMs = caps.maxAgeMs;
    this.deadCaps = encodeDeadLetterCaps(caps);
    this.ordering = o.ordering ?? 'partition';
    assertOneOf(this.ordering, ['partition', 'none'], 'ordering');
    this.blockTimeoutMs = o.blockTimeoutMs ?? 2000;
    assertInteger(this.blockTimeoutMs, 'blockTimeoutMs', 1);
    this.keys = this.groupKeysOf(this.group);
    this.logger = loggerOf(o.logger);
    this.topicWait = new TopicWait(
      async () => (await this.readPartitions()) > 0,
      this.heartbeatMs,
      (reason) => {
        this.logger.warn({ topic: this.topic, group: this.group, member: this.memberId }, reason);
        this.emit('waiting', reason);
      },
    );
    this.membership = new Membership({
      memberId: this.memberId,
      heartbeatMs: this.heartbeatMs,
      heartbeat: (leave) => this.topicCore.call('heartbeat', { member: this.memberId, sessionMs: this.sessionTimeoutMs, leave }, { keys: this.keys }),
      lease: (keys, action) =>
        this.partitionCore.call('lease', { action, member: this.memberId, incarnation: this.incarnation, ms: this.sessionTimeoutMs }, { keys }),
      partitionKeysOf: (partition) => this.partitionKeysOf(partition, this.group),
      closing: () => this.closing !== undefined,
      changed: (event, partitions) => {
        this.emit(event, partitions);
        if (event === 'assigned') this.fetcher.wake();
      },
      report: (err) => {
        this.report(err);
      },
    });
    this.fetcher = new PartitionFetcher<T>(
      {
        client: this.client,
        topic: this.topic,
        group: this.group,
        memberId: this.memberId,
        incarnation: this.incarnation,
        ordering: this.ordering,
        leaseMs: this.leaseMs,
        deadCaps: this.deadCaps,
        binary: this.codec.binary === true,
        settler: this,
        partitions: this.partitionCore,
        decode: (raw, where) => this.decode(raw, where),
        handOver: (owned) => {
          this.membership.handOver(owned).catch((err: unknown) => {
            this.report(err);
          });
        },
      },
      this.membership,
    );
  }

  /** The generation of the group this member last saw. */
  public get generation(): number {
    return this.membership.generation;
  }

  /** The partitions this member holds the lease of now, sorted. */
  public assignment(): number[] {
    return [...this.membership.owned.keys()].sort((a, b) => a - b);
  }

  /**
   * Joins the group (done by `fetch`, `consume` and `process` when needed): creates the group on
   * the topic, heartbeats once, and keeps heartbeating every `heartbeatMs` on its own timer. It
   * never creates the topic: on a topic that does not exist yet it waits (logged once, and the
   * `waiting` event) and joins when the topic appears, looking every `heartbeatMs`.
   *
   * @throws {@link GoodRedisError} `InvalidArgument` when the consumer closes while it waits
   */
  public join(): Promise<void> {
    if (this.closing !== undefined) return Promise.reject(invalid('this consumer is closed'));
    this.joining ??= (async () => {
      if (!(await this.topicWait.until())) throw invalid('this consumer is closed');
      await this.createGroupOn(this.group, this.from);
      await this.membership.beat();
      this.membership.scheduleBeats();
      this.joined = true;
    })();
    this.joining.catch(() => {
      this.joining = undefined; // a later call tries again
    });
    return this.joining;
  }

  /**
   * Fetches up to `max` messages from the partitions this member holds (joining first when
   * needed). Under `'partition'` ordering each partition gives one message at a time: the next
   * only once that one settled.
   *
   * @param options - `max`: the most messages (1 to 10,000; default 100)
   * @returns the messages, possibly none
   */
  public async fetch(options: { max?: number | undefined } = {}): Promise<TopicMessage<T>[]> {
    const { max = 100 } = optionsOf(options);
    assertInteger(max, 'max', 1, 10_000);
    const fetched = await this.fetchUnits(max, 1, this.leaseMs, this.maxAttempts);
    for (const err of fetched.errors) this.report(err);
    return fetched.units.flat();
  }

  /** Fetches up to `maxUnits` units of up to `unitSize` messages (joining first when needed); nothing while the topic does not exist. */
  private async fetchUnits(maxUnits: number, unitSize: number, leaseMs: number, maxAttempts: number): Promise<Fetched<T>> {
    if (this.closing !== undefined) throw invalid('this consumer is closed');
    // While the topic does not exist a fetch answers nothing, and looks again in a heartbeat.
    if (!this.joined && this.joining === undefined && !(await this.topicWait.check())) return { units: [], wakeInMs: this.heartbeatMs, errors: [] };
    await this.join();
    return this.fetcher.fetchUnits(maxUnits, unitSize, leaseMs, maxAttempts);
  }

  /** Runs a per-partition settle script for each partition's messages; one outcome per message. */
  private async perPartition<O>(
    messages: readonly TopicMessage<T>[],
    run: (keys: PartitionGroupKeys, deliveries: TopicMessage<T>[]) => Promise<readonly unknown[]>,
    outcome: (reply: unknown, m: TopicMessage<T>) => O | Error,
  ): Promise<(O | Error)[]> {
    if (!Array.isArray(messages)) throw invalid('messages must be an array of messages this consumer fetched');
    const byPartition = new Map<number, number[]>();
    messages.forEach((m, i) => {
      if (!(m instanceof TopicMessage) || m.topic !== this.topic)
        throw invalid(`messages[${String(i)}] is not a message of topic ${JSON.stringify(this.topic)}`);
      const list = byPartition.get(m.partition) ?? [];
      list.push(i);
      byPartition.set(m.partition, list);
    });
    const out = new Array<O | Error>(messages.length);
    await Promise.all(
      [...byPartition].map(async ([partition, indexes]) => {
        const keys = this.membership.owned.get(partition)?.keys ?? this.partitionKeysOf(partition, this.group);
        try {
          const replies = await run(
            keys,
            indexes.map((i) => messages[i] as TopicMessage<T>),
          );
          indexes.forEach((i, j) => (out[i] = outcome(replies[j], messages[i] as TopicMessage<T>)));
        } catch (err) {
          for (const i of indexes) out[i] = errorOf(err);
        }
      }),
    );
    return out;
  }

  /** @inheritDoc */
  public async ackMessages(messages: readonly TopicMessage<T>[]): Promise<(Error | undefined)[]> {
    const out = await this.perPartition(
      messages,
      async (keys, deliveries) => {
        const acked = await this.partitionCore.call(
          'ack',
          { group: this.group, member: this.memberId, deliveries, epoch: this.fetcher.epochOf(deliveries) },
          { keys },
        );
        return acked === 'all' ? deliveries.map(() => 1) : acked; // all acked by the fast check
      },
      (reply, m) => (Number(reply) === 1 ? undefined : lostMessage(this.topic, m.partition, m.id)),
    );
    this.fetcher.settled(messages);
    return out;
  }

  /** @inheritDoc */
  public async nackMessages(
    messages: readonly TopicMessage<T>[],
    delayMs: number,
    error: string,
    maxAttempts = this.maxAttempts,
  ): Promise<(NackOutcome | Error)[]> {
    const out = await this.perPartition(
      messages,
      (keys, deliveries) =>
        this.partitionCore.call(
          'nack',
          { group: this.group, member: this.memberId, delayMs, maxAttempts, error, deadCaps: this.deadCaps, deliveries },
          { keys },
        ),
      (reply, m): NackOutcome | Error => {
        const answer = String(reply);
        return answer === 'retry' || answer === 'dead' ? answer : lostMessage(this.topic, m.partition, m.id);
      },
    );
    this.fetcher.settled(messages);
    return out;
  }

  /** @inheritDoc */
  public async extendMessages(messages: readonly TopicMessage<T>[], ms: number): Promise<(Error | undefined)[]> {
    assertInteger(ms, 'ms', 0, this.leaseMs);
    return this.perPartition(
      messages,
      (keys, deliveries) => this.partitionCore.call('extend', { group: this.group, member: this.memberId, leaseMs: this.leaseMs, ms, deliveries }, { keys }),
      (reply, m) => (Number(reply) === 1 ? undefined : lostMessage(this.topic, m.partition, m.id)),
    );
  }

  /** Gives back messages that were never started, without counting the delivery. */
  private async release(messages: readonly TopicMessage<T>[]): Promise<void> {
    const outcomes = await this.perPartition(
      messages,
      async (keys, deliveries) => {
        await this.partitionCore.call('release', { group: this.group, member: this.memberId, deliveries }, { keys });
        return deliveries.map(() => 1);
      },
      () => undefined,
    );
    this.fetcher.settled(messages);
    const failed = outcomes.find((o) => o instanceof Error);
    if (failed !== undefined) throw failed;
  }

  /**
   * The consumer as a {@link JobSource} for the one {@link JobWorker}: each job is a
   * {@link TopicMessage}; `leaseBatch` fetches (one message per partition at a time under
   * `'partition'` ordering), acks, nacks and extends are fenced per message, and the idle wait
   * is a {@link TopicSignal}.
   */
  public jobSource(): JobSource<TopicMessage<T>> {
    return this.sourceOf(
      1,
      (unit) => unit[0],
      (message) => [message],
    );
  }

  /**
   * The consumer's messages in batches of up to `batchSize` consecutive messages of one
   * partition, as a {@link JobSourceProvider} for the {@link Worker} (see {@link processBatch}).
   *
   * @param options - `batchSize` (1 to 10,000; default 10)
   */
  public batches(options: { batchSize?: number | undefined } = {}): JobSourceProvider<MessageBatch<T>> {
    const { batchSize = 10 } = optionsOf(options);
    assertInteger(batchSize, 'batchSize', 1, 10_000);
    return {
      jobSource: () =>
        this.sourceOf(
          batchSize,
          (unit) => new MessageBatch(unit[0].partition, unit),
          (batch) => batch.unsettled(),
        ),
    };
  }

  /** A JobSource whose jobs are units of up to `unitSize` messages, each wrapped as a job. */
  private sourceOf<J extends SourceJob>(unitSize: number, wrap: (unit: UnitMessages<T>) => J, messagesOf: (job: J) => TopicMessage<T>[]): JobSource<J> {
    const closeWithWorker = this.closeWithWorker;
    this.closeWithWorker = false;
    const context: ConsumerSourceContext<T> = {
      client: this.client,
      topic: this.topic,
      prefix: this.prefix,
      group: this.group,
      leaseMs: this.leaseMs,
      maxAttempts: this.maxAttempts,
      fetchUnits: (maxUnits, size, leaseMs, maxAttempts) => this.fetchUnits(maxUnits, size, leaseMs, maxAttempts),
      ackMessages: (messages) => this.ackMessages(messages),
      nackMessages: (messages, delayMs, error, maxAttempts) => this.nackMessages(messages, delayMs, error, maxAttempts),
      extendMessages: (messages, ms) => this.extendMessages(messages, ms),
      release: (messages) => this.release(messages),
      openSignal: () => this.openSignal(),
      waiting: () => this.topicWait.reason,
      workerClosed: closeWithWorker
        ? async () => {
            // The Worker made by process() closed by itself: the member leaves the group too. (When
            // close() here closes the Worker, it goes on by itself once the Worker is done.)
            this.worker = undefined;
            if (this.closing === undefined) await this.close();
          }
        : undefined,
    };
    return new ConsumerSource(context, unitSize, wrap, messagesOf);
  }

  /** Reports a failure the consumer dealt with itself (an `error` event, or a process warning when nobody listens). */
  private report(err: unknown): void {
    reportError(this, err, `topic ${this.topic} consumer ${this.memberId}`);
  }

  /** A new idle wait over this consumer's partitions. */
  private openSignal(): TopicSignal {
    const { fetcher } = this;
    return new TopicSignal(this.client, {
      positions: () => fetcher.positions(),
      onWake: (wake) => fetcher.onWake(wake),
      woken: () => fetcher.wokenSinceFetch(),
    });
  }

  /**
   * Processes messages with the one {@link Worker}: a handler's return acks its message, a throw
   * nacks it with backoff; the Worker's `leaseMs`, `maxAttempts` and `blockTimeoutMs` default to
   * this consumer's. Under `'partition'` ordering its `concurrency` spreads over partitions. The
   * Worker starts at once; closing the consumer closes it.
   *
   * @param handler - runs each message
   * @param options - the Worker's options
   * @returns the started Worker
   * @throws {@link GoodRedisError} `InvalidArgument` when this consumer already consumes, or is closed
   */
  public process<R>(handler: Handler<TopicMessage<T>, R>, options: WorkerOptions = {}): Worker<T, R, TopicMessage<T>> {
    return this.startWorker(this, handler, optionsOf(options));
  }

  /**
   * Processes messages in batches with the one {@link Worker}: the handler gets up to
   * `batchSize` consecutive messages of one partition, in order (`batch.messages`); when it
   * returns they are acked together, when it throws they are nacked together, except those it
   * settled itself. Under `'partition'` ordering a batch is its partition's one unit in flight.
   *
   * @param handler - runs each batch
   * @param options - `batchSize` (default 10) and the Worker's options
   * @returns the started Worker
   * @throws {@link GoodRedisError} `InvalidArgument` when this consumer already consumes, or is closed
   */
  public processBatch<R>(handler: Handler<MessageBatch<T>, R>, options: BatchOptions = {}): Worker<T, R, MessageBatch<T>> {
    const { batchSize, ...workerOptions } = optionsOf(options);
    return this.startWorker(this.batches({ batchSize }), handler, workerOptions);
  }

  /** The Worker of process() and processBatch(): the consumer's lease, attempts and wait by default; closing it closes the consumer. */
  private startWorker<J extends SourceJob, R>(source: JobSourceProvider<J>, handler: Handler<J, R>, options: WorkerOptions): Worker<T, R, J> {
    this.claimConsumption('worker');
    this.closeWithWorker = true;
    const worker = new Worker<T, R, J>(source, handler, {
      leaseMs: this.leaseMs,
      maxAttempts: this.maxAttempts,
      blockTimeoutMs: this.blockTimeoutMs,
      ...options,
    });
    this.worker = worker;
    return worker;
  }

  private claimConsumption(how: 'iterator' | 'worker'): void {
    if (this.closing !== undefined) throw invalid('this consumer is closed');
    if (this.consumer !== undefined)
      throw invalid(`this consumer already consumes (through ${this.consumer === 'worker' ? 'process()' : 'consume()'}); make another Consumer`);
    this.consumer = how;
  }

  /**
   * Yields messages as they come, waiting without polling when there are none; the caller acks
   * or nacks each. Leaving the loop closes the consumer (it leaves the group).
   *
   * @param options - `max`: the most messages per fetch (default 100)
   */
  public consume(options: { max?: number | undefined } = {}): AsyncGenerator<TopicMessage<T>, void, undefined> {
    const { max = 100 } = optionsOf(options);
    assertInteger(max, 'max', 1, 10_000);
    this.claimConsumption('iterator');
    return this.iterate(max);
  }

  private async *iterate(max: number): AsyncGenerator<TopicMessage<T>, void, undefined> {
    const signal = this.openSignal();
    try {
      while (this.closing === undefined) {
        const fetched = await this.fetchUnits(max, 1, this.leaseMs, this.maxAttempts);
        for (const err of fetched.errors) this.report(err);
        const messages = fetched.units.flat();
        if (messages.length === 0) {
          await signal.waitForWork(fetched.wakeInMs, this.blockTimeoutMs);
          continue;
        }
        for (const m of messages) yield m;
      }
    } finally {
      signal.close();
      await this.close();
    }
  }

  /** `for await (const m of consumer)`: {@link consume} with its defaults. */
  public [Symbol.asyncIterator](): AsyncGenerator<TopicMessage<T>, void, undefined> {
    return this.consume();
  }

  /**
   * Stops fetching, lets the messages in flight settle (closing the Worker made by `process`),
   * releases its leases and leaves the group: the others take over at their next heartbeat.
   * Idempotent.
   */
  public close(): Promise<void> {
    this.closing ??= (async () => {
      this.membership.stop();
      this.topicWait.cancel();
      this.fetcher.wake();
      await this.worker?.close();
      await this.membership.idle();
      if (this.joining === undefined) return;
      await this.joining.catch(() => undefined);
      if (!this.joined) return; // it never joined: nothing to leave
      await this.membership.leave();
    })();
    return this.closing;
  }

  /** `await using consumer = new Consumer(…)`: closes it. */
  public async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

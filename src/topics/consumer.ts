import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { RedisClient } from '../connection/redis-client.js';
import type { JobSource, LeaseBatch, NackOutcome, SourceJob } from '../jobs/job-source.js';
import { deadLetterCaps, encodeDeadLetterCaps } from '../jobs/dead-letters.js';
import { errorOf } from '../jobs/outcomes.js';
import { fromRedisError, GoodRedisError } from '../errors.js';
import { reportError } from '../internal/report-error.js';
import { assertInteger, assertOneOf, describe as describeValue, invalid, optionsOf } from '../internal/validate.js';
import { Worker, type JobSourceProvider, type WorkerOptions } from '../prioritized/worker.js';
import type { Handler } from '../jobs/worker.js';
import type { DeliveryRef, Ordering } from './scripts.js';
import { headersOf, logEntryOf, replayedFor, TopicBase } from './topic-base.js';
import { PARTITION_SCRIPTS, PARTITION_SCRIPTS_TABLE } from './scripts.js';
import { assertGroupName, type GroupKeys, type PartitionGroupKeys } from './topic-keys.js';
import { lostMessage, TopicMessage, type MessageSettler } from './topic-message.js';
import { TopicSignal, type WaitPosition } from './topic-signal.js';
import { TopicWait } from './topic-wait.js';
import { loggerOf, type Logger } from '../internal/logger.js';
import type { ConsumerEvents, ConsumerOptions } from './types.js';

/** A partition this member holds the lease of. */
interface Owned {
  readonly partition: number;
  readonly keys: PartitionGroupKeys;
  /** Units handed out and not yet settled. */
  inFlight: number;
  /** Its target moved to another member: no more fetches; the lease goes once its units settle. */
  revoking: boolean;
  /** The partition's last entry id when it last had less to give than asked (an idle wait starts after it); '' until then (the wait starts at `$`). */
  lastSeen: string;
}

/** Messages handed out together (one message, or one batch) that free their partition together. */
interface Unit {
  readonly owned: Owned;
  readonly open: Set<string>;
  /** How many messages it had. */
  readonly size: number;
  /** Its first and last entry ids (a unit is in log order: its lowest and highest). */
  readonly first: string;
  readonly last: string;
  /** The partition's read epoch when the unit is all a fast read gave (its ack may then take the fast check: ack-3.lua), else ''. */
  readonly epoch: string;
}

/** Messages handed out as one unit: never empty. */
type UnitMessages<T> = [TopicMessage<T>, ...TopicMessage<T>[]];

/** What one fetch over the owned partitions gave. */
interface Fetched<T> {
  readonly units: UnitMessages<T>[];
  readonly wakeInMs: number;
  readonly errors: unknown[];
}

/**
 * Consecutive messages of one partition, in log order, handed out together as one unit (see
 * `processBatch`): acked together when the handler returns, nacked together when it throws,
 * except those the handler settled itself.
 *
 * @typeParam T - the type of the values
 */
export class MessageBatch<T> implements SourceJob {
  /**
   * @param partition - the partition
   * @param messages - the messages, in log order
   */
  public constructor(
    public readonly partition: number,
    public readonly messages: readonly TopicMessage<T>[],
  ) {}

  /** The highest delivery count among the messages. */
  public get attempt(): number {
    return Math.max(...this.messages.map((m) => m.attempt));
  }

  /** The messages the handler did not settle itself. */
  public unsettled(): TopicMessage<T>[] {
    return this.messages.filter((m) => m.settlement() === undefined);
  }
}

/** Options of `processBatch`: the Worker's, and the most messages per batch. */
export interface BatchOptions extends WorkerOptions {
  /**
   * The most messages per batch (1 to 10,000).
   *
   * @defaultValue 10
   */
  batchSize?: number | undefined;
}

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

  private readonly owned = new Map<number, Owned>();
  private readonly units = new WeakMap<TopicMessage<T>, Unit>();
  private readonly wakers = new Set<() => void>();
  private joining: Promise<void> | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private beating: Promise<void> | undefined;
  private closing: Promise<void> | undefined;
  private consumer: 'iterator' | 'worker' | undefined;
  /** The Worker process() or processBatch() started. */
  private worker: { close(): Promise<unknown> } | undefined;
  private cursor = 0;
  /** Set by process() for the source its Worker takes: closing that Worker closes the consumer. */
  private closeWithWorker = false;
  /** Wakes so far, and their count when the last fetch began. */
  private wakes = 0;
  private wakesAtFetch = 0;
  private currentGeneration = 0;
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
  }

  /** The generation of the group this member last saw. */
  public get generation(): number {
    return this.currentGeneration;
  }

  /** The partitions this member holds the lease of now, sorted. */
  public assignment(): number[] {
    return [...this.owned.keys()].sort((a, b) => a - b);
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
      await this.beat();
      this.scheduleBeat();
      this.joined = true;
    })();
    this.joining.catch(() => {
      this.joining = undefined; // a later call tries again
    });
    return this.joining;
  }

  private scheduleBeat(): void {
    if (this.closing !== undefined) return;
    this.heartbeat = setTimeout(() => {
      this.beat()
        .catch((err: unknown) => {
          this.report(err);
        })
        .finally(() => {
          this.scheduleBeat();
        });
    }, this.heartbeatMs);
    this.heartbeat.unref();
  }

  /** One heartbeat: session, generation and target, then the leases it implies. */
  private beat(): Promise<void> {
    this.beating ??= (async () => {
      try {
        const reply = (await this.runTopic('heartbeat', { member: this.memberId, sessionMs: this.sessionTimeoutMs }, this.keys)) as unknown[];
        const [generation, , , ...target] = reply;
        this.currentGeneration = Number(generation);
        const mine = new Set<number>();
        target.forEach((owner, p) => {
          if (String(owner) === this.memberId) mine.add(p);
        });
        await this.applyTarget(mine);
      } finally {
        this.beating = undefined;
      }
    })();
    return this.beating;
  }

  /** Renews, hands over and acquires leases for the target `mine`. */
  private async applyTarget(mine: ReadonlySet<number>): Promise<void> {
    const lost: number[] = [];
    const acquired: number[] = [];
    await Promise.all([
      ...[...this.owned.values()].map(async (o) => {
        if (!mine.has(o.partition)) o.revoking = true;
        if (o.revoking && o.inFlight === 0) return this.handOver(o);
        if (Number(await this.lease(o.keys, 'renew')) === 0 && this.owned.get(o.partition) === o) {
          this.owned.delete(o.partition);
          lost.push(o.partition);
        }
      }),
      ...[...mine]
        .filter((p) => !this.owned.has(p))
        .map(async (partition) => {
          const keys = this.partitionKeysOf(partition, this.group);
          if (Number(await this.lease(keys, 'acquire')) === 1 && this.closing === undefined && !this.owned.has(partition)) {
            this.owned.set(partition, { partition, keys, inFlight: 0, revoking: false, lastSeen: '' });
            acquired.push(partition);
          }
        }),
    ]);
    if (lost.length > 0)
      this.emit(
        'lost',
        lost.sort((a, b) => a - b),
      );
    if (acquired.length > 0) {
      this.emit(
        'assigned',
        acquired.sort((a, b) => a - b),
      );
      this.wake();
    }
  }

  private lease(keys: PartitionGroupKeys, action: 'acquire' | 'renew' | 'release'): Promise<unknown> {
    return this.runPartition('lease', keys, { action, member: this.memberId, incarnation: this.incarnation, ms: this.sessionTimeoutMs });
  }

  /** Releases a revoked partition whose units settled. */
  private async handOver(o: Owned): Promise<void> {
    if (this.owned.get(o.partition) !== o) return;
    this.owned.delete(o.partition);
    await this.lease(o.keys, 'release');
    this.emit('revoked', [o.partition]);
  }

  /** Wakes an idle wait (a unit settled, a partition was acquired). */
  private wake(): void {
    this.wakes++;
    for (const wake of this.wakers) wake();
  }

  /** Whether a wake came since the last fetch began (a wait must not sleep through it); a wake is taken once. */
  private wokenSinceFetch(): boolean {
    const woken = this.wakes !== this.wakesAtFetch;
    this.wakesAtFetch = this.wakes;
    return woken;
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

  /** Fetches up to `maxUnits` units of up to `unitSize` messages from the owned partitions, trying every ready partition before giving up. */
  private async fetchUnits(maxUnits: number, unitSize: number, leaseMs: number, maxAttempts: number): Promise<Fetched<T>> {
    if (this.closing !== undefined) throw invalid('this consumer is closed');
    // While the topic does not exist a fetch answers nothing, and looks again in a heartbeat.
    if (!this.joined && this.joining === undefined && !(await this.topicWait.check())) return { units: [], wakeInMs: this.heartbeatMs, errors: [] };
    await this.join();
    this.wakesAtFetch = this.wakes;
    const ready = [...this.owned.values()].filter((o) => !o.revoking && (this.ordering === 'none' || o.inFlight === 0));
    const start = this.cursor++ % Math.max(1, ready.length);
    const order = [...ready.slice(start), ...ready.slice(0, start)];
    const units: UnitMessages<T>[] = [];
    const errors: unknown[] = [];
    let wakeInMs = -1;
    while (order.length > 0 && units.length < maxUnits) {
      const wanted = maxUnits - units.length;
      const round = order.splice(0, wanted);
      const share = (i: number): number => Math.floor(wanted / round.length) + (i < wanted % round.length ? 1 : 0);
      // Each partition's fetch stands on its own: one that fails (its shard failing over) must not
      // throw away the units the others made, which would stay in flight here, never handed out.
      const replies = await Promise.allSettled(
        round.map((o, i) => this.fetchPartition(o, this.ordering === 'partition' ? 1 : share(i), unitSize, leaseMs, maxAttempts)),
      );
      // All of them failing (Redis unreachable) fails the fetch, as one would.
      const [firstFailure] = replies.filter((r) => r.status === 'rejected');
      if (firstFailure !== undefined && replies.every((r) => r.status === 'rejected') && units.length === 0) throw firstFailure.reason;
      for (const settled of replies) {
        if (settled.status === 'rejected') {
          errors.push(settled.reason);
          continue;
        }
        const r = settled.value;
        units.push(...r.units);
        errors.push(...r.errors);
        if (r.wakeInMs >= 0 && (wakeInMs < 0 || r.wakeInMs < wakeInMs)) wakeInMs = r.wakeInMs;
      }
    }
    return { units, wakeInMs, errors };
  }

  /** One fetch on one partition, its entries made into messages and units: the fast read when it may, else the fetch script. */
  private async fetchPartition(o: Owned, maxUnits: number, unitSize: number, leaseMs: number, maxAttempts: number): Promise<Fetched<T>> {
    if (this.ordering === 'partition' && leaseMs >= this.leaseMs) {
      const fast = await this.readFast(o, maxUnits * unitSize);
      if (fast === 'lost') return this.lostPartition(o);
      if (fast !== 'slow') return this.unitsOf(o, fast.entries, unitSize, -1, fast.epoch);
    }
    return this.fetchScript(o, maxUnits, unitSize, leaseMs, maxAttempts);
  }

  /**
   * The fast read of new entries under 'partition' ordering: the guard script (the caller's
   * lease, nothing of the group pending) and `XREADGROUP` in one MULTI, so the entries are read
   * as they are by Redis, not through Lua. When the guard says no, what was read is given back
   * (its delivery uncounted) and the caller falls back to the fetch script.
   */
  private async readFast(
    o: Owned,
    count: number,
  ): Promise<{ entries: [id: string, attempt: number, fields: (string | Buffer)[]][]; epoch: string } | 'slow' | 'lost'> {
    PARTITION_SCRIPTS.define(this.client);
    const tx = this.client.multi();
    const guard = PARTITION_SCRIPTS.functionOf(tx, 'guard', false);
    const keys = PARTITION_SCRIPTS.keysOf('guard', o.keys);
    void guard.call(tx, ...keys, ...PARTITION_SCRIPTS_TABLE.guard.encode({ group: this.group, member: this.memberId, incarnation: this.incarnation }));
    const read = ['GROUP', this.group, this.memberId, 'COUNT', count, 'STREAMS', o.keys.log, '>'];
    if (this.codec.binary === true) tx.callBuffer('XREADGROUP', ...read);
    else tx.call('XREADGROUP', ...read);
    let results: [Error | null, unknown][] | null;
    try {
      results = await tx.exec();
    } catch (err) {
      throw fromRedisError(err);
    }
    const [[guardError, verdict] = [null, undefined], [readError, reply] = [null, undefined]] = results ?? [];
    if (readError !== null) throw fromRedisError(readError);
    const entries = ((reply as [unknown, [string | Buffer, (string | Buffer)[]][]][] | null)?.[0]?.[1] ?? []).map(
      ([id, fields]) => [String(id), 1, fields] as [string, number, (string | Buffer)[]],
    );
    if (guardError === null && typeof verdict === 'number') {
      const mine: typeof entries = [];
      const others: DeliveryRef[] = [];
      for (const entry of entries) {
        const forGroup = replayedFor(entry[2]);
        if (forGroup === undefined || forGroup === this.group) mine.push(entry);
        else others.push({ id: entry[0], attempt: entry[1] });
      }
      // Replays for other groups: acked and skipped unseen.
      if (others.length > 0) await this.runPartition('ack', o.keys, { group: this.group, member: this.memberId, deliveries: others });
      const last = entries.at(-1);
      if (entries.length < count && last !== undefined) o.lastSeen = last[0];
      else if (entries.length === count) o.lastSeen = '';
      return { entries: mine, epoch: String(verdict) };
    }
    if (entries.length > 0) {
      await this.runPartition('release', o.keys, { group: this.group, member: this.memberId, deliveries: entries.map(([id, attempt]) => ({ id, attempt })) });
    }
    // A guard that failed (a server before Redis 7 refusing its shebang, a script cache flushed
    // under the MULTI) leaves it to the fetch script, which deals with those and reports the rest.
    return guardError === null && verdict === 'lost' ? 'lost' : 'slow';
  }

  private lostPartition(o: Owned): Fetched<T> {
    if (this.owned.get(o.partition) === o) {
      this.owned.delete(o.partition);
      this.emit('lost', [o.partition]);
    }
    return { units: [], wakeInMs: -1, errors: [] };
  }

  /** One fetch script on one partition, its entries made into messages and units. */
  private async fetchScript(o: Owned, maxUnits: number, unitSize: number, leaseMs: number, maxAttempts: number): Promise<Fetched<T>> {
    const binary = this.codec.binary === true;
    const reply = (await this.runPartition(
      'fetch',
      o.keys,
      {
        group: this.group,
        member: this.memberId,
        incarnation: this.incarnation,
        count: maxUnits * unitSize,
        leaseMs: this.leaseMs,
        lease: leaseMs,
        maxAttempts,
        deadCaps: this.deadCaps,
        ordering: this.ordering,
      },
      { binary },
    )) as unknown[];
    if (String(reply[0]) === 'lost') return this.lostPartition(o);
    o.lastSeen = String(reply[3]);
    // New entries (delivery 1) as XREADGROUP returned them, then claimed ones with their counts.
    const entries: [id: string, attempt: number, fields: (string | Buffer)[]][] = [];
    for (const [id, fields] of (reply[4] ?? []) as [string | Buffer, (string | Buffer)[]][]) entries.push([String(id), 1, fields]);
    for (let i = 5; i + 2 < reply.length; i += 3) entries.push([String(reply[i]), Number(reply[i + 1]), reply[i + 2] as (string | Buffer)[]]);
    return this.unitsOf(o, entries, unitSize, Number(reply[1]));
  }

  /** Decodes entries into messages (an undecodable one is dead-lettered at once) and groups them in units of `unitSize`. */
  private async unitsOf(
    o: Owned,
    entries: readonly [id: string, attempt: number, fields: (string | Buffer)[]][],
    unitSize: number,
    wakeInMs: number,
    epoch = '',
  ): Promise<Fetched<T>> {
    const messages: TopicMessage<T>[] = [];
    const errors: unknown[] = [];
    const undecodable: Promise<unknown>[] = [];
    for (const [id, attempt, fields] of entries) {
      const entry = logEntryOf(fields);
      const where = (): string => `partition ${String(o.partition)}, entry ${id}`;
      let value: T;
      try {
        if (entry.value === undefined)
          throw new GoodRedisError('Codec', `topic ${JSON.stringify(this.topic)}, ${where()}: it has no value (field v): no producer wrote it`);
        value = this.decode(entry.value, where);
      } catch (err) {
        // Dead-lettered at once with its own reason, without calling a handler: it would fail the same way every time.
        errors.push(err);
        undecodable.push(
          this.runPartition('nack', o.keys, {
            group: this.group,
            member: this.memberId,
            delayMs: 0,
            maxAttempts: 1,
            error: errorOf(err).message,
            deadCaps: this.deadCaps,
            deliveries: [{ id, attempt }],
          }),
        );
        continue;
      }
      messages.push(new TopicMessage(this, this.topic, o.partition, id, entry.key, value, headersOf(entry.headers), attempt));
    }
    await Promise.all(undecodable);
    const units: UnitMessages<T>[] = [];
    for (let i = 0; i < messages.length; i += unitSize) {
      const unit = messages.slice(i, i + unitSize) as UnitMessages<T>;
      // The read epoch vouches for a unit only when it is everything the read handed out.
      const record: Unit = {
        owned: o,
        open: new Set(unit.map((m) => m.id)),
        size: unit.length,
        first: unit[0].id,
        last: (unit.at(-1) ?? unit[0]).id,
        epoch: messages.length === unit.length ? epoch : '',
      };
      for (const m of unit) this.units.set(m, record);
      o.inFlight++;
      units.push(unit);
    }
    return { units, wakeInMs, errors };
  }

  /** Marks messages settled here (whatever Redis answered: an unsettled entry comes back when its lease expires). */
  private settled(messages: readonly TopicMessage<T>[]): void {
    for (const m of messages) {
      const unit = this.units.get(m);
      if (unit === undefined || !unit.open.delete(m.id) || unit.open.size > 0) continue;
      const o = unit.owned;
      o.inFlight--;
      if (o.revoking && o.inFlight === 0) {
        this.handOver(o).catch((err: unknown) => {
          this.report(err);
        });
      }
      this.wake();
    }
  }

  /** Runs a per-partition settle script for each partition's messages; one outcome per message. */
  private async perPartition<O>(
    messages: readonly TopicMessage<T>[],
    run: (keys: PartitionGroupKeys, deliveries: TopicMessage<T>[]) => Promise<unknown>,
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
        const keys = this.owned.get(partition)?.keys ?? this.partitionKeysOf(partition, this.group);
        try {
          const replies = (await run(
            keys,
            indexes.map((i) => messages[i] as TopicMessage<T>),
          )) as unknown[];
          indexes.forEach((i, j) => (out[i] = outcome(replies[j], messages[i] as TopicMessage<T>)));
        } catch (err) {
          for (const i of indexes) out[i] = errorOf(err);
        }
      }),
    );
    return out;
  }

  /**
   * The read epoch to ack `messages` with: that of their unit when they are the whole of it,
   * none settled yet, its first message first and its last last (so they are the lowest and
   * highest ids: ack-3.lua's fast check), else ''.
   */
  private epochOf(messages: readonly TopicMessage<T>[]): string {
    const [first] = messages;
    const unit = first === undefined ? undefined : this.units.get(first);
    if (unit === undefined || unit.epoch === '' || messages.length !== unit.size || unit.open.size !== unit.size) return '';
    if (first?.id !== unit.first || messages.at(-1)?.id !== unit.last) return '';
    return messages.every((m) => this.units.get(m) === unit) ? unit.epoch : '';
  }

  /** @inheritDoc */
  public async ackMessages(messages: readonly TopicMessage<T>[]): Promise<(Error | undefined)[]> {
    const out = await this.perPartition(
      messages,
      async (keys, deliveries) => {
        const reply = await this.runPartition('ack', keys, { group: this.group, member: this.memberId, deliveries, epoch: this.epochOf(deliveries) });
        return typeof reply === 'number' ? deliveries.map(() => 1) : reply; // a number: all acked by the fast check
      },
      (reply, m) => (Number(reply) === 1 ? undefined : lostMessage(this.topic, m.partition, m.id)),
    );
    this.settled(messages);
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
        this.runPartition('nack', keys, { group: this.group, member: this.memberId, delayMs, maxAttempts, error, deadCaps: this.deadCaps, deliveries }),
      (reply, m): NackOutcome | Error => {
        const answer = String(reply);
        return answer === 'retry' || answer === 'dead' ? answer : lostMessage(this.topic, m.partition, m.id);
      },
    );
    this.settled(messages);
    return out;
  }

  /** @inheritDoc */
  public async extendMessages(messages: readonly TopicMessage<T>[], ms: number): Promise<(Error | undefined)[]> {
    assertInteger(ms, 'ms', 0, this.leaseMs);
    return this.perPartition(
      messages,
      (keys, deliveries) => this.runPartition('extend', keys, { group: this.group, member: this.memberId, leaseMs: this.leaseMs, ms, deliveries }),
      (reply, m) => (Number(reply) === 1 ? undefined : lostMessage(this.topic, m.partition, m.id)),
    );
  }

  /** Gives back messages that were never started, without counting the delivery. */
  private async release(messages: readonly TopicMessage<T>[]): Promise<void> {
    const outcomes = await this.perPartition(
      messages,
      async (keys, deliveries) => {
        await this.runPartition('release', keys, { group: this.group, member: this.memberId, deliveries });
        return deliveries.map(() => 1);
      },
      () => undefined,
    );
    this.settled(messages);
    const failed = outcomes.find((o) => o instanceof Error);
    if (failed !== undefined) throw failed;
  }

  /** Where an idle consumer waits: each owned partition that may get new work, after its last seen entry. */
  private positions(): WaitPosition[] {
    return [...this.owned.values()]
      .filter((o) => !o.revoking && (this.ordering === 'none' || o.inFlight === 0))
      .map((o) => ({ partition: o.partition, log: o.keys.log, after: o.lastSeen === '' ? '$' : o.lastSeen }));
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
    let maxAttempts = this.maxAttempts;
    /** Settles every job's messages in one call and folds the outcomes back per job. */
    const each = async <O>(
      jobs: readonly J[],
      settle: (messages: TopicMessage<T>[]) => Promise<(O | Error)[]>,
      fold: (outcomes: (O | Error)[]) => O | Error,
    ): Promise<(O | Error)[]> => {
      const lists = jobs.map(messagesOf);
      const outcomes = await settle(lists.flat());
      let at = 0;
      return lists.map((list) => fold(outcomes.slice(at, (at += list.length))));
    };
    const firstError = (outcomes: (Error | undefined)[]): Error | undefined => outcomes.find((o) => o instanceof Error);
    return {
      client: this.client,
      object: {
        family: 'topic',
        name: this.topic,
        prefix: this.prefix,
        group: this.group,
        describe: (job) => {
          // A batch of messages (processBatch) tells its partition only: its messages came from different sends.
          const messages = messagesOf(job);
          const [first] = messages;
          return messages.length === 1 && first !== undefined
            ? { id: first.id, partition: first.partition, headers: first.headers }
            : { partition: first?.partition };
        },
      },
      leaseBatch: async (request): Promise<LeaseBatch<J>> => {
        maxAttempts = request.maxAttempts;
        const fetched = await this.fetchUnits(request.count, unitSize, request.leaseMs, request.maxAttempts);
        return { items: fetched.units.map(wrap), wakeInMs: fetched.wakeInMs, errors: fetched.errors };
      },
      ack: (jobs) => each(jobs, (messages) => this.ackMessages(messages), firstError),
      nack: (jobs, { delayMs, error }) =>
        each(
          jobs,
          (messages) => this.nackMessages(messages, delayMs, error, maxAttempts),
          (outcomes): NackOutcome | Error =>
            outcomes.find((o) => o instanceof Error) ?? (outcomes.length > 0 && outcomes.every((o) => o === 'dead') ? 'dead' : 'retry'),
        ),
      extend: (jobs, leaseMs) => each(jobs, (messages) => this.extendMessages(messages, Math.min(leaseMs, this.leaseMs)), firstError),
      release: (jobs) => this.release(jobs.flatMap(messagesOf)),
      openSignal: () => this.openSignal(),
      waiting: () => this.topicWait.reason,
      close: async () => {
        if (!closeWithWorker) return;
        // The Worker made by process() closed by itself: the member leaves the group too. (When
        // close() here closes the Worker, it goes on by itself once the Worker is done.)
        this.worker = undefined;
        if (this.closing === undefined) await this.close();
      },
    };
  }

  /** Reports a failure the consumer dealt with itself (an `error` event, or a process warning when nobody listens). */
  private report(err: unknown): void {
    reportError(this, err, `topic ${this.topic} consumer ${this.memberId}`);
  }

  /** A new idle wait over this consumer's partitions. */
  private openSignal(): TopicSignal {
    return new TopicSignal(this.client, { positions: () => this.positions(), onWake: (wake) => this.onWake(wake), woken: () => this.wokenSinceFetch() });
  }

  private onWake(wake: () => void): () => void {
    this.wakers.add(wake);
    return () => {
      this.wakers.delete(wake);
    };
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
      clearTimeout(this.heartbeat);
      this.heartbeat = undefined;
      this.topicWait.cancel();
      this.wake();
      await this.worker?.close();
      await this.beating?.catch(() => undefined);
      if (this.joining === undefined) return;
      await this.joining.catch(() => undefined);
      if (!this.joined) return; // it never joined: nothing to leave
      clearTimeout(this.heartbeat);
      const held = [...this.owned.values()];
      this.owned.clear();
      await Promise.all(held.map((o) => this.lease(o.keys, 'release').catch(() => undefined)));
      await this.runTopic('heartbeat', { member: this.memberId, sessionMs: this.sessionTimeoutMs, leave: true }, this.keys);
      if (held.length > 0)
        this.emit(
          'revoked',
          held.map((o) => o.partition).sort((a, b) => a - b),
        );
    })();
    return this.closing;
  }

  /** `await using consumer = new Consumer(…)`: closes it. */
  public async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/**
 * A consumer's fetching from the partitions it holds: the fast read, the fetch script, the
 * messages and units made of their entries, what is in flight, and the wakes of an idle wait.
 *
 * @module
 */
import type { RedisClient } from '../connection/redis-client.js';
import { fromRedisError, GoodRedisError } from '../errors.js';
import { errorOf } from '../jobs/outcomes.js';
import type { Membership, Owned } from './membership.js';
import { PARTITION_SCRIPTS, PARTITION_SCRIPTS_TABLE, type DeliveryRef, type FetchedEntry, type Ordering, type PartitionCore } from './scripts.js';
import { headersOf, logEntryOf, replayedFor } from './topic-base.js';
import { TopicMessage, type MessageSettler } from './topic-message.js';
import type { WaitPosition } from './topic-signal.js';

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
export type UnitMessages<T> = [TopicMessage<T>, ...TopicMessage<T>[]];

/** What one fetch over the owned partitions gave. */
export interface Fetched<T> {
  readonly units: UnitMessages<T>[];
  readonly wakeInMs: number;
  readonly errors: unknown[];
}

/** What a {@link PartitionFetcher} asks of its consumer, and no more. */
export interface FetchContext<T> {
  readonly client: RedisClient;
  readonly topic: string;
  readonly group: string;
  readonly memberId: string;
  /** The consumer object's token (a restarted static member fences its earlier self). */
  readonly incarnation: string;
  readonly ordering: Ordering;
  /** The consumer's lease, in ms. */
  readonly leaseMs: number;
  /** The dead letters' caps as the scripts take them. */
  readonly deadCaps: string;
  /** Whether the codec reads Buffers. */
  readonly binary: boolean;
  /** Who settles the messages it makes (the consumer). */
  readonly settler: MessageSettler<T>;
  /** Runs the partitions' scripts (each call names its partition's keys). */
  readonly partitions: PartitionCore<T>;
  /** Decodes one stored value (a `Codec` error naming the topic when it cannot). */
  decode(raw: string | Buffer, where: () => string): T;
  /** Releases a revoked partition whose units settled (failures reported). */
  handOver(o: Owned): void;
}

/**
 * Fetches from the partitions a member holds the lease of (the fence), in the order the fetch
 * script keeps: takeovers, its own expired messages, due retries, new entries; new entries under
 * `'partition'` ordering come by the fast read (a guard script and `XREADGROUP` in one MULTI).
 * It groups the messages in units (one message, or one batch) and counts each partition's units
 * in flight, which `'partition'` ordering and hand-overs wait on.
 *
 * @typeParam T - the type of message values
 */
export class PartitionFetcher<T> {
  private cursor = 0;
  private readonly units = new WeakMap<TopicMessage<T>, Unit>();
  private readonly wakers = new Set<() => void>();
  /** Wakes so far, and their count when the last fetch began. */
  private wakes = 0;
  private wakesAtFetch = 0;

  /**
   * @param context - what it asks of its consumer
   * @param membership - the partitions the member holds
   */
  public constructor(
    private readonly context: FetchContext<T>,
    private readonly membership: Membership,
  ) {}

  /** Fetches up to `maxUnits` units of up to `unitSize` messages from the owned partitions (the member has joined), trying every ready partition before giving up. */
  public async fetchUnits(maxUnits: number, unitSize: number, leaseMs: number, maxAttempts: number): Promise<Fetched<T>> {
    this.wakesAtFetch = this.wakes;
    const ready = [...this.membership.owned.values()].filter((o) => !o.revoking && (this.context.ordering === 'none' || o.inFlight === 0));
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
        round.map((o, i) => this.fetchPartition(o, this.context.ordering === 'partition' ? 1 : share(i), unitSize, leaseMs, maxAttempts)),
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
    if (this.context.ordering === 'partition' && leaseMs >= this.context.leaseMs) {
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
  private async readFast(o: Owned, count: number): Promise<{ entries: FetchedEntry[]; epoch: string } | 'slow' | 'lost'> {
    PARTITION_SCRIPTS.define(this.context.client);
    const tx = this.context.client.multi();
    const guard = PARTITION_SCRIPTS.functionOf(tx, 'guard', false);
    const keys = PARTITION_SCRIPTS.keysOf('guard', o.keys);
    void guard.call(
      tx,
      ...keys,
      ...PARTITION_SCRIPTS_TABLE.guard.encode({ group: this.context.group, member: this.context.memberId, incarnation: this.context.incarnation }),
    );
    const read = ['GROUP', this.context.group, this.context.memberId, 'COUNT', count, 'STREAMS', o.keys.log, '>'];
    if (this.context.binary) tx.callBuffer('XREADGROUP', ...read);
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
        if (forGroup === undefined || forGroup === this.context.group) mine.push(entry);
        else others.push({ id: entry[0], attempt: entry[1] });
      }
      // Replays for other groups: acked and skipped unseen.
      if (others.length > 0)
        await this.context.partitions.call('ack', { group: this.context.group, member: this.context.memberId, deliveries: others }, { keys: o.keys });
      const last = entries.at(-1);
      if (entries.length < count && last !== undefined) o.lastSeen = last[0];
      else if (entries.length === count) o.lastSeen = '';
      return { entries: mine, epoch: String(verdict) };
    }
    if (entries.length > 0) {
      await this.context.partitions.call(
        'release',
        { group: this.context.group, member: this.context.memberId, deliveries: entries.map(([id, attempt]) => ({ id, attempt })) },
        { keys: o.keys },
      );
    }
    // A guard that failed (a server before Redis 7 refusing its shebang, a script cache flushed
    // under the MULTI) leaves it to the fetch script, which deals with those and reports the rest.
    return guardError === null && verdict === 'lost' ? 'lost' : 'slow';
  }

  /** A fence said the member lost the partition: it is forgotten, and gave nothing. */
  private lostPartition(o: Owned): Fetched<T> {
    this.membership.lost(o);
    return { units: [], wakeInMs: -1, errors: [] };
  }

  /** One fetch script on one partition, its entries made into messages and units. */
  private async fetchScript(o: Owned, maxUnits: number, unitSize: number, leaseMs: number, maxAttempts: number): Promise<Fetched<T>> {
    const binary = this.context.binary;
    const fetched = await this.context.partitions.call(
      'fetch',
      {
        group: this.context.group,
        member: this.context.memberId,
        incarnation: this.context.incarnation,
        count: maxUnits * unitSize,
        leaseMs: this.context.leaseMs,
        lease: leaseMs,
        maxAttempts,
        deadCaps: this.context.deadCaps,
        ordering: this.context.ordering,
      },
      { keys: o.keys, binary },
    );
    if (fetched.lost) return this.lostPartition(o);
    o.lastSeen = fetched.lastSeen;
    return this.unitsOf(o, fetched.entries, unitSize, fetched.wakeInMs);
  }

  /** Decodes entries into messages (an undecodable one is dead-lettered at once) and groups them in units of `unitSize`. */
  private async unitsOf(o: Owned, entries: readonly FetchedEntry[], unitSize: number, wakeInMs: number, epoch = ''): Promise<Fetched<T>> {
    const messages: TopicMessage<T>[] = [];
    const errors: unknown[] = [];
    const undecodable: Promise<unknown>[] = [];
    for (const [id, attempt, fields] of entries) {
      const entry = logEntryOf(fields);
      const where = (): string => `partition ${String(o.partition)}, entry ${id}`;
      let value: T;
      try {
        if (entry.value === undefined)
          throw new GoodRedisError('Codec', `topic ${JSON.stringify(this.context.topic)}, ${where()}: it has no value (field v): no producer wrote it`);
        value = this.context.decode(entry.value, where);
      } catch (err) {
        // Dead-lettered at once with its own reason, without calling a handler: it would fail the same way every time.
        errors.push(err);
        undecodable.push(
          this.context.partitions.call(
            'nack',
            {
              group: this.context.group,
              member: this.context.memberId,
              delayMs: 0,
              maxAttempts: 1,
              error: errorOf(err).message,
              deadCaps: this.context.deadCaps,
              deliveries: [{ id, attempt }],
            },
            { keys: o.keys },
          ),
        );
        continue;
      }
      messages.push(new TopicMessage(this.context.settler, this.context.topic, o.partition, id, entry.key, value, headersOf(entry.headers), attempt));
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
  public settled(messages: readonly TopicMessage<T>[]): void {
    for (const m of messages) {
      const unit = this.units.get(m);
      if (unit === undefined || !unit.open.delete(m.id) || unit.open.size > 0) continue;
      const o = unit.owned;
      o.inFlight--;
      if (o.revoking && o.inFlight === 0) {
        this.context.handOver(o);
      }
      this.wake();
    }
  }

  /**
   * The read epoch to ack `messages` with: that of their unit when they are the whole of it,
   * none settled yet, its first message first and its last last (so they are the lowest and
   * highest ids: ack-3.lua's fast check), else ''.
   */
  public epochOf(messages: readonly TopicMessage<T>[]): string {
    const [first] = messages;
    const unit = first === undefined ? undefined : this.units.get(first);
    if (unit === undefined || unit.epoch === '' || messages.length !== unit.size || unit.open.size !== unit.size) return '';
    if (first?.id !== unit.first || messages.at(-1)?.id !== unit.last) return '';
    return messages.every((m) => this.units.get(m) === unit) ? unit.epoch : '';
  }

  /** Where an idle consumer waits: each owned partition that may get new work, after its last seen entry. */
  public positions(): WaitPosition[] {
    return [...this.membership.owned.values()]
      .filter((o) => !o.revoking && (this.context.ordering === 'none' || o.inFlight === 0))
      .map((o) => ({ partition: o.partition, log: o.keys.log, after: o.lastSeen === '' ? '$' : o.lastSeen }));
  }

  /** Wakes an idle wait (a unit settled, a partition was acquired). */
  public wake(): void {
    this.wakes++;
    for (const wake of this.wakers) wake();
  }

  /** Whether a wake came since the last fetch began (a wait must not sleep through it); a wake is taken once. */
  public wokenSinceFetch(): boolean {
    const woken = this.wakes !== this.wakesAtFetch;
    this.wakesAtFetch = this.wakes;
    return woken;
  }

  /** Adds a wake-up to call on every wake, until the returned function removes it. */
  public onWake(wake: () => void): () => void {
    this.wakers.add(wake);
    return () => {
      this.wakers.delete(wake);
    };
  }
}

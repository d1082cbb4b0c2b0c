/**
 * Option and item types of prioritized streams.
 *
 * @module
 */
import type { Codec } from '../codec.js';
import type { GoodRedisError } from '../errors.js';
import type { ReplicationOptions } from '../scripting/script-set.js';
import type { DeadLetterCapOptions } from '../jobs/dead-letters.js';
import type { AckOptions } from '../jobs/worker.js';

/** The default cooldown of a pulled key: 24 hours, as in good-redis. */
export const DEFAULT_COOLDOWN_MS = 24 * 60 * 60 * 1000;

/** The default number of items per atomic script in batch operations. */
export const DEFAULT_CHUNK_SIZE = 1000;

/** The default byte budget of one add script: a chunk of `addMany` closes when its keys and values reach it. */
export const DEFAULT_CHUNK_BYTES = 4 * 1024 * 1024;

/** The default largest value an add accepts, encoded: 16 MiB. */
export const DEFAULT_MAX_VALUE_BYTES = 16 * 1024 * 1024;

/** The most items one `pull` takes (one atomic script). */
export const MAX_PULL_COUNT = 10_000;

/**
 * What `add` does with the priority of a key that is already queued.
 *
 * - `sum`: adds the new priority to the existing one (good-redis's behaviour).
 * - `replace`: sets the new priority.
 * - `max`: keeps the higher of the two.
 */
export type AddMode = 'sum' | 'replace' | 'max';

/** One item of a stream, as `pull`, `entries` and `scan` return it. */
export interface Item<T> {
  /** The item key, unique within the stream. */
  key: string;
  /** The decoded value. */
  value: T;
  /** The priority at the moment it was read (for `pull`: before any decrease). */
  priority: number;
}

/** An item to add, as an object. */
export interface ItemObject<T> {
  /** The item key: a non-empty string. */
  key: string;
  /** The value, encoded by the stream's codec. */
  value: T;
  /**
   * A finite number; higher is pulled first.
   *
   * @defaultValue 1
   */
  priority?: number | undefined;
}

/** An item to add: an {@link ItemObject}, or a `[key, value, priority?]` tuple. */
export type ItemInput<T> = ItemObject<T> | readonly [key: string, value: T, priority?: number | undefined];

/**
 * Options of {@link PrioritizedStream}. `deadLetterLimit` and `deadLetterMaxAgeMs` cap the dead
 * letters (10,000 and 7 days by default): each job that dies drops the oldest beyond the limit and
 * those older than the age, with their values.
 */
export interface PrioritizedStreamOptions<T> extends DeadLetterCapOptions {
  /**
   * Encodes and decodes values.
   *
   * @defaultValue {@link stringCodec}
   */
  codec?: Codec<T> | undefined;
  /**
   * Prepended to every key of the stream and to the registry key. Must not contain `{` or `}`.
   *
   * @defaultValue `''`
   */
  prefix?: string | undefined;
  /**
   * The cooldown a pulled key gets when `pull` names none, in milliseconds; 0 for none. It
   * keeps a crawler from fetching a page again within the day; acks do not use it (see
   * `ackCooldownMs`).
   *
   * @defaultValue 86400000 (24 hours)
   */
  cooldownMs?: number | undefined;
  /**
   * The cooldown an acked job's key gets when `ack` (or a Worker's `ack` option) names none, in
   * milliseconds; 0 for none, so the same key can be added again as soon as its job is done.
   *
   * @defaultValue 0
   */
  ackCooldownMs?: number | undefined;
  /**
   * Items per atomic script in `addMany`, `deleteBelow` and `expire` (1 to 10000).
   *
   * @defaultValue 1000
   */
  chunkSize?: number | undefined;
  /**
   * The byte budget of one add script: a chunk of `addMany` closes when its keys and values
   * (counted as string lengths, about their size in bytes) reach it, even before `chunkSize`
   * items, so that one script never holds Redis for long (1 KiB to 512 MiB).
   *
   * @defaultValue 4194304 (4 MiB)
   */
  chunkBytes?: number | undefined;
  /**
   * The largest value an add accepts, in bytes once encoded; a larger one is refused with an
   * `InvalidArgument` error before anything is written (1 to 512 MiB, Redis's limit).
   *
   * @defaultValue 16777216 (16 MiB)
   */
  maxValueBytes?: number | undefined;
  /**
   * Makes every write wait until `replicas` replicas have it (Redis `WAIT`, sent in one
   * pipeline with the write's script, to the master of the stream's slot). A write whose
   * confirmation falls short throws a `Replication` {@link GoodRedisError}: it happened on the
   * master, but a failover may lose it. Without this option writes are confirmed by the
   * master alone and replicated asynchronously, as Redis does by default.
   *
   * @defaultValue none: no `WAIT`
   */
  replication?: ReplicationOptions | undefined;
}

export type { ReplicationOptions };

/** Options of `add` and `addMany`. */
export interface AddOptions {
  /**
   * Hold the items back for this many ms (server clock): they wait in the delayed set, as a
   * job nacked with a delay does, and join the stream when due (through the next `lease`,
   * `pull`, `recover` or sweep). Refused together with `runAt`.
   *
   * @defaultValue none: queued at once
   */
  delayMs?: number | undefined;
  /**
   * Hold the items back until this time (a Date or epoch ms, server clock); a time already
   * past queues them at once.
   *
   * @defaultValue none: queued at once
   */
  runAt?: Date | number | undefined;
  /**
   * Clears the key's gating and cooldown first, so it is added whatever happened to it.
   *
   * @defaultValue `false`
   */
  readd?: boolean | undefined;
  /**
   * What happens to the priority of a key that is already queued.
   *
   * @defaultValue `'sum'`
   */
  mode?: AddMode | undefined;
}

/**
 * Why an add refused an item: its key is gated, cooling down, in flight (leased or delayed),
 * or a dead letter (replay it with `replayDead`, or add it with `readd`).
 */
export type RejectReason = 'gated' | 'cooling' | 'inFlight' | 'dead';

/** What `addManyDetailed` did with one item. */
export type AddOutcome =
  | {
      /** The item is queued (or delayed, with `delayMs`/`runAt`). */
      added: true;
      /** Its new priority. */
      priority: number;
      /** Whether the key was queued already, so its priority was merged (by the add `mode`) and its value replaced. */
      merged: boolean;
    }
  | {
      /** The item was refused and nothing was written for it. */
      added: false;
      /** Why. */
      reason: RejectReason;
    };

/** What a stream holds, counted in one atomic snapshot by `stats()`. */
export interface StreamStats {
  /** Queued items. */
  length: number;
  /** Gated keys. */
  gated: number;
  /** Keys whose cooldown has not ended. */
  cooling: number;
  /** Ended cooldowns that the next sweep removes. */
  cooldownsDue: number;
  /** Leased jobs. */
  leased: number;
  /** Nacked jobs waiting for their delay. */
  delayed: number;
  /** Dead letters. */
  dead: number;
  /**
   * Items adds accepted, counted since the stream's counters started: they are dropped 24 hours
   * after the last add or pull, so read them as a rate source, not as a lifetime total.
   */
  added: number;
  /** Items pulls and leases handed out, counted like `added`. */
  pulled: number;
  /** The Redis server's clock when the snapshot was taken, in epoch ms. */
  now: number;
}

/** A key's cooldown, as `cooldowns()` reads it. */
export interface Cooldown {
  /** The item key. */
  key: string;
  /** When the cooldown ends, in epoch ms (server clock); a past deadline waits for the next sweep. */
  until: number;
}

/** Options of `pull`. */
export interface PullOptions {
  /**
   * How many items to take at most (1 to 10000).
   *
   * @defaultValue 1
   */
  count?: number | undefined;
  /**
   * Remove the items (`true`) or keep them with their priority decreased by `decreaseBy`.
   *
   * @defaultValue `true`
   */
  purge?: boolean | undefined;
  /**
   * Gate the pulled keys so they can never be re-added (without `readd`). Requires `purge`.
   *
   * @defaultValue `false`
   */
  gate?: boolean | undefined;
  /**
   * Cooldown of the pulled keys from now (Redis server clock), in ms; 0 sets none.
   *
   * @defaultValue the stream's `cooldownMs`
   */
  cooldownMs?: number | undefined;
  /**
   * An absolute cooldown deadline (a Date or epoch ms); wins over `cooldownMs`.
   *
   * @defaultValue none
   */
  expireAt?: Date | number | undefined;
  /**
   * With `purge: false`, how much each pulled item's priority decreases.
   *
   * @defaultValue 1
   */
  decreaseBy?: number | undefined;
}

/** Options of `deleteBelow`. */
export interface DeleteBelowOptions {
  /**
   * Also gate the removed keys.
   *
   * @defaultValue `false`
   */
  gate?: boolean | undefined;
}

/** A range of ranks in pull order, for `keys`, `values` and `entries`. */
export interface RangeOptions {
  /**
   * The first rank (0 is the highest priority).
   *
   * @defaultValue 0
   */
  offset?: number | undefined;
  /**
   * How many items at most.
   *
   * @defaultValue all
   */
  limit?: number | undefined;
}

/** Options of `scan`. */
export interface ScanOptions {
  /**
   * The ZSCAN COUNT hint: roughly how many items each round trip reads (1 to 10000).
   *
   * @defaultValue 500
   */
  batchSize?: number | undefined;
}

/** The default lease of `lease()` and of a {@link Worker}: 30 seconds. */
export const DEFAULT_LEASE_MS = 30_000;

/** The default number of attempts before a job goes to the dead letters. */
export const DEFAULT_MAX_ATTEMPTS = 5;

/** A job handed out by `lease()`: an item plus what identifies this delivery. */
export interface LeasedItem<T> extends Item<T> {
  /** 1 on the first delivery, then one more for every retry or expired lease. */
  attempt: number;
  /** Identifies this lease: ack, nack and extend must name it. */
  leaseId: string;
}

/** What ack, nack and extend need to name a lease (a {@link LeasedItem} is one). */
export interface LeaseRef {
  /** The item key. */
  key: string;
  /** The lease id from `lease()`. */
  leaseId: string;
}

/** Options of `lease`. */
export interface LeaseOptions {
  /**
   * How many items to lease at most (1 to 10000).
   *
   * @defaultValue 1
   */
  count?: number | undefined;
  /**
   * Who takes the leases, recorded with each (see `state()` and `leases()`): a Worker passes
   * its `id`.
   *
   * @defaultValue none
   */
  owner?: string | undefined;
  /**
   * How long the lease lasts before the job goes back to the stream, in ms.
   *
   * @defaultValue 30000
   */
  leaseMs?: number | undefined;
  /**
   * Attempts (deliveries) a job may have before a failure sends it to the dead letters; 0 for
   * no limit. Recorded with each lease, so recovery by any process applies it.
   *
   * @defaultValue 5
   */
  maxAttempts?: number | undefined;
}

/** Options of `ack`: cooldown and gating, as for `pull` (the one Worker's ack options). */
export type { AckOptions };

/** Options of `nack`. */
export interface NackOptions {
  /**
   * Return the jobs to the stream only after this many ms.
   *
   * @defaultValue 0 (at once)
   */
  delayMs?: number | undefined;
  /**
   * The priority the jobs return with.
   *
   * @defaultValue the priority they were leased with
   */
  priority?: number | undefined;
  /**
   * Why the jobs failed; kept as the last error and shown in the dead letters.
   *
   * @defaultValue none (a job that dies without one shows `"nacked"`)
   */
  error?: string | undefined;
}

/** What `nack` did. */
export interface NackResult {
  /** Jobs back in the stream now. */
  requeued: number;
  /** Jobs that return after the delay. */
  delayed: number;
  /** Jobs that had used up their attempts and went to the dead letters. */
  dead: number;
}

/** What `recover` did. */
export interface RecoverResult {
  /** Expired leases whose jobs went back to the stream. */
  returned: number;
  /** Expired leases whose jobs had used up their attempts and went to the dead letters. */
  died: number;
  /** Delayed jobs that were due and went back to the stream. */
  promoted: number;
}

/** What every dead letter tells, whether or not its value decodes. */
export interface DeadLetterInfo {
  /** The item key. */
  key: string;
  /** Its last priority. */
  priority: number;
  /** How many times it was delivered. */
  attempts: number;
  /**
   * The last error: a nack's `error`, `"nacked"`, `"lease expired"`, or, for a value the
   * codec could not decode, the `Codec` error's message (it names the stream and the key).
   */
  error: string | null;
  /** When it died (epoch ms, server clock). */
  diedAt: number;
}

/** A dead letter whose value the stream's codec decodes. */
export interface DecodedDeadLetter<T> extends DeadLetterInfo {
  /** The value decoded. */
  decoded: true;
  /** The decoded value. */
  value: T;
}

/** A dead letter whose stored value the stream's codec cannot decode: it comes back raw. */
export interface UndecodableDeadLetter extends DeadLetterInfo {
  /** The value did not decode. */
  decoded: false;
  /** The stored value as it is (a Buffer with a binary codec, else a UTF-8 string). */
  raw: string | Buffer;
  /** Why it did not decode: a `Codec` error naming the stream and the key. */
  decodeError: GoodRedisError;
}

/**
 * A job in the dead letters, as `deadLetters()` reads it: check `decoded` before reading
 * `value` (a value the codec cannot decode comes back `raw`).
 */
export type DeadLetter<T> = DecodedDeadLetter<T> | UndecodableDeadLetter;

/** A leased job, as `leases()` lists it (soonest deadline first). */
export interface LeaseInfo {
  /** The item key. */
  key: string;
  /** The lease id. */
  leaseId: string;
  /** Which delivery this is (1 for the first). */
  attempt: number;
  /** When the lease ends (epoch ms, server clock) unless it is renewed. */
  deadline: number;
  /** Who holds the lease (a Worker's `id`), or null when the lease was taken without one. */
  owner: string | null;
  /** The priority it was leased with. */
  priority: number;
}

/** A job waiting for its time (a delayed add or a nack with a delay), as `delayed()` lists it. */
export interface DelayedInfo {
  /** The item key. */
  key: string;
  /** When it joins the stream (epoch ms, server clock). */
  due: number;
  /** The priority it joins with. */
  priority: number;
  /** Deliveries so far (0 for a delayed add). */
  attempts: number;
}

/**
 * What a key is in a stream right now, as `state(key)` tells it, one of:
 * - `queued`: waiting to be pulled or leased, at `priority`;
 * - `leased`: held by a consumer until `deadline` (`owner`, `attempt`, `leaseId`);
 * - `delayed`: joins the stream at `due`;
 * - `dead`: in the dead letters since `diedAt`, with its last `error`;
 * - `gated`: never re-added without `readd`;
 * - `cooling`: refused by `add` until `until`;
 * - `absent`: none of these (an add would queue it).
 */
export type KeyState = QueuedState | LeasedState | DelayedState | DeadState | GatedState | CoolingState | AbsentState;

/** A key waiting in the stream; see {@link KeyState}. */
export interface QueuedState {
  /** Queued. */
  state: 'queued';
  /** Its priority now. */
  priority: number;
  /** Deliveries so far (0 unless it is a job being retried). */
  attempts: number;
}

/** A key held by a consumer; see {@link KeyState}. */
export interface LeasedState {
  /** Leased. */
  state: 'leased';
  /** The priority it was leased with. */
  priority: number;
  /** Which delivery this is (1 for the first). */
  attempt: number;
  /** The lease id that ack, nack and extend must name. */
  leaseId: string;
  /** Who holds the lease (a Worker's `id`), or null when it was taken without one. */
  owner: string | null;
  /** When the lease ends (epoch ms, server clock) unless renewed. */
  deadline: number;
  /** The attempts it may have before a failure sends it to the dead letters (0: no limit). */
  maxAttempts: number;
}

/** A key waiting for its time; see {@link KeyState}. */
export interface DelayedState {
  /** Delayed. */
  state: 'delayed';
  /** The priority it joins the stream with. */
  priority: number;
  /** Deliveries so far. */
  attempts: number;
  /** When it joins the stream (epoch ms, server clock). */
  due: number;
}

/** A key in the dead letters; see {@link KeyState}. */
export interface DeadState {
  /** Dead. */
  state: 'dead';
  /** Its last priority. */
  priority: number;
  /** How many times it was delivered. */
  attempts: number;
  /** Its last error. */
  error: string | null;
  /** When it died (epoch ms, server clock). */
  diedAt: number;
}

/** A gated key; see {@link KeyState}. */
export interface GatedState {
  /** Gated: never added again without `readd`. */
  state: 'gated';
}

/** A key cooling down; see {@link KeyState}. */
export interface CoolingState {
  /** Cooling: `add` refuses it until `until`. */
  state: 'cooling';
  /** When the cooldown ends (epoch ms, server clock). */
  until: number;
}

/** A key the stream knows nothing about; see {@link KeyState}. */
export interface AbsentState {
  /** Absent: an add would queue it. */
  state: 'absent';
}

/** A leased job with its own ack, nack and extend, as a {@link Worker} handler and `consume()` get it. */
export interface Job<T> extends LeasedItem<T> {
  /** Finishes the job; see `PrioritizedStream.ack`. */
  ack(options?: AckOptions): Promise<number>;
  /** Gives the job back; see `PrioritizedStream.nack`. */
  nack(options?: NackOptions): Promise<NackResult>;
  /** Renews the lease; see `PrioritizedStream.extend`. */
  extend(leaseMs: number): Promise<number>;
}

/** Options of `consume()`. */
export interface ConsumeOptions extends LeaseOptions {
  /**
   * The longest idle wait before looking again for expired leases and due delayed jobs, in ms.
   *
   * @defaultValue 5000
   */
  blockTimeoutMs?: number | undefined;
  /**
   * Ends the loop when aborted, even during an idle wait; jobs leased but not yet yielded go
   * back to the stream at once, their attempt not counted.
   *
   * @defaultValue none
   */
  signal?: AbortSignal | undefined;
}

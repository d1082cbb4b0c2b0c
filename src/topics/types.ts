import type { DeadLetterCapOptions } from '../jobs/dead-letters.js';
import type { Codec } from '../codec.js';
import type { Logger } from '../internal/logger.js';
import type { ReplicationOptions } from '../scripting/script-set.js';
import type { Ordering } from './scripts.js';

/** Options every topic object takes. */
export interface TopicObjectOptions<T> {
  /**
   * The key prefix (`P` in `P:tp{orders}:topic`).
   *
   * @defaultValue `''`
   */
  prefix?: string | undefined;
  /**
   * Encodes and decodes message values.
   *
   * @defaultValue `stringCodec`
   */
  codec?: Codec<T> | undefined;
}

/** Message headers: string → string. */
export type Headers = Readonly<Record<string, string>>;

/** What `Topic.describe()` returns. */
export interface TopicDescription {
  /** The topic name. */
  readonly name: string;
  /** The partition count (0: the topic does not exist). */
  readonly partitions: number;
  /** Each partition's length (entries stored), by partition. */
  readonly lengths: number[];
  /** The group names, sorted. */
  readonly groups: string[];
}

/** A topic's counts, as `Topic.stats()` reads them. */
export interface TopicStats {
  /** The partition count (0: the topic does not exist). */
  readonly partitions: number;
  /** Messages kept, all partitions. */
  readonly messages: number;
  /** Messages producers sent, in total since each partition was made, all partitions (replayed dead letters are not counted). */
  readonly added: number;
  /** Consumer groups. */
  readonly groups: number;
  /** Messages delivered to a group's member and not acked yet, all groups. */
  readonly pending: number;
  /** Messages no member of a group has read yet, all groups (a group whose lag Redis cannot tell counts 0). */
  readonly lag: number;
}

/** A member of a consumer group, as `Topic.describeGroup()` shows it. */
export interface GroupMemberInfo {
  /** The member id. */
  readonly id: string;
  /** The partitions its generation's target gives it. */
  readonly partitions: number[];
  /** When its session ends without a heartbeat (epoch ms, server clock). */
  readonly expiresAt: number;
}

/** One partition of a consumer group, as `Topic.describeGroup()` shows it. */
export interface GroupPartitionInfo {
  /** The partition. */
  readonly partition: number;
  /** The member holding the partition's lease, or null. */
  readonly owner: string | null;
  /** Entries delivered to the group and not yet settled. */
  readonly pending: number;
  /** Entries not yet delivered to the group; null when Redis cannot count them (before 7.0, or after a trim it cannot see past). */
  readonly lag: number | null;
}

/** What `Topic.describeGroup()` returns. */
export interface GroupDescription {
  /** The group name. */
  readonly group: string;
  /** The generation: bumped at every membership or partition-count change. */
  readonly generation: number;
  /** The live members, by id. */
  readonly members: GroupMemberInfo[];
  /** Each partition's owner, pending and lag. */
  readonly partitions: GroupPartitionInfo[];
}

/** Names one dead letter: its partition and its id in the partition's dead letters. */
export interface DeadLetterRef {
  /** The partition. */
  readonly partition: number;
  /** The dead letter's id. */
  readonly deadId: string;
}

/** A message a group gave up on, as `Topic.deadLetters()` returns it. */
export interface TopicDeadLetter<T> extends DeadLetterRef {
  /** The original entry id in the partition. */
  readonly id: string;
  /** The message key, or null for a keyless message. */
  readonly key: string | null;
  /** The decoded value; `undefined` when the codec cannot decode it (see `raw`). */
  readonly value: T | undefined;
  /** The stored value, set only when the codec cannot decode it. */
  readonly raw?: string | Buffer | undefined;
  /** The headers. */
  readonly headers: Headers;
  /** How often it was delivered. */
  readonly attempts: number;
  /** The last error. */
  readonly error: string;
  /** When it died (epoch ms, server clock). */
  readonly diedAt: number;
}

/** Options of `Topic.createGroup()`. */
export interface CreateGroupOptions {
  /**
   * Where a new group starts reading: `'start'` (every message still stored) or `'end'`
   * (messages sent from now on). Only applies when the group is created.
   *
   * @defaultValue `'start'`
   */
  from?: 'start' | 'end' | undefined;
}

/** Options of a {@link Producer}. */
export interface ProducerOptions<T> extends TopicObjectOptions<T> {
  /**
   * Confirm every send with replicas (`WAIT` in the send's pipeline); a shortfall fails the
   * call with a `Replication` error.
   *
   * @defaultValue none
   */
  replication?: ReplicationOptions | undefined;
  /**
   * The partition count the topic is created with when the first send finds no topic (1 to
   * 1024). Without it, a send to a topic that does not exist is refused with a `Configuration`
   * error: a topic's partition count is chosen (here, or with `Topic.ensure`), never defaulted.
   * An existing topic keeps its count.
   *
   * @defaultValue none: the topic must exist
   */
  partitions?: number | undefined;
  /**
   * Trim each partition to about this many entries after each send, never removing an entry a
   * group has not acknowledged (a lagging group lets the partition grow).
   *
   * @defaultValue none
   */
  maxLen?: number | undefined;
  /**
   * With `maxLen`, trim whole macro nodes only (`~`, cheaper; keeps a few more entries).
   *
   * @defaultValue true
   */
  approximate?: boolean | undefined;
  /**
   * Chooses the partition of a keyed message: `(key, partitions) => partition`.
   *
   * @defaultValue {@link partitionFor} (Kafka's default partitioner)
   */
  partitioner?: ((key: string, partitions: number) => number) | undefined;
  /**
   * How long the partition count is cached, in ms.
   *
   * @defaultValue 5000
   */
  metadataMaxAgeMs?: number | undefined;
  /**
   * Messages per atomic script in `sendMany` (1 to 10,000).
   *
   * @defaultValue 1000
   */
  chunkSize?: number | undefined;
}

/** One message to send. */
export interface ProducerMessage<T> {
  /** The value. */
  readonly value: T;
  /** The key: routes the message (same key, same partition) and travels with it. */
  readonly key?: string | undefined;
  /** An explicit partition (0 to partitions − 1), instead of routing by key. */
  readonly partition?: number | undefined;
  /** Headers, string → string. */
  readonly headers?: Headers | undefined;
}

/** Where a sent message went. */
export interface SendResult {
  /** The partition. */
  readonly partition: number;
  /** The entry id in the partition. */
  readonly id: string;
}

/** Options of a {@link Consumer}. */
export interface ConsumerOptions<T> extends TopicObjectOptions<T>, DeadLetterCapOptions {
  /** The consumer group (required). */
  group: string;
  /**
   * The member id; a fixed one is Kafka's static membership (a restart keeps the partitions).
   *
   * @defaultValue host, pid and a random part
   */
  memberId?: string | undefined;
  /**
   * Where the group starts when this consumer creates it.
   *
   * @defaultValue `'start'`
   */
  from?: 'start' | 'end' | undefined;
  /**
   * How often the member heartbeats, in ms.
   *
   * @defaultValue 1000
   */
  heartbeatMs?: number | undefined;
  /**
   * How long a member without a heartbeat stays in the group, in ms (at least 3 × `heartbeatMs`).
   *
   * @defaultValue 10000
   */
  sessionTimeoutMs?: number | undefined;
  /**
   * The lease of each delivered message, in ms: unsettled for this long, it is delivered again.
   *
   * @defaultValue 30000
   */
  leaseMs?: number | undefined;
  /**
   * Deliveries before a message goes to the group's dead letters; 0 for no limit.
   *
   * @defaultValue 5
   */
  maxAttempts?: number | undefined;
  /**
   * `'partition'`: one unit in flight per partition, each partition in log order; `'none'`:
   * several in flight, a retry comes back after later messages.
   *
   * @defaultValue `'partition'`
   */
  ordering?: Ordering | undefined;
  /**
   * The longest idle wait for new messages, in ms.
   *
   * @defaultValue 2000
   */
  blockTimeoutMs?: number | undefined;
  /**
   * Where the consumer logs (pino's shape): that it waits for a topic that does not exist yet.
   *
   * @defaultValue silent
   */
  logger?: Logger | undefined;
}

/** Options of `TopicMessage.nack()`. */
export interface TopicNackOptions {
  /**
   * Wait this long before delivering it again, in ms.
   *
   * @defaultValue 0
   */
  delayMs?: number | undefined;
  /**
   * The error, kept with the message if it goes to the dead letters.
   *
   * @defaultValue `''`
   */
  error?: string | undefined;
}

/** Events of a {@link Consumer}. */
export interface ConsumerEvents {
  /** Partitions this member acquired. */
  assigned: [partitions: number[]];
  /** Partitions this member handed over (their messages settled, the lease released). */
  revoked: [partitions: number[]];
  /** Partitions whose lease this member found gone (it paused longer than its session). */
  lost: [partitions: number[]];
  /** A failure the consumer dealt with itself (a heartbeat that failed, an undecodable message dead-lettered). */
  error: [error: unknown];
  /** Its topic does not exist yet: it waits for it, and joins when it appears (emitted once). */
  waiting: [reason: string];
}

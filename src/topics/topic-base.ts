import { EventEmitter } from 'node:events';
import { decodeWith, stringCodec, type Codec } from '../codec.js';
import type { RedisClient } from '../connection/redis-client.js';
import { GoodRedisError, typed } from '../errors.js';
import { assertInteger, assertOneOf, optionsOf, storedObject } from '../internal/validate.js';
import { ObjectCore } from '../keyspace/object-core.js';
import { PARTITION_SCRIPTS, TOPIC_SCRIPTS, type PartitionCore, type TopicCore } from './scripts.js';
import {
  MAX_PARTITIONS,
  groupKeys,
  partitionGroupKeys,
  partitionKeys,
  topicKeys,
  topicRegistryKey,
  type GroupKeys,
  type PartitionGroupKeys,
  type TopicKeys,
} from './topic-keys.js';
import type { Headers, TopicObjectOptions } from './types.js';

/** The events of a topic object that emits none (`Topic`, `Producer`). */
export type NoEvents = Record<string, never>;

/** The replication a write waits for, or undefined. */
export type Confirmation = { replicas: number; timeoutMs: number } | undefined;

/**
 * What `Topic`, `Producer` and `Consumer` share: a topic name, its keys, a connection, a codec,
 * and how they run the family's scripts.
 *
 * @typeParam T - the type of the values, fixed by the codec
 * @typeParam E - the object's events
 */
export abstract class TopicBase<T, E extends Record<keyof E, unknown[]> = NoEvents> extends EventEmitter<E> {
  /** The topic name. */
  public readonly topic: string;
  /** The key prefix. */
  public readonly prefix: string;
  /** The connection (never closed by the object). */
  public readonly client: RedisClient;
  /** The topic's coordination keys. */
  public readonly redisKeys: TopicKeys;
  /** Encodes and decodes values. */
  protected readonly codec: Codec<T>;
  /** The registry set of topic names. */
  protected readonly registry: string;
  /** The topic's `{T}` scripts (each call names its group's keys, or the topic's). */
  protected readonly topicCore: TopicCore<T>;
  /** Its partitions' scripts (each call names its partition's keys). */
  protected readonly partitionCore: PartitionCore<T>;

  /** Checks the name and the shared options. */
  protected constructor(client: RedisClient, topic: string, options: TopicObjectOptions<T>) {
    super();
    options = optionsOf(options);
    this.prefix = options.prefix ?? '';
    this.redisKeys = topicKeys(topic, this.prefix);
    this.registry = topicRegistryKey(this.prefix);
    this.topic = topic;
    this.client = client;
    this.codec = options.codec ?? (stringCodec as unknown as Codec<T>);
    this.topicCore = new ObjectCore(client, topic, this.prefix, this.groupKeysOf(), TOPIC_SCRIPTS, this.codec, undefined, {
      key: this.registry,
      what: 'topic',
      then: 'the next ensure registers it',
    });
    this.partitionCore = new ObjectCore(client, topic, this.prefix, undefined, PARTITION_SCRIPTS, this.codec, undefined);
  }

  /** The coordination keys of `group` (or only the topic's, for scripts that need no group key). */
  protected groupKeysOf(group?: string): GroupKeys {
    if (group !== undefined) return groupKeys(this.topic, group, this.prefix);
    // Scripts without a group key (ensureTopic, readTopic, addGroup, raisePartitions) never send these.
    return { ...this.redisKeys, group: '', members: '' };
  }

  /** The keys of partition `partition` for `group` (or only its log, for scripts that need no group key). */
  protected partitionKeysOf(partition: number, group?: string): PartitionGroupKeys {
    if (group !== undefined) return partitionGroupKeys(this.topic, partition, group, this.prefix);
    // Scripts without a group key (send, createGroups) name only the log and the stats; the others are never sent.
    return { ...partitionKeys(this.topic, partition, this.prefix), own: '', retry: '', dead: '' };
  }

  /** Creates the topic unless it exists (one script), registers it, and returns its partition count. */
  protected async ensureTopic(partitions: number): Promise<number> {
    assertInteger(partitions, 'partitions', 1, MAX_PARTITIONS);
    return this.topicCore.registering(this.topicCore.call('ensureTopic', { partitions }));
  }

  /**
   * Creates `group` on every partition (idempotent): added to the topic's groups before the
   * partition count is read, so a racing increase creates it on the new partitions too.
   */
  protected async createGroupOn(group: string, from: 'start' | 'end'): Promise<void> {
    assertOneOf(from, ['start', 'end'], 'from');
    const partitions = await this.topicCore.call('addGroup', { group });
    const created = [];
    for (let p = 0; p < partitions; p++) created.push(this.partitionCore.call('createGroups', { from, groups: [group] }, { keys: this.partitionKeysOf(p) }));
    await Promise.all(created);
  }

  /**
   * The partition count; 0 for a topic that does not exist.
   *
   * @throws {@link GoodRedisError} `Redis` when the field holds no count from 1 to 1024 (another program's, a hand edit's), as the scripts refuse it
   */
  protected async readPartitions(): Promise<number> {
    const raw = await typed(this.client.hget(this.redisKeys.topic, 'partitions'));
    if (raw === null) return 0;
    const n = Number(raw);
    if (!/^\d+$/.test(raw) || n < 1 || n > MAX_PARTITIONS) {
      throw new GoodRedisError(
        'Redis',
        `${this.redisKeys.topic} field partitions holds ${JSON.stringify(raw)}, not a partition count from 1 to ${String(MAX_PARTITIONS)}: set it again with HSET ${this.redisKeys.topic} partitions <count>`,
      );
    }
    return n;
  }

  /** Decodes one stored value; a value the codec refuses is a `Codec` error naming the topic. */
  protected decode(raw: string | Buffer, where: () => string): T {
    return decodeWith(this.codec, raw, () => `topic ${JSON.stringify(this.topic)}, ${where()}`);
  }
}

/** A stream entry's fields as a map. */
export function fieldsOf(fields: readonly (string | Buffer)[]): Map<string, string | Buffer> {
  const map = new Map<string, string | Buffer>();
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const value = fields[i + 1];
    if (value !== undefined) map.set(String(fields[i]), value);
  }
  return map;
}

/** A log entry's fields: `v` the value, `k` the key, `h` the headers as JSON. */
export interface LogEntry {
  /** The stored value; undefined for an entry without one (no producer wrote it). */
  value: string | Buffer | undefined;
  /** The key, or null for a keyless message. */
  key: string | null;
  /** The headers as JSON, if any. */
  headers: string | Buffer | undefined;
}

/** Reads a log entry's fields (without a Map per entry: this runs once per message fetched). */
export function logEntryOf(fields: readonly (string | Buffer)[]): LogEntry {
  const entry: LogEntry = { value: undefined, key: null, headers: undefined };
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const name = String(fields[i]);
    const value = fields[i + 1];
    if (value === undefined) break;
    if (name === 'v') entry.value = value;
    else if (name === 'k') entry.key = String(value);
    else if (name === 'h') entry.headers = value;
  }
  return entry;
}

/** The group a replayed dead letter is for (its `g` field), or undefined for an ordinary entry. */
export function replayedFor(fields: readonly (string | Buffer)[]): string | undefined {
  for (let i = 0; i + 1 < fields.length; i += 2) if (String(fields[i]) === 'g') return String(fields[i + 1]);
  return undefined;
}

/** The headers of a message sent without any (one frozen object for all of them). */
const NO_HEADERS: Headers = Object.freeze({});

/** Parses stored headers (JSON); anything else is no headers. */
export function headersOf(raw: string | Buffer | undefined): Headers {
  if (raw === undefined) return NO_HEADERS;
  return (storedObject(raw) as Headers | undefined) ?? {};
}

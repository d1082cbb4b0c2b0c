import { familyRegistryKey, objectKeys, type KeyLayout } from '../keyspace/keys.js';
import { assertObjectName, invalid } from '../internal/validate.js';
import type { KeyType } from '../scripting/script-set.js';

/**
 * The keys of a topic's coordination, all under the hash tag `{T}` (one Cluster slot), with the
 * family tag `:tp`. A group's own keys ({@link GroupKeys}) are in the same slot.
 */
export interface TopicKeys {
  /** `P:tp{T}:topic`, a hash: `partitions`, `created` (server ms) and `groups-version` (bumped when a group is added). */
  readonly topic: string;
  /** `P:tp{T}:groups`, a set: the topic's group names. */
  readonly groups: string;
}

/** The coordination keys of one consumer group of a topic (slot `{T}`). */
export interface GroupKeys extends TopicKeys {
  /** `P:tp{T}:group:G`, a hash: `generation`, `partitions`, `members` and `t:<n>` → member id (the target). */
  readonly group: string;
  /** `P:tp{T}:members:G`, a sorted set: member id → session deadline (server ms). */
  readonly members: string;
}

/** The keys of one partition of a topic (slot `{T#n}`). */
export interface PartitionKeys {
  /** `P:tp{T#n}:log`, the partition's stream. */
  readonly log: string;
  /** `P:tp{T#n}:stats`, a hash: `added`, the messages producers sent to the partition, in total (replays are not counted). */
  readonly stats: string;
}

/** The keys of one partition for one group (slot `{T#n}`). */
export interface PartitionGroupKeys extends PartitionKeys {
  /** `P:tp{T#n}:own:G`, a hash: the group's lease of the partition (`member`, `incarnation`, `until`) and its read epoch (`epoch`, kept when the lease is released). */
  readonly own: string;
  /** `P:tp{T#n}:retry:G`, a sorted set: nacked entry id → when it may be delivered again (server ms). */
  readonly retry: string;
  /** `P:tp{T#n}:dead:G`, a stream: the group's dead letters from the partition. */
  readonly dead: string;
}

/** The layout of a topic's coordination keys: family tag `:tp` (its partitions' keys share the tag). */
export const TOPIC_LAYOUT: KeyLayout<keyof TopicKeys> = {
  what: 'topic',
  tag: ':tp',
  suffixes: { topic: 'topic', groups: 'groups' },
  types: { topic: 'hash', groups: 'set' },
};
const PARTITION_LAYOUT: KeyLayout<keyof PartitionKeys> = {
  what: 'topic',
  tag: ':tp',
  suffixes: { log: 'log', stats: 'stats' },
  types: { log: 'stream', stats: 'hash' },
};

/** What each key of a group holds (the topic's keys and the group's own). */
export const GROUP_KEY_TYPES: Readonly<Record<keyof GroupKeys, KeyType>> = { ...TOPIC_LAYOUT.types, group: 'hash', members: 'zset' };

/** What each key of a partition holds for a group. */
export const PARTITION_GROUP_KEY_TYPES: Readonly<Record<keyof PartitionGroupKeys, KeyType>> = {
  ...PARTITION_LAYOUT.types,
  own: 'hash',
  retry: 'zset',
  dead: 'stream',
};

/** The most partitions a topic may have. */
export const MAX_PARTITIONS = 1024;

/**
 * Checks a topic name: non-empty, without `{`, `}` (its hash tag) or `#` (which separates the
 * partition number in a partition's hash tag).
 *
 * @throws {@link GoodRedisError} `InvalidArgument`
 */
export function assertTopicName(name: unknown): asserts name is string {
  assertObjectName(name, 'topic');
  if (name.includes('#')) throw invalid(`topic name must not contain "#", got ${JSON.stringify(name)}`);
}

/**
 * Checks a consumer group name: non-empty, without `{` or `}`.
 *
 * @throws {@link GoodRedisError} `InvalidArgument`
 */
export function assertGroupName(group: unknown): asserts group is string {
  assertObjectName(group, 'group');
}

/**
 * The coordination keys of topic `name` under `prefix`.
 *
 * @param name - the topic name
 * @param prefix - the key prefix
 */
export function topicKeys(name: string, prefix = ''): TopicKeys {
  assertTopicName(name);
  return objectKeys(TOPIC_LAYOUT, name, prefix);
}

/**
 * The coordination keys of group `group` of topic `name`.
 *
 * @param name - the topic name
 * @param group - the group name
 * @param prefix - the key prefix
 */
export function groupKeys(name: string, group: string, prefix = ''): GroupKeys {
  assertGroupName(group);
  const keys = topicKeys(name, prefix);
  const tag = keys.topic.slice(0, -'topic'.length);
  return { ...keys, group: `${tag}group:${group}`, members: `${tag}members:${group}` };
}

/**
 * The keys of partition `partition` of topic `name`: its hash tag is `{name#partition}`, so
 * partitions spread over a Cluster's masters.
 *
 * @param name - the topic name
 * @param partition - the partition number
 * @param prefix - the key prefix
 */
export function partitionKeys(name: string, partition: number, prefix = ''): PartitionKeys {
  assertTopicName(name);
  return objectKeys(PARTITION_LAYOUT, `${name}#${String(partition)}`, prefix);
}

/**
 * The keys of partition `partition` of topic `name` for group `group`.
 *
 * @param name - the topic name
 * @param partition - the partition number
 * @param group - the group name
 * @param prefix - the key prefix
 */
export function partitionGroupKeys(name: string, partition: number, group: string, prefix = ''): PartitionGroupKeys {
  assertGroupName(group);
  const { log, stats } = partitionKeys(name, partition, prefix);
  const tag = log.slice(0, -'log'.length);
  return { log, stats, own: `${tag}own:${group}`, retry: `${tag}retry:${group}`, dead: `${tag}dead:${group}` };
}

/**
 * The registry set of every topic name under `prefix` (`:tp:keys` with the default prefix).
 *
 * @param prefix - the key prefix
 */
export function topicRegistryKey(prefix = ''): string {
  return familyRegistryKey('tp', prefix);
}

import { LUA_SOURCES } from './lua-sources.js';
import { ScriptSet, type ScriptArg, type ScriptDefinition } from '../scripting/script-set.js';
import { compareIds } from './stream-ids.js';
import { GROUP_KEY_TYPES, PARTITION_GROUP_KEY_TYPES, type GroupKeys, type PartitionGroupKeys } from './topic-keys.js';

/** The keys a topic-level script may name (slot `{T}`). */
export type TopicKeyRole = keyof GroupKeys;

/** The keys a partition script may name (slot `{T#n}`). */
export type PartitionKeyRole = keyof PartitionGroupKeys;

/** How a consumer orders a partition's deliveries. */
export type Ordering = 'partition' | 'none';

/** One topic script: file, keys, flags and its argument encoder (see the streams' `StreamScript`). */
export interface TopicScript<R extends string, I> extends ScriptDefinition<R> {
  /** The script's ARGV for a request. */
  readonly encode: (input: I) => ScriptArg[];
}

function script<R extends string, I>(
  file: string,
  keys: readonly R[],
  access: 'read' | 'write' | 'remove',
  encode: (input: I) => ScriptArg[],
): TopicScript<R, I> {
  return { file, keys, readOnly: access === 'read', allowOom: access === 'remove', encode };
}

/** One message as the send script takes it. */
export interface EncodedMessage {
  /** The encoded value. */
  readonly value: string | Buffer;
  /** The key, if any. */
  readonly key?: string | undefined;
  /** The headers as JSON, if any. */
  readonly headers?: string | undefined;
}

/** A delivered entry as the settle scripts name it: its id and the delivery count it was handed out with. */
export interface DeliveryRef {
  /** The entry id. */
  readonly id: string;
  /** The delivery count (the message's `attempt`). */
  readonly attempt: number;
}

/** The lowest and highest id of deliveries (for one read of the caller's pending entries between them); `inOrder`: the first is known to be the lowest and the last the highest. */
function bounds(deliveries: readonly DeliveryRef[], inOrder: boolean): [lo: string, hi: string] {
  if (inOrder) return [deliveries[0]?.id ?? '0-0', deliveries.at(-1)?.id ?? '0-0'];
  let lo = deliveries[0]?.id ?? '0-0';
  let hi = lo;
  for (const d of deliveries) {
    // Deliveries usually come in log order: each is then above the highest so far.
    if (compareIds(d.id, hi) > 0) hi = d.id;
    else if (compareIds(d.id, lo) < 0) lo = d.id;
  }
  return [lo, hi];
}

/** The ARGV pairs of deliveries. */
function pairs(deliveries: readonly DeliveryRef[]): ScriptArg[] {
  const out: ScriptArg[] = [];
  for (const d of deliveries) out.push(d.id, d.attempt);
  return out;
}

/** The scripts of a topic's coordination (slot `{T}`), by name. */
export const TOPIC_SCRIPTS_TABLE = {
  ensureTopic: script<TopicKeyRole, { partitions: number }>('ensureTopic-1.lua', ['topic'], 'write', (r) => [r.partitions]),
  readTopic: script<TopicKeyRole, Record<string, never>>('readTopic-2.lua', ['topic', 'groups'], 'read', () => []),
  addGroup: script<TopicKeyRole, { group: string }>('addGroup-2.lua', ['topic', 'groups'], 'write', (r) => [r.group]),
  raisePartitions: script<TopicKeyRole, { partitions: number; version: number }>('raisePartitions-1.lua', ['topic'], 'write', (r) => [r.partitions, r.version]),
  heartbeat: script<TopicKeyRole, { member: string; sessionMs: number; leave?: boolean | undefined }>(
    'heartbeat-3.lua',
    ['topic', 'group', 'members'],
    'write',
    (r) => [r.member, r.sessionMs, r.leave === true ? '1' : '0'],
  ),
} as const;

/** The scripts of one partition (slot `{T#n}`), by name. */
export const PARTITION_SCRIPTS_TABLE = {
  send: script<PartitionKeyRole, { maxLen?: number | undefined; approximate?: boolean | undefined; messages: readonly EncodedMessage[] }>(
    'send-2.lua',
    ['log', 'stats'],
    'write',
    (r) => {
      const args: ScriptArg[] = [r.maxLen ?? 0, r.approximate === false ? '0' : '1'];
      for (const m of r.messages) args.push(m.value, m.key === undefined ? '' : `=${m.key}`, m.headers ?? '');
      return args;
    },
  ),
  createGroups: script<PartitionKeyRole, { from: 'start' | 'end'; groups: readonly string[] }>('createGroups-1.lua', ['log'], 'write', (r) => [
    r.from === 'end' ? '$' : '0',
    ...r.groups,
  ]),
  lease: script<PartitionKeyRole, { action: 'acquire' | 'renew' | 'release'; member: string; incarnation: string; ms: number }>(
    'lease-1.lua',
    ['own'],
    'write',
    (r) => [r.action, r.member, r.incarnation, r.ms],
  ),
  fetch: script<
    PartitionKeyRole,
    {
      group: string;
      member: string;
      incarnation: string;
      count: number;
      leaseMs: number;
      maxAttempts: number;
      ordering: Ordering;
      lease?: number | undefined;
      deadCaps: string;
    }
  >('fetch-4.lua', ['log', 'own', 'retry', 'dead'], 'write', (r) => [
    r.group,
    r.member,
    r.incarnation,
    r.count,
    r.leaseMs,
    r.maxAttempts,
    r.ordering,
    Math.min(r.lease ?? r.leaseMs, r.leaseMs),
    r.deadCaps,
  ]),
  guard: script<PartitionKeyRole, { group: string; member: string; incarnation: string }>('guard-2.lua', ['log', 'own'], 'write', (r) => [
    r.group,
    r.member,
    r.incarnation,
  ]),
  ack: script<PartitionKeyRole, { group: string; member: string; deliveries: readonly DeliveryRef[]; epoch?: string | undefined }>(
    'ack-3.lua',
    ['log', 'own', 'retry'],
    'remove',
    (r) => [
      r.group,
      r.member,
      ...bounds(r.deliveries, (r.epoch ?? '') !== ''),
      r.epoch ?? '',
      r.deliveries.map((d) => d.attempt).join(','),
      ...r.deliveries.map((d) => d.id),
    ],
  ),
  nack: script<
    PartitionKeyRole,
    { group: string; member: string; delayMs: number; maxAttempts: number; error: string; deadCaps: string; deliveries: readonly DeliveryRef[] }
  >('nack-3.lua', ['log', 'retry', 'dead'], 'write', (r) => [r.group, r.member, r.delayMs, r.maxAttempts, r.error, r.deadCaps, ...pairs(r.deliveries)]),
  extend: script<PartitionKeyRole, { group: string; member: string; leaseMs: number; ms: number; deliveries: readonly DeliveryRef[] }>(
    'extend-1.lua',
    ['log'],
    'write',
    (r) => [r.group, r.member, r.leaseMs, r.ms, ...pairs(r.deliveries)],
  ),
  release: script<PartitionKeyRole, { group: string; member: string; deliveries: readonly DeliveryRef[] }>(
    'release-3.lua',
    ['log', 'own', 'retry'],
    'write',
    (r) => [r.group, r.member, ...pairs(r.deliveries)],
  ),
  replayDead: script<PartitionKeyRole, { group: string; limit: number; ids?: readonly string[] | undefined }>(
    'replayDead-2.lua',
    ['log', 'dead'],
    'write',
    (r) => [r.group, r.limit, ...(r.ids ?? [])],
  ),
  purgeDead: script<PartitionKeyRole, { ids?: readonly string[] | undefined }>('purgeDead-1.lua', ['dead'], 'remove', (r) => [...(r.ids ?? [])]),
} as const;

/** The name of a topic-level script. */
export type TopicScriptName = keyof typeof TOPIC_SCRIPTS_TABLE;

/** The name of a partition script. */
export type PartitionScriptName = keyof typeof PARTITION_SCRIPTS_TABLE;

/** The request a topic-level script's encoder takes. */
export type TopicScriptInput<N extends TopicScriptName> = Parameters<(typeof TOPIC_SCRIPTS_TABLE)[N]['encode']>[0];

/** The request a partition script's encoder takes. */
export type PartitionScriptInput<N extends PartitionScriptName> = Parameters<(typeof PARTITION_SCRIPTS_TABLE)[N]['encode']>[0];

/** The topic-level scripts (slot `{T}`). */
export const TOPIC_SCRIPTS = new ScriptSet<TopicScriptName, TopicKeyRole>('tp', TOPIC_SCRIPTS_TABLE, LUA_SOURCES, GROUP_KEY_TYPES);

/** The partition scripts (slot `{T#n}`). */
export const PARTITION_SCRIPTS = new ScriptSet<PartitionScriptName, PartitionKeyRole>('tpp', PARTITION_SCRIPTS_TABLE, LUA_SOURCES, PARTITION_GROUP_KEY_TYPES);

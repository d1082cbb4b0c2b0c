import { LUA_SOURCES } from './lua-sources.js';
import { ScriptSet, type ScriptArg } from '../scripting/script-set.js';
import { defineScript, numbers, texts } from '../scripting/define-script.js';
import type { ObjectCore } from '../keyspace/object-core.js';
import { compareIds } from './stream-ids.js';
import { GROUP_KEY_TYPES, PARTITION_GROUP_KEY_TYPES, type GroupKeys, type PartitionGroupKeys } from './topic-keys.js';

/** The keys a topic-level script may name (slot `{T}`). */
export type TopicKeyRole = keyof GroupKeys;

/** The keys a partition script may name (slot `{T#n}`). */
export type PartitionKeyRole = keyof PartitionGroupKeys;

/** How a consumer orders a partition's deliveries. */
export type Ordering = 'partition' | 'none';

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

/** A delivered entry's fields as XREADGROUP returns them. */
export type EntryFields = (string | Buffer)[];

/** One entry a fetch gave: its id, which delivery it is, its fields. */
export type FetchedEntry = [id: string, attempt: number, fields: EntryFields];

/** The reply of fetch-4.lua, decoded: the member lost the partition, or what it gave. */
export type FetchReply =
  | { readonly lost: true }
  | {
      readonly lost: false;
      /** When to look again (ms; -1: nothing comes due). */
      readonly wakeInMs: number;
      /** The partition's last entry id when it had less to give than asked (an idle wait starts after it), else ''. */
      readonly lastSeen: string;
      /** New entries (delivery 1) as XREADGROUP returned them, then claimed ones with their counts. */
      readonly entries: FetchedEntry[];
    };

/** Decodes the reply of fetch-4.lua: `'lost'`, or `[status, wakeInMs, _, lastSeen, newEntries, id, deliveries, fields, …]`. */
export function decodeFetch(reply: unknown): FetchReply {
  const r = reply as unknown[];
  if (String(r[0]) === 'lost') return { lost: true };
  const entries: FetchedEntry[] = [];
  for (const [id, fields] of (r[4] ?? []) as [string | Buffer, EntryFields][]) entries.push([String(id), 1, fields]);
  for (let i = 5; i + 2 < r.length; i += 3) entries.push([String(r[i]), Number(r[i + 1]), r[i + 2] as EntryFields]);
  return { lost: false, wakeInMs: Number(r[1]), lastSeen: String(r[3]), entries };
}

/** Decodes the reply of ack-3.lua: a number when the fast check acked every delivery, else one 1 (acked) or 0 (lost) per delivery. */
export function decodeAck(reply: unknown): 'all' | number[] {
  return typeof reply === 'number' ? 'all' : numbers(reply);
}

/** Decodes the reply of heartbeat-3.lua: `[generation, _, _, owner of partition 0, owner of partition 1, …]`. */
export function decodeHeartbeat(reply: unknown): { generation: number; target: string[] } {
  const [generation, , , ...target] = reply as unknown[];
  return { generation: Number(generation), target: target.map(String) };
}

/** Decodes the reply of readTopic-2.lua: `[partitions, version, group, …]`. */
export function decodeTopic(reply: unknown): { partitions: number; version: number; groups: string[] } {
  const [partitions, version, ...groups] = reply as unknown[];
  return { partitions: Number(partitions), version: Number(version), groups: groups.map(String) };
}

/** Whether a lease script left the member holding the lease (1) or not (0). */
const held = (reply: unknown): boolean => Number(reply) === 1;

/** The scripts of a topic's coordination (slot `{T}`), by name. */
export const TOPIC_SCRIPTS_TABLE = {
  ensureTopic: defineScript<TopicKeyRole, { partitions: number }, number>('ensureTopic-1.lua', ['topic'], 'write', (r) => [r.partitions], Number),
  readTopic: defineScript<TopicKeyRole, Record<string, never>, ReturnType<typeof decodeTopic>>(
    'readTopic-2.lua',
    ['topic', 'groups'],
    'read',
    () => [],
    decodeTopic,
  ),
  addGroup: defineScript<TopicKeyRole, { group: string }, number>('addGroup-2.lua', ['topic', 'groups'], 'write', (r) => [r.group], Number),
  raisePartitions: defineScript<TopicKeyRole, { partitions: number; version: number }, number>(
    'raisePartitions-1.lua',
    ['topic'],
    'write',
    (r) => [r.partitions, r.version],
    Number,
  ),
  heartbeat: defineScript<TopicKeyRole, { member: string; sessionMs: number; leave?: boolean | undefined }, ReturnType<typeof decodeHeartbeat>>(
    'heartbeat-3.lua',
    ['topic', 'group', 'members'],
    'write',
    (r) => [r.member, r.sessionMs, r.leave === true ? '1' : '0'],
    decodeHeartbeat,
  ),
} as const;

/** The scripts of one partition (slot `{T#n}`), by name. */
export const PARTITION_SCRIPTS_TABLE = {
  send: defineScript<PartitionKeyRole, { maxLen?: number | undefined; approximate?: boolean | undefined; messages: readonly EncodedMessage[] }, string[]>(
    'send-2.lua',
    ['log', 'stats'],
    'write',
    (r) => {
      const args: ScriptArg[] = [r.maxLen ?? 0, r.approximate === false ? '0' : '1'];
      for (const m of r.messages) args.push(m.value, m.key === undefined ? '' : `=${m.key}`, m.headers ?? '');
      return args;
    },
    texts,
  ),
  createGroups: defineScript<PartitionKeyRole, { from: 'start' | 'end'; groups: readonly string[] }>('createGroups-1.lua', ['log'], 'write', (r) => [
    r.from === 'end' ? '$' : '0',
    ...r.groups,
  ]),
  lease: defineScript<PartitionKeyRole, { action: 'acquire' | 'renew' | 'release'; member: string; incarnation: string; ms: number }, boolean>(
    'lease-1.lua',
    ['own'],
    'write',
    (r) => [r.action, r.member, r.incarnation, r.ms],
    held,
  ),
  fetch: defineScript<
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
    },
    FetchReply
  >(
    'fetch-4.lua',
    ['log', 'own', 'retry', 'dead'],
    'write',
    (r) => [r.group, r.member, r.incarnation, r.count, r.leaseMs, r.maxAttempts, r.ordering, Math.min(r.lease ?? r.leaseMs, r.leaseMs), r.deadCaps],
    decodeFetch,
  ),
  guard: defineScript<PartitionKeyRole, { group: string; member: string; incarnation: string }>('guard-2.lua', ['log', 'own'], 'write', (r) => [
    r.group,
    r.member,
    r.incarnation,
  ]),
  ack: defineScript<PartitionKeyRole, { group: string; member: string; deliveries: readonly DeliveryRef[]; epoch?: string | undefined }, 'all' | number[]>(
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
    decodeAck,
  ),
  nack: defineScript<
    PartitionKeyRole,
    { group: string; member: string; delayMs: number; maxAttempts: number; error: string; deadCaps: string; deliveries: readonly DeliveryRef[] },
    string[]
  >('nack-3.lua', ['log', 'retry', 'dead'], 'write', (r) => [r.group, r.member, r.delayMs, r.maxAttempts, r.error, r.deadCaps, ...pairs(r.deliveries)], texts),
  extend: defineScript<PartitionKeyRole, { group: string; member: string; leaseMs: number; ms: number; deliveries: readonly DeliveryRef[] }, number[]>(
    'extend-1.lua',
    ['log'],
    'write',
    (r) => [r.group, r.member, r.leaseMs, r.ms, ...pairs(r.deliveries)],
    numbers,
  ),
  release: defineScript<PartitionKeyRole, { group: string; member: string; deliveries: readonly DeliveryRef[] }>(
    'release-3.lua',
    ['log', 'own', 'retry'],
    'write',
    (r) => [r.group, r.member, ...pairs(r.deliveries)],
  ),
  replayDead: defineScript<PartitionKeyRole, { group: string; limit: number; ids?: readonly string[] | undefined }, number>(
    'replayDead-2.lua',
    ['log', 'dead'],
    'write',
    (r) => [r.group, r.limit, ...(r.ids ?? [])],
    Number,
  ),
  purgeDead: defineScript<PartitionKeyRole, { ids?: readonly string[] | undefined }, number>(
    'purgeDead-1.lua',
    ['dead'],
    'remove',
    (r) => [...(r.ids ?? [])],
    Number,
  ),
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
export const TOPIC_SCRIPTS = new ScriptSet<TopicScriptName, TopicKeyRole, typeof TOPIC_SCRIPTS_TABLE>('tp', TOPIC_SCRIPTS_TABLE, LUA_SOURCES, GROUP_KEY_TYPES);

/** The partition scripts (slot `{T#n}`). */
export const PARTITION_SCRIPTS = new ScriptSet<PartitionScriptName, PartitionKeyRole, typeof PARTITION_SCRIPTS_TABLE>(
  'tpp',
  PARTITION_SCRIPTS_TABLE,
  LUA_SOURCES,
  PARTITION_GROUP_KEY_TYPES,
);

/** A topic object's core for its `{T}` scripts (each call names its group's keys). */
export type TopicCore<T> = ObjectCore<TopicScriptName, TopicKeyRole, typeof TOPIC_SCRIPTS_TABLE, T>;

/** A topic object's core for its partitions' scripts (each call names its partition's keys). */
export type PartitionCore<T> = ObjectCore<PartitionScriptName, PartitionKeyRole, typeof PARTITION_SCRIPTS_TABLE, T>;

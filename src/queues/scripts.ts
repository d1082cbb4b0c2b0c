import { LUA_SOURCES } from './lua-sources.js';
import { ScriptSet } from '../scripting/script-set.js';
import { defineScript, numbers } from '../scripting/define-script.js';
import type { ObjectCore } from '../keyspace/object-core.js';
import { storedObject } from '../internal/validate.js';
import { QUEUE_LAYOUT, type QueueKeys } from './queue-keys.js';
import type { PoolStats, QueueConsumer, QueueStats } from './types.js';

/** The keys of a queue a script may name, by role (the fields of {@link QueueKeys}). */
export type QueueKeyRole = keyof QueueKeys;

/** Which class writes: a `Queue` or a `UniqueQueue`. */
export type QueueKind = 'queue' | 'unique';

/** Which class holds a name: a `Queue`, a `UniqueQueue` or a `Pool`. */
export type QueueFamilyKind = QueueKind | 'pool';

/** One delivery as getItems-10.lua hands it out: its id, its value as stored, its rollbacks so far. */
export interface DeliveryReply {
  readonly id: string;
  readonly raw: string | Buffer;
  readonly rollbacks: number;
}

/** Decodes the reply of getItems-10.lua: flat `id, value, rollbacks` triples. */
export function decodeDeliveries(reply: unknown): DeliveryReply[] {
  const flat = reply as unknown[];
  const out: DeliveryReply[] = [];
  for (let i = 0; i + 2 < flat.length; i += 3) out.push({ id: String(flat[i]), raw: flat[i + 1] as string | Buffer, rollbacks: Number(flat[i + 2]) });
  return out;
}

/** Decodes the reply of addItems-4.lua: a queue's length after the add, or, for a unique queue, whether each value was new. */
export function decodeAdd(reply: unknown): { length: number } | { added: boolean[] } {
  return typeof reply === 'number' ? { length: reply } : { added: numbers(reply).map((n) => n === 1) };
}

/** Decodes the reply of heartbeat-3.lua: whether the consumer was still known (registered), and how many deliveries Redis holds for it. */
export function decodeQueueHeartbeat(reply: unknown): { known: boolean; held: number } {
  const [known = 0, held = 0] = numbers(reply);
  return { known: known === 1, held };
}

/** Decodes the reply of reapItems-10.lua: `[moved, left]` (left: 0 when nothing is left to reap). */
export function decodeReap(reply: unknown): { moved: number; left: number } {
  const [moved = 0, left = 0] = numbers(reply);
  return { moved, left };
}

/** Decodes the reply of readStats-5.lua: six numbers in {@link QueueStats}'s order. */
export function decodeQueueStats(reply: unknown): QueueStats {
  const [waiting = 0, processing = 0, consumers = 0, deadConsumers = 0, added = 0, now = 0] = numbers(reply);
  return { waiting, processing, consumers, deadConsumers, added, now };
}

/** Decodes the reply of readConsumers-4.lua: a count, then `id, heartbeat, alive, held, oldest held (-1: none), info JSON` per consumer. */
export function decodeConsumers(reply: unknown): QueueConsumer[] {
  const flat = reply as unknown[];
  const out: QueueConsumer[] = [];
  for (let i = 1; i + 5 < flat.length; i += 6) {
    const oldest = Number(flat[i + 4]);
    const info = storedObject(String(flat[i + 5])) ?? {};
    out.push({
      id: String(flat[i]),
      lastHeartbeatAt: Number(flat[i + 1]),
      alive: Number(flat[i + 2]) === 1,
      held: Number(flat[i + 3]),
      oldestHeldAt: oldest < 0 ? null : oldest,
      consumerTimeoutMs: typeof info.t === 'number' ? info.t : 60_000, // 60 s when unregistered or unreadable, as the scripts count it
    });
  }
  return out;
}

/** Decodes the reply of poolGet-5.lua: `[[item, value, …], wakeInMs]`. */
export function decodePoolLease(reply: unknown): { leased: { id: string; raw: string | Buffer }[]; wakeInMs: number } {
  const [flat, wake] = reply as [unknown[], unknown];
  const leased: { id: string; raw: string | Buffer }[] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) leased.push({ id: String(flat[i]), raw: flat[i + 1] as string | Buffer });
  return { leased, wakeInMs: Number(wake) };
}

/** Decodes the reply of poolStats-3.lua: five numbers in {@link PoolStats}'s order. */
export function decodePoolStats(reply: unknown): PoolStats {
  const [size = 0, due = 0, leased = 0, added = 0, now = 0] = numbers(reply);
  return { size, due, leased, added, now };
}

/** The keys the reaper needs (getItems and reapItems run it). */
const REAPING = ['list', 'unique', 'consumers', 'consumerInfo', 'held', 'deliveries', 'rollbacks', 'rollbackTimes', 'marker', 'meta'] as const;

/** Every key of a queue (delete). */
const EVERY_KEY = [...REAPING, 'pool', 'poolLeases', 'poolReadded', 'poolMarker'] as const;

/** The keys of a Pool's scripts. */
const POOL = ['pool', 'poolLeases', 'poolReadded', 'poolMarker', 'meta'] as const;

/** Every script of a reliable queue, by name. */
export const QUEUE_SCRIPTS_TABLE = {
  addItems: defineScript(
    'addItems-4.lua',
    ['list', 'unique', 'marker', 'meta'],
    'write',
    (r: { kind: QueueKind; values: readonly (string | Buffer)[] }) => [r.kind, ...r.values],
    decodeAdd,
  ),
  getItems: defineScript(
    'getItems-10.lua',
    REAPING,
    'write',
    (r: { kind: QueueKind; consumer: string; info: string; count: number; callId: string; chunk: number; rollbackTtlMs: number }) => [
      r.kind,
      r.consumer,
      r.info,
      r.count,
      r.callId,
      r.chunk,
      r.rollbackTtlMs,
    ],
    decodeDeliveries,
  ),
  ackItems: defineScript(
    'ackItems-4.lua',
    ['held', 'deliveries', 'rollbacks', 'rollbackTimes'],
    'remove',
    (r: { ids: readonly string[] }) => [...r.ids],
    Number,
  ),
  rejectItems: defineScript(
    'rejectItems-5.lua',
    ['list', 'unique', 'held', 'deliveries', 'marker'],
    'write',
    (r: { kind: QueueKind; ids: readonly string[] }) => [r.kind, ...r.ids],
    Number,
  ),
  deleteItem: defineScript(
    'deleteItem-5.lua',
    ['list', 'unique', 'rollbacks', 'rollbackTimes', 'meta'],
    'remove',
    (r: { kind: QueueKind; count: number; value: string | Buffer }) => [r.kind, r.count, r.value],
    Number,
  ),
  reapItems: defineScript(
    'reapItems-10.lua',
    REAPING,
    'write',
    (r: {
      kind: QueueKind;
      mode: 'dead' | 'timeout' | 'all';
      timeoutMs?: number | undefined;
      action: 'requeue' | 'drop';
      limit: number;
      rollbackTtlMs: number;
    }) => [r.kind, r.mode, r.timeoutMs ?? 0, r.action, r.limit, r.rollbackTtlMs],
    decodeReap,
  ),
  heartbeat: defineScript(
    'heartbeat-3.lua',
    ['consumers', 'consumerInfo', 'held'],
    'write',
    (r: { consumer: string; info: string }) => [r.consumer, r.info],
    decodeQueueHeartbeat,
  ),
  rollback: defineScript(
    'rollback-2.lua',
    ['rollbacks', 'rollbackTimes'],
    'write',
    (r: { action: 'count' | 'reset'; value: string | Buffer; maxRetry?: number | undefined; maxTimeoutMs?: number | undefined }) => [
      r.action,
      r.value,
      r.maxRetry ?? 0,
      r.maxTimeoutMs ?? 0,
    ],
    Number,
  ),
  releaseItems: defineScript(
    'releaseItems-7.lua',
    ['list', 'unique', 'consumers', 'consumerInfo', 'held', 'deliveries', 'marker'],
    'write',
    (r: { kind: QueueKind; consumer: string; removeConsumer?: boolean | undefined; limit?: number | undefined; which: ReleaseWhich }) => [
      r.kind,
      r.consumer,
      r.which.kind,
      r.removeConsumer === true ? '1' : '0',
      r.limit ?? 1,
      ...(r.which.kind === 'call' ? [r.which.callId] : r.which.kind === 'stale' ? [r.which.calls.length, ...r.which.calls, ...r.which.runs] : []),
    ],
    Number,
  ),
  readStats: defineScript('readStats-5.lua', ['list', 'consumers', 'consumerInfo', 'held', 'meta'], 'read', () => [], decodeQueueStats),
  readConsumers: defineScript('readConsumers-4.lua', ['consumers', 'consumerInfo', 'held', 'deliveries'], 'read', () => [], decodeConsumers),
  deleteQueue: defineScript('deleteQueue-14.lua', EVERY_KEY, 'remove', () => [], Number, { anyType: true }),
  poolAdd: defineScript(
    'poolAdd-5.lua',
    POOL,
    'write',
    (r: { dueAt?: number | undefined; items: readonly (string | Buffer)[] }) => [r.dueAt ?? '', ...r.items],
    (reply) => numbers(reply).map((n) => n === 1), // per item: whether it was new to the pool
  ),
  poolStats: defineScript('poolStats-3.lua', ['pool', 'poolLeases', 'meta'], 'read', () => [], decodePoolStats),
  poolGet: defineScript('poolGet-5.lua', POOL, 'write', (r: { count: number; ttlMs: number }) => [r.count, r.ttlMs], decodePoolLease),
  poolSettle: defineScript(
    'poolSettle-4.lua',
    ['pool', 'poolLeases', 'poolReadded', 'poolMarker'],
    'remove',
    (r: { action: 'ack' | 'extend' | 'remove'; ms?: number | undefined; pairs: readonly (string | Buffer)[] }) => [r.action, r.ms ?? 0, ...r.pairs],
    Number,
  ),
  poolDelete: defineScript(
    'poolDelete-3.lua',
    ['pool', 'poolLeases', 'poolReadded'],
    'remove',
    (r: { limit: number; items?: readonly (string | Buffer)[] | undefined }) => [r.limit, ...(r.items ?? [])],
    Number,
  ),
} as const;

/**
 * Which of a consumer's deliveries releaseItems hands back: those of one getItems call, those it
 * no longer runs (all but `runs` and those of its `calls` still in flight), or all.
 */
export type ReleaseWhich =
  | { readonly kind: 'call'; readonly callId: string }
  | { readonly kind: 'stale'; readonly calls: readonly string[]; readonly runs: readonly string[] }
  | { readonly kind: 'all' };

/** The name of one of the queue scripts. */
export type QueueScriptName = keyof typeof QUEUE_SCRIPTS_TABLE;

/** The request a queue script's encoder takes. */
export type QueueScriptInput<N extends QueueScriptName> = Parameters<(typeof QUEUE_SCRIPTS_TABLE)[N]['encode']>[0];

/** The queue scripts: defined once per client, run with a queue's keys (see {@link ScriptSet}). */
export const QUEUE_SCRIPTS = new ScriptSet<QueueScriptName, QueueKeyRole, typeof QUEUE_SCRIPTS_TABLE>(
  'q',
  QUEUE_SCRIPTS_TABLE,
  LUA_SOURCES,
  QUEUE_LAYOUT.types,
);

/** A queue object's keyed-object core (a `Queue`'s, a `UniqueQueue`'s, a `Pool`'s). */
export type QueueCore<T> = ObjectCore<QueueScriptName, QueueKeyRole, typeof QUEUE_SCRIPTS_TABLE, T>;

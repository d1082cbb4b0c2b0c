import { LUA_SOURCES } from './lua-sources.js';
import { ScriptSet, type ScriptArg, type ScriptDefinition } from '../scripting/script-set.js';
import { QUEUE_LAYOUT, type QueueKeys } from './queue-keys.js';

/** The keys of a queue a script may name, by role (the fields of {@link QueueKeys}). */
export type QueueKeyRole = keyof QueueKeys;

/** Which class writes: a `Queue` or a `UniqueQueue`. */
export type QueueKind = 'queue' | 'unique';

/** Which class holds a name: a `Queue`, a `UniqueQueue` or a `Pool`. */
export type QueueFamilyKind = QueueKind | 'pool';

/** One queue script: file, keys, flags and its argument encoder (see the streams' `StreamScript`). */
export interface QueueScript<I> extends ScriptDefinition<QueueKeyRole> {
  /** The script's ARGV for a request, defaults applied. */
  readonly encode: (input: I) => ScriptArg[];
}

function script<I>(file: string, keys: readonly QueueKeyRole[], access: 'read' | 'write' | 'remove', encode: (input: I) => ScriptArg[]): QueueScript<I> {
  return { file, keys, readOnly: access === 'read', allowOom: access === 'remove', encode };
}

/** The keys the reaper needs (getItems and reapItems run it). */
const REAPING = ['list', 'unique', 'consumers', 'consumerInfo', 'held', 'deliveries', 'rollbacks', 'rollbackTimes', 'marker', 'meta'] as const;

/** Every key of a queue (delete). */
const EVERY_KEY = [...REAPING, 'pool', 'poolLeases', 'poolReadded', 'poolMarker'] as const;

/** The keys of a Pool's scripts. */
const POOL = ['pool', 'poolLeases', 'poolReadded', 'poolMarker', 'meta'] as const;

/** Every script of a reliable queue, by name. */
export const QUEUE_SCRIPTS_TABLE = {
  addItems: script('addItems-4.lua', ['list', 'unique', 'marker', 'meta'], 'write', (r: { kind: QueueKind; values: readonly (string | Buffer)[] }) => [
    r.kind,
    ...r.values,
  ]),
  getItems: script(
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
  ),
  ackItems: script('ackItems-4.lua', ['held', 'deliveries', 'rollbacks', 'rollbackTimes'], 'remove', (r: { ids: readonly string[] }) => [...r.ids]),
  rejectItems: script('rejectItems-5.lua', ['list', 'unique', 'held', 'deliveries', 'marker'], 'write', (r: { kind: QueueKind; ids: readonly string[] }) => [
    r.kind,
    ...r.ids,
  ]),
  deleteItem: script(
    'deleteItem-5.lua',
    ['list', 'unique', 'rollbacks', 'rollbackTimes', 'meta'],
    'remove',
    (r: { kind: QueueKind; count: number; value: string | Buffer }) => [r.kind, r.count, r.value],
  ),
  reapItems: script(
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
  ),
  heartbeat: script('heartbeat-3.lua', ['consumers', 'consumerInfo', 'held'], 'write', (r: { consumer: string; info: string }) => [r.consumer, r.info]),
  rollback: script(
    'rollback-2.lua',
    ['rollbacks', 'rollbackTimes'],
    'write',
    (r: { action: 'count' | 'reset'; value: string | Buffer; maxRetry?: number | undefined; maxTimeoutMs?: number | undefined }) => [
      r.action,
      r.value,
      r.maxRetry ?? 0,
      r.maxTimeoutMs ?? 0,
    ],
  ),
  releaseItems: script(
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
  ),
  readStats: script('readStats-5.lua', ['list', 'consumers', 'consumerInfo', 'held', 'meta'], 'read', () => []),
  readConsumers: script('readConsumers-4.lua', ['consumers', 'consumerInfo', 'held', 'deliveries'], 'read', () => []),
  deleteQueue: { ...script('deleteQueue-14.lua', EVERY_KEY, 'remove', () => []), anyType: true },
  poolAdd: script('poolAdd-5.lua', POOL, 'write', (r: { dueAt?: number | undefined; items: readonly (string | Buffer)[] }) => [r.dueAt ?? '', ...r.items]),
  poolStats: script('poolStats-3.lua', ['pool', 'poolLeases', 'meta'], 'read', () => []),
  poolGet: script('poolGet-5.lua', POOL, 'write', (r: { count: number; ttlMs: number }) => [r.count, r.ttlMs]),
  poolSettle: script(
    'poolSettle-4.lua',
    ['pool', 'poolLeases', 'poolReadded', 'poolMarker'],
    'remove',
    (r: { action: 'ack' | 'extend' | 'remove'; ms?: number | undefined; pairs: readonly (string | Buffer)[] }) => [r.action, r.ms ?? 0, ...r.pairs],
  ),
  poolDelete: script(
    'poolDelete-3.lua',
    ['pool', 'poolLeases', 'poolReadded'],
    'remove',
    (r: { limit: number; items?: readonly (string | Buffer)[] | undefined }) => [r.limit, ...(r.items ?? [])],
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
export const QUEUE_SCRIPTS = new ScriptSet<QueueScriptName, QueueKeyRole>('q', QUEUE_SCRIPTS_TABLE, LUA_SOURCES, QUEUE_LAYOUT.types);

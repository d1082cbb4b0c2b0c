import { LUA_SOURCES } from './lua-sources.js';
import { ScriptSet, type ScriptArg, type ScriptDefinition } from '../scripting/script-set.js';
import { TASK_QUEUE_LAYOUT, TASK_RESULT_LAYOUT, type TaskQueueKeys, type TaskResultKeys } from './task-keys.js';
import type { TaskQueueStats } from './types.js';

/** The keys a task queue script may name. */
export type TaskQueueKeyRole = keyof TaskQueueKeys;

/** The keys a result script may name. */
export type TaskResultKeyRole = keyof TaskResultKeys;

/** One task script: file, keys, flags and its argument encoder (see the streams' `StreamScript`). */
export interface TaskScript<R extends string, I> extends ScriptDefinition<R> {
  /** The script's ARGV for a request. */
  readonly encode: (input: I) => ScriptArg[];
}

function script<R extends string, I>(
  file: string,
  keys: readonly R[],
  access: 'read' | 'write' | 'remove',
  encode: (input: I) => ScriptArg[],
): TaskScript<R, I> {
  return { file, keys, readOnly: access === 'read', allowOom: access === 'remove', encode };
}

/** A leased stream message as the settle scripts name it: its entry id and the delivery count it was handed out with. */
export interface StreamDelivery {
  /** The entry id. */
  readonly entryId: string;
  /** Its delivery count when leased. */
  readonly deliveries: number;
}

/** The ARGV pairs of stream deliveries. */
function pairs(deliveries: readonly StreamDelivery[]): ScriptArg[] {
  const out: ScriptArg[] = [];
  for (const d of deliveries) out.push(d.entryId, d.deliveries);
  return out;
}

/** Every script of a task queue (slot `{Q}`), by name. */
export const TASK_QUEUE_SCRIPTS_TABLE = {
  sendTasks: script<
    TaskQueueKeyRole,
    { maxLength: number; delayMs: number; messages: readonly { maxAttempts: number; task: string; encoded: string | Buffer }[] }
  >('sendTasks-4.lua', ['stream', 'delay', 'marker', 'stats'], 'write', (r) => [
    r.maxLength,
    r.delayMs,
    ...r.messages.flatMap((m) => [m.maxAttempts, m.task, m.encoded]),
  ]),
  leaseTasks: script<
    TaskQueueKeyRole,
    {
      consumer: string;
      count: number;
      leaseMs: number;
      maxAttempts: number;
      deadCaps: string;
      maxLength: number;
      taskMaxAttempts: ReadonlyMap<string, number>;
    }
  >('leaseTasks-5.lua', ['stream', 'delay', 'lease', 'dead', 'marker'], 'write', (r) => [
    r.consumer,
    r.count,
    r.leaseMs,
    r.maxAttempts,
    r.deadCaps,
    r.maxLength,
    ...[...r.taskMaxAttempts].flat(),
  ]),
  ackTasks: script<TaskQueueKeyRole, { maxLength: number; deliveries: readonly StreamDelivery[] }>('ackTasks-2.lua', ['stream', 'lease'], 'remove', (r) => [
    r.maxLength,
    ...pairs(r.deliveries),
  ]),
  nackTasks: script<
    TaskQueueKeyRole,
    { delayMs: number; deadCaps: string; maxLength: number; error: string; deliveries: readonly (StreamDelivery & { maxAttempts: number })[] }
  >('nackTasks-5.lua', ['stream', 'delay', 'lease', 'dead', 'marker'], 'write', (r) => [
    r.delayMs,
    r.deadCaps,
    r.maxLength,
    r.error,
    ...r.deliveries.flatMap((d) => [d.entryId, d.deliveries, d.maxAttempts]),
  ]),
  extendTasks: script<TaskQueueKeyRole, { ms: number; deliveries: readonly StreamDelivery[] }>('extendTasks-2.lua', ['stream', 'lease'], 'write', (r) => [
    r.ms,
    ...pairs(r.deliveries),
  ]),
  releaseTasks: script<TaskQueueKeyRole, { deliveries: readonly StreamDelivery[] }>('releaseTasks-3.lua', ['stream', 'lease', 'marker'], 'write', (r) =>
    pairs(r.deliveries),
  ),
  replayStream: script<TaskQueueKeyRole, { limit: number; ids?: readonly string[] | undefined }>(
    'replayStream-3.lua',
    ['dead', 'stream', 'marker'],
    'write',
    (r) => [r.limit, ...(r.ids ?? [])],
  ),
  sendList: script<TaskQueueKeyRole, { delayMs: number; messages: readonly (string | Buffer)[] }>(
    'sendList-4.lua',
    ['list', 'delay', 'marker', 'stats'],
    'write',
    (r) => [r.delayMs, ...r.messages],
  ),
  leaseList: script<TaskQueueKeyRole, { count: number; deadCaps: string }>('leaseList-4.lua', ['list', 'delay', 'dead', 'marker'], 'write', (r) => [
    r.count,
    r.deadCaps,
  ]),
  nackList: script<
    TaskQueueKeyRole,
    {
      delayMs: number;
      deadCaps: string;
      error: string;
      messages: readonly { action: 'retry' | 'dead'; encoded: string | Buffer; attempts: number; maxAttempts: number }[];
    }
  >('nackList-4.lua', ['list', 'delay', 'dead', 'marker'], 'write', (r) => [
    r.delayMs,
    r.deadCaps,
    r.error,
    ...r.messages.flatMap((m) => [m.action, m.encoded, m.attempts, m.maxAttempts]),
  ]),
  releaseList: script<TaskQueueKeyRole, { messages: readonly (string | Buffer)[] }>('releaseList-2.lua', ['list', 'marker'], 'write', (r) => [...r.messages]),
  replayList: script<TaskQueueKeyRole, { letters: readonly { id: string; encoded: string | Buffer }[] }>(
    'replayList-3.lua',
    ['dead', 'list', 'marker'],
    'write',
    (r) => r.letters.flatMap((l) => [l.id, l.encoded]),
  ),
  purgeDead: script<TaskQueueKeyRole, { ids?: readonly string[] | undefined }>('purgeDead-1.lua', ['dead'], 'remove', (r) => [...(r.ids ?? [])]),
  readStats: script<TaskQueueKeyRole, Record<string, never>>('readStats-6.lua', ['stream', 'list', 'delay', 'dead', 'sched', 'stats'], 'read', () => []),
  addSchedule: script<TaskQueueKeyRole, { id: string; json: string; dueMs: number }>('addSchedule-2.lua', ['sched', 'due'], 'write', (r) => [
    r.id,
    r.json,
    r.dueMs,
  ]),
  removeSchedule: script<TaskQueueKeyRole, { id: string }>('removeSchedule-2.lua', ['sched', 'due'], 'remove', (r) => [r.id]),
  readDue: script<TaskQueueKeyRole, { limit: number }>('readDue-2.lua', ['due', 'sched'], 'read', (r) => [r.limit]),
  fireSchedules: script<
    TaskQueueKeyRole,
    {
      kind: 'stream' | 'list' | 'pubsub';
      maxLength: number;
      channel: string;
      sharded: boolean;
      fires: readonly { id: string; dueMs: number; nextDueMs: number | undefined; task: string; encoded: string | Buffer }[];
    }
  >('fireSchedules-6.lua', ['stream', 'list', 'marker', 'due', 'sched', 'stats'], 'write', (r) => [
    r.kind,
    r.maxLength,
    r.channel,
    r.sharded ? '1' : '0',
    ...r.fires.flatMap((f) => [f.id, f.dueMs, f.nextDueMs ?? '', f.task, f.encoded]),
  ]),
  deleteQueue: {
    ...script<TaskQueueKeyRole, Record<string, never>>(
      'deleteQueue-9.lua',
      ['stream', 'list', 'delay', 'lease', 'dead', 'marker', 'sched', 'due', 'stats'],
      'remove',
      () => [],
    ),
    anyType: true,
  },
} as const;

/** Every script of a task's result (slot `{I}`), by name. */
export const TASK_RESULT_SCRIPTS_TABLE = {
  storeResult: script<TaskResultKeyRole, { encoded: string | Buffer; ttlMs: number; channel: string; sharded: boolean }>(
    'storeResult-2.lua',
    ['result', 'progress'],
    'write',
    (r) => [r.encoded, r.ttlMs, r.channel, r.sharded ? '1' : '0'],
  ),
  takeResult: script<TaskResultKeyRole, Record<string, never>>('takeResult-2.lua', ['result', 'progress'], 'remove', () => []),
} as const;

/** The reply of readStats-6.lua: a queue's counts, what holds its messages, and its schedules. */
export function decodeQueueStats(reply: unknown): TaskQueueStats & { kind: 'stream' | 'list' | ''; schedules: number } {
  const r = reply as unknown[];
  const [waiting = 0, active = 0, delayed = 0, dead = 0, length = 0] = r.slice(0, 5).map(Number);
  const kind = String(r[5]);
  const [schedules = 0, added = 0] = r.slice(6, 8).map(Number);
  return { waiting, active, delayed, dead, length, added, kind: kind === 'stream' || kind === 'list' ? kind : '', schedules };
}

/** What the stream lease left where no broker's data was: the entry id (`''` for a delay set member) and why it was dead-lettered. */
export interface UnreadableFound {
  readonly entryId: string;
  readonly reason: string;
}

/** The reply of leaseTasks-5.lua, decoded. */
export interface StreamLease {
  /** When to look again (ms; -1: nothing expires or comes due). */
  readonly wakeInMs: number;
  /** The messages whose lease expired on their last delivery, dead-lettered now ("lease expired"). */
  readonly died: readonly { entryId: string; encoded: string | Buffer; attempts: number }[];
  /** What was dead-lettered as unreadable. */
  readonly unreadable: readonly UnreadableFound[];
  /** The leased messages. */
  readonly leased: readonly { entryId: string; attempt: number; deliveries: number; encoded: string | Buffer }[];
}

/** Decodes the reply of leaseTasks-5.lua (see its header). */
export function decodeStreamLease(reply: unknown): StreamLease {
  const r = reply as unknown[];
  const died: { entryId: string; encoded: string | Buffer; attempts: number }[] = [];
  const unreadable: UnreadableFound[] = [];
  const leased: { entryId: string; attempt: number; deliveries: number; encoded: string | Buffer }[] = [];
  let i = 2;
  for (let k = Number(r[1]); k > 0; k--, i += 3) died.push({ entryId: String(r[i]), encoded: r[i + 1] as string | Buffer, attempts: Number(r[i + 2]) });
  for (let k = Number(r[i++]); k > 0; k--, i += 2) unreadable.push({ entryId: String(r[i]), reason: String(r[i + 1]) });
  for (; i + 3 < r.length; i += 4)
    leased.push({ entryId: String(r[i]), attempt: Number(r[i + 1]), deliveries: Number(r[i + 2]), encoded: r[i + 3] as string | Buffer });
  return { wakeInMs: Number(r[0]), died, unreadable, leased };
}

/** The reply of leaseList-4.lua, decoded. */
export interface ListLease {
  /** When the next delayed message is due (ms; -1: none). */
  readonly wakeInMs: number;
  /** Why each delay set member no broker wrote was dead-lettered. */
  readonly unreadable: readonly string[];
  /** The messages taken, oldest first. */
  readonly taken: readonly (string | Buffer)[];
}

/** Decodes the reply of leaseList-4.lua (see its header). */
export function decodeListLease(reply: unknown): ListLease {
  const r = reply as unknown[];
  const n = Number(r[1]);
  return { wakeInMs: Number(r[0]), unreadable: r.slice(2, 2 + n).map(String), taken: r.slice(2 + n) as (string | Buffer)[] };
}

/** The name of a task queue script. */
export type TaskQueueScriptName = keyof typeof TASK_QUEUE_SCRIPTS_TABLE;

/** The name of a result script. */
export type TaskResultScriptName = keyof typeof TASK_RESULT_SCRIPTS_TABLE;

/** The request a task queue script's encoder takes. */
export type TaskQueueScriptInput<N extends TaskQueueScriptName> = Parameters<(typeof TASK_QUEUE_SCRIPTS_TABLE)[N]['encode']>[0];

/** The request a result script's encoder takes. */
export type TaskResultScriptInput<N extends TaskResultScriptName> = Parameters<(typeof TASK_RESULT_SCRIPTS_TABLE)[N]['encode']>[0];

/** The task queue scripts (slot `{Q}`). */
export const TASK_QUEUE_SCRIPTS = new ScriptSet<TaskQueueScriptName, TaskQueueKeyRole>('tq', TASK_QUEUE_SCRIPTS_TABLE, LUA_SOURCES, TASK_QUEUE_LAYOUT.types);

/** The result scripts (slot `{I}`). */
export const TASK_RESULT_SCRIPTS = new ScriptSet<TaskResultScriptName, TaskResultKeyRole>(
  'tr',
  TASK_RESULT_SCRIPTS_TABLE,
  LUA_SOURCES,
  TASK_RESULT_LAYOUT.types,
);

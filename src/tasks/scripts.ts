import { LUA_SOURCES } from './lua-sources.js';
import { ScriptSet, type ScriptArg } from '../scripting/script-set.js';
import { defineScript, numbers, texts } from '../scripting/define-script.js';
import type { ObjectCore } from '../keyspace/object-core.js';
import { TASK_QUEUE_LAYOUT, TASK_RESULT_LAYOUT, type TaskQueueKeys, type TaskResultKeys } from './task-keys.js';
import type { TaskMessage, TaskQueueStats } from './types.js';

/** The keys a task queue script may name. */
export type TaskQueueKeyRole = keyof TaskQueueKeys;

/** The keys a result script may name. */
export type TaskResultKeyRole = keyof TaskResultKeys;

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
  sendTasks: defineScript<
    TaskQueueKeyRole,
    { maxLength: number; delayMs: number; messages: readonly { maxAttempts: number; task: string; encoded: string | Buffer }[] }
  >('sendTasks-4.lua', ['stream', 'delay', 'marker', 'stats'], 'write', (r) => [
    r.maxLength,
    r.delayMs,
    ...r.messages.flatMap((m) => [m.maxAttempts, m.task, m.encoded]),
  ]),
  leaseTasks: defineScript<
    TaskQueueKeyRole,
    {
      consumer: string;
      count: number;
      leaseMs: number;
      maxAttempts: number;
      deadCaps: string;
      maxLength: number;
      taskMaxAttempts: ReadonlyMap<string, number>;
    },
    StreamLease
  >(
    'leaseTasks-5.lua',
    ['stream', 'delay', 'lease', 'dead', 'marker'],
    'write',
    (r) => [r.consumer, r.count, r.leaseMs, r.maxAttempts, r.deadCaps, r.maxLength, ...[...r.taskMaxAttempts].flat()],
    decodeStreamLease,
  ),
  ackTasks: defineScript<TaskQueueKeyRole, { maxLength: number; deliveries: readonly StreamDelivery[] }, number[]>(
    'ackTasks-2.lua',
    ['stream', 'lease'],
    'remove',
    (r) => [r.maxLength, ...pairs(r.deliveries)],
    numbers,
  ),
  nackTasks: defineScript<
    TaskQueueKeyRole,
    { delayMs: number; deadCaps: string; maxLength: number; error: string; deliveries: readonly (StreamDelivery & { maxAttempts: number })[] },
    string[]
  >(
    'nackTasks-5.lua',
    ['stream', 'delay', 'lease', 'dead', 'marker'],
    'write',
    (r) => [r.delayMs, r.deadCaps, r.maxLength, r.error, ...r.deliveries.flatMap((d) => [d.entryId, d.deliveries, d.maxAttempts])],
    texts,
  ),
  extendTasks: defineScript<TaskQueueKeyRole, { ms: number; deliveries: readonly StreamDelivery[] }, number[]>(
    'extendTasks-2.lua',
    ['stream', 'lease'],
    'write',
    (r) => [r.ms, ...pairs(r.deliveries)],
    numbers,
  ),
  releaseTasks: defineScript<TaskQueueKeyRole, { deliveries: readonly StreamDelivery[] }>('releaseTasks-3.lua', ['stream', 'lease', 'marker'], 'write', (r) =>
    pairs(r.deliveries),
  ),
  replayStream: defineScript<TaskQueueKeyRole, { limit: number; ids?: readonly string[] | undefined }, number>(
    'replayStream-3.lua',
    ['dead', 'stream', 'marker'],
    'write',
    (r) => [r.limit, ...(r.ids ?? [])],
    Number,
  ),
  sendList: defineScript<TaskQueueKeyRole, { delayMs: number; messages: readonly (string | Buffer)[] }>(
    'sendList-4.lua',
    ['list', 'delay', 'marker', 'stats'],
    'write',
    (r) => [r.delayMs, ...r.messages],
  ),
  leaseList: defineScript<TaskQueueKeyRole, { count: number; deadCaps: string }, ListLease>(
    'leaseList-4.lua',
    ['list', 'delay', 'dead', 'marker'],
    'write',
    (r) => [r.count, r.deadCaps],
    decodeListLease,
  ),
  nackList: defineScript<
    TaskQueueKeyRole,
    {
      delayMs: number;
      deadCaps: string;
      error: string;
      messages: readonly { action: 'retry' | 'dead'; encoded: string | Buffer; attempts: number; maxAttempts: number }[];
    },
    string[]
  >(
    'nackList-4.lua',
    ['list', 'delay', 'dead', 'marker'],
    'write',
    (r) => [r.delayMs, r.deadCaps, r.error, ...r.messages.flatMap((m) => [m.action, m.encoded, m.attempts, m.maxAttempts])],
    texts,
  ),
  releaseList: defineScript<TaskQueueKeyRole, { messages: readonly (string | Buffer)[] }>('releaseList-2.lua', ['list', 'marker'], 'write', (r) => [
    ...r.messages,
  ]),
  replayList: defineScript<TaskQueueKeyRole, { letters: readonly { id: string; encoded: string | Buffer }[] }, number>(
    'replayList-3.lua',
    ['dead', 'list', 'marker'],
    'write',
    (r) => r.letters.flatMap((l) => [l.id, l.encoded]),
    Number,
  ),
  purgeDead: defineScript<TaskQueueKeyRole, { ids?: readonly string[] | undefined }, number>(
    'purgeDead-1.lua',
    ['dead'],
    'remove',
    (r) => [...(r.ids ?? [])],
    Number,
  ),
  readStats: defineScript<TaskQueueKeyRole, Record<string, never>, ReturnType<typeof decodeQueueStats>>(
    'readStats-6.lua',
    ['stream', 'list', 'delay', 'dead', 'sched', 'stats'],
    'read',
    () => [],
    decodeQueueStats,
  ),
  addSchedule: defineScript<TaskQueueKeyRole, { id: string; json: string; dueMs: number }>('addSchedule-2.lua', ['sched', 'due'], 'write', (r) => [
    r.id,
    r.json,
    r.dueMs,
  ]),
  removeSchedule: defineScript<TaskQueueKeyRole, { id: string }, number>('removeSchedule-2.lua', ['sched', 'due'], 'remove', (r) => [r.id], Number),
  readDue: defineScript<TaskQueueKeyRole, { limit: number }, DueReply>('readDue-2.lua', ['due', 'sched'], 'read', (r) => [r.limit], decodeDue),
  fireSchedules: defineScript<
    TaskQueueKeyRole,
    {
      kind: 'stream' | 'list' | 'pubsub';
      maxLength: number;
      channel: string;
      sharded: boolean;
      fires: readonly { id: string; dueMs: number; nextDueMs: number | undefined; task: string; encoded: string | Buffer }[];
    },
    string[]
  >(
    'fireSchedules-6.lua',
    ['stream', 'list', 'marker', 'due', 'sched', 'stats'],
    'write',
    (r) => [r.kind, r.maxLength, r.channel, r.sharded ? '1' : '0', ...r.fires.flatMap((f) => [f.id, f.dueMs, f.nextDueMs ?? '', f.task, f.encoded])],
    texts,
  ),
  deleteQueue: defineScript<TaskQueueKeyRole, Record<string, never>, number>(
    'deleteQueue-9.lua',
    ['stream', 'list', 'delay', 'lease', 'dead', 'marker', 'sched', 'due', 'stats'],
    'remove',
    () => [],
    Number,
    { anyType: true },
  ),
} as const;

/** Every script of a task's result (slot `{I}`), by name. */
export const TASK_RESULT_SCRIPTS_TABLE = {
  storeResult: defineScript<TaskResultKeyRole, { encoded: string | Buffer; ttlMs: number; channel: string; sharded: boolean }>(
    'storeResult-2.lua',
    ['result', 'progress'],
    'write',
    (r) => [r.encoded, r.ttlMs, r.channel, r.sharded ? '1' : '0'],
  ),
  takeResult: defineScript<TaskResultKeyRole, Record<string, never>>('takeResult-2.lua', ['result', 'progress'], 'remove', () => []),
} as const;

/** The reply of readDue-2.lua, decoded: the server's clock and each due schedule with its due time and stored body. */
export interface DueReply {
  /** The server's clock, epoch ms. */
  readonly now: number;
  /** The due schedules, earliest first. */
  readonly due: readonly { readonly id: string; readonly dueMs: number; readonly body: unknown }[];
}

/** Decodes the reply of readDue-2.lua: `[now, id, dueMs, body, …]`. */
export function decodeDue(reply: unknown): DueReply {
  const r = reply as unknown[];
  const due: { id: string; dueMs: number; body: unknown }[] = [];
  for (let i = 1; i + 2 < r.length; i += 3) due.push({ id: String(r[i]), dueMs: Number(r[i + 1]), body: r[i + 2] });
  return { now: Number(r[0]), due };
}

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
export const TASK_QUEUE_SCRIPTS = new ScriptSet<TaskQueueScriptName, TaskQueueKeyRole, typeof TASK_QUEUE_SCRIPTS_TABLE>(
  'tq',
  TASK_QUEUE_SCRIPTS_TABLE,
  LUA_SOURCES,
  TASK_QUEUE_LAYOUT.types,
);

/** A task queue's keyed-object core. */
export type TaskQueueCore = ObjectCore<TaskQueueScriptName, TaskQueueKeyRole, typeof TASK_QUEUE_SCRIPTS_TABLE, TaskMessage>;

/** The result store's core (each call names its task's keys). */
export type TaskResultCore = ObjectCore<TaskResultScriptName, TaskResultKeyRole, typeof TASK_RESULT_SCRIPTS_TABLE>;

/** The result scripts (slot `{I}`). */
export const TASK_RESULT_SCRIPTS = new ScriptSet<TaskResultScriptName, TaskResultKeyRole, typeof TASK_RESULT_SCRIPTS_TABLE>(
  'tr',
  TASK_RESULT_SCRIPTS_TABLE,
  LUA_SOURCES,
  TASK_RESULT_LAYOUT.types,
);

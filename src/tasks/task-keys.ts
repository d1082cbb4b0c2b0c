import { familyRegistryKey, objectKeys, type KeyLayout } from '../keyspace/keys.js';

/**
 * The Redis keys (and the pub/sub channel) of one task queue, as a broker of that name uses
 * them. All carry the family tag `:tq` and the hash tag `{name}`, so a queue and its schedules
 * share one Cluster slot and one script may send, lease, retry, dead-letter or fire a schedule.
 */
export interface TaskQueueKeys {
  /** `P:tq{Q}:stream`, a stream (`StreamBroker`): field `m` the encoded message, `a` deliveries used before this entry, `x` its max attempts; group `workers`. */
  readonly stream: string;
  /** `P:tq{Q}:list`, a list (`ListQueueBroker`): encoded messages, the oldest taken first. */
  readonly list: string;
  /** `P:tq{Q}:channel`, a pub/sub channel, not a key (`PubSubBroker`). */
  readonly channel: string;
  /** `P:tq{Q}:delay`, a sorted set: delayed sends and retries (`<a>:<x>:<length of t>:<t><message>`) → due time (server ms). */
  readonly delay: string;
  /** `P:tq{Q}:lease`, a sorted set (`StreamBroker`): entry id → lease deadline (server ms). */
  readonly lease: string;
  /** `P:tq{Q}:dead`, a stream: dead letters (`m`, `error`, `attempts`, `diedAt`), capped. */
  readonly dead: string;
  /** `P:tq{Q}:marker`, a list: at most one element while there is work, for idle workers. */
  readonly marker: string;
  /** `P:tq{Q}:sched`, a hash: schedule id → schedule JSON. */
  readonly sched: string;
  /** `P:tq{Q}:due`, a sorted set: schedule id → next due time (server ms). */
  readonly due: string;
  /** `P:tq{Q}:stats`, a hash: `added`, the tasks sent to the queue (and fired by its schedules), in total; retries and replays are not counted. */
  readonly stats: string;
}

/** The layout of a task queue's keys: family tag `:tq`. */
export const TASK_QUEUE_LAYOUT: KeyLayout<keyof TaskQueueKeys> = {
  what: 'task queue',
  tag: ':tq',
  suffixes: {
    stream: 'stream',
    list: 'list',
    channel: 'channel',
    delay: 'delay',
    lease: 'lease',
    dead: 'dead',
    marker: 'marker',
    sched: 'sched',
    due: 'due',
    stats: 'stats',
  },
  types: {
    stream: 'stream',
    list: 'list',
    channel: 'channel',
    delay: 'zset',
    lease: 'zset',
    dead: 'stream',
    marker: 'list',
    sched: 'hash',
    due: 'zset',
    stats: 'hash',
  },
};

/**
 * Builds the keys of the task queue `name` under `prefix`.
 *
 * @param name - the queue name (non-empty, without `{` or `}`)
 * @param prefix - the key prefix
 * @returns the queue's keys
 */
export function taskQueueKeys(name: string, prefix = ''): TaskQueueKeys {
  return objectKeys(TASK_QUEUE_LAYOUT, name, prefix);
}

/**
 * The registry set of every task queue name under `prefix` (`:tq:keys` with the default prefix).
 *
 * @param prefix - the key prefix
 * @returns the registry key
 */
export function taskQueueRegistryKey(prefix = ''): string {
  return familyRegistryKey('tq', prefix);
}

/** The keys of one task's result, all in the task id's slot (`{I}`), so results spread over a Cluster. */
export interface TaskResultKeys {
  /** `P:tr{I}:result`, a string: the task's result, with the store's TTL. */
  readonly result: string;
  /** `P:tr{I}:progress`, a string: the task's last progress, with the same TTL. */
  readonly progress: string;
  /** `P:tr{I}:done`, a pub/sub channel, not a key: the "result stored" notice for waiters. */
  readonly done: string;
}

/** The layout of a task result's keys: family tag `:tr`. */
export const TASK_RESULT_LAYOUT: KeyLayout<keyof TaskResultKeys> = {
  what: 'task id',
  tag: ':tr',
  suffixes: { result: 'result', progress: 'progress', done: 'done' },
  types: { result: 'string', progress: 'string', done: 'channel' },
};

/**
 * Builds the result keys of the task `taskId` under `prefix`.
 *
 * @param taskId - the task id (non-empty, without `{` or `}`)
 * @param prefix - the key prefix
 * @returns the task's result keys
 */
export function taskResultKeys(taskId: string, prefix = ''): TaskResultKeys {
  return objectKeys(TASK_RESULT_LAYOUT, taskId, prefix);
}

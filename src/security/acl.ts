/**
 * Least-privilege Redis ACL rules for the roles an application gives good-redis: who adds work,
 * who does it, who runs the maintenance, who only looks. Each rule is keys by prefix and family
 * tag, channels, and the commands the role sends: those its good-redis scripts run (read from
 * the scripts themselves, so a rule follows the version it comes with) and those it sends
 * outside scripts.
 *
 * @module
 */
import { assertPrefix, invalid } from '../internal/validate.js';
import { objectKeyPattern, type KeyLayout } from '../keyspace/keys.js';
import { HISTORY_LAYOUT, HISTORY_SCRIPTS } from '../overview/history.js';
import { WORKER_REGISTRY_LAYOUT, WORKER_REGISTRY_NAME, WORKER_SCRIPTS } from '../observe/worker-registry.js';
import { STREAM_SCRIPTS } from '../prioritized/scripts.js';
import { registryKey, STREAM_LAYOUT } from '../prioritized/stream-keys.js';
import { QUEUE_LAYOUT, queueRegistryKey } from '../queues/queue-keys.js';
import { QUEUE_SCRIPTS } from '../queues/scripts.js';
import type { ScriptSet } from '../scripting/script-set.js';
import { TASK_QUEUE_SCRIPTS, TASK_RESULT_SCRIPTS } from '../tasks/scripts.js';
import { TASK_QUEUE_LAYOUT, TASK_RESULT_LAYOUT, taskQueueKeys, taskQueueRegistryKey, taskResultKeys } from '../tasks/task-keys.js';
import { PARTITION_SCRIPTS, TOPIC_SCRIPTS } from '../topics/scripts.js';
import { TOPIC_LAYOUT, topicRegistryKey } from '../topics/topic-keys.js';

/** The roles a rule is made for. */
export const ACL_ROLES = ['producer', 'worker', 'daemon', 'reader'] as const;

/**
 * A role:
 * - `producer`: adds work to every family (adds, sends, schedules) and waits for task results;
 * - `worker`: runs Workers and consumers of every family, stores task results, beats in the
 *   worker registry;
 * - `daemon`: the maintenance: the Expirer and sweeps, the reapers, the task schedulers (which
 *   publish a pub/sub broker's scheduled tasks);
 * - `reader`: reads only: the read-only dashboard, the CLI's listings, the metrics.
 */
export type AclRole = (typeof ACL_ROLES)[number];

/** Options of {@link aclRule}. */
export interface AclRuleOptions {
  /**
   * The key prefix of the objects the role may touch.
   *
   * @defaultValue `''`
   */
  prefix?: string | undefined;
}

/** Every family's scripts. */
const SCRIPT_SETS: readonly ScriptSet<string, string>[] = [
  STREAM_SCRIPTS,
  QUEUE_SCRIPTS,
  TOPIC_SCRIPTS,
  PARTITION_SCRIPTS,
  TASK_QUEUE_SCRIPTS,
  TASK_RESULT_SCRIPTS,
  WORKER_SCRIPTS,
  HISTORY_SCRIPTS,
] as ScriptSet<string, string>[];

/** A command named in a script: the quoted first argument of `redis.call`, `redis.pcall` or a chunking helper. */
const CALL = /(?:redis\.p?call|callChunked(?:After)?|callCollect)\(\s*([^,)]+)/g;

let scriptCommands: readonly string[] | undefined;

/** The commands good-redis scripts run, lower-case, sorted (read from their sources once). */
export function scriptCommandsOf(): readonly string[] {
  if (scriptCommands === undefined) {
    const found = new Set<string>();
    for (const set of SCRIPT_SETS) {
      for (const source of set.sources().values()) {
        for (const call of source.matchAll(CALL)) for (const quoted of (call[1] ?? '').matchAll(/'([A-Za-z]+)'/g)) found.add((quoted[1] ?? '').toLowerCase());
      }
    }
    scriptCommands = [...found].sort();
  }
  return scriptCommands;
}

/** What every role's connection sends: the ready check and the eviction check (`INFO`), `PING`, and the scripts (sent as EVAL, then EVALSHA). */
const CONNECTION_COMMANDS = ['info', 'ping', 'select', 'client|setname', 'cluster|slots', 'readonly', 'eval', 'evalsha'];

/** The commands each role sends outside scripts. */
const OWN_COMMANDS: Readonly<Record<AclRole, readonly string[]>> = {
  producer: ['sadd', 'hset', 'hget', 'exists', 'time', 'get', 'publish', 'spublish', 'subscribe', 'ssubscribe', 'unsubscribe', 'sunsubscribe'],
  worker: [
    'sadd',
    'hset',
    'hget',
    'exists',
    'time',
    'get',
    'blpop',
    'xreadgroup',
    'xread',
    'multi',
    'exec',
    'publish',
    'spublish',
    'subscribe',
    'ssubscribe',
    'unsubscribe',
    'sunsubscribe',
  ],
  daemon: ['sadd', 'smembers', 'srem', 'hgetall', 'hget', 'hdel', 'sscan', 'hscan', 'exists', 'time', 'get'],
  reader: [],
};

/**
 * The reader's commands: reads of every kind of key good-redis keeps, and the read-only
 * scripts, whose reads are among these (a script that writes fails at its first write).
 */
const READ_COMMANDS = [
  'exists',
  'get',
  'hexists',
  'hget',
  'hgetall',
  'hlen',
  'hmget',
  'hscan',
  'llen',
  'lrange',
  'pttl',
  'scard',
  'sismember',
  'smembers',
  'smismember',
  'sscan',
  'time',
  'type',
  'xinfo|groups',
  'xinfo|stream',
  'xlen',
  'xpending',
  'xrange',
  'xrevrange',
  'zcard',
  'zcount',
  'zlexcount',
  'zmscore',
  'zrange',
  'zrangebylex',
  'zrangebyscore',
  'zrevrange',
  'zrevrangebylex',
  'zrevrangebyscore',
  'zscan',
  'zscore',
];

/** The key patterns of a prefix's objects, by what they are, from the layouts and registries that make the keys. */
function keyPatterns(prefix: string): Record<'objects' | 'registries' | 'results' | 'workers' | 'history', string[]> {
  return {
    objects: [STREAM_LAYOUT, QUEUE_LAYOUT, TOPIC_LAYOUT, TASK_QUEUE_LAYOUT].map((layout) => objectKeyPattern(layout as KeyLayout<string>, prefix)),
    registries: [registryKey(prefix), queueRegistryKey(prefix), topicRegistryKey(prefix), taskQueueRegistryKey(prefix)],
    results: [objectKeyPattern(TASK_RESULT_LAYOUT, prefix)],
    workers: [objectKeyPattern(WORKER_REGISTRY_LAYOUT, prefix, WORKER_REGISTRY_NAME)],
    history: [objectKeyPattern(HISTORY_LAYOUT, prefix)],
  };
}

/**
 * The Redis ACL rule of a role, as the tokens of `ACL SETUSER` after the user's name and
 * password: `resetkeys` and the role's key patterns (`~`), `resetchannels` and its channel
 * patterns (`&`), `-@all` and its commands (`+`).
 *
 * @param role - one of {@link ACL_ROLES}
 * @param options - `prefix`
 * @returns the tokens, e.g. for `ACL SETUSER app on >secret ${aclRule('producer').join(' ')}`
 * @throws {@link GoodRedisError} `InvalidArgument` for an unknown role or a bad prefix
 * @example
 * ```ts
 * await admin.call('ACL', 'SETUSER', 'crawler', 'on', '>secret', ...aclRule('worker', { prefix: 'app:' }));
 * ```
 */
export function aclRule(role: AclRole, options: AclRuleOptions = {}): string[] {
  if (!(ACL_ROLES as readonly string[]).includes(role)) throw invalid(`role must be one of ${ACL_ROLES.join(', ')}, got ${JSON.stringify(role)}`);
  const prefix = options.prefix ?? '';
  assertPrefix(prefix);
  const keys = keyPatterns(prefix);
  // Every task's result notice and every task queue's channel: the channels of the name `*`.
  const channels = { results: taskResultKeys('*', prefix).done, tasks: taskQueueKeys('*', prefix).channel };
  const patterns: Record<AclRole, { keys: string[]; channels: string[] }> = {
    producer: { keys: [...keys.objects, ...keys.registries, ...keys.results], channels: [channels.results, channels.tasks] },
    worker: { keys: [...keys.objects, ...keys.registries, ...keys.results, ...keys.workers], channels: [channels.results, channels.tasks] },
    daemon: { keys: [...keys.objects, ...keys.registries], channels: [channels.tasks] },
    reader: { keys: [...keys.objects, ...keys.registries, ...keys.results, ...keys.workers, ...keys.history], channels: [] },
  };
  const commands = new Set([...CONNECTION_COMMANDS, ...(role === 'reader' ? READ_COMMANDS : [...scriptCommandsOf(), ...OWN_COMMANDS[role]])]);
  return [
    'resetkeys',
    ...patterns[role].keys.map((k) => `~${k}`),
    'resetchannels',
    ...patterns[role].channels.map((c) => `&${c}`),
    '-@all',
    ...[...commands].sort().map((c) => `+${c}`),
  ];
}

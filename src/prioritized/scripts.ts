import type { ChainableCommander } from 'ioredis';
import { fromScriptError, GoodRedisError } from '../errors.js';
import type { RedisClient } from '../connection/redis-client.js';
import { loadLua } from '../internal/lua-loader.js';
import type { StreamKeys } from './stream-keys.js';

interface ScriptDefinition {
  /** The file under `lua/`, named `verbNoun-N.lua` where N is the number of KEYS. */
  readonly file: string;
  /** The KEYS, in the order the script's header lists them. */
  readonly keys: (k: StreamKeys) => readonly string[];
  /** Read-only scripts may run on replicas. */
  readonly readOnly: boolean;
}

const allKeys = (k: StreamKeys): readonly string[] => [
  k.items,
  k.scores,
  k.gated,
  k.cooldowns,
  k.meta,
  k.leases,
  k.delayed,
  k.dead,
  k.state,
  k.marker,
];

/** The ten keys of {@link allKeys} and the stats hash, for the scripts that count adds and pulls. */
const countingKeys = (k: StreamKeys): readonly string[] => [...allKeys(k), k.stats];

/** Every script of a prioritized stream, by name. */
export const SCRIPTS = {
  addItem: { file: 'addItem-11.lua', keys: countingKeys, readOnly: false },
  addItems: { file: 'addItems-11.lua', keys: countingKeys, readOnly: false },
  pullItems: { file: 'pullItems-11.lua', keys: countingKeys, readOnly: false },
  incrementItem: { file: 'incrementItem-2.lua', keys: (k) => [k.scores, k.meta], readOnly: false },
  decrementAll: { file: 'decrementAll-2.lua', keys: (k) => [k.scores, k.meta], readOnly: false },
  deleteBelow: { file: 'deleteBelow-5.lua', keys: (k) => [k.items, k.scores, k.gated, k.meta, k.state], readOnly: false },
  expireItems: { file: 'expireItems-4.lua', keys: (k) => [k.items, k.scores, k.cooldowns, k.state], readOnly: false },
  deleteStream: { file: 'deleteStream-11.lua', keys: countingKeys, readOnly: false },
  getItem: { file: 'getItem-1.lua', keys: (k) => [k.items], readOnly: true },
  countItems: { file: 'countItems-1.lua', keys: (k) => [k.scores], readOnly: true },
  readItems: { file: 'readItems-3.lua', keys: (k) => [k.items, k.scores, k.meta], readOnly: true },
  scanItems: { file: 'scanItems-3.lua', keys: (k) => [k.items, k.scores, k.meta], readOnly: true },
  leaseItems: { file: 'leaseItems-11.lua', keys: countingKeys, readOnly: false },
  ackItems: { file: 'ackItems-10.lua', keys: allKeys, readOnly: false },
  nackItems: { file: 'nackItems-10.lua', keys: allKeys, readOnly: false },
  extendLeases: { file: 'extendLeases-10.lua', keys: allKeys, readOnly: false },
  recoverItems: { file: 'recoverItems-10.lua', keys: allKeys, readOnly: false },
  readJobs: { file: 'readJobs-10.lua', keys: allKeys, readOnly: true },
  readState: { file: 'readState-10.lua', keys: allKeys, readOnly: true },
  buryItems: { file: 'buryItems-10.lua', keys: allKeys, readOnly: false },
  removeItems: { file: 'removeItems-10.lua', keys: allKeys, readOnly: false },
  readStats: { file: 'readStats-11.lua', keys: countingKeys, readOnly: true },
  reviveDead: { file: 'reviveDead-10.lua', keys: allKeys, readOnly: false },
} as const satisfies Record<string, ScriptDefinition>;

/** The name of one of the stream scripts. */
export type ScriptName = keyof typeof SCRIPTS;

/** An argument to a script. */
export type ScriptArg = string | Buffer | number;

type ScriptFunction = (this: unknown, ...args: ScriptArg[]) => Promise<unknown>;

let sources: ReadonlyMap<ScriptName, string> | undefined;

/** The script sources with their includes expanded, read once from the `lua/` folder. */
export function scriptSources(): ReadonlyMap<ScriptName, string> {
  sources ??= new Map(
    (Object.keys(SCRIPTS) as ScriptName[]).map((name) => [name, loadLua(import.meta.url, `lua/${SCRIPTS[name].file}`)]),
  );
  return sources;
}

/** The command name a script is defined under on a client. */
export function internalName(name: ScriptName): string {
  return `__goodRedis_${name}`;
}

/** The number of KEYS a script takes, read from its `-N.lua` file name. */
export function keyCount(name: ScriptName): number {
  return Number(/-(\d+)\.lua$/.exec(SCRIPTS[name].file)?.[1]);
}

const defined = new WeakSet<object>();

/**
 * Defines every stream script on `client` (once per client) with ioredis `defineCommand`,
 * which sends EVALSHA and falls back to EVAL on NOSCRIPT by itself.
 *
 * @param client - the connection to define them on
 */
export function defineScripts(client: RedisClient): void {
  if (defined.has(client)) return;
  for (const [name, lua] of scriptSources()) {
    client.defineCommand(internalName(name), { numberOfKeys: keyCount(name), lua, readOnly: SCRIPTS[name].readOnly });
  }
  defined.add(client);
}

/** Finds the function ioredis defined for `name` on `target` (a client or a pipeline). */
export function scriptFunction(target: object, name: ScriptName, binary: boolean): ScriptFunction {
  const fn = (target as Record<string, unknown>)[internalName(name) + (binary ? 'Buffer' : '')];
  if (typeof fn !== 'function') throw new Error(`good-redis script ${name} is not defined on this client`);
  return fn as ScriptFunction;
}

/**
 * Runs one stream script on `client`, with the stream's keys as KEYS, mapping script error
 * codes to {@link GoodRedisError}s.
 *
 * @param client - a client {@link defineScripts} was called on
 * @param name - the script
 * @param keys - the stream's keys
 * @param args - the ARGV
 * @param binary - reply with Buffers instead of strings
 */
export async function runScript(
  client: RedisClient,
  name: ScriptName,
  keys: StreamKeys,
  args: readonly ScriptArg[],
  binary = false,
): Promise<unknown> {
  try {
    return await scriptFunction(client, name, binary).call(client, ...SCRIPTS[name].keys(keys), ...args);
  } catch (err) {
    throw fromScriptError(err);
  }
}

/**
 * Runs one stream script and then `WAIT replicas timeoutMs` in one pipeline, so both reach
 * the master of the stream's slot (on a Cluster too) and the WAIT covers the script's writes.
 * Read-only scripts run as {@link runScript} does.
 *
 * @param client - a client {@link defineScripts} was called on
 * @param name - the script
 * @param keys - the stream's keys
 * @param args - the ARGV
 * @param binary - reply with Buffers instead of strings
 * @param replicas - how many replicas must confirm the write
 * @param timeoutMs - how long they may take
 * @throws {@link GoodRedisError} `Replication` when fewer replicas confirmed
 */
export function runScriptReplicated(
  client: RedisClient,
  name: ScriptName,
  keys: StreamKeys,
  args: readonly ScriptArg[],
  binary: boolean,
  replicas: number,
  timeoutMs: number,
): Promise<unknown> {
  if (SCRIPTS[name].readOnly) return runScript(client, name, keys, args, binary);
  const pipeline = client.pipeline();
  void scriptFunction(pipeline, name, binary).call(pipeline, ...SCRIPTS[name].keys(keys), ...args);
  return execConfirmed(pipeline, replicas, timeoutMs, `the ${name} script`);
}

/**
 * Appends `WAIT replicas timeoutMs` to a pipeline of one write, runs it, and returns the
 * write's reply once enough replicas confirmed it.
 *
 * @param pipeline - a pipeline holding exactly one write
 * @param replicas - how many replicas must confirm it
 * @param timeoutMs - how long they may take
 * @param what - the write, for the error message
 * @throws {@link GoodRedisError} `Replication` when fewer replicas confirmed
 */
export async function execConfirmed(pipeline: ChainableCommander, replicas: number, timeoutMs: number, what: string): Promise<unknown> {
  pipeline.wait(replicas, timeoutMs);
  const results = await pipeline.exec();
  const [write, confirmation] = results ?? [];
  if (write === undefined || confirmation === undefined) throw new Error(`the pipeline of ${what} returned no replies`);
  const [writeError, reply] = write;
  if (writeError !== null) throw fromScriptError(writeError);
  const [waitError, acked] = confirmation;
  if (waitError !== null) {
    throw new GoodRedisError('Replication', `${what} reached the master, but its replication could not be confirmed: ${waitError.message}`, { cause: waitError });
  }
  if (Number(acked) < replicas) {
    throw new GoodRedisError(
      'Replication',
      `${what} reached the master, but only ${String(acked)} of ${String(replicas)} replica(s) confirmed it within ${String(timeoutMs)} ms; a failover now could lose it`,
    );
  }
  return reply;
}

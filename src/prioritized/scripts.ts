import type { ChainableCommander } from 'ioredis';
import { fromRedisError, GoodRedisError } from '../errors.js';
import type { RedisClient } from '../connection/redis-client.js';
import { LUA_SOURCES } from './lua-sources.js';
import { queueScript, scriptSource, sendScript, UnansweredError, withScriptCommand, type ScriptCall, type ScriptSource } from '../scripting/script-command.js';
import type { StreamKeys } from './stream-keys.js';

interface ScriptDefinition {
  /** The file under `lua/`, named `verbNoun-N.lua` where N is the number of KEYS. */
  readonly file: string;
  /** The KEYS, in the order the script's header lists them. */
  readonly keys: (k: StreamKeys) => readonly string[];
  /** Read-only scripts may run on replicas (and are declared `no-writes`). */
  readonly readOnly: boolean;
  /**
   * Scripts that only remove data are declared `allow-oom`, so a full server can still be
   * emptied; every other writing script is refused by Redis up front when it is out of memory.
   */
  readonly allowOom?: boolean;
}

const allKeys = (k: StreamKeys): readonly string[] => [k.items, k.scores, k.gated, k.cooldowns, k.meta, k.leases, k.delayed, k.dead, k.state, k.marker];

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
  expireItems: { file: 'expireItems-4.lua', keys: (k) => [k.items, k.scores, k.cooldowns, k.state], readOnly: false, allowOom: true },
  deleteStream: { file: 'deleteStream-11.lua', keys: countingKeys, readOnly: false, allowOom: true },
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
  removeItems: { file: 'removeItems-10.lua', keys: allKeys, readOnly: false, allowOom: true },
  readStats: { file: 'readStats-11.lua', keys: countingKeys, readOnly: true },
  reviveDead: { file: 'reviveDead-10.lua', keys: allKeys, readOnly: false },
} as const satisfies Record<string, ScriptDefinition>;

/** The name of one of the stream scripts. */
export type ScriptName = keyof typeof SCRIPTS;

/** An argument to a script. */
export type ScriptArg = string | Buffer | number;

type ScriptFunction = (this: unknown, ...args: ScriptArg[]) => Promise<unknown>;

let sources: ReadonlyMap<ScriptName, string> | undefined;
let flaggedSources: ReadonlyMap<ScriptName, string> | undefined;

/** The script sources with their includes expanded, as the build embedded them (no shebang: for Redis before 7). */
export function scriptSources(): ReadonlyMap<ScriptName, string> {
  sources ??= new Map(
    (Object.keys(SCRIPTS) as ScriptName[]).map((name) => {
      const lua = LUA_SOURCES[SCRIPTS[name].file];
      if (lua === undefined) throw new Error(`good-redis was built without the script ${SCRIPTS[name].file}`);
      return [name, lua];
    }),
  );
  return sources;
}

/**
 * The shebang line that declares a script's flags to Redis 7+: `no-writes` for read-only
 * scripts (they run on replicas and on a full server), `allow-oom` for scripts that only
 * remove data, none for the others, which Redis then refuses up front, before any write, when
 * it is out of memory (`maxmemory` reached under `noeviction`).
 */
export function shebangOf(name: ScriptName): string {
  const definition: ScriptDefinition = SCRIPTS[name];
  if (definition.readOnly) return '#!lua flags=no-writes';
  return definition.allowOom === true ? '#!lua flags=allow-oom' : '#!lua';
}

/** {@link scriptSources} with each script's flags declared in a shebang (Redis 7+). */
export function flaggedScriptSources(): ReadonlyMap<ScriptName, string> {
  flaggedSources ??= new Map([...scriptSources()].map(([name, lua]) => [name, `${shebangOf(name)}\n${lua}`]));
  return flaggedSources;
}

let sendable: { flagged: ReadonlyMap<ScriptName, ScriptSource>; legacy: ReadonlyMap<ScriptName, ScriptSource> } | undefined;

/** The source (with flags, or without for Redis before 7) a script is sent with on `client`, with its SHA-1. */
function sourceFor(client: RedisClient, name: ScriptName): ScriptSource {
  sendable ??= {
    flagged: new Map([...flaggedScriptSources()].map(([n, lua]) => [n, scriptSource(lua)])),
    legacy: new Map([...scriptSources()].map(([n, lua]) => [n, scriptSource(lua)])),
  };
  const source = (legacy.has(client) ? sendable.legacy : sendable.flagged).get(name);
  if (source === undefined) throw new Error(`good-redis has no script ${name}`);
  return source;
}

/** A script call on `client` with the stream's keys. */
function callOf(client: RedisClient, name: ScriptName, keys: StreamKeys, args: readonly ScriptArg[], binary: boolean): ScriptCall {
  return { source: sourceFor(client, name), keys: SCRIPTS[name].keys(keys), args, binary, readOnly: SCRIPTS[name].readOnly };
}

/** Clients whose server refused a shebang (Redis before 7): they run the scripts without flags. */
const legacy = new WeakSet<object>();

/**
 * Whether `err` is a server before Redis 7 refusing a script's shebang (a compile error at
 * its first character): nothing ran.
 */
function refusedShebang(err: unknown): boolean {
  return err instanceof Error && err.message.includes("unexpected symbol near '#'");
}

/**
 * Runs `call`; when the server refused the scripts' shebang (Redis before 7), defines the
 * scripts again on `client` without it and runs `call` once more (nothing ran the first time).
 *
 * @param client - the client the scripts are defined on
 * @param call - sends the script (again)
 */
export async function withLegacyFallback<R>(client: RedisClient, call: () => Promise<R>): Promise<R> {
  try {
    return await call();
  } catch (err) {
    if (legacy.has(client) || !refusedShebang(err)) throw err;
    legacy.add(client);
    if (defined.has(client)) define(client, scriptSources());
    return call();
  }
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
  define(client, legacy.has(client) ? scriptSources() : flaggedScriptSources());
  defined.add(client);
}

function define(client: RedisClient, lua: ReadonlyMap<ScriptName, string>): void {
  for (const [name, source] of lua) {
    client.defineCommand(internalName(name), { numberOfKeys: keyCount(name), lua: source, readOnly: SCRIPTS[name].readOnly });
  }
}

/** Finds the function ioredis defined for `name` on `target` (a client or a pipeline). */
export function scriptFunction(target: object, name: ScriptName, binary: boolean): ScriptFunction {
  const fn = (target as Record<string, unknown>)[internalName(name) + (binary ? 'Buffer' : '')];
  if (typeof fn !== 'function') throw new Error(`good-redis script ${name} is not defined on this client`);
  return fn as ScriptFunction;
}

/**
 * Runs one stream script on `client`, with the stream's keys as KEYS, mapping its errors to
 * {@link GoodRedisError}s. A writing script is never sent twice: when its connection drops
 * before the reply, the call fails with a `Connection` error (see {@link sendScript}).
 *
 * @param client - the connection
 * @param name - the script
 * @param keys - the stream's keys
 * @param args - the ARGV
 * @param binary - reply with Buffers instead of strings
 */
export async function runScript(client: RedisClient, name: ScriptName, keys: StreamKeys, args: readonly ScriptArg[], binary = false): Promise<unknown> {
  try {
    return await withLegacyFallback(client, () => sendScript(client, callOf(client, name, keys, args, binary)));
  } catch (err) {
    throw fromRedisError(err);
  }
}

/**
 * Runs one stream script and then `WAIT replicas timeoutMs` in one pipeline, so both reach
 * the master of the stream's slot (on a Cluster too) and the WAIT covers the script's writes.
 * Read-only scripts run as {@link runScript} does.
 *
 * @param client - the connection
 * @param name - the script
 * @param keys - the stream's keys
 * @param args - the ARGV
 * @param binary - reply with Buffers instead of strings
 * @param replicas - how many replicas must confirm the write
 * @param timeoutMs - how long they may take
 * @throws {@link GoodRedisError} `Replication` when fewer replicas confirmed
 */
export async function runScriptReplicated(
  client: RedisClient,
  name: ScriptName,
  keys: StreamKeys,
  args: readonly ScriptArg[],
  binary: boolean,
  replicas: number,
  timeoutMs: number,
): Promise<unknown> {
  if (SCRIPTS[name].readOnly) return runScript(client, name, keys, args, binary);
  return withLegacyFallback(client, () =>
    withScriptCommand(callOf(client, name, keys, args, binary), (command) => {
      const pipeline = client.pipeline();
      queueScript(pipeline, command);
      return execConfirmed(pipeline, replicas, timeoutMs, `the ${name} script`, () => command.unanswered);
    }),
  );
}

/**
 * Appends `WAIT replicas timeoutMs` to a pipeline of one write, runs it, and returns the
 * write's reply once enough replicas confirmed it.
 *
 * @param pipeline - a pipeline holding exactly one write
 * @param replicas - how many replicas must confirm it
 * @param timeoutMs - how long they may take
 * @param what - the write, for the error message
 * @param unanswered - tells whether the write went unanswered on a dropped connection (a script's {@link ScriptCommand.unanswered})
 * @throws {@link GoodRedisError} `Replication` when fewer replicas confirmed
 */
export async function execConfirmed(
  pipeline: ChainableCommander,
  replicas: number,
  timeoutMs: number,
  what: string,
  unanswered: () => boolean = () => false,
): Promise<unknown> {
  pipeline.wait(replicas, timeoutMs);
  let results: [error: Error | null, result: unknown][] | null;
  try {
    results = await pipeline.exec();
  } catch (err) {
    throw fromRedisError(err);
  }
  if (unanswered()) throw fromRedisError(new UnansweredError());
  const [write, confirmation] = results ?? [];
  if (write === undefined || confirmation === undefined) throw new GoodRedisError('Connection', `the pipeline of ${what} returned no replies`);
  const [writeError, reply] = write;
  if (writeError !== null) throw fromRedisError(writeError);
  const [waitError, acked] = confirmation;
  if (waitError !== null) {
    throw new GoodRedisError('Replication', `${what} reached the master, but its replication could not be confirmed: ${waitError.message}`, {
      cause: waitError,
    });
  }
  if (Number(acked) < replicas) {
    throw new GoodRedisError(
      'Replication',
      `${what} reached the master, but only ${String(acked)} of ${String(replicas)} replica(s) confirmed it within ${String(timeoutMs)} ms; a failover now could lose it`,
    );
  }
  return reply;
}

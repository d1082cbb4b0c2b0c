/**
 * A family's Lua scripts: their definitions, their sources as the build embedded them, and
 * how they are run (one script call, or a script and `WAIT` in one pipeline), with every
 * failure mapped to a {@link GoodRedisError}.
 *
 * @module
 */
import type { ChainableCommander } from 'ioredis';
import { fromRedisError, GoodRedisError } from '../errors.js';
import type { RedisClient } from '../connection/redis-client.js';
import { checkEviction } from '../connection/eviction-check.js';
import { assertInteger, optionsOf } from '../internal/validate.js';
import { queueScript, scriptSource, sendScript, UnansweredError, withScriptCommand, type ScriptCall, type ScriptSource } from './script-command.js';

/** How many replicas must confirm each write of an object (a stream's, a queue's). */
export interface ReplicationOptions {
  /** How many replicas must acknowledge each write (1 or more). */
  replicas: number;
  /**
   * How long to wait for them, in milliseconds (1 or more: `WAIT` with 0 would wait forever).
   *
   * @defaultValue 1000
   */
  timeoutMs?: number | undefined;
}

/**
 * Checks a `replication` option and applies its default timeout.
 *
 * @param replication - the option, or undefined for none
 * @returns the replicas and timeout, or undefined
 * @throws {@link GoodRedisError} `InvalidArgument` for a bad value
 */
export function replicationOf(replication: ReplicationOptions | undefined): { replicas: number; timeoutMs: number } | undefined {
  if (replication === undefined) return undefined;
  const { replicas, timeoutMs = 1000 } = optionsOf(replication, 'replication');
  assertInteger(replicas, 'replication.replicas', 1);
  assertInteger(timeoutMs, 'replication.timeoutMs', 1);
  return { replicas, timeoutMs };
}

/**
 * What a key holds, as Redis's `TYPE` names it; `channel` for a pub/sub channel, which is no key
 * and is never checked.
 */
export type KeyType = 'string' | 'list' | 'set' | 'zset' | 'hash' | 'stream' | 'channel';

/**
 * The guard a writing script starts with: each of its keys must be missing or hold the type the
 * family keeps there, else the script answers a `GRERR ETYPE` error (kind `Redis`, message
 * `WRONGTYPE …` naming the key) before its first write. Redis keeps what a script wrote before it
 * raised, so a key of another type (another program's, a restore's, a hand edit's) must be found
 * before anything is written, not half way through.
 *
 * @param types - the type of each key the script is sent, in its order
 * @returns one line of Lua, or '' when no key is checked
 */
export function keyTypeGuard(types: readonly KeyType[]): string {
  if (types.every((t) => t === 'channel')) return '';
  const list = types.map((t) => (t === 'channel' ? 'false' : `'${t}'`)).join(',');
  return (
    `for i, t in ipairs({${list}}) do if t then local h = redis.call('TYPE', KEYS[i]) h = h['ok'] or h if h ~= 'none' and h ~= t then ` +
    `return redis.error_reply('GRERR ETYPE WRONGTYPE ' .. KEYS[i] .. ' holds a ' .. h .. ' where good-redis keeps a ' .. t .. ' (written by another program?): rename or delete it; nothing was written') end end end`
  );
}

/** An argument to a script. */
export type ScriptArg = string | Buffer | number;

/**
 * One script of a family.
 *
 * @typeParam Role - the names of the family's keys (the fields of its key builder's result)
 */
export interface ScriptDefinition<Role extends string> {
  /** The file under the family's `lua/`, named `verbNoun-N.lua` where N is the number of keys. */
  readonly file: string;
  /** The keys the script touches, in the order its `namedKeys(...)` line declares them. */
  readonly keys: readonly Role[];
  /** Read-only scripts may run on replicas (and are declared `no-writes`). */
  readonly readOnly: boolean;
  /**
   * Scripts that only remove data, or settle work already taken (acks, a pool's settles, a
   * stream's dead-letter replay and purge: each frees at least what it writes), are declared
   * `allow-oom`, so that on a full server consumers still finish what they hold, exactly once,
   * and the server can be emptied; every other writing script is refused by Redis up front when
   * it is out of memory.
   */
  readonly allowOom?: boolean;
  /** A script that deletes its keys whole (an object's `delete`): it runs whatever type they hold, so it has no {@link keyTypeGuard}. */
  readonly anyType?: boolean;
}

type ScriptFunction = (this: unknown, ...args: ScriptArg[]) => Promise<unknown>;

/** Clients whose server refused a shebang (Redis before 7): every family runs its scripts there without flags. */
const legacy = new WeakSet<object>();

/**
 * Whether `err` is a server before Redis 7 refusing a script's shebang (a compile error at
 * its first character): nothing ran.
 */
function refusedShebang(err: unknown): boolean {
  return err instanceof Error && err.message.includes("unexpected symbol near '#'");
}

/**
 * The scripts of one family. Each is defined once per client (for pipelines and
 * transactions), sent by {@link sendScript} otherwise, and declared to Redis 7+ with its flags
 * in a shebang; a server before Redis 7 gets them without one.
 *
 * @typeParam Name - the scripts' names
 * @typeParam Role - the names of the family's keys
 * @typeParam Table - the definitions by name (with their encoders and decoders: see `defineScript`)
 */
export class ScriptSet<
  Name extends string,
  Role extends string,
  Table extends Readonly<Record<Name, ScriptDefinition<Role>>> = Readonly<Record<Name, ScriptDefinition<Role>>>,
> {
  /** The clients the scripts are defined on. */
  private readonly defined = new WeakSet<object>();
  private plain: ReadonlyMap<Name, string> | undefined;
  private flagged: ReadonlyMap<Name, string> | undefined;
  private sendable: { flagged: ReadonlyMap<Name, ScriptSource>; legacy: ReadonlyMap<Name, ScriptSource> } | undefined;

  /**
   * @param family - names the family in the commands ioredis defines (`__goodRedis_<family>_<name>`)
   * @param definitions - every script of the family, by name
   * @param lua - the embedded sources, by file name (the build's `lua-sources.js`)
   * @param keyTypes - what each of the family's keys holds: every writing script first checks its keys against it ({@link keyTypeGuard})
   */
  public constructor(
    private readonly family: string,
    public readonly definitions: Table,
    private readonly lua: Readonly<Record<string, string>>,
    private readonly keyTypes: Readonly<Record<Role, KeyType>>,
  ) {}

  /** The scripts' names. */
  public get names(): Name[] {
    return Object.keys(this.definitions) as Name[];
  }

  /**
   * The script sources with their includes expanded, as the build embedded them, a writing
   * script's behind its key type guard ({@link keyTypeGuard}); no shebang: for Redis before 7.
   */
  public sources(): ReadonlyMap<Name, string> {
    this.plain ??= new Map(
      this.names.map((name) => {
        const definition = this.definitions[name];
        const source = this.lua[definition.file];
        if (source === undefined) throw new Error(`good-redis was built without the script ${definition.file}`);
        const guard = definition.readOnly || definition.anyType === true ? '' : keyTypeGuard(definition.keys.map((role) => this.keyTypes[role]));
        return [name, guard === '' ? source : `${guard}\n${source}`];
      }),
    );
    return this.plain;
  }

  /**
   * The shebang line that declares a script's flags to Redis 7+: `no-writes` for read-only
   * scripts (they run on replicas and on a full server), `allow-oom` for scripts that only
   * remove data or settle work, none for the others, which Redis then refuses up front, before any write, when
   * it is out of memory (`maxmemory` reached under `noeviction`).
   */
  public shebangOf(name: Name): string {
    const definition = this.definitions[name];
    if (definition.readOnly) return '#!lua flags=no-writes';
    return definition.allowOom === true ? '#!lua flags=allow-oom' : '#!lua';
  }

  /** {@link sources} with each script's flags declared in a shebang (Redis 7+). */
  public flaggedSources(): ReadonlyMap<Name, string> {
    this.flagged ??= new Map([...this.sources()].map(([name, source]) => [name, `${this.shebangOf(name)}\n${source}`]));
    return this.flagged;
  }

  /** The number of keys a script takes, read from its `-N.lua` file name. */
  public keyCount(name: Name): number {
    return Number(/-(\d+)\.lua$/.exec(this.definitions[name].file)?.[1]);
  }

  /** The keys a script is sent, from the object's keys by role. */
  public keysOf(name: Name, keys: Readonly<Record<Role, string>>): string[] {
    return this.definitions[name].keys.map((role) => keys[role]);
  }

  /** The command name a script is defined under on a client. */
  public internalName(name: Name): string {
    return `__goodRedis_${this.family}_${name}`;
  }

  /**
   * Defines every script on `client` (once per client) with ioredis `defineCommand`, for
   * pipelines and transactions, which queue it as EVALSHA and fall back to EVAL on NOSCRIPT.
   *
   * @param client - the connection to define them on
   */
  public define(client: RedisClient): void {
    if (this.defined.has(client)) return;
    this.defineAll(client);
    this.defined.add(client);
  }

  private defineAll(client: RedisClient): void {
    for (const [name, source] of legacy.has(client) ? this.sources() : this.flaggedSources()) {
      client.defineCommand(this.internalName(name), { numberOfKeys: this.keyCount(name), lua: source, readOnly: this.definitions[name].readOnly });
    }
  }

  /** Finds the function ioredis defined for `name` on `target` (a client, a pipeline or a transaction). */
  public functionOf(target: object, name: Name, binary: boolean): ScriptFunction {
    const fn = (target as Record<string, unknown>)[this.internalName(name) + (binary ? 'Buffer' : '')];
    if (typeof fn !== 'function') throw new Error(`good-redis script ${name} is not defined on this client`);
    return fn as ScriptFunction;
  }

  /**
   * Runs one script on `client` with the object's keys, mapping its errors to
   * {@link GoodRedisError}s. A writing script is never sent twice: when its connection drops
   * before the reply, the call fails with a `Connection` error (see {@link sendScript}).
   *
   * @param client - the connection
   * @param name - the script
   * @param keys - the object's keys by role
   * @param args - the ARGV
   * @param binary - reply with Buffers instead of strings
   */
  public async run(client: RedisClient, name: Name, keys: Readonly<Record<Role, string>>, args: readonly ScriptArg[], binary = false): Promise<unknown> {
    try {
      return await this.withLegacyFallback(client, () => sendScript(client, this.callOf(client, name, keys, args, binary)));
    } catch (err) {
      throw fromRedisError(err);
    }
  }

  /**
   * Runs one script and then `WAIT replicas timeoutMs` in one pipeline, so both reach the
   * master of the object's slot (on a Cluster too) and the WAIT covers the script's writes.
   * Read-only scripts run as {@link run} does.
   *
   * @param client - the connection
   * @param name - the script
   * @param keys - the object's keys by role
   * @param args - the ARGV
   * @param binary - reply with Buffers instead of strings
   * @param replicas - how many replicas must confirm the write
   * @param timeoutMs - how long they may take
   * @throws {@link GoodRedisError} `Replication` when fewer replicas confirmed
   */
  public async runReplicated(
    client: RedisClient,
    name: Name,
    keys: Readonly<Record<Role, string>>,
    args: readonly ScriptArg[],
    binary: boolean,
    replicas: number,
    timeoutMs: number,
  ): Promise<unknown> {
    if (this.definitions[name].readOnly) return this.run(client, name, keys, args, binary);
    return this.withLegacyFallback(client, () =>
      withScriptCommand(this.callOf(client, name, keys, args, binary), (command) => {
        const pipeline = client.pipeline();
        queueScript(pipeline, command);
        return execConfirmed(pipeline, replicas, timeoutMs, `the ${name} script`, () => command.unanswered);
      }),
    );
  }

  /** The source (with flags, or without for Redis before 7) a script is sent with on `client`, with its SHA-1. */
  private sourceFor(client: RedisClient, name: Name): ScriptSource {
    this.sendable ??= {
      flagged: new Map([...this.flaggedSources()].map(([n, lua]) => [n, scriptSource(lua)])),
      legacy: new Map([...this.sources()].map(([n, lua]) => [n, scriptSource(lua)])),
    };
    const source = (legacy.has(client) ? this.sendable.legacy : this.sendable.flagged).get(name);
    if (source === undefined) throw new Error(`good-redis has no script ${name}`);
    return source;
  }

  private callOf(client: RedisClient, name: Name, keys: Readonly<Record<Role, string>>, args: readonly ScriptArg[], binary: boolean): ScriptCall {
    void checkEviction(client);
    return { source: this.sourceFor(client, name), keys: this.keysOf(name, keys), args, binary, readOnly: this.definitions[name].readOnly };
  }

  /**
   * Runs `call`; when the server refused the scripts' shebang (Redis before 7), defines the
   * scripts again on `client` without it and runs `call` once more (nothing ran the first time).
   */
  private async withLegacyFallback<R>(client: RedisClient, call: () => Promise<R>): Promise<R> {
    try {
      return await call();
    } catch (err) {
      if (legacy.has(client) || !refusedShebang(err)) throw err;
      legacy.add(client);
      if (this.defined.has(client)) this.defineAll(client);
      return call();
    }
  }
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

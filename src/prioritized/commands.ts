/**
 * The good-redis commands as typed custom commands on an ioredis client.
 *
 * @module
 */
import { optionsOf } from '../internal/validate.js';
import type { ClientContext, Result } from 'ioredis';
import type { RedisClient } from '../connection/redis-client.js';
import type { AddMode } from './types.js';
import { SCRIPTS, STREAM_SCRIPTS, type ScriptArg, type ScriptName } from './scripts.js';
import { streamKeys } from './stream-keys.js';

/** The arguments of the raw `pspull` command, in good-redis's order. */
export type PsPullArgs = [name: string, count?: number, purge?: boolean, gate?: boolean, cooldownMs?: number, expireAt?: number, decreaseBy?: number];

declare module 'ioredis' {
  // Declaration merging with ioredis's own interface: the type parameter must keep its name.
  interface RedisCommander<Context extends ClientContext> {
    /**
     * Adds one item; see {@link PrioritizedStream.add}. Resolves to the new priority as a string,
     * or `null` when the key is gated or cooling down.
     */
    psadd(name: string, key: string, value: string | Buffer, score: number, readd?: boolean, mode?: AddMode): Result<string | null, Context>;
    /** Adds items in order, atomically; one priority string or `null` per item. */
    psaddmany(
      name: string,
      items: readonly (readonly [key: string, value: string | Buffer, score: number])[],
      readd?: boolean,
      mode?: AddMode,
    ): Result<(string | null)[], Context>;
    /** Pulls items; a flat `key, value, priority, …` array in pull order. */
    pspull(...args: PsPullArgs): Result<string[], Context>;
    /** {@link RedisCommander.pspull} with Buffer replies. */
    pspullBuffer(...args: PsPullArgs): Result<Buffer[], Context>;
    /** Keys in pull order, ranks `start` to `stop` inclusive. */
    pskeys(name: string, start?: number, stop?: number): Result<string[], Context>;
    /** Values in pull order, ranks `start` to `stop` inclusive. */
    psvalues(name: string, start?: number, stop?: number): Result<string[], Context>;
    /** One item's value, or `null`. */
    psget(name: string, key: string): Result<string | null, Context>;
    /** {@link RedisCommander.psget} with a Buffer reply. */
    psgetBuffer(name: string, key: string): Result<Buffer | null, Context>;
    /** The number of queued items. */
    pslen(name: string): Result<number, Context>;
    /** Adds `by` to a queued item's priority; the new priority as a string, or `null`. */
    psincrement(name: string, key: string, by: number): Result<string | null, Context>;
    /** Lowers every priority by `by`, O(1); resolves to the number of items affected. */
    psdecrementall(name: string, by: number): Result<number, Context>;
    /** Removes up to `limit` items below `threshold`; resolves to their keys. */
    psdeletebelowthreshold(name: string, threshold: number, gate?: boolean, limit?: number): Result<string[], Context>;
    /** Removes every key of the stream; resolves to how many existed. */
    psdelete(name: string): Result<number, Context>;
    /** Sweeps up to `limit` ended cooldowns; resolves to `[expired, removed]`. */
    psexpire(name: string, limit?: number): Result<[number, number], Context>;
    /**
     * Leases up to `count` items; resolves to `[[key, value, priority, attempt, leaseId, …], wakeInMs]`.
     * Also recovers up to `max(count, 100)` expired leases and due delayed jobs first.
     */
    pslease(name: string, count?: number, leaseMs?: number, maxAttempts?: number): Result<[(string | number)[], number], Context>;
    /** Acks leases (all or nothing); resolves to how many. */
    psack(name: string, leases: readonly (readonly [key: string, leaseId: string])[], gate?: boolean, cooldownMs?: number): Result<number, Context>;
    /** Nacks leases (all or nothing); resolves to `[requeued, delayed, dead]`. */
    psnack(
      name: string,
      leases: readonly (readonly [key: string, leaseId: string])[],
      delayMs?: number,
      priority?: number,
      error?: string,
    ): Result<[number, number, number], Context>;
    /** Renews leases (all or nothing); resolves to the new deadline as a string. */
    psextend(name: string, leases: readonly (readonly [key: string, leaseId: string])[], leaseMs: number): Result<string, Context>;
    /** Recovers up to `limit` expired leases and due delayed jobs; resolves to `[returned, died, promoted]`. */
    psrecover(name: string, limit?: number): Result<[number, number, number], Context>;
    /** Reads dead letters by rank; a flat `key, value, diedAt, stateJson, …` array. */
    psdead(name: string, start?: number, stop?: number): Result<string[], Context>;
    /** Replays the named dead letters (or up to 1,000); resolves to the keys replayed. */
    psreplay(name: string, ...keys: string[]): Result<string[], Context>;
    /** Purges the named dead letters (or up to 1,000); resolves to the keys purged. */
    pspurgedead(name: string, ...keys: string[]): Result<string[], Context>;
  }
}

type Leases = readonly (readonly [key: string, leaseId: string])[];

/**
 * How each raw command maps its positional arguments (after the stream name) to a script's
 * request; the script's encoder (in `scripts.ts`, shared with the classes) applies the defaults.
 */
const RAW_COMMANDS: Record<string, { script: ScriptName; argv: (...a: never[]) => ScriptArg[] }> = {
  psadd: {
    script: 'addItem',
    argv: (key: string, value: string | Buffer, priority: number, readd?: boolean, mode?: AddMode) =>
      SCRIPTS.addItem.encode({ key, value, priority, readd, mode }),
  },
  psaddmany: {
    script: 'addItems',
    argv: (items: readonly (readonly [string, string | Buffer, number])[], readd?: boolean, mode?: AddMode) =>
      SCRIPTS.addItems.encode({
        readd,
        mode,
        pairs: items.flatMap(([key, value]) => [key, value]),
        // Number() first: the script parses what ZADD will, and only canonical number strings.
        scored: items.flatMap(([key, , score]) => [-Number(score as unknown), key]),
      }),
  },
  pspull: {
    script: 'pullItems',
    argv: (count?: number, purge?: boolean, gate?: boolean, cooldownMs?: number, expireAt?: number, decreaseBy?: number) =>
      SCRIPTS.pullItems.encode({ count, purge, gate, cooldownMs, expireAt, decreaseBy }),
  },
  pskeys: { script: 'readItems', argv: (start?: number, stop?: number) => SCRIPTS.readItems.encode({ what: 'keys', start, stop }) },
  psvalues: { script: 'readItems', argv: (start?: number, stop?: number) => SCRIPTS.readItems.encode({ what: 'values', start, stop }) },
  psget: { script: 'getItem', argv: (key: string) => SCRIPTS.getItem.encode({ key }) },
  pslen: { script: 'countItems', argv: () => SCRIPTS.countItems.encode({}) },
  psincrement: { script: 'incrementItem', argv: (key: string, by: number) => SCRIPTS.incrementItem.encode({ key, by }) },
  psdecrementall: { script: 'decrementAll', argv: (by: number) => SCRIPTS.decrementAll.encode({ by }) },
  psdeletebelowthreshold: {
    script: 'deleteBelow',
    argv: (threshold: number, gate?: boolean, limit?: number) => SCRIPTS.deleteBelow.encode({ threshold, gate, limit }),
  },
  psdelete: { script: 'deleteStream', argv: () => SCRIPTS.deleteStream.encode({}) },
  psexpire: { script: 'expireItems', argv: (limit?: number) => SCRIPTS.expireItems.encode({ limit }) },
  pslease: {
    script: 'leaseItems',
    argv: (count?: number, leaseMs?: number, maxAttempts?: number) => SCRIPTS.leaseItems.encode({ count, leaseMs, maxAttempts }),
  },
  psack: {
    script: 'ackItems',
    argv: (leases: Leases, gate?: boolean, cooldownMs?: number) => SCRIPTS.ackItems.encode({ gate, cooldownMs, pairs: leases.flat() }),
  },
  psnack: {
    script: 'nackItems',
    argv: (leases: Leases, delayMs?: number, priority?: number, error?: string) => SCRIPTS.nackItems.encode({ delayMs, priority, error, pairs: leases.flat() }),
  },
  psextend: { script: 'extendLeases', argv: (leases: Leases, leaseMs: number) => SCRIPTS.extendLeases.encode({ leaseMs, pairs: leases.flat() }) },
  psrecover: { script: 'recoverItems', argv: (limit?: number) => SCRIPTS.recoverItems.encode({ limit }) },
  psdead: { script: 'readJobs', argv: (start?: number, stop?: number) => SCRIPTS.readJobs.encode({ which: 'dead', start, stop, values: true }) },
  psreplay: { script: 'reviveDead', argv: (...keys: string[]) => SCRIPTS.reviveDead.encode({ action: 'replay', keys }) },
  pspurgedead: { script: 'reviveDead', argv: (...keys: string[]) => SCRIPTS.reviveDead.encode({ action: 'purge', keys }) },
};

/** The names of the raw commands {@link registerCommands} defines. */
export const RAW_COMMAND_NAMES: readonly string[] = Object.keys(RAW_COMMANDS);

/** Options of {@link registerCommands}. */
export interface RegisterCommandsOptions {
  /**
   * The key prefix of the streams the commands address; the same as the classes' `prefix`.
   *
   * @defaultValue `''`
   */
  prefix?: string | undefined;
}

interface CommandHost {
  isPipeline?: boolean;
  addedBuiltinSet: Set<string>;
}

/**
 * Defines the good-redis commands (`psadd`, `psaddmany`, `pspull`, `pskeys`, `psvalues`,
 * `psget`, `pslen`, `psincrement`, `psdecrementall`, `psdeletebelowthreshold`, `psdelete`,
 * `psexpire`), the job commands (`pslease`, `psack`, `psnack`, `psextend`, `psrecover`,
 * `psdead`, `psreplay`, `pspurgedead`), plus `…Buffer` variants, on an ioredis client. Arguments follow good-redis's
 * order, stream name first. They work in `pipeline()` and `multi()` like any ioredis
 * command, and each is one atomic script over one stream's keys.
 *
 * Raw commands never touch the `:ps:keys` registry (on a Cluster it lives in another slot);
 * the classes maintain it. Replies are raw: priorities come back as exact decimal strings.
 *
 * @param client - the connection to define the commands on
 * @param options - the key prefix of the streams
 * @example
 * ```ts
 * registerCommands(redis);
 * await redis.psadd('jobs', 'job-1', 'payload', 10);
 * const [, replies] = await redis.multi().pslen('jobs').pspull('jobs', 2).exec() ?? [];
 * ```
 */
export function registerCommands(client: RedisClient, options: RegisterCommandsOptions = {}): void {
  options = optionsOf(options);
  const prefix = options.prefix ?? '';
  streamKeys('probe', prefix); // validates the prefix before anything is defined
  STREAM_SCRIPTS.define(client);
  const host = client as unknown as CommandHost & Record<string, unknown>;
  for (const [command, { script, argv: toArgv }] of Object.entries(RAW_COMMANDS)) {
    for (const binary of [false, true]) {
      host[binary ? `${command}Buffer` : command] = function (this: CommandHost, name: string, ...rest: never[]): unknown {
        let keys: ReturnType<typeof streamKeys>;
        let argv: ScriptArg[];
        try {
          keys = streamKeys(name, prefix);
          argv = toArgv(...rest);
        } catch (err) {
          if (this.isPipeline === true) throw err;
          return Promise.reject(err instanceof Error ? err : new Error(String(err)));
        }
        // In a pipeline the call returns the pipeline itself, for chaining.
        if (this.isPipeline === true) return STREAM_SCRIPTS.functionOf(this, script, binary).call(this, ...STREAM_SCRIPTS.keysOf(script, keys), ...argv);
        return STREAM_SCRIPTS.run(this as unknown as RedisClient, script, keys, argv, binary);
      };
    }
    // Pipelines and transactions copy the commands listed here from their client.
    host.addedBuiltinSet.add(command);
  }
}

import { settlesWithin } from '../internal/settles-within.js';
import { assertInteger, optionsOf } from '../internal/validate.js';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import type { ConnectionOptions as TlsOptions } from 'node:tls';
import { Cluster, Redis, type ClusterNode, type ClusterOptions, type RedisOptions } from 'ioredis';
import { GoodRedisError } from '../errors.js';
import type { RedisClient } from './redis-client.js';

/**
 * How to connect. Give at most one of `url`, `redis` and `cluster`; with none of them the
 * environment decides (see {@link connectionFromEnv}).
 *
 * @example
 * ```ts
 * { url: 'redis://localhost:6379/0' }
 * { redis: { sentinels: [{ host: 's1', port: 26379 }], name: 'mymaster' } }
 * { cluster: { nodes: [{ host: 'n1', port: 7000 }] } }
 * ```
 */
export interface ConnectionOptions {
  /** A `redis://` or `rediss://` URL; `redis` options, if given too, are merged over it. */
  url?: string | undefined;
  /** ioredis options for a standalone server or, with `sentinels` and `name`, a Sentinel set-up. */
  redis?: RedisOptions | undefined;
  /** Redis Cluster start-up nodes and ioredis cluster options. */
  cluster?: ClusterConnectionOptions | undefined;
}

/** How to reach a Redis Cluster. */
export interface ClusterConnectionOptions {
  /** Start-up nodes; the client discovers the others. */
  nodes: ClusterNode[];
  /**
   * ioredis cluster options.
   *
   * @defaultValue ioredis's defaults
   */
  options?: ClusterOptions | undefined;
}

const TRUE = new Set(['1', 'true', 'yes', 'on']);
const FALSE = new Set(['', '0', 'false', 'no', 'off']);

function envInteger(env: NodeJS.ProcessEnv, name: string, min: number, max: number): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || value < min || value > max) {
    throw new GoodRedisError('Configuration', `${name} must be an integer from ${String(min)} to ${String(max)}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

/** The variables that name a TLS file (PEM), with the TLS option each one fills. */
const TLS_FILES = [
  ['REDIS_TLS_CA', 'ca'],
  ['REDIS_TLS_CERT', 'cert'],
  ['REDIS_TLS_KEY', 'key'],
] as const;

/**
 * The TLS options the environment asks for, or undefined for a plain connection: TLS is on with
 * `REDIS_TLS` true, or when any of `REDIS_TLS_CA`, `REDIS_TLS_CERT`, `REDIS_TLS_KEY` (PEM files,
 * read now) or `REDIS_TLS_SERVERNAME` is set.
 */
function tlsFromEnv(env: NodeJS.ProcessEnv, set: (name: string) => string | undefined): TlsOptions | undefined {
  const flag = (env.REDIS_TLS ?? '').trim().toLowerCase();
  if (!TRUE.has(flag) && !FALSE.has(flag)) {
    throw new GoodRedisError('Configuration', `REDIS_TLS must be one of 1, true, yes, on, 0, false, no, off, got ${JSON.stringify(env.REDIS_TLS)}`);
  }
  const tls: TlsOptions = {};
  const named: string[] = [];
  for (const [name, option] of TLS_FILES) {
    const path = set(name);
    if (path === undefined) continue;
    named.push(name);
    try {
      tls[option] = readFileSync(path);
    } catch (err) {
      throw new GoodRedisError('Configuration', `${name} names ${JSON.stringify(path)}, which cannot be read: ${(err as Error).message}`, { cause: err });
    }
  }
  const servername = set('REDIS_TLS_SERVERNAME');
  if (servername !== undefined) {
    named.push('REDIS_TLS_SERVERNAME');
    tls.servername = servername;
  }
  if ((tls.cert === undefined) !== (tls.key === undefined)) {
    throw new GoodRedisError('Configuration', 'REDIS_TLS_CERT and REDIS_TLS_KEY go together: a client certificate needs its key');
  }
  if (named.length > 0 && flag !== '' && FALSE.has(flag)) {
    throw new GoodRedisError('Configuration', `REDIS_TLS is ${JSON.stringify(env.REDIS_TLS)} but ${named.join(', ')} ${named.length === 1 ? 'is' : 'are'} set`);
  }
  return TRUE.has(flag) || named.length > 0 ? tls : undefined;
}

/** The variables that name a server, a cluster or a Sentinel set-up: at most one may be set. */
const TARGETS = ['REDIS_URL', 'REDIS_CLUSTER_NODES', 'REDIS_SENTINELS'] as const;

/**
 * Parses a comma-separated `host:port` list (`[::1]:port` for IPv6; the port may be left out).
 *
 * @param name - the variable, for error messages
 * @param raw - its value
 * @param defaultPort - the port of an entry that names none
 */
function hostList(name: string, raw: string, defaultPort: number): { host: string; port: number }[] {
  const entries = raw.split(',').map((e) => e.trim());
  return entries.map((entry) => {
    const match = /^(?:\[([^\]]+)\]|([^:[\]]+))(?::(\d+))?$/.exec(entry);
    const port = match?.[3] === undefined ? defaultPort : Number(match[3]);
    const host = match?.[1] ?? match?.[2];
    if (host === undefined || port < 1 || port > 65535) {
      throw new GoodRedisError('Configuration', `${name} must be a comma-separated list of host:port, got ${JSON.stringify(raw)}`);
    }
    return { host, port };
  });
}

/**
 * Reads connection settings from the environment. At most one of these names the target:
 *
 * - `REDIS_URL`: a `redis://` or `rediss://` URL;
 * - `REDIS_CLUSTER_NODES`: Redis Cluster start-up nodes, `host:port,host:port,…`;
 * - `REDIS_SENTINELS`: sentinels, `host:port,…` (port 26379 when left out), with
 *   `REDIS_SENTINEL_MASTER`, the monitored master's name, and optionally
 *   `REDIS_SENTINEL_USERNAME` / `REDIS_SENTINEL_PASSWORD`; the client asks the sentinels
 *   for the master and follows failovers;
 * - none of them: a standalone server at `REDIS_HOST` and `REDIS_PORT` (ioredis's defaults,
 *   127.0.0.1:6379, for those not set).
 *
 * Without `REDIS_URL`, `REDIS_USERNAME` and `REDIS_PASSWORD` apply to the data nodes, and
 * `REDIS_DB` selects the database (not on a cluster, which has only database 0).
 *
 * TLS, with any target (to the sentinels too): `REDIS_TLS` (`1`/`true`/`yes`/`on`) turns it on,
 * and so does any of `REDIS_TLS_CA` (the CA certificate that signed the servers', a PEM file;
 * without it the system's CAs), `REDIS_TLS_CERT` and `REDIS_TLS_KEY` (a client certificate and
 * its key, PEM files, for servers that ask for one) and `REDIS_TLS_SERVERNAME` (the name the
 * servers' certificate must carry, when it is not the host connected to). A `rediss://` URL
 * turns it on too. The files are read here.
 *
 * @param env - the environment to read
 * @returns the connection options
 * @throws {@link GoodRedisError} `Configuration` for a malformed variable or more than one target
 */
export function connectionFromEnv(env: NodeJS.ProcessEnv = process.env): ConnectionOptions {
  const set = (name: string): string | undefined => {
    const value = env[name];
    return value === undefined || value === '' ? undefined : value;
  };
  const targets = TARGETS.filter((name) => set(name) !== undefined);
  if (targets.length > 1) {
    throw new GoodRedisError('Configuration', `set only one of ${TARGETS.join(', ')}; found ${targets.join(' and ')}`);
  }
  const tls = tlsFromEnv(env, set);
  const url = set('REDIS_URL');
  if (url !== undefined) return tls === undefined ? { url } : { url, redis: { tls } };
  const redis: RedisOptions = {};
  const username = set('REDIS_USERNAME');
  if (username !== undefined) redis.username = username;
  const password = set('REDIS_PASSWORD');
  if (password !== undefined) redis.password = password;
  if (tls !== undefined) redis.tls = tls;
  const db = envInteger(env, 'REDIS_DB', 0, 1_000_000);
  const clusterNodes = set('REDIS_CLUSTER_NODES');
  if (clusterNodes !== undefined) {
    if (db !== undefined && db !== 0)
      throw new GoodRedisError('Configuration', 'REDIS_DB must be 0 (or unset) with REDIS_CLUSTER_NODES: a cluster has only database 0');
    return { cluster: { nodes: hostList('REDIS_CLUSTER_NODES', clusterNodes, 6379), options: { redisOptions: redis } } };
  }
  if (db !== undefined) redis.db = db;
  const sentinels = set('REDIS_SENTINELS');
  if (sentinels !== undefined) {
    const name = set('REDIS_SENTINEL_MASTER');
    if (name === undefined) throw new GoodRedisError('Configuration', 'REDIS_SENTINEL_MASTER must name the monitored master when REDIS_SENTINELS is set');
    redis.sentinels = hostList('REDIS_SENTINELS', sentinels, 26379);
    redis.name = name;
    redis.failoverDetector = true;
    const sentinelUsername = set('REDIS_SENTINEL_USERNAME');
    if (sentinelUsername !== undefined) redis.sentinelUsername = sentinelUsername;
    const sentinelPassword = set('REDIS_SENTINEL_PASSWORD');
    if (sentinelPassword !== undefined) redis.sentinelPassword = sentinelPassword;
    if (tls !== undefined) {
      redis.enableTLSForSentinelMode = true;
      redis.sentinelTLS = { ...tls };
    }
    return { redis };
  }
  const host = set('REDIS_HOST');
  if (host !== undefined) redis.host = host;
  const port = envInteger(env, 'REDIS_PORT', 1, 65535);
  if (port !== undefined) redis.port = port;
  return { redis };
}

/**
 * Opens a connection from options, or from the environment when the options name none.
 * The caller owns the connection and closes it with `quit()`. A Cluster connection gets
 * {@link CLUSTER_DEFAULTS} under its own options, so a slot migration is ridden out.
 *
 * @param options - how to connect
 * @param env - the environment, read only when `options` names no connection
 * @returns a new `Redis` or `Cluster`, which `await using` closes (see {@link closeConnection})
 * @throws {@link GoodRedisError} `Configuration` for contradictory or malformed settings
 */
export function createConnection(options: ConnectionOptions = {}, env: NodeJS.ProcessEnv = process.env): RedisClient & AsyncDisposable {
  options = optionsOf(options);
  const given = (['url', 'redis', 'cluster'] as const).filter((k) => options[k] !== undefined);
  if (given.includes('cluster') && given.length > 1) {
    throw new GoodRedisError('Configuration', 'give either cluster or url/redis connection options, not both');
  }
  const resolved = given.length === 0 ? connectionFromEnv(env) : options;
  if (resolved.cluster !== undefined) {
    if (resolved.cluster.nodes.length === 0) throw new GoodRedisError('Configuration', 'cluster.nodes must name at least one node');
    return disposable(new Cluster(resolved.cluster.nodes, { ...CLUSTER_DEFAULTS, ...resolved.cluster.options }));
  }
  if (resolved.url !== undefined) {
    if (!/^rediss?:\/\//.test(resolved.url)) {
      throw new GoodRedisError('Configuration', `the Redis URL must start with redis:// or rediss://, got ${JSON.stringify(resolved.url)}`);
    }
    return disposable(new Redis(resolved.url, resolved.redis ?? {}));
  }
  return disposable(new Redis(resolved.redis ?? {}));
}

/** Gives a connection `[Symbol.asyncDispose]`, so `await using` closes it with {@link closeConnection}. */
function disposable<C extends RedisClient>(client: C): C & AsyncDisposable {
  Object.defineProperty(client, Symbol.asyncDispose, { value: () => closeConnection(client), configurable: true, writable: true });
  return client as C & AsyncDisposable;
}

/**
 * What a Cluster connection made here uses unless its options say otherwise: while a slot is
 * being migrated, the scripts of a stream whose keys are split between two masters answer
 * TRYAGAIN until the migration ends; ioredis retries every 100 ms (`retryDelayOnTryAgain`)
 * but, by default, gives up after 16 redirections, about 1.6 s. 64 rides out a migration that
 * holds a slot split for about 6 s.
 */
export const CLUSTER_DEFAULTS: Readonly<ClusterOptions> = { maxRedirections: 64 };

/** Options of {@link closeConnection}. */
export interface CloseConnectionOptions {
  /**
   * How long QUIT may take, in ms; then the connection is dropped (`disconnect()`). While
   * Redis is down QUIT would wait for a reconnection that may never come.
   *
   * @defaultValue 2000
   */
  timeoutMs?: number | undefined;
}

/**
 * Closes a connection gracefully (QUIT, so replies in flight arrive first) and resolves once
 * it has fully ended; falls back to `disconnect()` when QUIT cannot be sent or takes longer
 * than `timeoutMs` (Redis unreachable), so it always returns. A Sentinel client's
 * failover-detector subscriptions to the sentinels are closed too (ioredis 5 leaves them open
 * after QUIT, which keeps the process alive: ioredis issue #1362); that costs the client's
 * `disconnectTimeout` (2 s by default) before the process can exit.
 *
 * @param client - the connection to close
 * @param options - `timeoutMs`: the longest wait for QUIT
 */
export async function closeConnection(client: RedisClient, options?: CloseConnectionOptions): Promise<void> {
  const { timeoutMs = 2000 } = optionsOf(options);
  assertInteger(timeoutMs, 'timeoutMs', 0);
  if (!(await settlesWithin(quitGracefully(client), timeoutMs)) && client.status !== 'end') {
    const ended = once(client, 'end');
    client.disconnect(); // stops reconnecting too
    // A client waiting to reconnect has no socket left to close, so ioredis may never say
    // 'end'; with its reconnection cancelled it is inert all the same.
    await settlesWithin(ended, 1000);
  }
  // After the end, disconnect() only releases what QUIT left behind: the sentinel subscriptions.
  // It is skipped elsewhere, because on an ended client it arms ioredis's `disconnectTimeout`
  // timer (2 s by default) for a socket that is already closed, which delays the process's exit.
  if (client instanceof Redis && (client.options.sentinels?.length ?? 0) > 0) client.disconnect();
}

async function quitGracefully(client: RedisClient): Promise<void> {
  if (client.status === 'end') return;
  const ended = once(client, 'end');
  if (client.status === 'wait') {
    // Never connected (lazyConnect): QUIT would open a connection just to close it.
    client.disconnect();
    await ended;
    return;
  }
  try {
    await client.quit();
  } catch {
    client.disconnect();
  }
  await ended;
}

import { once } from 'node:events';
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
  url?: string;
  /** ioredis options for a standalone server or, with `sentinels` and `name`, a Sentinel set-up. */
  redis?: RedisOptions;
  /** Redis Cluster start-up nodes and ioredis cluster options. */
  cluster?: ClusterConnectionOptions;
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
  options?: ClusterOptions;
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

/**
 * Reads connection settings from the environment: `REDIS_URL`, else `REDIS_HOST`,
 * `REDIS_PORT`, `REDIS_DB`, `REDIS_USERNAME`, `REDIS_PASSWORD` and `REDIS_TLS`
 * (`1`/`true`/`yes`/`on` for TLS). With none of them set, ioredis's defaults apply
 * (127.0.0.1:6379).
 *
 * @param env - the environment to read
 * @returns the connection options
 * @throws {@link GoodRedisError} `Configuration` for a malformed variable
 */
export function connectionFromEnv(env: NodeJS.ProcessEnv = process.env): ConnectionOptions {
  const url = env.REDIS_URL;
  if (url !== undefined && url !== '') return { url };
  const redis: RedisOptions = {};
  const host = env.REDIS_HOST;
  if (host !== undefined && host !== '') redis.host = host;
  const port = envInteger(env, 'REDIS_PORT', 1, 65535);
  if (port !== undefined) redis.port = port;
  const db = envInteger(env, 'REDIS_DB', 0, 1_000_000);
  if (db !== undefined) redis.db = db;
  const username = env.REDIS_USERNAME;
  if (username !== undefined && username !== '') redis.username = username;
  const password = env.REDIS_PASSWORD;
  if (password !== undefined && password !== '') redis.password = password;
  const tls = (env.REDIS_TLS ?? '').trim().toLowerCase();
  if (TRUE.has(tls)) redis.tls = {};
  else if (!FALSE.has(tls)) {
    throw new GoodRedisError('Configuration', `REDIS_TLS must be one of 1, true, yes, on, 0, false, no, off, got ${JSON.stringify(env.REDIS_TLS)}`);
  }
  return { redis };
}

/**
 * Opens a connection from options, or from the environment when the options name none.
 * The caller owns the connection and closes it with `quit()`.
 *
 * @param options - how to connect
 * @param env - the environment, read only when `options` names no connection
 * @returns a new `Redis` or `Cluster`
 * @throws {@link GoodRedisError} `Configuration` for contradictory or malformed settings
 */
export function createConnection(options: ConnectionOptions = {}, env: NodeJS.ProcessEnv = process.env): RedisClient {
  const given = (['url', 'redis', 'cluster'] as const).filter((k) => options[k] !== undefined);
  if (given.includes('cluster') && given.length > 1) {
    throw new GoodRedisError('Configuration', 'give either cluster or url/redis connection options, not both');
  }
  const resolved = given.length === 0 ? connectionFromEnv(env) : options;
  if (resolved.cluster !== undefined) {
    if (resolved.cluster.nodes.length === 0) throw new GoodRedisError('Configuration', 'cluster.nodes must name at least one node');
    return new Cluster(resolved.cluster.nodes, resolved.cluster.options);
  }
  if (resolved.url !== undefined) {
    if (!/^rediss?:\/\//.test(resolved.url)) {
      throw new GoodRedisError('Configuration', `the Redis URL must start with redis:// or rediss://, got ${JSON.stringify(resolved.url)}`);
    }
    return new Redis(resolved.url, resolved.redis ?? {});
  }
  return new Redis(resolved.redis ?? {});
}

/**
 * Closes a connection gracefully (QUIT, so replies in flight arrive first) and resolves once
 * it has fully ended; falls back to `disconnect()` when QUIT cannot be sent.
 *
 * @param client - the connection to close
 */
export async function closeConnection(client: RedisClient): Promise<void> {
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

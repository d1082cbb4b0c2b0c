/**
 * How the CLI reaches Redis: `--url`, or the variables {@link connectionFromEnv} reads, with a
 * policy for a command line (fail fast, say why) on top.
 *
 * @module
 */
import type { ClusterOptions, RedisOptions } from 'ioredis';
import { connectionFromEnv, type ConnectionOptions } from '../connection/connection-options.js';
import { describeConnection, openConnection } from '../connection/open-connection.js';
import type { RedisClient } from '../connection/redis-client.js';
import { GoodRedisError } from '../errors.js';
import { CliError } from './cli-support.js';

/** How long the first connection may take. */
const CONNECT_TIMEOUT_MS = 5000;

/** The connection settings of one run. */
export interface Target {
  /** What to connect to, as the SDK takes it. */
  options: ConnectionOptions;
  /** The target for messages: host:port, the cluster nodes or the sentinels, never a password. */
  description: string;
}

/**
 * Resolves where to connect: `--url` when given, else REDIS_URL, REDIS_CLUSTER_NODES or
 * REDIS_SENTINELS and their companions, else localhost:6379; the TLS variables apply to each.
 *
 * @param url - the `--url` option
 * @param env - the environment
 * @returns the connection options and their description
 * @throws {@link GoodRedisError} `Configuration` for bad variables
 */
export function resolveTarget(url: string | undefined, env: NodeJS.ProcessEnv): Target {
  // --url takes the place of the variables that name a target; the TLS ones still apply.
  const options = connectionFromEnv(url === undefined ? env : { ...env, REDIS_URL: url, REDIS_CLUSTER_NODES: undefined, REDIS_SENTINELS: undefined });
  return { options, description: describeConnection(options) };
}

/**
 * Opens a connection and waits until it is ready (the SDK's {@link openConnection}). A one-shot
 * command never reconnects: a lost connection fails the command at once (its pending commands
 * are rejected when the connection closes). A long-running one (`expirer`, `top`) keeps
 * ioredis's reconnection. Either way the first connection must succeed, or this throws a
 * one-line {@link CliError} that names the target and the cause.
 *
 * @param target - from {@link resolveTarget}
 * @param longRunning - keep reconnecting after the first connection
 * @param onError - receives connection errors after the first connection (logs, for daemons)
 * @returns a ready client; close it with `closeConnection`
 */
export async function openClient(target: Target, longRunning: boolean, onError?: (err: Error) => void): Promise<RedisClient> {
  let client: RedisClient;
  try {
    client = await openConnection(withPolicy(target.options), { reconnect: longRunning });
  } catch (err) {
    if (GoodRedisError.is(err, 'Connection')) throw new CliError(err.message, 1, { cause: err.cause });
    throw err;
  }
  client.on('error', (err: Error) => {
    onError?.(err);
  });
  return client;
}

function withPolicy(options: ConnectionOptions): ConnectionOptions {
  // A short disconnectTimeout: closing a Sentinel client arms it for a socket already closed.
  const redisPolicy: RedisOptions = { connectTimeout: CONNECT_TIMEOUT_MS, disconnectTimeout: 100 };
  if (options.cluster !== undefined) {
    const clusterOptions: ClusterOptions = {
      ...options.cluster.options,
      redisOptions: { ...options.cluster.options?.redisOptions, connectTimeout: CONNECT_TIMEOUT_MS, disconnectTimeout: 100 },
    };
    return { cluster: { nodes: options.cluster.nodes, options: clusterOptions } };
  }
  return { ...options, redis: { ...options.redis, ...redisPolicy } };
}

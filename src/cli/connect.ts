/**
 * How the CLI reaches Redis: `--url`, or the variables {@link connectionFromEnv} reads, with a
 * policy for a command line (fail fast, say why) on top.
 *
 * @module
 */
import type { ClusterOptions, RedisOptions } from 'ioredis';
import { connectionFromEnv, createConnection, type ConnectionOptions } from '../connection/connection-options.js';
import type { RedisClient } from '../connection/redis-client.js';
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
 * REDIS_SENTINELS and their companions, else localhost:6379.
 *
 * @param url - the `--url` option
 * @param env - the environment
 * @returns the connection options and their description
 * @throws {@link GoodRedisError} `Configuration` for bad variables
 */
export function resolveTarget(url: string | undefined, env: NodeJS.ProcessEnv): Target {
  const options = url === undefined ? connectionFromEnv(env) : { url };
  return { options, description: describeTarget(options) };
}

function describeTarget(options: ConnectionOptions): string {
  if (options.cluster !== undefined) return `the cluster at ${options.cluster.nodes.map(hostPort).join(',')}`;
  if (options.url !== undefined) {
    try {
      const parsed = new URL(options.url);
      return `${parsed.hostname || 'localhost'}:${parsed.port || '6379'}`;
    } catch {
      return 'the given URL';
    }
  }
  const redis = options.redis ?? {};
  if (redis.sentinels) return `master ${redis.name ?? '?'} through the sentinels at ${redis.sentinels.map(hostPort).join(',')}`;
  return `${redis.host ?? 'localhost'}:${String(redis.port ?? 6379)}`;
}

function hostPort(node: unknown): string {
  if (typeof node === 'object' && node !== null) {
    const { host = 'localhost', port = 6379 } = node as { host?: string; port?: number };
    return `${host}:${String(port)}`;
  }
  return String(node);
}

/**
 * Opens a connection and waits until it is ready. A one-shot command never reconnects: a lost
 * connection fails the command at once (its pending commands are rejected when the
 * connection closes). A long-running one (`expirer`, `top`) keeps ioredis's
 * reconnection. Either way the first connection must succeed, or this throws a one-line
 * {@link CliError} that names the target and the cause.
 *
 * @param target - from {@link resolveTarget}
 * @param longRunning - keep reconnecting after the first connection
 * @param onError - receives connection errors after the first connection (logs, for daemons)
 * @returns a ready client; close it with `closeConnection`
 */
export async function openClient(target: Target, longRunning: boolean, onError?: (err: Error) => void): Promise<RedisClient> {
  const client = createConnection(withPolicy(target.options));
  // No retry until the first connection is ready, so an unreachable target fails at once;
  // then ioredis's own strategies come back for a long-running command (it reads them anew
  // before each reconnection).
  const strategies = retryStrategiesOf(client);
  setRetryStrategies(client, { retryStrategy: null, sentinelRetryStrategy: null, clusterRetryStrategy: null });
  let lastError: Error | undefined;
  let nodeError: Error | undefined;
  let ready = false;
  client.on('error', (err: Error) => {
    lastError = err;
    if (ready) onError?.(err);
  });
  // A cluster reports why a node failed on the node, and only "slots cache" failures itself.
  if (client.isCluster) {
    client.on('node error', (err: Error) => {
      nodeError = err;
    });
  }
  try {
    await client.connect();
    ready = true;
    if (longRunning) setRetryStrategies(client, strategies);
    return client;
  } catch (err) {
    client.disconnect();
    const cause = nodeError ?? lastError ?? (err instanceof Error ? err : new Error(String(err)));
    throw new CliError(`cannot connect to Redis at ${target.description}: ${reasonOf(cause)}`, 1, { cause });
  }
}

function reasonOf(err: Error): string {
  const code = (err as { code?: unknown }).code;
  // "retry is disabled" is this command's choice, not news to the reader.
  const message = (err.message.split('\n')[0] ?? err.message).replace(' and retry is disabled', '');
  return typeof code === 'string' && !message.includes(code) ? `${code} ${message}` : message;
}

/** The reconnection strategies of a client, as ioredis reads them from its options. */
interface RetryStrategies {
  retryStrategy: unknown;
  sentinelRetryStrategy: unknown;
  clusterRetryStrategy: unknown;
}

function retryStrategiesOf(client: RedisClient): RetryStrategies {
  const options = client.options as Partial<RetryStrategies>;
  return { retryStrategy: options.retryStrategy, sentinelRetryStrategy: options.sentinelRetryStrategy, clusterRetryStrategy: options.clusterRetryStrategy };
}

function setRetryStrategies(client: RedisClient, strategies: RetryStrategies): void {
  const options = client.options as Partial<RetryStrategies>;
  if (client.isCluster) options.clusterRetryStrategy = strategies.clusterRetryStrategy;
  else {
    options.retryStrategy = strategies.retryStrategy;
    options.sentinelRetryStrategy = strategies.sentinelRetryStrategy;
  }
}

function withPolicy(options: ConnectionOptions): ConnectionOptions {
  // A short disconnectTimeout: closing a Sentinel client arms it for a socket already closed.
  const redisPolicy: RedisOptions = { lazyConnect: true, connectTimeout: CONNECT_TIMEOUT_MS, disconnectTimeout: 100 };
  if (options.cluster !== undefined) {
    const clusterOptions: ClusterOptions = {
      ...options.cluster.options,
      lazyConnect: true,
      redisOptions: { ...options.cluster.options?.redisOptions, connectTimeout: CONNECT_TIMEOUT_MS, disconnectTimeout: 100 },
    };
    return { cluster: { nodes: options.cluster.nodes, options: clusterOptions } };
  }
  return { ...options, redis: { ...options.redis, ...redisPolicy } };
}

/**
 * Opening a connection that is known to work: the first connection must succeed, or a typed
 * error says where it tried and why (a refused port, a certificate the CA did not sign, a wrong
 * password), instead of commands failing later after ioredis's retries.
 *
 * @module
 */
import { Cluster, Redis, type ClusterNode, type RedisOptions } from 'ioredis';
import { GoodRedisError } from '../errors.js';
import { connectionFromEnv, createConnection, type ConnectionOptions } from './connection-options.js';
import type { RedisClient } from './redis-client.js';

/**
 * Where a connection goes, for messages: `host:port`, the cluster's start-up nodes or the
 * sentinels and the master's name; never a password.
 *
 * @param options - the connection options
 * @returns one phrase, such as `127.0.0.1:6380` or `the cluster at n1:7000,n2:7000`
 */
export function describeConnection(options: ConnectionOptions): string {
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

/**
 * Where a client is connected, for the first line of a daemon: `host:port`, the masters of a
 * cluster it knows of, or the sentinels and the master's name, from the client's own options;
 * never a password.
 *
 * @param client - a connection (standalone, Sentinel or Cluster)
 * @returns one phrase, as {@link describeConnection} words it
 */
export function describeClient(client: RedisClient): string {
  if (client instanceof Cluster) {
    const masters = client.nodes('master').map((node) => hostPort(node.options));
    return masters.length === 0 ? 'a cluster (no master known yet)' : `the cluster at ${masters.sort().join(',')}`;
  }
  const { sentinels, name, host, port } = client.options;
  // (ioredis leaves `sentinels` null, whatever its type says.)
  if (Array.isArray(sentinels) && sentinels.length > 0) return `master ${name ?? '?'} through the sentinels at ${sentinels.map(hostPort).join(',')}`;
  return `${host ?? 'localhost'}:${String(port ?? 6379)}`;
}

function hostPort(node: unknown): string {
  if (typeof node === 'object' && node !== null) {
    const { host = 'localhost', port = 6379 } = node as { host?: string; port?: number };
    return `${host}:${String(port)}`;
  }
  return String(node);
}

/** Options of {@link openConnection}. */
export interface OpenConnectionOptions {
  /**
   * The environment, read when the connection options name no target.
   *
   * @defaultValue `process.env`
   */
  env?: NodeJS.ProcessEnv | undefined;
  /**
   * Whether the connection reconnects after it was once ready (ioredis's strategies); `false`
   * fails the commands of a lost connection at once instead, as a one-shot command line wants.
   *
   * @defaultValue true
   */
  reconnect?: boolean | undefined;
}

/** The TLS error codes that mean the server's certificate was refused. */
const CERTIFICATE_CODES = /^(ERR_TLS_CERT_ALTNAME_INVALID|(SELF_SIGNED|DEPTH_ZERO_SELF_SIGNED|UNABLE_TO|CERT_)\w*)$/;

/** Whether the options speak TLS without a client certificate. */
function tlsWithoutCertificate(options: ConnectionOptions): boolean {
  const tls: unknown = options.cluster === undefined ? options.redis?.tls : options.cluster.options?.redisOptions?.tls;
  if (tls === undefined) return options.url?.startsWith('rediss://') === true;
  return typeof tls !== 'object' || tls === null || (tls as { cert?: unknown }).cert === undefined;
}

/**
 * One line saying why a connection failed: the error's code and first line, and what to check
 * for a refused certificate, or for a connection a TLS server dropped while we sent no client
 * certificate (a server that asks for one may drop it before or after it says so).
 */
function reasonOf(err: Error, options: ConnectionOptions): string {
  const code = (err as { code?: unknown }).code;
  // "retry is disabled" is the first attempt's own choice, not news to the reader.
  const message = (err.message.split('\n')[0] ?? err.message).replace(' and retry is disabled', '');
  const reason = typeof code === 'string' && !message.includes(code) ? `${code} ${message}` : message;
  if (typeof code === 'string' && CERTIFICATE_CODES.test(code)) {
    return `${reason} (the server's TLS certificate was refused: check REDIS_TLS_CA, the CA that signed it, or REDIS_TLS_SERVERNAME, the name it carries)`;
  }
  if (typeof code === 'string' && code.endsWith('_CERTIFICATE_REQUIRED')) {
    return `${code} the server asks for a client certificate: set REDIS_TLS_CERT and REDIS_TLS_KEY`;
  }
  if (code === 'ECONNRESET' && tlsWithoutCertificate(options)) {
    return `${reason} (a TLS server that asks for a client certificate drops the connection without one: if it does, set REDIS_TLS_CERT and REDIS_TLS_KEY)`;
  }
  return reason;
}

/** The error a connection to one cluster node fails with (a refused port, a TLS certificate), or undefined when it works. */
async function whyNodeFails(node: ClusterNode, options: RedisOptions): Promise<Error | undefined> {
  if (typeof node === 'string') return undefined; // a URL: nothing more to learn than the cluster said
  const where: RedisOptions = typeof node === 'number' ? { port: node } : {};
  if (typeof node === 'object') {
    if (node.host !== undefined) where.host = node.host;
    if (node.port !== undefined) where.port = node.port;
  }
  const probe = new Redis({ ...options, ...where, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0, enableOfflineQueue: false });
  let seen: Error | undefined;
  probe.on('error', (err: Error) => {
    seen ??= err;
  });
  try {
    await probe.connect();
    return undefined;
  } catch (err) {
    return seen ?? (err instanceof Error ? err : new Error(String(err)));
  } finally {
    probe.disconnect();
  }
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

/**
 * Opens a connection (as {@link createConnection} makes it) and waits until it is ready. The
 * first connection is tried once, without ioredis's retries, so a target that cannot be reached
 * fails at once with the reason; after it, the connection reconnects as ioredis does (unless
 * `reconnect` is false). Attach your own `error` listener to the client it returns, as with any
 * ioredis client.
 *
 * @param options - how to connect (the environment's variables when it names no target)
 * @param open - `env`, `reconnect`
 * @returns a ready client; close it with `closeConnection` (or `await using`)
 * @throws {@link GoodRedisError} `Connection` naming the target and the cause (for TLS, what to check), `Configuration` for bad settings
 * @example
 * ```ts
 * const redis = await openConnection(); // REDIS_URL, REDIS_TLS_CA, ... from the environment
 * ```
 */
export async function openConnection(options: ConnectionOptions = {}, open: OpenConnectionOptions = {}): Promise<RedisClient & AsyncDisposable> {
  const { env = process.env, reconnect = true } = open;
  const named = options.url !== undefined || options.redis !== undefined || options.cluster !== undefined;
  const resolved = named ? options : connectionFromEnv(env);
  const lazy: ConnectionOptions =
    resolved.cluster === undefined
      ? { ...resolved, redis: { ...resolved.redis, lazyConnect: true } }
      : { cluster: { nodes: resolved.cluster.nodes, options: { ...resolved.cluster.options, lazyConnect: true } } };
  const client = createConnection(lazy, env);
  const strategies = retryStrategiesOf(client);
  setRetryStrategies(client, { retryStrategy: null, sentinelRetryStrategy: null, clusterRetryStrategy: null });
  let lastError: Error | undefined;
  let nodeError: Error | undefined;
  const onError = (err: Error): void => {
    lastError = err;
  };
  // A cluster reports why a node failed on the node, and only "slots cache" failures itself.
  const onNodeError = (err: Error): void => {
    nodeError = err;
  };
  client.on('error', onError);
  client.on('node error', onNodeError);
  try {
    await client.connect();
  } catch (err) {
    client.disconnect();
    let cause = nodeError ?? lastError ?? (err instanceof Error ? err : new Error(String(err)));
    // A cluster asks its nodes through connections of its own whose errors it drops, so all it
    // can tell is "Connection is closed": ask the first start-up node directly for the reason.
    if (resolved.cluster !== undefined && (cause as { code?: unknown }).code === undefined) {
      const [first] = resolved.cluster.nodes;
      cause = (first === undefined ? undefined : await whyNodeFails(first, resolved.cluster.options?.redisOptions ?? {})) ?? cause;
    }
    throw new GoodRedisError('Connection', `cannot connect to Redis at ${describeConnection(resolved)}: ${reasonOf(cause, resolved)}`, { cause });
  } finally {
    client.off('error', onError);
    client.off('node error', onNodeError);
  }
  if (reconnect) setRetryStrategies(client, strategies);
  return client;
}

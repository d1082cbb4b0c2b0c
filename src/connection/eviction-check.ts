/**
 * The one check of a server's eviction policy: a Redis that evicts keys when it reaches
 * `maxmemory` drops queued work without an error, so good-redis warns (once per server and
 * process) the first time it runs a script on a connection to one.
 *
 * @module
 */
import { Cluster } from 'ioredis';
import type { RedisClient } from './redis-client.js';

/** The check of each connection, done or running. */
const checks = new WeakMap<object, Promise<void>>();
/** The servers warned about already, by `host:port`. */
const warned = new Set<string>();

/** The code of the warning, for `process.on('warning')` filters. */
export const EVICTION_WARNING_CODE = 'GOOD_REDIS_EVICTION';

/** A node's `maxmemory` and `maxmemory-policy`, from `INFO memory`. */
async function policyOf(node: RedisClient): Promise<{ maxmemory: number; policy: string } | undefined> {
  const info = await node.info('memory');
  const field = (name: string): string | undefined => new RegExp(`^${name}:(.*?)\\r?$`, 'm').exec(info)?.[1];
  const policy = field('maxmemory_policy');
  return policy === undefined ? undefined : { maxmemory: Number(field('maxmemory') ?? 0), policy };
}

/**
 * Where a node is, for the warning: the address its socket is connected to (a client of a
 * Sentinel names no host of its own: its options hold ioredis's defaults), else its options'.
 */
function addressOf(node: RedisClient): string {
  const socket = (node as { stream?: { remoteAddress?: string; remotePort?: number } }).stream;
  if (socket?.remoteAddress !== undefined && socket.remotePort !== undefined) return `${socket.remoteAddress}:${String(socket.remotePort)}`;
  const { host = 'localhost', port = 6379 } = node.options as { host?: string; port?: number };
  return `${host}:${String(port)}`;
}

/**
 * Checks, once per connection, whether the server (every master of a cluster) may evict keys:
 * a `maxmemory-policy` other than `noeviction` with a `maxmemory` set. If so, emits a
 * `GoodRedisWarning` (code {@link EVICTION_WARNING_CODE}) once per server and process. The
 * check runs in the background and never fails a caller: a server that refuses `INFO` (an ACL)
 * is not checked.
 *
 * @param client - the connection a script is about to run on
 * @returns the check, done or running (the same promise for every call on one connection); it never rejects
 */
export function checkEviction(client: RedisClient): Promise<void> {
  let check = checks.get(client);
  if (check === undefined) {
    // A cluster knows its masters once it is ready.
    // (Not events.once, whose 'error' listener would take ioredis's unhandled-error log away.)
    check = client.status === 'ready' ? checkNodes(client) : new Promise((resolve) => client.once('ready', resolve)).then(() => checkNodes(client));
    check = check.catch(() => undefined);
    checks.set(client, check);
  }
  return check;
}

async function checkNodes(client: RedisClient): Promise<void> {
  const nodes: RedisClient[] = client instanceof Cluster ? client.nodes('master') : [client];
  await Promise.all(
    nodes.map(async (node) => {
      const found = await policyOf(node).catch(() => undefined);
      if (found === undefined || found.policy === 'noeviction' || found.maxmemory === 0) return;
      const address = addressOf(node);
      if (warned.has(address)) return;
      warned.add(address);
      process.emitWarning(
        `good-redis: Redis at ${address} has maxmemory-policy ${found.policy} with maxmemory ${String(found.maxmemory)}: when it is full it evicts keys, ` +
          'and queued work, leases and results vanish without an error. Set maxmemory-policy noeviction: writes are then refused (OutOfMemory) and nothing is lost.',
        { type: 'GoodRedisWarning', code: EVICTION_WARNING_CODE },
      );
    }),
  );
}

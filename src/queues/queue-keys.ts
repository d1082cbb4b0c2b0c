import { familyRegistryKey, objectKeys, type KeyLayout } from '../keyspace/keys.js';

/**
 * The Redis keys of one reliable queue (`Queue`, `UniqueQueue` or `Pool`). All of them carry the family
 * tag `:q` and the hash tag `{name}`, so a queue lives in one Redis Cluster slot and never
 * collides with a stream of the same name.
 */
export interface QueueKeys {
  /** `P:q{N}:list`, a list: the waiting values; adds push on the left, the next handed out is the rightmost. */
  readonly list: string;
  /** `P:q{N}:unique`, a set: a `UniqueQueue`'s waiting values. */
  readonly unique: string;
  /** `P:q{N}:consumers`, a sorted set: consumer id → its last heartbeat (epoch ms, server clock). */
  readonly consumers: string;
  /** `P:q{N}:consumer-info`, a hash: consumer id → JSON of its timeout, host, pid and start. */
  readonly consumerInfo: string;
  /** `P:q{N}:held`, a sorted set (scores 0): every held delivery, `<consumer>|<seq>|<call>`. */
  readonly held: string;
  /** `P:q{N}:deliveries`, a hash: delivery → `<hand-out ms>:<encoded value>`. */
  readonly deliveries: string;
  /** `P:q{N}:rollbacks`, a hash: value → `<count>:<first rollback ms>`. */
  readonly rollbacks: string;
  /** `P:q{N}:rollback-times`, a sorted set: value → its last rollback (for pruning). */
  readonly rollbackTimes: string;
  /** `P:q{N}:marker`, a list: one element while values wait, for blocked getters. */
  readonly marker: string;
  /** `P:q{N}:meta`, a hash: `kind` (the class that wrote first), `dseq` and `lseq` (the delivery and lease counters), `added` (what adds brought in, in total). */
  readonly meta: string;
  /** `P:q{N}:pool`, a sorted set: a `Pool`'s item → when it is next due (epoch ms); a leased item's score is its lease deadline. */
  readonly pool: string;
  /** `P:q{N}:pool-leases`, a hash: leased item → lease id. */
  readonly poolLeases: string;
  /** `P:q{N}:pool-readded`, a set: items re-added while leased (due at once when the lease ends). */
  readonly poolReadded: string;
  /** `P:q{N}:pool-marker`, a list: one element while an item is due, for idle Workers. */
  readonly poolMarker: string;
}

/** The layout of a queue's keys: family tag `:q`. */
export const QUEUE_LAYOUT: KeyLayout<keyof QueueKeys> = {
  what: 'queue',
  tag: ':q',
  suffixes: {
    list: 'list',
    unique: 'unique',
    consumers: 'consumers',
    consumerInfo: 'consumer-info',
    held: 'held',
    deliveries: 'deliveries',
    rollbacks: 'rollbacks',
    rollbackTimes: 'rollback-times',
    marker: 'marker',
    meta: 'meta',
    pool: 'pool',
    poolLeases: 'pool-leases',
    poolReadded: 'pool-readded',
    poolMarker: 'pool-marker',
  },
  types: {
    list: 'list',
    unique: 'set',
    consumers: 'zset',
    consumerInfo: 'hash',
    held: 'zset',
    deliveries: 'hash',
    rollbacks: 'hash',
    rollbackTimes: 'zset',
    marker: 'list',
    meta: 'hash',
    pool: 'zset',
    poolLeases: 'hash',
    poolReadded: 'set',
    poolMarker: 'list',
  },
};

/**
 * Builds the keys of the queue `name` under `prefix`.
 *
 * @param name - the queue name (non-empty, without `{` or `}`)
 * @param prefix - the key prefix
 * @returns the queue's keys
 */
export function queueKeys(name: string, prefix = ''): QueueKeys {
  return objectKeys(QUEUE_LAYOUT, name, prefix);
}

/**
 * The registry hash of every queue name under `prefix` (`:q:keys` with the default prefix),
 * name → kind.
 *
 * @param prefix - the key prefix
 * @returns the registry key
 */
export function queueRegistryKey(prefix = ''): string {
  return familyRegistryKey('q', prefix);
}

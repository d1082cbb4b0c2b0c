import { familyRegistryKey, objectKeys, type KeyLayout } from '../keyspace/keys.js';

/**
 * The Redis keys of one prioritized stream. All of them carry the hash tag `{name}`, so a
 * stream lives in one Redis Cluster slot and each script may touch all of its keys.
 */
export interface StreamKeys {
  /** `P{N}:t`, a hash: item key → encoded value. */
  readonly items: string;
  /** `P{N}:s`, a sorted set: item key → stored score (`offset - priority`). */
  readonly scores: string;
  /** `P{N}:exc`, a set: gated keys, never re-added unless `readd`. */
  readonly gated: string;
  /** `P{N}:exp`, a sorted set: key → cooldown deadline in epoch ms (Redis server clock). */
  readonly cooldowns: string;
  /** `P{N}:meta`, a hash: `base`, the stream's priority offset (absent means 0); `lseq`, the lease counter. */
  readonly meta: string;
  /** `P{N}:lease`, a sorted set: leased key → lease deadline in epoch ms (server clock). */
  readonly leases: string;
  /** `P{N}:delay`, a sorted set: key nacked with a delay → when it returns to the stream (epoch ms). */
  readonly delayed: string;
  /** `P{N}:dead`, a sorted set: dead-lettered key → when it died (epoch ms). */
  readonly dead: string;
  /** `P{N}:state`, a hash: key → JSON `{ a: attempts, m: maxAttempts, p: priority, l: leaseId, e: lastError }` of leased, delayed, retried and dead items. */
  readonly state: string;
  /** `P{N}:marker`, a list: one element while there is work, for idle workers' blocking wait. */
  readonly marker: string;
  /**
   * `P{N}:stats`, a hash: `added` and `pulled`, how many items adds accepted and pulls and
   * leases handed out. Kept for rate views (`good-redis top`); it expires 24 hours after the
   * last add or pull, so a quiet stream's counters start again from 0.
   */
  readonly stats: string;
}

/** The layout of a stream's keys: no family tag (the documented `P{name}:t`, …), a suffix per role. */
export const STREAM_LAYOUT: KeyLayout<keyof StreamKeys> = {
  what: 'stream',
  tag: '',
  suffixes: {
    items: 't',
    scores: 's',
    gated: 'exc',
    cooldowns: 'exp',
    meta: 'meta',
    leases: 'lease',
    delayed: 'delay',
    dead: 'dead',
    state: 'state',
    marker: 'marker',
    stats: 'stats',
  },
  types: {
    items: 'hash',
    scores: 'zset',
    gated: 'set',
    cooldowns: 'zset',
    meta: 'hash',
    leases: 'zset',
    delayed: 'zset',
    dead: 'zset',
    state: 'hash',
    marker: 'list',
    stats: 'hash',
  },
};

/**
 * Builds the keys of the stream `name` under `prefix`: the one place stream key names are made.
 *
 * @param name - the stream name (non-empty, without `{` or `}`)
 * @param prefix - the key prefix
 * @returns the stream's keys
 * @defaultValue prefix `''`
 */
export function streamKeys(name: string, prefix = ''): StreamKeys {
  return objectKeys(STREAM_LAYOUT, name, prefix);
}

/**
 * The registry set of every stream name under `prefix` (`:ps:keys` with the default prefix).
 *
 * @param prefix - the key prefix
 * @returns the registry key
 */
export function registryKey(prefix = ''): string {
  return familyRegistryKey('ps', prefix);
}

/**
 * Option and item types of prioritized streams.
 *
 * @module
 */
import type { Codec } from '../codec.js';

/** The default cooldown of a pulled key: 24 hours, as in good-redis. */
export const DEFAULT_COOLDOWN_MS = 24 * 60 * 60 * 1000;

/** The default number of items per atomic script in batch operations. */
export const DEFAULT_CHUNK_SIZE = 1000;

/** The most items one `pull` takes (one atomic script). */
export const MAX_PULL_COUNT = 10_000;

/**
 * What `add` does with the priority of a key that is already queued.
 *
 * - `sum`: adds the new priority to the existing one (good-redis's behaviour).
 * - `replace`: sets the new priority.
 * - `max`: keeps the higher of the two.
 */
export type AddMode = 'sum' | 'replace' | 'max';

/** One item of a stream, as `pull`, `entries` and `scan` return it. */
export interface Item<T> {
  /** The item key, unique within the stream. */
  key: string;
  /** The decoded value. */
  value: T;
  /** The priority at the moment it was read (for `pull`: before any decrease). */
  priority: number;
}

/** An item to add, as an object. */
export interface ItemObject<T> {
  /** The item key: a non-empty string. */
  key: string;
  /** The value, encoded by the stream's codec. */
  value: T;
  /**
   * A finite number; higher is pulled first.
   *
   * @defaultValue 1
   */
  priority?: number | undefined;
}

/** An item to add: an {@link ItemObject}, or a `[key, value, priority?]` tuple. */
export type ItemInput<T> = ItemObject<T> | readonly [key: string, value: T, priority?: number | undefined];

/** Options of {@link PrioritizedStream}. */
export interface PrioritizedStreamOptions<T> {
  /**
   * Encodes and decodes values.
   *
   * @defaultValue {@link stringCodec}
   */
  codec?: Codec<T>;
  /**
   * Prepended to every key of the stream and to the registry key. Must not contain `{` or `}`.
   *
   * @defaultValue `''`
   */
  prefix?: string;
  /**
   * The cooldown a pulled key gets when `pull` names none, in milliseconds; 0 for none.
   *
   * @defaultValue 86400000 (24 hours)
   */
  cooldownMs?: number;
  /**
   * Items per atomic script in `addMany`, `deleteBelow` and `expire` (1 to 10000).
   *
   * @defaultValue 1000
   */
  chunkSize?: number;
}

/** Options of `add` and `addMany`. */
export interface AddOptions {
  /**
   * Clears the key's gating and cooldown first, so it is added whatever happened to it.
   *
   * @defaultValue `false`
   */
  readd?: boolean;
  /**
   * What happens to the priority of a key that is already queued.
   *
   * @defaultValue `'sum'`
   */
  mode?: AddMode;
}

/** Options of `pull`. */
export interface PullOptions {
  /**
   * How many items to take at most (1 to 10000).
   *
   * @defaultValue 1
   */
  count?: number;
  /**
   * Remove the items (`true`) or keep them with their priority decreased by `decreaseBy`.
   *
   * @defaultValue `true`
   */
  purge?: boolean;
  /**
   * Gate the pulled keys so they can never be re-added (without `readd`). Requires `purge`.
   *
   * @defaultValue `false`
   */
  gate?: boolean;
  /**
   * Cooldown of the pulled keys from now (Redis server clock), in ms; 0 sets none.
   *
   * @defaultValue the stream's `cooldownMs`
   */
  cooldownMs?: number;
  /**
   * An absolute cooldown deadline (a Date or epoch ms); wins over `cooldownMs`.
   *
   * @defaultValue none
   */
  expireAt?: Date | number;
  /**
   * With `purge: false`, how much each pulled item's priority decreases.
   *
   * @defaultValue 1
   */
  decreaseBy?: number;
}

/** Options of `deleteBelow`. */
export interface DeleteBelowOptions {
  /**
   * Also gate the removed keys.
   *
   * @defaultValue `false`
   */
  gate?: boolean;
}

/** A range of ranks in pull order, for `keys`, `values` and `entries`. */
export interface RangeOptions {
  /**
   * The first rank (0 is the highest priority).
   *
   * @defaultValue 0
   */
  offset?: number;
  /**
   * How many items at most.
   *
   * @defaultValue all
   */
  limit?: number;
}

/** Options of `scan`. */
export interface ScanOptions {
  /**
   * The ZSCAN COUNT hint: roughly how many items each round trip reads (1 to 10000).
   *
   * @defaultValue 500
   */
  batchSize?: number;
}

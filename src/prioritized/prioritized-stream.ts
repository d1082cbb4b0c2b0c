import { GoodRedisError, typed } from '../errors.js';
import type { RedisClient } from '../connection/redis-client.js';
import { assertBoolean, assertFinite, assertInteger, assertItemKey, epochMs, invalid, optionsOf, ranks } from '../internal/validate.js';
import { traceSend } from '../observe/telemetry.js';
import { cooldownArgs } from './stream-base.js';
import { text } from '../scripting/define-script.js';
import { priorityOf, type AddRequest } from './scripts.js';
import { StreamJobs } from './stream-jobs.js';
import {
  MAX_PULL_COUNT,
  type AddMode,
  type AddOptions,
  type AddOutcome,
  type Cooldown,
  type RejectReason,
  type StreamStats,
  type DeleteBelowOptions,
  type Item,
  type ItemInput,
  type ItemObject,
  type PrioritizedStreamOptions,
  type PullOptions,
  type RangeOptions,
  type ScanOptions,
} from './types.js';

const ADD_MODES: readonly AddMode[] = ['sum', 'replace', 'max'];

/**
 * A named, Redis-backed priority queue of `key → value` items: the highest priority is
 * pulled first, processed keys can be gated so they never come back, and pulled keys cool
 * down before they may be re-added. Every mutating method is one atomic Lua script per
 * chunk over keys that share the hash tag `{name}` and are all named in `KEYS`, so a stream
 * works on a single Redis, on Redis Cluster and through Sentinel alike (the test suite runs on
 * all three; see the Cluster and Sentinel guide). "Now" is always the Redis server's clock.
 *
 * Ties between equal priorities are pulled in ascending byte order of their keys.
 *
 * @typeParam T - the type of the values, fixed by the codec
 * @example
 * ```ts
 * const frontier = new PrioritizedStream(redis, 'frontier', { codec: jsonCodec<{ url: string }>() });
 * await frontier.add('https://example.com/', { url: 'https://example.com/' }, 10);
 * const [next] = await frontier.pull({ gate: true });
 * ```
 */
export class PrioritizedStream<T = string> extends StreamJobs<T> implements AsyncIterable<Item<T>> {
  /**
   * @param client - an ioredis `Redis` (standalone or Sentinel) or `Cluster`; never closed by the stream
   * @param name - the stream name: a non-empty string without `{` or `}`
   * @param options - codec, key prefix, default cooldown, chunk size
   * @throws {@link GoodRedisError} `InvalidArgument` for a bad name or option
   */
  public constructor(client: RedisClient, name: string, options: PrioritizedStreamOptions<T> = {}) {
    options = optionsOf(options);
    super(client, name, options);
  }

  /**
   * Adds one item. Rejected (resolves to `null`, writes nothing) when the key is gated, cooling
   * down, a dead letter, or in flight (leased or delayed); `readd` clears gating and cooldown
   * and takes a dead key out of the dead letters first. When the key is already queued its
   * value is replaced and, by default, `priority` is added to its current priority. With
   * `delayMs` or `runAt` the item waits in the delayed set and joins the stream when due.
   *
   * @param key - the item key
   * @param value - the value, encoded by the stream's codec
   * @param priority - a finite number; higher is pulled first
   * @param options - `readd`, `mode`, `delayMs`, `runAt`
   * @returns the item's new priority, or `null` when rejected
   * @throws {@link GoodRedisError} `InvalidArgument` or `Codec` before anything is written
   * @example
   * ```ts
   * await stream.add('page-1', 'https://example.com/1', 5); // 5
   * await stream.add('page-1', 'https://example.com/1', 2); // 7
   * await stream.add('reminder-7', 'send', 1, { delayMs: 60_000 }); // leased no sooner than in a minute
   * ```
   */
  public async add(key: string, value: T, priority = 1, options: AddOptions = {}): Promise<number | null> {
    assertItemKey(key);
    assertFinite(priority, 'priority');
    const request = addRequest(options);
    const encoded = this.encodeValue(value, 'the value');
    const reply = await traceSend({ family: 'stream', name: this.name }, 1, () =>
      this.core.registering(this.core.call('addItem', { ...request, key, value: encoded, priority })),
    );
    return reply;
  }

  /**
   * Adds items item by item in input order, with `add`'s rules; a key that appears twice
   * behaves as if added twice, one after the other. Every item is checked and encoded
   * before the first write; each chunk of `chunkSize` items is one atomic script.
   *
   * @param items - `{ key, value, priority? }` objects or `[key, value, priority?]` tuples; priority defaults to 1
   * @param options - `readd`, `mode`, `delayMs`, `runAt`, for every item
   * @returns one result per input item: its new priority, or `null` when rejected
   * @throws {@link GoodRedisError} `InvalidArgument` or `Codec` before anything is written
   * @example
   * ```ts
   * await stream.addMany([{ key: 'a', value: 'A', priority: 3 }, ['b', 'B', 1]]); // [3, 1]
   * ```
   */
  public async addMany(items: Iterable<ItemInput<T>>, options: AddOptions = {}): Promise<(number | null)[]> {
    const [chunks, replies] = await this.addChunks(items, options, 'compact');
    return chunks.flatMap((c, i) => compactResults(replies[i], c.priorities).map((r) => (typeof r === 'number' ? r : null)));
  }

  /**
   * Adds items exactly as {@link addMany} does, and tells for each refused item why: its key
   * is gated, cooling down, in flight (leased or delayed) or dead, and for each added item
   * whether its key was already queued (`merged`). The reasons come from the same atomic script
   * as the add.
   *
   * @param items - `{ key, value, priority? }` objects or `[key, value, priority?]` tuples; priority defaults to 1
   * @param options - `readd`, `mode`, `delayMs`, `runAt`, for every item
   * @returns one outcome per input item
   * @throws {@link GoodRedisError} `InvalidArgument` or `Codec` before anything is written
   * @example
   * ```ts
   * const [outcome] = await stream.addManyDetailed([['page-1', 'https://example.com/1', 5]]);
   * if (!outcome.added) console.log(`refused: ${outcome.reason}`);
   * ```
   */
  public async addManyDetailed(items: Iterable<ItemInput<T>>, options: AddOptions = {}): Promise<AddOutcome[]> {
    const [chunks, replies] = await this.addChunks(items, options, 'reasons');
    return chunks.flatMap((c, i) =>
      compactResults(replies[i], c.priorities).map((r): AddOutcome => {
        if (typeof r === 'number') return { added: true, priority: r, merged: false };
        if (typeof r === 'object' && r !== null) return { added: true, priority: r.merged, merged: true };
        if (r === null) throw new GoodRedisError('Script', 'the addItems script refused an item without saying why');
        return { added: false, reason: r };
      }),
    );
  }

  /** Checks and encodes every item, then runs one addItems script per chunk; see {@link addMany}. */
  private async addChunks(items: Iterable<ItemInput<T>>, options: AddOptions, reply: 'compact' | 'reasons'): Promise<[AddChunk[], unknown[]]> {
    const request = addRequest(options);
    const chunks: AddChunk[] = [];
    let chunk = newChunk();
    let index = 0;
    for (const item of items) {
      let key: unknown, value: T, priority: unknown;
      if (Array.isArray(item)) {
        const tuple = item as readonly [string, T, (number | undefined)?];
        key = tuple[0];
        value = tuple[1];
        priority = tuple[2];
      } else {
        const object = item as ItemObject<T>;
        key = object.key;
        value = object.value;
        priority = object.priority;
      }
      // Only undefined means "the default": null is refused like any other non-number.
      if (priority === undefined) priority = 1;
      // Checked inline: the per-item labels are built only for an error message.
      if (typeof key !== 'string' || key.length === 0) assertItemKey(key, `items[${String(index)}].key`);
      if (typeof priority !== 'number' || !Number.isFinite(priority)) assertFinite(priority, `items[${String(index)}].priority`);
      const encoded = this.encodeValue(value, `items[${String(index)}].value`);
      const bytes = key.length + encoded.length;
      // A chunk closes at chunkSize items, or before an item that would take it past chunkBytes.
      if (chunk.priorities.length > 0 && chunk.bytes + bytes > this.chunkBytes) {
        chunks.push(chunk);
        chunk = newChunk();
      }
      chunk.pairs.push(key, encoded);
      chunk.scored.push(-priority, key);
      chunk.priorities.push(priority);
      chunk.bytes += bytes;
      if (chunk.priorities.length === this.chunkSize) {
        chunks.push(chunk);
        chunk = newChunk();
      }
      index += 1;
    }
    if (chunk.priorities.length > 0) chunks.push(chunk);
    if (chunks.length === 0) return [[], []];
    // One connection runs the chunks in the order they were sent.
    const replies = await traceSend({ family: 'stream', name: this.name }, index, () =>
      Promise.all(
        chunks.map((c, i) => {
          const written = this.core.call('addItems', { ...request, pairs: c.pairs, scored: c.scored, reply });
          return i === 0 ? this.core.registering(written) : written; // registered once the first chunk landed
        }),
      ),
    );
    return [chunks, replies];
  }

  /**
   * Atomically takes up to `count` items, highest priority first, each key at most once.
   * With `purge` (the default) they leave the stream, and with `gate` their keys can never be
   * re-added; with `purge: false` they stay with their priority lowered by `decreaseBy`.
   * Every pulled key gets a cooldown: `expireAt`, else now + `cooldownMs`, else the stream's
   * default; `cooldownMs: 0` sets none (and clears an earlier one). Delayed items that are due
   * join the stream first.
   *
   * A value the codec cannot decode affects only its own item: it is not returned, it goes to
   * the dead letters with the `Codec` error (naming the stream and the key) as its error, and a
   * process warning says so; the other items are returned as usual.
   *
   * @param options - `count`, `purge`, `gate`, `cooldownMs`, `expireAt`, `decreaseBy`
   * @returns the items in pull order, with the priorities they had when pulled
   * @throws {@link GoodRedisError} `InvalidArgument` for bad options (`gate` without `purge` included)
   * @example
   * ```ts
   * const batch = await stream.pull({ count: 100, gate: true, cooldownMs: 60_000 });
   * ```
   */
  public async pull(options: PullOptions = {}): Promise<Item<T>[]> {
    options = optionsOf(options);
    const { count = 1, purge = true, gate = false, decreaseBy = 1 } = options;
    assertInteger(count, 'count', 1, MAX_PULL_COUNT);
    assertBoolean(purge, 'purge');
    assertBoolean(gate, 'gate');
    if (gate && !purge) throw invalid('gate requires purge: a gated key must leave the stream');
    const cooldown = cooldownArgs(options, this.cooldownMs);
    assertFinite(decreaseBy, 'decreaseBy');
    const pulled = await this.core.call(
      'pullItems',
      { count, purge, gate, ...cooldown, decreaseBy, reply: 'compact', deadCaps: this.deadCaps },
      { binary: this.codec.binary },
    );
    if (pulled === undefined) return [];
    const { offset, range, values } = pulled;
    const items: Item<T>[] = [];
    const bury: (string | Buffer)[] = [];
    const errors: unknown[] = [];
    for (let i = 0; i < values.length; i += 1) {
      const key = text(range[2 * i]);
      const priority = offset - Number(text(range[2 * i + 1]));
      const decoded = this.tryDecode(values[i], key);
      if (decoded.ok) {
        items.push({ key, value: decoded.value, priority });
      } else {
        errors.push(decoded.error);
        bury.push(key, values[i] as string | Buffer, String(priority), decoded.error.message);
      }
    }
    if (bury.length > 0) {
      await this.bury('pulled', bury, errors);
      this.warnBuried('pull', errors);
    }
    return items;
  }

  /**
   * Adds `by` to the priority of a queued item. Never creates an item.
   *
   * @param key - the item key
   * @param by - a finite number (negative lowers the priority)
   * @returns the new priority, or `null` when the key is not queued
   * @example
   * ```ts
   * await stream.increment('page-1', 3);
   * ```
   */
  public async increment(key: string, by = 1): Promise<number | null> {
    assertItemKey(key);
    assertFinite(by, 'by');
    return this.core.call('incrementItem', { key, by });
  }

  /**
   * Lowers the priority of every queued item by `by` in O(1): only the stream's offset
   * changes. Integer priorities stay exact while the offset stays within ±(2^53 − 1); a decrement
   * that would leave that range is refused with a `Range` error.
   *
   * @param by - a finite number
   * @returns how many items were affected
   * @example
   * ```ts
   * await stream.decrementAll(1); // age every item by one step
   * ```
   */
  public async decrementAll(by = 1): Promise<number> {
    assertFinite(by, 'by');
    return this.core.call('decrementAll', { by });
  }

  /**
   * Removes every queued item whose priority is strictly below `threshold`, lowest first, in
   * atomic chunks of `chunkSize` so that Redis is never blocked for long.
   *
   * @param threshold - a finite number
   * @param options - `gate`: also gate the removed keys
   * @returns the removed keys
   * @example
   * ```ts
   * const dropped = await stream.deleteBelow(0, { gate: true });
   * ```
   */
  public async deleteBelow(threshold: number, options: DeleteBelowOptions = {}): Promise<string[]> {
    options = optionsOf(options);
    assertFinite(threshold, 'threshold');
    const { gate = false } = options;
    assertBoolean(gate, 'gate');
    const removed: string[] = [];
    for (;;) {
      const keys = await this.core.call('deleteBelow', { threshold, gate, limit: this.chunkSize });
      removed.push(...keys);
      if (keys.length < this.chunkSize) return removed;
    }
  }

  /**
   * Reads one item's value.
   *
   * @param key - the item key
   * @returns the decoded value, or `null` when the key is not queued
   */
  public async get(key: string): Promise<T | null> {
    assertItemKey(key);
    const reply = await this.core.call('getItem', { key }, { binary: this.codec.binary });
    return reply === null ? null : this.decode(reply, key);
  }

  /**
   * Counts the queued items.
   *
   * @returns the number of queued items
   */
  public async len(): Promise<number> {
    return this.core.call('countItems', {});
  }

  /**
   * Reads keys in pull order (highest priority first), all of them or a range of ranks.
   * For large streams, page with `offset`/`limit` or iterate with {@link scan}.
   *
   * @param range - `offset` and `limit` in pull order
   * @returns the keys
   */
  public async keys(range: RangeOptions = {}): Promise<string[]> {
    return (await this.core.call('readItems', { what: 'keys', ...ranks(range) })).map(text);
  }

  /**
   * Reads values in pull order, all of them or a range of ranks. Reads change nothing: a
   * value the codec cannot decode fails the call with a `Codec` error naming the stream and the
   * value's rank (`entries` and `get` name its key).
   *
   * @param range - `offset` and `limit` in pull order
   * @returns the decoded values
   */
  public async values(range: RangeOptions = {}): Promise<T[]> {
    const { start, stop } = ranks(range);
    const reply = await this.core.call('readItems', { what: 'values', start, stop }, { binary: this.codec.binary });
    return reply.map((value, i) => this.decode(value, start + i));
  }

  /**
   * Reads items in pull order, all of them or a range of ranks, each with its priority.
   *
   * @param range - `offset` and `limit` in pull order
   * @returns the items
   * @example
   * ```ts
   * const top10 = await stream.entries({ limit: 10 });
   * ```
   */
  public async entries(range: RangeOptions = {}): Promise<Item<T>[]> {
    return this.items(await this.core.call('readItems', { what: 'entries', ...ranks(range) }, { binary: this.codec.binary }));
  }

  /**
   * Iterates over the whole stream incrementally (ZSCAN), one round trip per batch, in no
   * particular order. As with every SCAN, an item present from start to end is seen at least
   * once; an item added or removed meanwhile may or may not be.
   *
   * @param options - `batchSize`: the COUNT hint per round trip
   * @returns an async iterator of items
   * @example
   * ```ts
   * for await (const item of stream.scan({ batchSize: 1000 })) console.log(item.key);
   * ```
   */
  public async *scan(options: ScanOptions = {}): AsyncGenerator<Item<T>, void, undefined> {
    options = optionsOf(options);
    const { batchSize = 500 } = options;
    assertInteger(batchSize, 'batchSize', 1, 10_000);
    let cursor = '0';
    do {
      const scanned = await this.core.call('scanItems', { cursor, count: batchSize }, { binary: this.codec.binary });
      cursor = scanned.cursor;
      const { flat } = scanned;
      yield* this.items(flat);
    } while (cursor !== '0');
  }

  /** Iterates the stream like {@link scan} with its defaults. */
  public [Symbol.asyncIterator](): AsyncIterator<Item<T>> {
    return this.scan();
  }

  /**
   * Counts what the stream holds (queued, gated, cooling, leased, delayed, dead) and how many
   * items were added and pulled, in one atomic read-only script.
   *
   * @returns the counts, with the server clock they were taken at
   * @example
   * ```ts
   * const { length, cooling, leased } = await stream.stats();
   * ```
   */
  public async stats(): Promise<StreamStats> {
    return this.core.call('readStats', {});
  }

  /**
   * Reads cooldowns, the soonest to end first, all of them or a range of ranks. Ended ones
   * stay listed (with a past `until`) until a sweep removes them.
   *
   * @param range - `offset` and `limit` in deadline order
   * @returns the keys with their deadlines
   * @example
   * ```ts
   * const [next] = await stream.cooldowns({ limit: 1 }); // the next key free to be re-added
   * ```
   */
  public async cooldowns(range: RangeOptions = {}): Promise<Cooldown[]> {
    const { start, stop } = ranks(range);
    const flat = await typed(this.client.zrange(this.redisKeys.cooldowns, start, stop, 'WITHSCORES'));
    const out: Cooldown[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) out.push({ key: flat[i] ?? '', until: Number(flat[i + 1]) });
    return out;
  }

  /**
   * Removes every key of the stream (with non-blocking `UNLINK`) and unregisters its name.
   *
   * @returns `true` when the stream had any data
   */
  public async delete(): Promise<boolean> {
    // Unregister first: an add racing this delete re-registers after its own script.
    await this.core.unregister();
    return (await this.core.call('deleteStream', {})) > 0;
  }

  /**
   * Sweeps this stream now: every key whose cooldown deadline has passed leaves the cooldown
   * set, and one that is still queued (pulled with `purge: false`) leaves the stream too.
   * Works in atomic chunks of `chunkSize`.
   *
   * @returns how many cooldowns ended
   */
  public async expire(): Promise<number> {
    let expired = 0;
    for (;;) {
      const { expired: count } = await this.core.call('expireItems', { limit: this.chunkSize });
      expired += count;
      if (count < this.chunkSize) return expired;
    }
  }
}

/** One chunk of `addMany`, laid out as the addItems script reads it. */
interface AddChunk {
  /** key, value, key, value, …: ready for HSET. */
  pairs: (string | Buffer)[];
  /** -priority, key, …: ready for ZADD while the offset is 0. */
  scored: (string | number)[];
  priorities: number[];
  /** The keys' and values' lengths so far, against `chunkBytes`. */
  bytes: number;
}

function newChunk(): AddChunk {
  return { pairs: [], scored: [], priorities: [], bytes: 0 };
}

/** The reason codes of a `reasons` addItems reply. */
const REJECT_REASONS: Readonly<Record<number, RejectReason>> = { [-1]: 'gated', [-2]: 'cooling', [-3]: 'inFlight', [-4]: 'dead' };

/**
 * Reads a compact (or reasons) addItems reply: the item count when every item got the
 * priority given, else one entry per item (1: the priority given; a string: the new
 * priority; a one-element array: the new priority of a key that was queued already, merged;
 * -1 to -4: refused, for the reason they code; null: refused, with no reason, as the compact
 * reply says it).
 */
function compactResults(reply: unknown, priorities: readonly number[]): (number | { merged: number } | RejectReason | null)[] {
  if (typeof reply === 'number') return [...priorities];
  return priorities.map((priority, i) => {
    const entry = (reply as unknown[])[i];
    if (entry === 1) return priority;
    if (typeof entry === 'number') return REJECT_REASONS[entry] ?? null;
    if (Array.isArray(entry)) return { merged: Number(text(entry[0])) };
    return priorityOf(entry);
  });
}

/** Checks the options of an add and returns them as the add scripts' request. */
function addRequest(options: AddOptions | undefined): AddRequest {
  const { readd = false, mode = 'sum', delayMs, runAt } = optionsOf(options);
  assertBoolean(readd, 'readd');
  if (!ADD_MODES.includes(mode)) throw invalid(`mode must be one of ${ADD_MODES.join(', ')}, got ${JSON.stringify(mode)}`);
  if (delayMs !== undefined && runAt !== undefined) throw invalid('give delayMs or runAt, not both');
  if (delayMs !== undefined) assertInteger(delayMs, 'delayMs', 0);
  return { readd, mode, delayMs, runAt: runAt === undefined ? undefined : epochMs(runAt, 'runAt') };
}

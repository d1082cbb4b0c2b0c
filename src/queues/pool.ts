import type { RedisClient } from '../connection/redis-client.js';
import { serverNowMs } from '../connection/server-time.js';
import { type GoodRedisError, typed } from '../errors.js';
import { reportError } from '../internal/report-error.js';
import { assertInteger, epochMs, invalid, optionsOf, ranks } from '../internal/validate.js';
import { traceSend } from '../observe/telemetry.js';
import type { JobSource } from '../jobs/job-source.js';
import { MAX_CHUNK, QueueObject, type QueueObjectOptions } from './queue-object.js';
import { type PoolJob, PoolSource } from './pool-source.js';
import type { PoolLease, PoolStats } from './types.js';

/** Options of {@link Pool}. */
export interface PoolOptions<T> extends QueueObjectOptions<T> {
  /**
   * How long a lease lasts, in ms (aio-py-rq's `ack_ttl`).
   *
   * @defaultValue 600000 (10 minutes)
   */
  ackTtlMs?: number | undefined;
  /**
   * How long an acked item rests before it is due again, in ms (aio-py-rq's `ack_valid_for`).
   *
   * @defaultValue 129600000 (36 hours)
   */
  ackValidForMs?: number | undefined;
}

/** Options of {@link Pool.addItems}. */
export interface PoolAddOptions {
  /**
   * When the items fall due: a `Date` or epoch ms (server clock).
   *
   * @defaultValue now
   */
  dueAt?: Date | number | undefined;
}

/** An item of a {@link Pool}, as {@link Pool.items} lists it. */
export interface PoolEntry<T> {
  /** The item. */
  value: T;
  /** When it is due, or its lease deadline when leased, epoch ms. */
  dueAt: number;
  /** Whether it is leased now. */
  leased: boolean;
}

/** The events of a {@link Pool}. */
export interface PoolEvents {
  /** A background failure. */
  error: [error: Error];
}

/**
 * A set of items processed again and again, each when it falls due (aio-py-rq's `Pool`): a
 * leased item is due again `ackValidForMs` after its ack, or when its lease runs out. A lease
 * ends at now + `ackTtlMs`, so an item is never leased twice at once; acks, extends and
 * removes name the lease, so a holder whose lease ran out cannot cut the next holder's.
 *
 * @typeParam T - the type of the items, fixed by the codec (deterministic: the encoded bytes are the identity)
 * @example
 * ```ts
 * const feeds = new Pool(redis, 'feeds', { ackValidForMs: 3_600_000 });
 * await feeds.addItems(['https://example.com/feed.xml']);
 * for (const lease of await feeds.getItems(10)) {
 *   await refresh(lease.value);
 *   await feeds.ackItem(lease); // due again in an hour
 * }
 * ```
 */
export class Pool<T = string> extends QueueObject<T, PoolEvents> {
  protected readonly kind = 'pool' as const;
  private readonly ackTtlMs: number;
  private readonly ackValidForMs: number;

  /**
   * @param client - the connection
   * @param name - the pool's name (non-empty, without `{` or `}`)
   * @param options - codec, chunks, lease and rest times
   * @throws {@link GoodRedisError} `InvalidArgument` for a bad name or option
   */
  public constructor(client: RedisClient, name: string, options: PoolOptions<T> = {}) {
    options = optionsOf(options);
    super(client, name, options);
    this.ackTtlMs = options.ackTtlMs ?? 600_000;
    assertInteger(this.ackTtlMs, 'ackTtlMs', 1);
    this.ackValidForMs = options.ackValidForMs ?? 129_600_000;
    assertInteger(this.ackValidForMs, 'ackValidForMs', 0);
  }

  /**
   * Adds an item, due at `dueAt` (default now). An item already in the pool and not leased
   * takes the new due time; a leased item keeps its lease and is due at once when it ends.
   *
   * @param item - the item
   * @param options - `dueAt`
   * @returns whether it was new to the pool
   */
  public async addItem(item: T, options: PoolAddOptions = {}): Promise<boolean> {
    const [added = false] = await this.addItems([item], options);
    return added;
  }

  /**
   * {@link addItem} for several items, in atomic chunks; every item is encoded before the first write.
   *
   * @param items - the items
   * @param options - `dueAt`
   * @returns for each item, whether it was new to the pool
   */
  public async addItems(items: Iterable<T>, options: PoolAddOptions = {}): Promise<boolean[]> {
    const { dueAt } = optionsOf(options);
    const at = dueAt === undefined ? undefined : epochMs(dueAt, 'dueAt');
    const encoded = this.encodeAll(items);
    for (const [i, e] of encoded.entries()) if (e.length === 0) throw invalid(`items[${String(i)}] encodes to an empty string: a pool item needs an identity`);
    const chunks: [number, () => Promise<boolean[]>][] = [];
    for (let i = 0; i < encoded.length; i += this.chunkSize) {
      const chunk = encoded.slice(i, i + this.chunkSize);
      chunks.push([chunk.length, () => this.core.call('poolAdd', { dueAt: at, items: chunk })]);
    }
    if (encoded.length === 0) return [];
    const replies = await traceSend({ family: this.kind, name: this.name }, encoded.length, () => this.inChunks(encoded.length, chunks));
    return replies.flat();
  }

  /**
   * Leases up to `count` items that are due (expired leases included), earliest first. Each
   * lease ends at now + `ackTtlMs` (server clock).
   *
   * @param count - 1 to 10,000
   * @returns the leases
   */
  public async getItems(count = 1): Promise<PoolLease<T>[]> {
    const { leases, errors } = await this.lease(count, this.ackTtlMs);
    for (const err of errors) reportError(this, err, `pool ${this.name}`);
    return leases;
  }

  /**
   * Leases due items. An item the codec refuses (another producer's, a hand edit's) is removed
   * from the pool, so that it does not come back due forever: one `Codec` error each, naming its
   * first 200 characters.
   */
  private async lease(count: number, ttlMs: number): Promise<{ leases: PoolLease<T>[]; wakeInMs: number; errors: GoodRedisError[] }> {
    assertInteger(count, 'count', 1, MAX_CHUNK);
    const { leased, wakeInMs } = await this.core.call('poolGet', { count, ttlMs }, { binary: this.codec.binary });
    const leases: PoolLease<T>[] = [];
    const errors: GoodRedisError[] = [];
    const unreadable: (string | Buffer)[] = [];
    for (const { id, raw } of leased) {
      try {
        leases.push({ id, value: this.decode(raw, `lease ${id}`) });
      } catch (error) {
        unreadable.push(raw);
        errors.push(this.unreadableError(error, 'removed', raw));
      }
    }
    if (unreadable.length > 0) await this.core.call('poolDelete', { limit: unreadable.length, items: unreadable });
    return { leases, wakeInMs, errors };
  }

  /** {@link getItems} in chunks until a short one (aio-py-rq's `get_all_items`). */
  public async getAllItems(): Promise<PoolLease<T>[]> {
    const all: PoolLease<T>[] = [];
    for (;;) {
      const batch = await this.getItems(this.chunkSize);
      all.push(...batch);
      if (batch.length < this.chunkSize) return all;
    }
  }

  /**
   * Marks a leased item processed: it is due again at now + `ackValidForMs`, or now when it was
   * re-added during the lease.
   *
   * @param lease - what `getItems` returned
   * @throws {@link GoodRedisError} `LeaseLost` when the lease is no longer held
   */
  public async ackItem(lease: PoolLease<T>): Promise<void> {
    await this.ackItems([lease]);
  }

  /**
   * {@link ackItem} for several leases, all or nothing per chunk.
   *
   * @param leases - what `getItems` returned
   * @returns how many were acknowledged
   */
  public ackItems(leases: readonly PoolLease<T>[]): Promise<number> {
    return this.settle('ack', this.ackValidForMs, leases);
  }

  /**
   * Renews leases: each ends at now + `ttlMs`.
   *
   * @param leases - what `getItems` returned
   * @param ttlMs - the new lease, from now (default `ackTtlMs`; 0 makes the item due at once, keeping the lease until then)
   * @returns how many were renewed
   * @throws {@link GoodRedisError} `LeaseLost` when a lease is no longer held
   */
  public async extendItems(leases: readonly PoolLease<T>[], ttlMs = this.ackTtlMs): Promise<number> {
    assertInteger(ttlMs, 'ttlMs', 0);
    return this.settle('extend', ttlMs, leases);
  }

  /**
   * Leased items leave the pool.
   *
   * @param lease - what `getItems` returned
   * @throws {@link GoodRedisError} `LeaseLost` when the lease is no longer held
   */
  public async removeItem(lease: PoolLease<T>): Promise<void> {
    await this.removeItems([lease]);
  }

  /**
   * {@link removeItem} for several leases, all or nothing per chunk.
   *
   * @param leases - what `getItems` returned
   * @returns how many items left
   */
  public removeItems(leases: readonly PoolLease<T>[]): Promise<number> {
    return this.settle('remove', 0, leases);
  }

  private async settle(action: 'ack' | 'extend' | 'remove', ms: number, leases: readonly PoolLease<T>[]): Promise<number> {
    if (!Array.isArray(leases)) throw invalid('leases must be an array of what getItems returned');
    const pairs: (string | Buffer)[] = [];
    (leases as readonly unknown[]).forEach((lease, i) => {
      const { id, value } = (lease ?? {}) as Partial<PoolLease<T>>;
      if (typeof id !== 'string' || !/^\d+-\d+$/.test(id)) throw invalid(`leases[${String(i)}] is not a pool lease (no id from getItems)`);
      const [encoded] = this.encodeAll([value as T]);
      pairs.push(encoded ?? '', id);
    });
    let done = 0;
    for (let i = 0; i < pairs.length; i += 2 * this.chunkSize) {
      done += await this.core.call('poolSettle', { action, ms, pairs: pairs.slice(i, i + 2 * this.chunkSize) });
    }
    return done;
  }

  /**
   * Items leave the pool, leased or not; a holder's later ack fails with `LeaseLost`.
   *
   * @param item - the item
   * @returns whether it was in the pool
   */
  public async deleteItem(item: T): Promise<boolean> {
    return (await this.deleteItems([item])) === 1;
  }

  /**
   * {@link deleteItem} for several items, in atomic chunks.
   *
   * @param items - the items
   * @returns how many were in the pool
   */
  public async deleteItems(items: Iterable<T>): Promise<number> {
    const encoded = this.encodeAll(items);
    let removed = 0;
    for (let i = 0; i < encoded.length; i += this.chunkSize) {
      removed += await this.core.call('poolDelete', { limit: this.chunkSize, items: encoded.slice(i, i + this.chunkSize) });
    }
    return removed;
  }

  /**
   * Empties the pool, in atomic chunks (aio-py-rq's `clear_pool`).
   *
   * @returns how many items left
   */
  public async clear(): Promise<number> {
    let removed = 0;
    for (;;) {
      const n = await this.core.call('poolDelete', { limit: this.chunkSize });
      removed += n;
      if (n < this.chunkSize) return removed;
    }
  }

  /** How many items the pool holds. */
  public async getCount(): Promise<number> {
    return typed(this.client.zcard(this.redisKeys.pool));
  }

  /** How many items are due now (expired leases included). */
  public async getCountToProcess(): Promise<number> {
    return typed(this.client.zcount(this.redisKeys.pool, '-inf', await serverNowMs(this.client)));
  }

  /** One atomic snapshot: size, due now, leased, the items added in total, the server's clock. */
  public async stats(): Promise<PoolStats> {
    return this.core.call('poolStats', {});
  }

  /**
   * The items soonest due first (a leased item by its lease deadline), paged.
   *
   * @param range - `offset` and `limit` (default: all)
   */
  public async items(range: { offset?: number | undefined; limit?: number | undefined } = {}): Promise<PoolEntry<T>[]> {
    const { start, stop } = ranks(range);
    const flat = this.codec.binary
      ? await typed(this.client.zrangeBuffer(this.redisKeys.pool, start, stop, 'WITHSCORES'))
      : await typed(this.client.zrange(this.redisKeys.pool, start, stop, 'WITHSCORES'));
    const members = flat.filter((_, i) => i % 2 === 0);
    const leases = members.length === 0 ? [] : await typed(this.client.hmget(this.redisKeys.poolLeases, ...members));
    return members.map((raw, i) => ({
      value: this.decode(raw, `the item at rank ${String(start + i)}`),
      dueAt: Number(flat[2 * i + 1]),
      leased: leases[i] !== null,
    }));
  }

  /**
   * Whether an item is in the pool.
   *
   * @param item - the item
   */
  public async isInPool(item: T): Promise<boolean> {
    return (await this.dueAt(item)) !== null;
  }

  /**
   * When an item is due, or its lease deadline when leased, epoch ms; null when absent.
   *
   * @param item - the item
   */
  public async dueAt(item: T): Promise<number | null> {
    const [encoded] = this.encodeAll([item]);
    const score = await typed(this.client.zscore(this.redisKeys.pool, encoded ?? ''));
    return score === null ? null : Number(score);
  }

  /**
   * The pool as a {@link JobSource} for the {@link JobWorker}: leases of the Worker's `leaseMs`,
   * `attempt` 1, `wakeInMs` the time to the next due item; a nack extends the lease by the
   * backoff delay (due again once that runs out), a release makes the item due at once.
   *
   * @returns a new source over this pool
   */
  public jobSource(): JobSource<PoolJob<T>> {
    return new PoolSource<T>({
      client: this.client,
      name: this.name,
      prefix: this.prefix,
      marker: this.redisKeys.poolMarker,
      lease: (count, ttlMs) => this.lease(count, ttlMs),
      ackItem: (lease) => this.ackItem(lease),
      ackItems: (leases) => this.ackItems(leases),
      extendItems: (leases, ttlMs) => this.extendItems(leases, ttlMs),
    });
  }
}

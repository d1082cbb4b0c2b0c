import type { RedisClient } from '../connection/redis-client.js';
import { typed } from '../errors.js';
import { assertObjectName, assertPrefix, invalid, optionsOf } from '../internal/validate.js';
import { Pool, type PoolOptions } from './pool.js';
import { Queue } from './queue.js';
import { queueKeys, queueRegistryKey } from './queue-keys.js';
import type { ReliableQueue } from './reliable-queue.js';
import type { QueueFamilyKind, QueueKind } from './scripts.js';
import type { QueueOptions } from './types.js';
import { UniqueQueue } from './unique-queue.js';

/** The kinds a registered name can have. */
const KINDS: readonly QueueFamilyKind[] = ['queue', 'unique', 'pool'];

/** Options of {@link QueueRegistry}. */
export interface QueueRegistryOptions {
  /**
   * The key prefix of the registry and the queues it hands out.
   *
   * @defaultValue `''`
   */
  prefix?: string | undefined;
}

/**
 * The names of every queue, unique queue and pool under one prefix, with their kinds, in the
 * hash `P:q:keys` (apart from the streams' `P:ps:keys`): the Expirer and the CLI find queues
 * without `SCAN`, and the kind says which class a name belongs to. Queues register themselves
 * after their first add.
 */
export class QueueRegistry {
  /** The connection (never closed by the registry). */
  public readonly client: RedisClient;
  /** The key prefix. */
  public readonly prefix: string;
  /** The registry hash. */
  public readonly key: string;

  /**
   * @param client - the connection
   * @param options - `prefix`
   * @throws {@link GoodRedisError} `InvalidArgument` for a bad prefix
   */
  public constructor(client: RedisClient, options: QueueRegistryOptions = {}) {
    options = optionsOf(options);
    this.prefix = options.prefix ?? '';
    assertPrefix(this.prefix);
    this.key = queueRegistryKey(this.prefix);
    this.client = client;
  }

  /**
   * The registered names, sorted, all or of one kind.
   *
   * @param options - `kind`: only names of this kind
   */
  public async names(options: { kind?: QueueFamilyKind | undefined } = {}): Promise<string[]> {
    const { kind } = optionsOf(options);
    if (kind !== undefined && !KINDS.includes(kind)) throw invalid(`kind must be one of ${KINDS.join(', ')}`);
    return (await this.entries()).filter(([, k]) => kind === undefined || k === kind).map(([name]) => name);
  }

  /** Every registered name with its kind, sorted by name. */
  public async entries(): Promise<[name: string, kind: QueueFamilyKind][]> {
    const all = await typed(this.client.hgetall(this.key));
    return Object.keys(all)
      .sort()
      .map((name) => [name, all[name] as QueueFamilyKind]);
  }

  /**
   * The kind a name is registered with, or null.
   *
   * @param name - the name
   */
  public async kindOf(name: string): Promise<QueueFamilyKind | null> {
    assertObjectName(name, 'queue');
    const kind = await typed(this.client.hget(this.key, name));
    return kind === null ? null : (kind as QueueFamilyKind);
  }

  /**
   * Whether a name is registered.
   *
   * @param name - the name
   */
  public async has(name: string): Promise<boolean> {
    return (await this.kindOf(name)) !== null;
  }

  /**
   * Registers a name with its kind; refuses a name registered with another kind.
   *
   * @param name - the name
   * @param kind - its kind
   * @throws {@link GoodRedisError} `InvalidArgument` when the name has another kind
   */
  public async register(name: string, kind: QueueFamilyKind): Promise<void> {
    assertObjectName(name, 'queue');
    if (!KINDS.includes(kind)) throw invalid(`kind must be one of ${KINDS.join(', ')}`);
    const current = await this.kindOf(name);
    if (current !== null && current !== kind) throw invalid(`${JSON.stringify(name)} is registered as a ${current}, not a ${kind}`);
    await typed(this.client.hset(this.key, name, kind));
  }

  /**
   * Removes the registered names whose keys hold nothing any more (one check per name, in its
   * own slot).
   *
   * @returns the names removed
   */
  public async prune(): Promise<string[]> {
    const removed: string[] = [];
    for (const name of await this.names()) {
      const k = queueKeys(name, this.prefix);
      const held = await typed(this.client.exists(k.meta, k.list, k.held, k.pool));
      if (held === 0) {
        await typed(this.client.hdel(this.key, name));
        removed.push(name);
      }
    }
    return removed;
  }

  /**
   * A `Queue` (one consumer) on this registry's prefix.
   *
   * @param name - the queue's name
   * @param options - its options (the prefix is the registry's)
   */
  public queue<T = string>(name: string, options: Omit<QueueOptions<T>, 'prefix'> = {}): Queue<T> {
    return new Queue<T>(this.client, name, { ...optionsOf(options), prefix: this.prefix });
  }

  /**
   * A `UniqueQueue` (one consumer) on this registry's prefix.
   *
   * @param name - the queue's name
   * @param options - its options (the prefix is the registry's)
   */
  public uniqueQueue<T = string>(name: string, options: Omit<QueueOptions<T>, 'prefix'> = {}): UniqueQueue<T> {
    return new UniqueQueue<T>(this.client, name, { ...optionsOf(options), prefix: this.prefix });
  }

  /**
   * The reliable queue of a name by its registered kind: a `Queue` for `queue`, a `UniqueQueue`
   * for `unique` (the registry's `entries()` and `kindOf()` tell the kind).
   *
   * @param name - the queue's name
   * @param kind - its kind
   * @param options - its options (the prefix is the registry's)
   */
  public reliableQueue<T = string>(name: string, kind: QueueKind, options: Omit<QueueOptions<T>, 'prefix'> = {}): ReliableQueue<T> {
    return kind === 'unique' ? this.uniqueQueue<T>(name, options) : this.queue<T>(name, options);
  }

  /**
   * A `Pool` on this registry's prefix.
   *
   * @param name - the pool's name
   * @param options - its options (the prefix is the registry's)
   */
  public pool<T = string>(name: string, options: Omit<PoolOptions<T>, 'prefix'> = {}): Pool<T> {
    return new Pool<T>(this.client, name, { ...optionsOf(options), prefix: this.prefix });
  }
}

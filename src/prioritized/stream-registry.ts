import type { RedisClient } from '../connection/redis-client.js';
import { typed } from '../errors.js';
import { assertObjectName, assertPrefix, optionsOf } from '../internal/validate.js';
import { PrioritizedStream } from './prioritized-stream.js';
import { registryKey, streamKeys } from './stream-keys.js';
import type { PrioritizedStreamOptions } from './types.js';

/** Options of {@link StreamRegistry}. */
export interface StreamRegistryOptions {
  /**
   * The key prefix of the registry and of the streams it hands out.
   *
   * @defaultValue `''`
   */
  prefix?: string | undefined;
  /**
   * Options every stream from {@link StreamRegistry.stream} starts from (not `prefix`).
   *
   * @defaultValue `{}`
   */
  streamDefaults?: Omit<PrioritizedStreamOptions<string>, 'prefix' | 'codec'> | undefined;
}

/** Options of a stream handed out by {@link StreamRegistry.stream}: everything but the prefix. */
export type RegistryStreamOptions<T> = Omit<PrioritizedStreamOptions<T>, 'prefix'>;

/**
 * The set of every registered prioritized stream (`:ps:keys` with the default prefix). A
 * stream registers itself when something is added to it and unregisters when deleted. On
 * Redis Cluster the registry sits in its own slot and is maintained with separate,
 * idempotent commands.
 *
 * @example
 * ```ts
 * const registry = new StreamRegistry(redis);
 * for (const name of await registry.names()) console.log(name, await registry.stream(name).len());
 * ```
 */
export class StreamRegistry {
  /** The registry's Redis key. */
  public readonly key: string;
  /** The connection the registry and its streams use. */
  public readonly client: RedisClient;
  /** The key prefix of the registry and of the streams it hands out. */
  public readonly prefix: string;
  private readonly streamDefaults: Omit<PrioritizedStreamOptions<string>, 'prefix' | 'codec'>;

  /**
   * @param client - an ioredis `Redis` or `Cluster`; never closed by the registry
   * @param options - key prefix and stream defaults
   */
  public constructor(client: RedisClient, options: StreamRegistryOptions = {}) {
    options = optionsOf(options);
    this.prefix = options.prefix ?? '';
    assertPrefix(this.prefix);
    this.key = registryKey(this.prefix);
    this.client = client;
    this.streamDefaults = options.streamDefaults ?? {};
  }

  /**
   * Lists the registered stream names, read incrementally with SSCAN. A member that is no
   * valid stream name (written into the registry by hand: an empty string, or one with `{` or
   * `}`) is left out with a process warning (code `GOOD_REDIS_MALFORMED_NAME`), so that one bad
   * member never breaks the listings or the sweeps of the others.
   *
   * @returns the names, sorted
   */
  public async names(): Promise<string[]> {
    const names = new Set<string>();
    let cursor = '0';
    do {
      const [next, page] = await typed(this.client.sscan(this.key, cursor, 'COUNT', 1000));
      cursor = next;
      for (const name of page) {
        if (name !== '' && !name.includes('{') && !name.includes('}')) names.add(name);
        else {
          process.emitWarning(`good-redis: the registry ${this.key} holds ${JSON.stringify(name)}, which is no stream name; it is skipped (SREM it)`, {
            type: 'GoodRedisWarning',
            code: 'GOOD_REDIS_MALFORMED_NAME',
          });
        }
      }
    } while (cursor !== '0');
    return [...names].sort();
  }

  /**
   * Tells whether a stream name is registered.
   *
   * @param name - the stream name
   * @returns `true` when registered
   */
  public async has(name: string): Promise<boolean> {
    assertObjectName(name, 'stream');
    return (await typed(this.client.sismember(this.key, name))) === 1;
  }

  /**
   * Hands out the stream for a name, with this registry's prefix and defaults.
   *
   * @param name - the stream name
   * @param options - options over the registry's `streamDefaults`
   * @returns a {@link PrioritizedStream} on this registry's connection
   */
  public stream<T = string>(name: string, options: RegistryStreamOptions<T> = {}): PrioritizedStream<T> {
    options = optionsOf(options);
    return new PrioritizedStream<T>(this.client, name, { ...this.streamDefaults, ...options, prefix: this.prefix });
  }

  /**
   * Registers a name (idempotent). Streams do this themselves on `add`; raw commands do not.
   *
   * @param name - the stream name
   * @returns `true` when it was not registered before
   */
  public async register(name: string): Promise<boolean> {
    assertObjectName(name, 'stream');
    return (await typed(this.client.sadd(this.key, name))) === 1;
  }

  /**
   * Unregisters a name without touching its data (idempotent).
   *
   * @param name - the stream name
   * @returns `true` when it was registered
   */
  public async unregister(name: string): Promise<boolean> {
    assertObjectName(name, 'stream');
    return (await typed(this.client.srem(this.key, name))) === 1;
  }

  /**
   * Unregisters every name whose stream has no data left (no items, gated keys, cooldowns,
   * offset, leases, delayed jobs or dead letters). Safe against a concurrent `add`: a name whose data reappears is registered again.
   *
   * @returns the names that were pruned
   */
  public async prune(): Promise<string[]> {
    const pruned: string[] = [];
    for (const name of await this.names()) {
      if (await this.hasData(name)) continue;
      await typed(this.client.srem(this.key, name));
      // An add may have written between the check and the SREM: look again.
      if (await this.hasData(name)) await typed(this.client.sadd(this.key, name));
      else pruned.push(name);
    }
    return pruned;
  }

  private async hasData(name: string): Promise<boolean> {
    const k = streamKeys(name, this.prefix);
    // The workers' marker alone is no data: it only says "there may be work".
    return (await typed(this.client.exists(k.items, k.scores, k.gated, k.cooldowns, k.meta, k.leases, k.delayed, k.dead, k.state))) > 0;
  }
}

import type { RedisClient } from '../connection/redis-client.js';
import { typed } from '../errors.js';
import { optionsOf } from '../internal/validate.js';
import { SetRegistry } from '../keyspace/set-registry.js';
import { Topic } from './topic.js';
import { assertTopicName, topicKeys, topicRegistryKey } from './topic-keys.js';
import type { TopicObjectOptions } from './types.js';

/** Options of {@link TopicRegistry}. */
export interface TopicRegistryOptions {
  /**
   * The key prefix of the registry and the topics it hands out.
   *
   * @defaultValue `''`
   */
  prefix?: string | undefined;
}

/**
 * The names of every topic under one prefix, in the set `P:tp:keys` (apart from the other
 * families' registries): the CLI and the tools find topics without `SCAN`. A topic registers
 * itself when it is created (`ensure`, a producer's first send, a consumer's join).
 */
export class TopicRegistry extends SetRegistry {
  /**
   * @param client - the connection
   * @param options - `prefix`
   * @throws {@link GoodRedisError} `InvalidArgument` for a bad prefix
   */
  public constructor(client: RedisClient, options: TopicRegistryOptions = {}) {
    super(client, options, topicRegistryKey, assertTopicName);
  }

  /**
   * A {@link Topic} object for `name` under this registry's prefix.
   *
   * @param name - the topic name
   * @param options - `codec`
   */
  public topic<T = string>(name: string, options: Omit<TopicObjectOptions<T>, 'prefix'> = {}): Topic<T> {
    return new Topic<T>(this.client, name, { ...optionsOf(options), prefix: this.prefix });
  }

  /**
   * Unregisters names whose topic no longer exists (each checked in its own slot).
   *
   * @returns the names removed
   */
  public async prune(): Promise<string[]> {
    const names = await this.names();
    const exists = await Promise.all(names.map((name) => typed(this.client.exists(topicKeys(name, this.prefix).topic))));
    const gone = names.filter((_, i) => exists[i] === 0);
    if (gone.length > 0) await typed(this.client.srem(this.key, ...gone));
    return gone;
  }
}

import type { RedisClient } from '../connection/redis-client.js';
import { typed } from '../errors.js';
import { assertPrefix, optionsOf } from '../internal/validate.js';

/**
 * A family's registry of names kept in one set (`P:<family>:keys`, apart from the families'
 * objects, so no script touches it): the names sorted, and membership. Topics and task queues
 * keep theirs so; each subclass adds what its family finds by name.
 */
export abstract class SetRegistry {
  /** The connection (never closed by the registry). */
  public readonly client: RedisClient;
  /** The key prefix. */
  public readonly prefix: string;
  /** The registry set. */
  public readonly key: string;

  /**
   * @param client - the connection
   * @param options - `prefix`
   * @param keyOf - the registry key of a prefix
   * @param assertName - checks a name given to {@link has}
   */
  protected constructor(
    client: RedisClient,
    options: { prefix?: string | undefined },
    keyOf: (prefix: string) => string,
    private readonly assertName: (name: string) => void,
  ) {
    options = optionsOf(options);
    this.prefix = options.prefix ?? '';
    assertPrefix(this.prefix);
    this.key = keyOf(this.prefix);
    this.client = client;
  }

  /** The registered names, sorted. */
  public async names(): Promise<string[]> {
    return (await typed(this.client.smembers(this.key))).sort();
  }

  /**
   * Whether `name` is registered.
   *
   * @param name - the name
   */
  public async has(name: string): Promise<boolean> {
    this.assertName(name);
    return (await typed(this.client.sismember(this.key, name))) === 1;
  }
}

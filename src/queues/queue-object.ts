import { EventEmitter } from 'node:events';
import { decodeWith, encodeWith, stringCodec, type Codec } from '../codec.js';
import type { RedisClient } from '../connection/redis-client.js';
import { GoodRedisError } from '../errors.js';
import { assertInteger, optionsOf } from '../internal/validate.js';
import { errorOf } from '../jobs/outcomes.js';
import { ObjectCore } from '../keyspace/object-core.js';
import { queueKeys, queueRegistryKey, type QueueKeys } from './queue-keys.js';
import { replicationOf, type ReplicationOptions } from '../scripting/script-set.js';
import { QUEUE_SCRIPTS, type QueueCore, type QueueFamilyKind } from './scripts.js';

/** Items per atomic script, and the most one `getItems` hands out. */
export const MAX_CHUNK = 10_000;

/** What every object of the queue family is built with. */
export interface QueueObjectOptions<T> {
  /**
   * The key prefix (`P` in `P:q{name}:list`).
   *
   * @defaultValue `''`
   */
  prefix?: string | undefined;
  /**
   * Encodes and decodes values. For a `UniqueQueue`, a `Pool` and rollback counters the encoded
   * bytes are the identity: use a deterministic codec.
   *
   * @defaultValue `stringCodec`
   */
  codec?: Codec<T> | undefined;
  /**
   * Items per atomic script in batch operations (1 to 10,000).
   *
   * @defaultValue 1000
   */
  chunkSize?: number | undefined;
  /**
   * Confirm every write with replicas: each write script goes out with `WAIT replicas timeoutMs`
   * in one pipeline, and fewer confirmations fail the call with a `Replication` error (the write
   * happened on the master and may not survive a failover). Reads never wait.
   *
   * @defaultValue none
   */
  replication?: ReplicationOptions | undefined;
}

/**
 * What `Queue`, `UniqueQueue` and `Pool` share: a name, its keys and registry, a connection, a
 * codec, and how they run their scripts.
 *
 * @typeParam T - the type of the values, fixed by the codec
 * @typeParam E - the events of the object
 */
export abstract class QueueObject<T, E extends Record<keyof E, unknown[]>> extends EventEmitter<E> {
  /** The name. */
  public readonly name: string;
  /** The key prefix (`P` in `P:q{name}:list`). */
  public readonly prefix: string;
  /** The Redis keys of the name. */
  public readonly redisKeys: QueueKeys;
  /** The connection (never closed by the object). */
  public readonly client: RedisClient;
  /** Which class this is, as the scripts check it. */
  protected abstract readonly kind: QueueFamilyKind;
  /** The registry hash the name and kind are kept in (`P:q:keys`). */
  protected readonly registry: string;
  /** Encodes and decodes values. */
  protected readonly codec: Codec<T>;
  /** Items per atomic script. */
  protected readonly chunkSize: number;
  /** How many replicas must confirm each write, and how long they may take; undefined for none. */
  private readonly replication: { replicas: number; timeoutMs: number } | undefined;
  private objectCore: QueueCore<T> | undefined;

  /** Checks the name and the shared options. */
  protected constructor(client: RedisClient, name: string, options: QueueObjectOptions<T>) {
    super();
    options = optionsOf(options);
    this.prefix = options.prefix ?? '';
    this.redisKeys = queueKeys(name, this.prefix);
    this.registry = queueRegistryKey(options.prefix ?? '');
    this.name = name;
    this.client = client;
    this.codec = options.codec ?? (stringCodec as unknown as Codec<T>);
    this.chunkSize = options.chunkSize ?? 1000;
    assertInteger(this.chunkSize, 'chunkSize', 1, MAX_CHUNK);
    this.replication = replicationOf(options.replication);
  }

  /** The object as its scripts see it (made on first use: `kind` is the subclass's). */
  protected get core(): QueueCore<T> {
    this.objectCore ??= new ObjectCore(this.client, this.name, this.prefix, this.redisKeys, QUEUE_SCRIPTS, this.codec, this.replication, {
      key: this.registry,
      what: this.kind,
      kind: this.kind,
      then: 'the next add registers it',
    });
    return this.objectCore;
  }

  /**
   * Runs an add's write scripts over chunks in order, stopping at the first that fails, and
   * registers the name once the first chunk landed (see `ObjectCore.registering`); a
   * `Replication` shortfall says how many items the chunks before it had confirmed.
   *
   * @param total - how many items the chunks hold
   * @param chunks - each chunk's size and its write
   * @returns each chunk's reply
   */
  protected async inChunks<R>(total: number, chunks: Iterable<[size: number, write: () => Promise<R>]>): Promise<R[]> {
    const replies: R[] = [];
    let confirmed = 0;
    for (const [size, write] of chunks) {
      try {
        replies.push(await (replies.length === 0 ? this.core.registering(write()) : write()));
      } catch (err) {
        if (GoodRedisError.is(err, 'Replication') && total > size) {
          throw new GoodRedisError(
            'Replication',
            `${err.message}; the ${String(confirmed)} item(s) of ${String(total)} before this chunk were confirmed, the rest was not sent`,
            {
              cause: err,
            },
          );
        }
        throw err;
      }
      confirmed += size;
    }
    return replies;
  }

  /** Encodes values, all before the first write; a value the codec refuses fails the whole call. */
  protected encodeAll(values: Iterable<T>): (string | Buffer)[] {
    const encoded: (string | Buffer)[] = [];
    for (const value of values) encoded.push(encodeWith(this.codec, value));
    return encoded;
  }

  /**
   * Deletes every key of the name, after unregistering it.
   *
   * @returns whether there was data
   */
  public async delete(): Promise<boolean> {
    await this.core.unregister();
    return (await this.core.call('deleteQueue', {})) > 0;
  }

  /** Decodes one stored value; a value the codec refuses is a `Codec` error naming the object. */
  protected decode(raw: unknown, where: string): T {
    return decodeWith(this.codec, raw as string | Buffer, `${this.kind} ${JSON.stringify(this.name)}, ${where}`);
  }

  /**
   * The `Codec` error reported for a stored value the codec refused (`error`, from {@link decode}),
   * saying what became of it (`fate`) and, when `raw` is given, its first 200 characters.
   */
  protected unreadableError(error: unknown, fate: string, raw?: string | Buffer): GoodRedisError {
    const shown = raw === undefined ? '' : ` (it was ${JSON.stringify(raw.toString().slice(0, 200))})`;
    return new GoodRedisError('Codec', `${errorOf(error).message}; ${fate}${shown}`, { cause: error });
  }
}

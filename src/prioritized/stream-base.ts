import { decodeWith, encodeWith, stringCodec, type Codec } from '../codec.js';
import { GoodRedisError } from '../errors.js';
import type { RedisClient } from '../connection/redis-client.js';
import { assertInteger, epochMs } from '../internal/validate.js';
import { replicationOf } from '../scripting/script-set.js';
import { text } from '../scripting/define-script.js';
import { ObjectCore } from '../keyspace/object-core.js';
import { STREAM_SCRIPTS, type StreamCore } from './scripts.js';
import { registryKey, streamKeys, type StreamKeys } from './stream-keys.js';
import { DEFAULT_CHUNK_BYTES, DEFAULT_CHUNK_SIZE, DEFAULT_COOLDOWN_MS, DEFAULT_MAX_VALUE_BYTES, type Item, type PrioritizedStreamOptions } from './types.js';
import { deadLetterCaps, encodeDeadLetterCaps } from '../jobs/dead-letters.js';

/** Redis's largest string (`proto-max-bulk-len`'s default): 512 MiB. */
const REDIS_MAX_BULK = 512 * 1024 * 1024;

/**
 * What every part of a {@link PrioritizedStream} shares: its name, keys, connection and
 * options, and how it runs its scripts and reads their replies.
 *
 * @typeParam T - the type of the values, fixed by the codec
 */
export abstract class StreamBase<T> {
  /** The stream's name. */
  public readonly name: string;
  /** The key prefix (`P` in `P{name}:t`). */
  public readonly prefix: string;
  /** The Redis keys that hold the stream. */
  public readonly redisKeys: StreamKeys;
  /** The connection the stream uses (never closed by the stream). */
  public readonly client: RedisClient;
  /** Encodes and decodes values. */
  protected readonly codec: Codec<T>;
  /** The default cooldown of pulled keys, in ms. */
  protected readonly cooldownMs: number;
  /** The default cooldown of acked keys, in ms. */
  protected readonly ackCooldownMs: number;
  /** Items per atomic script in batch operations. */
  protected readonly chunkSize: number;
  /** The byte budget of one add script. */
  protected readonly chunkBytes: number;
  /** The largest encoded value an add accepts, in bytes. */
  protected readonly maxValueBytes: number;
  /** The registry key the stream's name is kept in. */
  protected readonly registry: string;
  /** The stream as its scripts see it: keys, connection, codec, replication, registration. */
  protected readonly core: StreamCore<T>;
  /** The most dead letters kept (the oldest go first). */
  public readonly deadLetterLimit: number;
  /** How old a dead letter may get, in ms (0: no age cap). */
  public readonly deadLetterMaxAgeMs: number;
  /** The dead letters' caps as the scripts take them. */
  protected readonly deadCaps: string;

  /** Checks the options and defines the scripts on `client`; see {@link PrioritizedStream}. */
  protected constructor(client: RedisClient, name: string, options: PrioritizedStreamOptions<T>) {
    const prefix = options.prefix ?? '';
    this.prefix = prefix;
    this.redisKeys = streamKeys(name, prefix);
    this.registry = registryKey(prefix);
    this.name = name;
    this.client = client;
    this.codec = options.codec ?? (stringCodec as unknown as Codec<T>);
    this.cooldownMs = options.cooldownMs ?? DEFAULT_COOLDOWN_MS;
    assertInteger(this.cooldownMs, 'cooldownMs', 0);
    this.ackCooldownMs = options.ackCooldownMs ?? 0;
    assertInteger(this.ackCooldownMs, 'ackCooldownMs', 0);
    this.chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
    assertInteger(this.chunkSize, 'chunkSize', 1, 10_000);
    this.chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
    assertInteger(this.chunkBytes, 'chunkBytes', 1024, REDIS_MAX_BULK);
    this.maxValueBytes = options.maxValueBytes ?? DEFAULT_MAX_VALUE_BYTES;
    assertInteger(this.maxValueBytes, 'maxValueBytes', 1, REDIS_MAX_BULK);
    this.core = new ObjectCore(client, name, prefix, this.redisKeys, STREAM_SCRIPTS, this.codec, replicationOf(options.replication), {
      key: this.registry,
      what: 'stream',
      then: 'the next add registers it',
    });
    const caps = deadLetterCaps(options);
    this.deadLetterLimit = caps.limit;
    this.deadLetterMaxAgeMs = caps.maxAgeMs;
    this.deadCaps = encodeDeadLetterCaps(caps);
  }

  /**
   * Encodes a value and refuses it, before anything is written, when it is larger than
   * `maxValueBytes`.
   *
   * @param value - the value
   * @param what - names it in the error
   * @returns the encoded value
   * @throws {@link GoodRedisError} `Codec` or `InvalidArgument`
   */
  protected encodeValue(value: T, what: string): string | Buffer {
    const encoded = encodeWith(this.codec, value);
    // A string's length is at most its UTF-8 size, which is at most three times that: count bytes only near the limit.
    if (encoded.length * 3 > this.maxValueBytes) {
      const bytes = typeof encoded === 'string' ? Buffer.byteLength(encoded) : encoded.length;
      if (bytes > this.maxValueBytes) {
        throw new GoodRedisError('InvalidArgument', `${what} is ${String(bytes)} bytes encoded, more than maxValueBytes (${String(this.maxValueBytes)})`);
      }
    }
    return encoded;
  }

  /**
   * Says, as process warnings, which values did not decode and went to the dead letters
   * (`pull` and `lease`, which have no event emitter to report them on).
   *
   * @param operation - the call that met them
   * @param errors - their `Codec` errors (or a failure to bury them)
   */
  protected warnBuried(operation: 'pull' | 'lease' | 'consume', errors: readonly unknown[]): void {
    for (const err of errors) {
      const message = err instanceof Error ? err.message : String(err);
      process.emitWarning(`good-redis ${operation}: ${message}; it went to the dead letters`, 'GoodRedisWarning');
    }
  }

  /** Reads flat key, value, priority triples into items; a value that does not decode throws (see {@link decode}). */
  protected items(flat: readonly unknown[]): Item<T>[] {
    const out: Item<T>[] = [];
    for (let i = 0; i + 2 < flat.length; i += 3) {
      const key = text(flat[i]);
      out.push({ key, value: this.decode(flat[i + 1], key), priority: Number(text(flat[i + 2])) });
    }
    return out;
  }

  /**
   * Decodes one stored value with the stream's codec.
   *
   * @param raw - the value as Redis returned it
   * @param key - the item key, or the value's rank when the key was not read, for the error
   * @throws {@link GoodRedisError} `Codec`, naming the stream and the key
   */
  protected decode(raw: unknown, key: string | number): T {
    const decoded = this.tryDecode(raw, key);
    if (decoded.ok) return decoded.value;
    throw decoded.error;
  }

  /**
   * Decodes one stored value with the stream's codec, returning a `Codec` error that names the
   * stream and the key instead of throwing it.
   */
  protected tryDecode(raw: unknown, key: string | number): { ok: true; value: T } | { ok: false; error: GoodRedisError } {
    const where = `stream ${JSON.stringify(this.name)}, ${typeof key === 'number' ? `the value at rank ${String(key)}` : `key ${JSON.stringify(key)}`}`;
    try {
      return { ok: true, value: decodeWith(this.codec, raw as string | Buffer, where) };
    } catch (err) {
      return { ok: false, error: err as GoodRedisError };
    }
  }
}

/**
 * Checks the cooldown options of a pull or an ack and returns them as the scripts' request:
 * `cooldownMs` (`fallback` when omitted) and `expireAt` as epoch ms, or `''`.
 */
export function cooldownArgs(
  options: { cooldownMs?: number | undefined; expireAt?: Date | number | undefined },
  fallback: number,
): { cooldownMs: number; expireAt: number | '' } {
  const { cooldownMs = fallback, expireAt } = options;
  assertInteger(cooldownMs, 'cooldownMs', 0);
  return { cooldownMs, expireAt: expireAt === undefined ? '' : epochMs(expireAt, 'expireAt') };
}

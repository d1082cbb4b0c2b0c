import { decodeWith, encodeWith, stringCodec, type Codec } from '../codec.js';
import { GoodRedisError } from '../errors.js';
import type { RedisClient } from '../connection/redis-client.js';
import { assertInteger, epochMs } from '../internal/validate.js';
import { execConfirmed, replicationOf } from '../scripting/script-set.js';
import { SCRIPTS, STREAM_SCRIPTS, type ScriptInput, type ScriptName, type StreamScript } from './scripts.js';
import { registryKey, streamKeys, type StreamKeys } from './stream-keys.js';
import { warnUnregistered } from '../keyspace/keys.js';
import { DEFAULT_CHUNK_BYTES, DEFAULT_CHUNK_SIZE, DEFAULT_COOLDOWN_MS, DEFAULT_MAX_VALUE_BYTES, type Item, type PrioritizedStreamOptions } from './types.js';
import { deadLetterCaps, encodeDeadLetterCaps } from '../jobs/dead-letters.js';

/** Redis's largest string (`proto-max-bulk-len`'s default): 512 MiB. */
const REDIS_MAX_BULK = 512 * 1024 * 1024;

/** A reply element as a string (Buffers come back from the binary variants). */
export function text(value: unknown): string {
  return Buffer.isBuffer(value) ? value.toString('utf8') : String(value);
}

/** A priority reply: an exact decimal string, or null. */
export function priorityOf(value: unknown): number | null {
  return value === null ? null : Number(text(value));
}

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
  /** How many replicas must confirm each write, and how long they may take; undefined for none. */
  protected readonly replication: { replicas: number; timeoutMs: number } | undefined;
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
    this.replication = replicationOf(options.replication);
    const caps = deadLetterCaps(options);
    this.deadLetterLimit = caps.limit;
    this.deadLetterMaxAgeMs = caps.maxAgeMs;
    this.deadCaps = encodeDeadLetterCaps(caps);
  }

  /** Runs one of the stream's scripts with its keys, on the request its encoder turns into ARGV. */
  protected run<N extends ScriptName>(name: N, request: ScriptInput<N>, binary = false): Promise<unknown> {
    const args = (SCRIPTS[name] as StreamScript<ScriptInput<N>>).encode(request);
    if (this.replication === undefined) return STREAM_SCRIPTS.run(this.client, name, this.redisKeys, args, binary);
    const { replicas, timeoutMs } = this.replication;
    return STREAM_SCRIPTS.runReplicated(this.client, name, this.redisKeys, args, binary, replicas, timeoutMs);
  }

  /**
   * Registers the stream's name after `work`. On one connection the SADD is sent right
   * behind the script; on a Cluster (another slot, maybe another node) it waits for it, so
   * a concurrent `delete` (SREM, then UNLINK) can never leave data unregistered. With
   * `replication` it waits too, and the registration is confirmed by the replicas like the write.
   *
   * A write that landed is never reported as failed because of its registration: a failed
   * SADD (the registry's Cluster master down, a server out of memory) is reported as a
   * process warning (code `GOOD_REDIS_REGISTRATION`) and retried in the background; the
   * next add registers the name anyway.
   */
  protected async registering<R>(work: Promise<R>): Promise<R> {
    if (this.replication !== undefined) {
      const result = await work;
      const { replicas, timeoutMs } = this.replication;
      await execConfirmed(this.client.pipeline().sadd(this.registry, this.name), replicas, timeoutMs, 'the registration');
      return result;
    }
    if (this.client.isCluster) {
      const result = await work;
      await this.client.sadd(this.registry, this.name).catch((err: unknown) => {
        this.registrationFailed(err, 1);
      });
      return result;
    }
    // Sent behind the script on the same connection; its failure is looked at once the write is known to have landed.
    const registration = this.client.sadd(this.registry, this.name).then(
      () => undefined,
      (err: unknown) => err,
    );
    const result = await work;
    const failed = await registration;
    if (failed !== undefined) this.registrationFailed(failed, 1);
    return result;
  }

  /** Reports a failed registration and tries again in the background (3 tries, 1 s apart, at most). */
  private registrationFailed(err: unknown, attempt: number): void {
    const retry = attempt < 3 && this.client.status !== 'end'; // a closed connection will not register anything
    warnUnregistered('stream', this.name, this.registry, err, retry ? 'retrying' : 'the next add registers it');
    if (!retry) return;
    setTimeout(() => {
      this.client.sadd(this.registry, this.name).catch((again: unknown) => {
        this.registrationFailed(again, attempt + 1);
      });
    }, 1000).unref();
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

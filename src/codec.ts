/**
 * Codecs turn item values into what Redis stores (a string or a Buffer) and back.
 *
 * @module
 */
import { GoodRedisError } from './errors.js';

/**
 * Encodes values of type `T` for Redis and decodes them back. A {@link PrioritizedStream} is
 * typed by its codec.
 *
 * @typeParam T - the type of the values in a stream
 * @example
 * ```ts
 * const dateCodec: Codec<Date> = {
 *   name: 'date',
 *   encode: (d) => d.toISOString(),
 *   decode: (raw) => new Date(raw.toString()),
 * };
 * ```
 */
export interface Codec<T> {
  /** A short name for error messages. */
  readonly name: string;
  /**
   * When `true`, values are read back from Redis as Buffers and `decode` receives a `Buffer`;
   * otherwise it receives a UTF-8 `string`.
   *
   * @defaultValue `false`
   */
  readonly binary?: boolean | undefined;
  /**
   * Turns a value into what is stored. Throw to refuse a value; the operation then writes
   * nothing and fails with a `Codec` {@link GoodRedisError}.
   */
  encode(value: T): string | Buffer;
  /** Turns what was stored back into a value. */
  decode(data: string | Buffer): T;
}

/** `JSON.stringify`, typed as it behaves: `undefined` for undefined, functions and symbols. */
const stringify = JSON.stringify as (value: unknown) => string | undefined;

function refuse(codec: string, value: unknown, why: string): GoodRedisError {
  const type = value === null ? 'null' : Buffer.isBuffer(value) ? 'Buffer' : typeof value;
  return new GoodRedisError('Codec', `the ${codec} codec cannot encode a value of type ${type}: ${why}`);
}

/**
 * The default codec: strings (and Buffers) are stored as they are and read back as UTF-8
 * strings. Anything else is refused.
 */
export const stringCodec: Codec<string> = {
  name: 'string',
  encode(value: string): string | Buffer {
    if (typeof value === 'string' || Buffer.isBuffer(value)) return value;
    throw refuse('string', value, 'expected a string or a Buffer');
  },
  decode(data: string | Buffer): string {
    return typeof data === 'string' ? data : data.toString('utf8');
  },
};

/** Stores Buffers (and strings) as they are and reads values back as Buffers. */
export const bufferCodec: Codec<Buffer> = {
  name: 'buffer',
  binary: true,
  encode(value: Buffer): string | Buffer {
    if (typeof value === 'string' || Buffer.isBuffer(value)) return value;
    throw refuse('buffer', value, 'expected a Buffer or a string');
  },
  decode(data: string | Buffer): Buffer {
    return typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  },
};

/**
 * A codec that stores values as JSON. Values JSON cannot represent faithfully (`undefined`,
 * functions, symbols, BigInts, circular structures) are refused before anything is written.
 *
 * @typeParam T - the type of the values, as they come back from `JSON.parse`
 * @returns a new JSON codec
 * @example
 * ```ts
 * const pages = new PrioritizedStream(redis, 'pages', { codec: jsonCodec<{ url: string }>() });
 * ```
 */
export function jsonCodec<T>(): Codec<T> {
  return {
    name: 'json',
    encode(value: T): string {
      let text: string | undefined;
      try {
        // Throws on BigInts and circular structures by itself; no replacer (it is slow).
        text = stringify(value);
      } catch (err) {
        throw new GoodRedisError('Codec', `the json codec cannot encode this value: ${(err as Error).message}`, { cause: err });
      }
      if (text === undefined) throw refuse('json', value, 'JSON.stringify returned nothing');
      return text;
    },
    decode(data: string | Buffer): T {
      const text = typeof data === 'string' ? data : data.toString('utf8');
      try {
        return JSON.parse(text) as T;
      } catch (err) {
        throw new GoodRedisError('Codec', `the json codec cannot decode a stored value: ${(err as Error).message}`, { cause: err });
      }
    },
  };
}

/** Encodes with `codec`, turning anything it throws into a `Codec` {@link GoodRedisError}. */
export function encodeWith<T>(codec: Codec<T>, value: T): string | Buffer {
  let out: unknown;
  try {
    out = codec.encode(value);
  } catch (err) {
    if (GoodRedisError.is(err)) throw err;
    throw new GoodRedisError('Codec', `the ${codec.name} codec refused a value: ${(err as Error).message}`, { cause: err });
  }
  if (typeof out !== 'string' && !Buffer.isBuffer(out)) {
    throw new GoodRedisError('Codec', `the ${codec.name} codec returned neither a string nor a Buffer`);
  }
  return out;
}

/**
 * Decodes with `codec`, turning anything it throws into a `Codec` {@link GoodRedisError} that
 * says where the value was stored.
 *
 * @param codec - the codec
 * @param raw - the stored value
 * @param where - names the object and the value, e.g. `stream "jobs", key "a"` (or makes that name, only when needed)
 * @returns the value
 */
export function decodeWith<T>(codec: Codec<T>, raw: string | Buffer, where: string | (() => string)): T {
  try {
    return codec.decode(raw);
  } catch (err) {
    const why = GoodRedisError.is(err, 'Codec')
      ? err.message
      : `the ${codec.name} codec cannot decode the stored value: ${err instanceof Error ? err.message : String(err)}`;
    throw new GoodRedisError('Codec', `${typeof where === 'string' ? where : where()}: ${why}`, { cause: err });
  }
}

import assert from 'node:assert/strict';
import { GoodRedisError, bufferCodec, jsonCodec, stringCodec } from '../../src/index.js';
import { encodeWith } from '../../src/codec.js';

const isCodecError = (err: unknown): boolean => GoodRedisError.is(err, 'Codec');

describe('codecs', () => {
  describe('stringCodec', () => {
    it('should store strings and Buffers as they are and decode to strings', () => {
      assert.equal(stringCodec.encode('héllo'), 'héllo');
      const bytes = Buffer.from('abc');
      assert.equal(stringCodec.encode(bytes as unknown as string), bytes);
      assert.equal(stringCodec.decode(Buffer.from('héllo')), 'héllo');
      assert.equal(stringCodec.binary, undefined);
    });

    it('should refuse anything else', () => {
      for (const value of [1, null, undefined, {}, []]) {
        assert.throws(() => stringCodec.encode(value as string), isCodecError);
      }
    });
  });

  describe('bufferCodec', () => {
    it('should be binary and decode to Buffers', () => {
      assert.equal(bufferCodec.binary, true);
      assert.deepEqual(bufferCodec.decode('hi'), Buffer.from('hi'));
      const bytes = Buffer.from([0, 1]);
      assert.equal(bufferCodec.decode(bytes), bytes);
    });
  });

  describe('jsonCodec', () => {
    const codec = jsonCodec<unknown>();

    it('should round-trip JSON values', () => {
      for (const value of [{ a: [1, 'x', null] }, 'text', 0, false, null]) {
        assert.deepEqual(codec.decode(codec.encode(value)), value);
      }
    });

    it('should refuse what JSON cannot represent', () => {
      const circular: Record<string, unknown> = {};
      circular.self = circular;
      for (const value of [undefined, () => 1, Symbol('s'), 10n, { deep: 10n }, circular]) {
        assert.throws(() => codec.encode(value), isCodecError);
      }
    });

    it('should fail to decode malformed JSON with a Codec error', () => {
      assert.throws(() => codec.decode('{nope'), isCodecError);
    });
  });

  describe('encodeWith', () => {
    it('should wrap a user codec failure in a Codec error with its cause', () => {
      const cause = new Error('no dates before 1970');
      const codec = {
        name: 'date',
        encode: (): string => {
          throw cause;
        },
        decode: (d: string | Buffer) => d,
      };
      assert.throws(
        () => encodeWith(codec, 'x'),
        (err) => isCodecError(err) && (err as Error).cause === cause && (err as Error).message.includes('date codec'),
      );
    });

    it('should refuse a codec that returns neither a string nor a Buffer', () => {
      const codec = { name: 'bad', encode: () => 42 as unknown as string, decode: (d: string | Buffer) => d };
      assert.throws(() => encodeWith(codec, 'x'), isCodecError);
    });
  });
});

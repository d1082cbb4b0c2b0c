/** Kafka's default partitioner, bit for bit, on Kafka's own murmur2 test vectors. */
import assert from 'node:assert/strict';
import { GoodRedisError, murmur2, partitionFor } from '../../../src/index.js';

describe('partitionFor (unit)', () => {
  it("hashes Kafka's murmur2 test vectors (UtilsTest.testMurmur2) to Kafka's values", () => {
    const vectors: [string | number[], number][] = [
      ['21', -973932308],
      ['foobar', -790332482],
      ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829],
      ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
      [[0x61, 0x62, 0x63], 479470107],
      // Every tail length (0 to 3 bytes after the 4-byte blocks), as Kafka computes them.
      ['1', -1993445489],
      ['12', 126087238],
      ['123', -267702483],
      ['1234', -1614185708],
      ['12345', -1188365604],
    ];
    for (const [input, expected] of vectors) {
      const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : Uint8Array.from(input);
      assert.equal(murmur2(bytes), expected, String(input));
    }
  });

  it('takes the positive hash modulo the partition count, from a string or bytes', () => {
    // toPositive(-973932308) = 1173551340; % 6 = 0; % 7 = 3.
    assert.equal(partitionFor('21', 6), 1173551340 % 6);
    assert.equal(partitionFor('21', 7), 1173551340 % 7);
    assert.equal(partitionFor(Buffer.from('21'), 7), partitionFor('21', 7));
    assert.equal(partitionFor('anything', 1), 0);
    // UTF-8 bytes, not UTF-16 code units.
    assert.equal(partitionFor('ключ', 1024), (murmur2(Buffer.from('ключ', 'utf8')) & 0x7fffffff) % 1024);
  });

  it('spreads keys about evenly', () => {
    const counts = new Array<number>(8).fill(0);
    for (let i = 0; i < 8000; i++) {
      const p = partitionFor(`key-${String(i)}`, 8);
      counts[p] = (counts[p] ?? 0) + 1;
    }
    assert.ok(
      counts.every((n) => n > 800 && n < 1200),
      counts.join(','),
    );
  });

  it('refuses a partition count outside 1 to 1024', () => {
    for (const bad of [0, 1025, 1.5, Number.NaN])
      assert.throws(
        () => partitionFor('k', bad),
        (e) => GoodRedisError.is(e, 'InvalidArgument'),
      );
  });
});

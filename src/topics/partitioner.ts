/**
 * Kafka's default partitioner: `toPositive(murmur2(utf8(key))) % n`, bit for bit, so a key
 * lands in the partition a Kafka producer would choose for it.
 *
 * @module
 */
import { assertInteger } from '../internal/validate.js';
import { MAX_PARTITIONS } from './topic-keys.js';

/**
 * Kafka's 32-bit murmur2 hash (seed `0x9747b28c`), as `org.apache.kafka.common.utils.Utils.murmur2`.
 *
 * @param data - the bytes to hash
 * @returns the hash as a signed 32-bit integer
 */
export function murmur2(data: Uint8Array): number {
  const length = data.length;
  const m = 0x5bd1e995;
  let h = (0x9747b28c ^ length) | 0;
  const whole = length & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k = (data[i] ?? 0) | ((data[i + 1] ?? 0) << 8) | ((data[i + 2] ?? 0) << 16) | ((data[i + 3] ?? 0) << 24);
    k = Math.imul(k, m);
    k ^= k >>> 24;
    k = Math.imul(k, m);
    h = Math.imul(h, m) ^ k;
  }
  const tail = length & 3;
  if (tail === 3) h ^= (data[whole + 2] ?? 0) << 16;
  if (tail >= 2) h ^= (data[whole + 1] ?? 0) << 8;
  if (tail >= 1) {
    h ^= data[whole] ?? 0;
    h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}

/**
 * The partition Kafka's default partitioner gives `key` among `partitions`:
 * `(murmur2(utf8(key)) & 0x7fffffff) % partitions`.
 *
 * @param key - the message key (its UTF-8 bytes are hashed), or its bytes
 * @param partitions - the partition count (1 to 1024)
 * @returns the partition, from 0 to `partitions − 1`
 * @throws {@link GoodRedisError} `InvalidArgument` for a partition count out of range
 */
export function partitionFor(key: string | Uint8Array, partitions: number): number {
  assertInteger(partitions, 'partitions', 1, MAX_PARTITIONS);
  const bytes = typeof key === 'string' ? Buffer.from(key, 'utf8') : key;
  return (murmur2(bytes) & 0x7fffffff) % partitions;
}

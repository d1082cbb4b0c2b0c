import type { RedisClient } from '../connection/redis-client.js';
import { ReliableQueue } from './reliable-queue.js';
import type { QueueKind } from './scripts.js';
import type { QueueOptions } from './types.js';

/**
 * A reliable first-in, first-out queue with duplicates (aio-py-rq's `Queue`): values are
 * handed out in the order added, at least once. Each object is one consumer.
 *
 * @typeParam T - the type of the values, fixed by the codec
 * @example
 * ```ts
 * const queue = new Queue(redis, 'emails');
 * await queue.addItems(['a@example.com', 'b@example.com']);
 * const [delivery] = await queue.getItems(1, { blockMs: 5000 });
 * if (delivery) await queue.ackItem(delivery);
 * ```
 */
export class Queue<T = string> extends ReliableQueue<T> {
  protected readonly kind: QueueKind = 'queue';

  /**
   * @param client - the connection
   * @param name - the queue's name (non-empty, without `{` or `}`)
   * @param options - codec, chunks, heartbeat, rollback limits
   * @throws {@link GoodRedisError} `InvalidArgument` for a bad name or option
   */
  public constructor(client: RedisClient, name: string, options: QueueOptions<T> = {}) {
    super(client, name, options);
  }

  /**
   * Adds a value at the tail.
   *
   * @param value - the value
   * @returns how many values wait now
   * @throws {@link GoodRedisError} `Codec` when the codec refuses it (nothing is written)
   */
  public async addItem(value: T): Promise<number> {
    return this.addItems([value]);
  }

  /**
   * Adds values in order (they are handed out in this order), in atomic chunks; every value is
   * encoded before the first write.
   *
   * @param values - the values
   * @returns how many values wait now
   * @throws {@link GoodRedisError} `Codec` when the codec refuses one (nothing is written)
   */
  public async addItems(values: Iterable<T>): Promise<number> {
    const last = (await this.addEncoded(this.encodeAll(values))).at(-1);
    return last !== undefined && 'length' in last ? last.length : 0;
  }
}

import type { RedisClient } from '../connection/redis-client.js';
import { ReliableQueue } from './reliable-queue.js';
import type { QueueKind } from './scripts.js';
import type { QueueOptions } from './types.js';

/**
 * A reliable queue where a value waits at most once (aio-py-rq's `UniqueQueue`): adding a value
 * that already waits does nothing. A value handed out leaves the waiting set, so it may be
 * added again while it is processed. The encoded bytes are the identity: use a deterministic
 * codec.
 *
 * @typeParam T - the type of the values, fixed by the codec
 */
export class UniqueQueue<T = string> extends ReliableQueue<T> {
  protected readonly kind: QueueKind = 'unique';

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
   * Adds a value unless it already waits.
   *
   * @param value - the value
   * @returns whether it was added
   */
  public async addItem(value: T): Promise<boolean> {
    const [added = false] = await this.addItems([value]);
    return added;
  }

  /**
   * Adds values in order, each unless it already waits (a value twice in one call counts once),
   * in atomic chunks; every value is encoded before the first write.
   *
   * @param values - the values
   * @returns for each value, whether it was added
   */
  public async addItems(values: Iterable<T>): Promise<boolean[]> {
    const encoded = this.encodeAll(values);
    if (encoded.length === 0) return [];
    const replies = await this.addEncoded(encoded);
    return replies.flatMap((reply) => ('added' in reply ? reply.added : []));
  }
}

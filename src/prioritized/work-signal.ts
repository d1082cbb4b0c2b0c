import type { RedisClient } from '../connection/redis-client.js';
import { fromRedisError } from '../errors.js';

/**
 * Waits for work on a stream without polling: a blocking `BLPOP` on the stream's marker list
 * (pushed by every add and by every job that returns to the stream), on a connection of its
 * own so the client's other commands never queue behind it.
 */
export class WorkSignal {
  private readonly connection: RedisClient;
  private readonly marker: string;
  private closed = false;

  /**
   * @param client - the stream's connection; a duplicate of it does the blocking
   * @param marker - the stream's marker key
   */
  public constructor(client: RedisClient, marker: string) {
    this.connection = client.duplicate();
    // Failures surface through the pending BLPOP; without a listener ioredis logs them as unhandled.
    this.connection.on('error', () => undefined);
    this.marker = marker;
  }

  /**
   * Waits until work is signalled, `timeoutMs` passes, or the signal is closed.
   *
   * @param timeoutMs - the longest wait
   * @returns `true` when work was signalled
   */
  public async wait(timeoutMs: number): Promise<boolean> {
    if (this.closed) return false;
    try {
      // BLPOP takes seconds; fractions work since Redis 6.
      return (await this.connection.blpop(this.marker, Math.max(1, timeoutMs) / 1000)) !== null;
    } catch (err) {
      if (this.isClosed()) return false; // close() aborted the wait
      throw fromRedisError(err);
    }
  }

  /** Whether close() was called (read through a method: it changes while a wait is pending). */
  public isClosed(): boolean {
    return this.closed;
  }

  /**
   * Waits for work after a lease came back empty: until an add signals it, or until the next
   * lease expires or delayed job is due (`wakeInMs`, -1 for none), at most `blockTimeoutMs`.
   *
   * @param wakeInMs - from the lease: when the next lease expires or delayed job is due
   * @param blockTimeoutMs - the longest wait
   * @returns `true` when work was signalled
   */
  public waitForWork(wakeInMs: number, blockTimeoutMs: number): Promise<boolean> {
    return this.wait(wakeInMs >= 0 ? Math.min(wakeInMs + 5, blockTimeoutMs) : blockTimeoutMs);
  }

  /** Ends any wait in progress and closes the connection. Idempotent. */
  public close(): void {
    if (this.closed) return;
    this.closed = true;
    this.connection.disconnect();
  }
}

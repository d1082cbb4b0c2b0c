import type { RedisClient } from '../connection/redis-client.js';
import { fromRedisError } from '../errors.js';
import type { WorkWaiter } from './job-source.js';

/**
 * Waits for work without polling: a blocking `BLPOP` on a marker list (a stream's is pushed
 * by every add and by every job that returns to the stream), on a connection of its own so
 * the client's other commands never queue behind it. `close()` ends a wait at once, even one
 * still queued while that connection connects.
 */
export class WorkSignal implements WorkWaiter {
  private readonly connection: RedisClient;
  private readonly marker: string;
  private closed = false;
  private readonly closing: Promise<false>;
  private closeNow: () => void = () => undefined;

  /**
   * @param client - the stream's connection; a duplicate of it does the blocking
   * @param marker - the stream's marker key
   */
  public constructor(client: RedisClient, marker: string) {
    this.connection = client.duplicate();
    // Failures surface through the pending BLPOP; without a listener ioredis logs them as unhandled.
    this.connection.on('error', () => undefined);
    this.marker = marker;
    this.closing = new Promise<false>((resolve) => {
      this.closeNow = () => {
        resolve(false);
      };
    });
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
      const popped = this.connection.blpop(this.marker, Math.max(1, timeoutMs) / 1000).then((reply) => reply !== null);
      popped.catch(() => undefined); // after close() nobody awaits it
      return await Promise.race([popped, this.closing]);
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
    this.closeNow();
    this.connection.disconnect();
  }
}

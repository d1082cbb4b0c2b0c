import type { RedisClient } from '../connection/redis-client.js';
import { fromRedisError } from '../errors.js';
import type { WorkWaiter } from './job-source.js';

/**
 * Waits for work without polling: a blocking `BLPOP` on a marker list (a stream's is pushed
 * by every add and by every job that returns to the stream), on a connection of its own so
 * the client's other commands never queue behind it. `close()` ends a wait at once, even one
 * still queued while that connection connects.
 *
 * A time to look again (`wakeInMs`: a lease that expires, a retry or a delayed job that comes
 * due) is kept by a timer here, not by the `BLPOP`'s timeout: Redis checks blocked clients'
 * timeouts about every `1000 / hz` ms (100 ms at the default `hz 10`), so a `BLPOP` of 0.3 s
 * returns after 0.4 s. A `BLPOP` still blocked when such a timer fires is kept, and the next
 * wait waits on it rather than queueing another behind it on the connection. One that takes the
 * marker while no wait is on it (its worker is busy) pushes the marker back: it is some other
 * idle worker's to take.
 */
export class WorkSignal implements WorkWaiter {
  private readonly connection: RedisClient;
  private readonly marker: string;
  private closed = false;
  private readonly closing: Promise<false>;
  private closeNow: () => void = () => undefined;
  /** The `BLPOP` in flight, if any: resolves to whether it took the marker. */
  private pending: Promise<boolean> | undefined;
  /** How many waits are on the `BLPOP` in flight now. */
  private waiters = 0;

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
  public wait(timeoutMs: number): Promise<boolean> {
    return this.waitForWork(-1, timeoutMs);
  }

  /** Whether close() was called (read through a method: it changes while a wait is pending). */
  public isClosed(): boolean {
    return this.closed;
  }

  /**
   * Waits for work after a lease came back empty: until an add signals it, until the next lease
   * expires or delayed job is due (`wakeInMs`, -1 for none; kept to the millisecond by a timer),
   * at most `blockTimeoutMs`.
   *
   * @param wakeInMs - from the lease: when the next lease expires or delayed job is due
   * @param blockTimeoutMs - the longest wait
   * @returns `true` when work was signalled
   */
  public async waitForWork(wakeInMs: number, blockTimeoutMs: number): Promise<boolean> {
    if (this.closed) return false;
    // A BLPOP kept from an earlier wait may block longer than this one may: the timer bounds it.
    const reused = this.pending !== undefined;
    this.pending ??= this.block(blockTimeoutMs);
    const timerMs = wakeInMs >= 0 && wakeInMs < blockTimeoutMs ? wakeInMs : reused ? blockTimeoutMs : undefined;
    let timer: NodeJS.Timeout | undefined;
    const due =
      timerMs === undefined
        ? undefined
        : new Promise<false>((resolve) => {
            timer = setTimeout(() => {
              resolve(false);
            }, timerMs);
          });
    this.waiters += 1;
    try {
      return await Promise.race(due === undefined ? [this.pending, this.closing] : [this.pending, due, this.closing]);
    } catch (err) {
      if (this.isClosed()) return false; // close() aborted the wait
      throw fromRedisError(err);
    } finally {
      this.waiters -= 1;
      clearTimeout(timer);
    }
  }

  /** One `BLPOP` of the marker (seconds; fractions work since Redis 6), cleared once it answers. */
  private block(timeoutMs: number): Promise<boolean> {
    const popped = this.connection.blpop(this.marker, Math.max(1, timeoutMs) / 1000).then(
      (reply) => {
        this.pending = undefined;
        if (reply === null) return false;
        if (this.waiters > 0 || this.closed) return true;
        // Taken while its worker is busy: the marker goes back, for a worker that waits (as signalWork leaves it: one element).
        void this.connection
          .multi()
          .lpush(this.marker, '1')
          .ltrim(this.marker, 0, 0)
          .exec()
          .catch(() => undefined);
        return false;
      },
      (err: unknown) => {
        this.pending = undefined;
        throw err;
      },
    );
    popped.catch(() => undefined); // after close(), or when a timer won, nobody may await it
    return popped;
  }

  /** Ends any wait in progress and closes the connection. Idempotent. */
  public close(): void {
    if (this.closed) return;
    this.closed = true;
    this.closeNow();
    this.connection.disconnect();
  }
}

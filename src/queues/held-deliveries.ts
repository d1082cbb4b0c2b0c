/**
 * What one queue consumer holds, as it knows it: the deliveries it handed out and has not
 * settled, the settles whose outcome is unknown, and its `getItems` calls in flight. Queue
 * deliveries have no lease: a delivery stays held by its consumer until it is acked, rejected,
 * or the consumer dies or closes. So a delivery whose settle did not take effect (its
 * connection dropped before the reply, or a failover lost an ack the old master had confirmed)
 * would stay held for as long as the consumer lives. Two things prevent that:
 *
 * - a settle whose outcome is unknown (`Connection`) is sent again in the background until it
 *   answers (an ack is idempotent by delivery id: a second one answers `LeaseLost` when the
 *   first had run);
 * - each heartbeat reads how many deliveries Redis holds for the consumer; when that is more
 *   than it knows of, it hands back every one it no longer runs (releaseItems' stale mode), so
 *   that they run again rather than stay held.
 *
 * @module
 */
import { GoodRedisError } from '../errors.js';
import type { ReleaseWhich } from './scripts.js';

/** How a delivery is settled. */
export type SettleAction = 'ack' | 'reject';

/** The most a background settle waits between two tries, in ms. */
const MAX_RETRY_DELAY_MS = 10_000;

/** What the tracker asks of its queue. */
export interface HeldContext {
  /** Settles deliveries (one chunk): the queue's ackItems or rejectItems script. */
  settle(action: SettleAction, ids: readonly string[]): Promise<unknown>;
  /** Hands back the deliveries `which` selects; returns how many. */
  release(which: ReleaseWhich): Promise<number>;
  /** Reports a background failure, or that stale deliveries were handed back. */
  report(err: unknown): void;
  /** Whether the consumer stopped (no more background work). */
  closed(): boolean;
}

/** Tracks a consumer's deliveries (see the module). */
export class HeldDeliveries {
  /** Handed out, not yet settled. */
  private readonly outstanding = new Set<string>();
  /** Settles sent whose outcome is unknown, retried in the background. */
  private readonly settling = new Set<string>();
  /** getItems calls in flight, by call id. */
  private readonly calls = new Set<string>();
  private readonly timers = new Set<NodeJS.Timeout>();

  /** @param context - the queue */
  public constructor(private readonly context: HeldContext) {}

  /** How many deliveries the consumer knows it holds (running, or settling). */
  public get known(): number {
    return this.outstanding.size + this.settling.size;
  }

  /** A getItems call starts. */
  public callStarted(callId: string): void {
    this.calls.add(callId);
  }

  /** A getItems call answered (or failed): its deliveries, if any, are handed out. */
  public callEnded(callId: string, ids: readonly string[] = []): void {
    this.calls.delete(callId);
    for (const id of ids) this.outstanding.add(id);
  }

  /**
   * Settles deliveries with `send`: on success (or `LeaseLost` for a lone delivery: it is held no
   * more) they are no longer held; when the outcome is unknown (`Connection`), they are settled
   * again in the background until Redis answers, and the error is rethrown.
   */
  public async settle<R>(action: SettleAction, ids: readonly string[], send: () => Promise<R>): Promise<R> {
    try {
      const result = await send();
      this.forget(ids);
      return result;
    } catch (err) {
      // A lone delivery that is not held any more, or a settle that reached the master (too few
      // replicas confirmed it: should a failover lose it, the heartbeat finds it held again).
      if ((GoodRedisError.is(err, 'LeaseLost') && ids.length === 1) || GoodRedisError.is(err, 'Replication')) this.forget(ids);
      else if (GoodRedisError.is(err, 'Connection')) this.retry(action, ids, 1);
      throw err;
    }
  }

  /** Deliveries that are no longer held (settled, or given back by the consumer as it closes). */
  public forget(ids: Iterable<string>): void {
    for (const id of ids) {
      this.outstanding.delete(id);
      this.settling.delete(id);
    }
  }

  /**
   * After a heartbeat that found `held` deliveries in Redis for the consumer: when that is more
   * than it knows of, hands back those it no longer runs.
   *
   * @returns how many were handed back
   */
  public async reconcile(held: number): Promise<number> {
    if (held <= this.known) return 0;
    return this.context.release({ kind: 'stale', calls: [...this.calls], runs: [...this.outstanding, ...this.settling] });
  }

  /** Stops the background settles (the consumer closes). */
  public stop(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private retry(action: SettleAction, ids: readonly string[], attempt: number): void {
    for (const id of ids) {
      this.outstanding.delete(id);
      this.settling.add(id);
    }
    const timer = setTimeout(
      () => {
        this.timers.delete(timer);
        if (this.context.closed()) return;
        const still = ids.filter((id) => this.settling.has(id));
        if (still.length === 0) return;
        this.context.settle(action, still).then(
          () => {
            this.forget(still);
          },
          (err: unknown) => {
            if (GoodRedisError.is(err, 'LeaseLost')) {
              // Not held any more: the first try had run, or the deliveries were reaped. Those of a
              // chunk that are still held are settled one by one.
              if (still.length === 1) this.forget(still);
              else for (const id of still) this.retry(action, [id], 1);
              return;
            }
            if (attempt >= 3) this.context.report(err);
            this.retry(action, still, attempt + 1);
          },
        );
      },
      Math.min(MAX_RETRY_DELAY_MS, 100 * 2 ** (attempt - 1)),
    );
    timer.unref();
    this.timers.add(timer);
  }
}

/**
 * Retry delays: the Worker's default backoff, and the delay a handler's error may carry.
 *
 * @module
 */
import { assertInteger } from '../internal/validate.js';

/**
 * An error a handler throws to retry its job after a delay of its choosing (a rate limit's
 * `Retry-After`, say) instead of the Worker's backoff. Any error with a numeric
 * `retryDelayMs` property does the same.
 *
 * @example
 * ```ts
 * const worker = new Worker(stream, async (job) => {
 *   const res = await fetch(job.value);
 *   if (res.status === 429) throw new RetryLater('rate limited', Number(res.headers.get('retry-after')) * 1000);
 * });
 * ```
 */
export class RetryLater extends Error {
  /** How long to wait before the retry, in ms. */
  public readonly retryDelayMs: number;

  /**
   * @param message - why the job failed (kept as its last error)
   * @param retryDelayMs - how long to wait before the retry, in ms (an integer >= 0)
   */
  public constructor(message: string, retryDelayMs: number) {
    super(message);
    assertInteger(retryDelayMs, 'retryDelayMs', 0);
    this.name = 'RetryLater';
    this.retryDelayMs = retryDelayMs;
  }
}

/** The default backoff: `min(1000 * 2^(attempt - 1), 60000)` ms. */
export const defaultBackoff = (attempt: number): number => Math.min(1000 * 2 ** (attempt - 1), 60_000);

/** The retry delay an error carries (`retryDelayMs`, see {@link RetryLater}), if any. */
export function retryDelayOf(error: unknown): number | undefined {
  const delay = typeof error === 'object' && error !== null ? (error as { retryDelayMs?: unknown }).retryDelayMs : undefined;
  return typeof delay === 'number' && Number.isFinite(delay) ? Math.max(0, Math.floor(delay)) : undefined;
}

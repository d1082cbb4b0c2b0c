/**
 * Retry delays: the Worker's default backoff, and the delay a handler's error may carry.
 *
 * @module
 */
import { assertInteger, describe as describeValue, invalid, optionsOf } from '../internal/validate.js';

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

/** Options of {@link exponentialBackoff}. */
export interface ExponentialBackoffOptions {
  /**
   * The delay after the first failed attempt, in ms; each next one doubles it.
   *
   * @defaultValue 1000
   */
  baseMs?: number | undefined;
  /**
   * The longest delay, in ms.
   *
   * @defaultValue 60000
   */
  maxMs?: number | undefined;
  /**
   * How much of each delay is random, from 0 to 1: a delay `d` becomes one drawn uniformly from
   * `[d × (1 − jitter), d]`, so that jobs that failed together (an upstream outage) do not all
   * come back at the same moment.
   *
   * @defaultValue 0: every delay exact
   */
  jitter?: number | undefined;
}

/**
 * A backoff for any Worker (its `backoff` option): attempt n waits
 * `min(baseMs × 2^(n − 1), maxMs)`, less up to `jitter` of it at random.
 *
 * @param options - `baseMs`, `maxMs`, `jitter`
 * @param random - a number in [0, 1) (`Math.random` unless a test gives its own)
 * @returns the backoff function: the delay in whole ms for an attempt that failed
 * @throws {@link GoodRedisError} `InvalidArgument` for a delay that is not a whole number of ms
 *   ≥ 0 (`maxMs` below `baseMs` included) or a `jitter` outside [0, 1]
 * @example
 * ```ts
 * const worker = new Worker(stream, handler, { backoff: exponentialBackoff({ baseMs: 500, maxMs: 30_000, jitter: 0.5 }) });
 * ```
 */
export function exponentialBackoff(options: ExponentialBackoffOptions = {}, random: () => number = Math.random): (attempt: number) => number {
  const { baseMs = 1000, maxMs = 60_000, jitter = 0 } = optionsOf(options, 'backoff options');
  assertInteger(baseMs, 'baseMs', 0);
  assertInteger(maxMs, 'maxMs', baseMs);
  if (typeof jitter !== 'number' || !(jitter >= 0 && jitter <= 1)) throw invalid(`jitter must be a number from 0 to 1, got ${describeValue(jitter)}`);
  return (attempt) => {
    const exact = Math.min(baseMs * 2 ** (Math.max(1, attempt) - 1), maxMs);
    return jitter === 0 ? exact : Math.round(exact * (1 - jitter * random()));
  };
}

/** The retry delay an error carries (`retryDelayMs`, see {@link RetryLater}), if any. */
export function retryDelayOf(error: unknown): number | undefined {
  const delay = typeof error === 'object' && error !== null ? (error as { retryDelayMs?: unknown }).retryDelayMs : undefined;
  return typeof delay === 'number' && Number.isFinite(delay) ? Math.max(0, Math.floor(delay)) : undefined;
}

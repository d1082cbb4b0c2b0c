/**
 * The caps of a family's dead letters, so they never grow without bound: how many are kept (the
 * oldest go first) and how old one may get. The scripts take them as one argument (see
 * `src/scripting/lua/includes/dead-caps.lua`, which reads it, and `dead-letters.lua`, which trims a
 * dead-letter stream to it).
 *
 * @module
 */
import { assertInteger, optionsOf } from '../internal/validate.js';

/** The most dead letters kept by default, per dead-letter stream. */
export const DEFAULT_DEAD_LETTER_LIMIT = 10_000;

/** How old a dead letter may get by default, in ms: 7 days. */
export const DEFAULT_DEAD_LETTER_MAX_AGE_MS = 7 * 24 * 60 * 60 * 1000;

/** The options that set the caps. */
export interface DeadLetterCapOptions {
  /**
   * The most dead letters kept (the oldest go first).
   *
   * @defaultValue 10000
   */
  deadLetterLimit?: number | undefined;
  /**
   * How old a dead letter may get, in ms (by the server's clock); older ones are dropped when the
   * next one arrives. 0 keeps them until the limit pushes them out.
   *
   * @defaultValue 604800000 (7 days)
   */
  deadLetterMaxAgeMs?: number | undefined;
}

/** The caps, checked. */
export interface DeadLetterCaps {
  readonly limit: number;
  readonly maxAgeMs: number;
}

/**
 * Reads and checks the caps from options.
 *
 * @param options - `deadLetterLimit`, `deadLetterMaxAgeMs`
 * @throws {@link GoodRedisError} `InvalidArgument` for a limit under 1 or a negative age
 */
export function deadLetterCaps(options: DeadLetterCapOptions): DeadLetterCaps {
  const { deadLetterLimit = DEFAULT_DEAD_LETTER_LIMIT, deadLetterMaxAgeMs = DEFAULT_DEAD_LETTER_MAX_AGE_MS } = optionsOf(options);
  assertInteger(deadLetterLimit, 'deadLetterLimit', 1);
  assertInteger(deadLetterMaxAgeMs, 'deadLetterMaxAgeMs', 0);
  return { limit: deadLetterLimit, maxAgeMs: deadLetterMaxAgeMs };
}

/**
 * The caps as the scripts take them: `<limit>:<max age ms>`.
 *
 * @param caps - the caps
 */
export function encodeDeadLetterCaps(caps: DeadLetterCaps): string {
  return `${String(caps.limit)}:${String(caps.maxAgeMs)}`;
}

/** The default caps as the scripts take them, for callers that set none (the raw commands). */
export const DEFAULT_DEAD_CAPS = encodeDeadLetterCaps({ limit: DEFAULT_DEAD_LETTER_LIMIT, maxAgeMs: DEFAULT_DEAD_LETTER_MAX_AGE_MS });

import { GoodRedisError } from '../errors.js';

/** Refuses a value with an `InvalidArgument` error. */
export function invalid(message: string): GoodRedisError {
  return new GoodRedisError('InvalidArgument', message);
}

/** An object's name (a stream's, a queue's, …): a non-empty string without `{` or `}`, for the name is its hash tag. */
export function assertObjectName(name: unknown, what: string): asserts name is string {
  if (typeof name !== 'string' || name.length === 0) {
    throw invalid(`${what} name must be a non-empty string, got ${describe(name)}`);
  }
  if (name.includes('{') || name.includes('}')) {
    throw invalid(`${what} name must not contain "{" or "}", got ${JSON.stringify(name)}`);
  }
}

/**
 * Parses stored JSON that good-redis wrote as an object (a state, a description, headers): the
 * object, or undefined for anything else found there (another program's value, a hand edit,
 * JSON that is no object), so that a reader skips it instead of failing.
 */
export function storedObject(raw: unknown): Record<string, unknown> | undefined {
  if (typeof raw !== 'string' && !Buffer.isBuffer(raw)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString());
  } catch {
    return undefined;
  }
  return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
}

/** A key prefix: a string (possibly empty) without `{` or `}`. */
export function assertPrefix(prefix: unknown): asserts prefix is string {
  if (typeof prefix !== 'string' || prefix.includes('{') || prefix.includes('}')) {
    throw invalid(`prefix must be a string without "{" or "}", got ${describe(prefix)}`);
  }
}

/** An item key: a non-empty string. */
export function assertItemKey(key: unknown, what = 'key'): asserts key is string {
  if (typeof key !== 'string' || key.length === 0) {
    throw invalid(`${what} must be a non-empty string, got ${describe(key)}`);
  }
}

/** One of a few allowed strings (checked at run time: JavaScript callers pass anything). */
export function assertOneOf<V extends string>(value: unknown, allowed: readonly V[], what: string): asserts value is V {
  if (!(allowed as readonly unknown[]).includes(value)) {
    throw invalid(`${what} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${describe(value)}`);
  }
}

/** A finite number (no NaN, no Infinity). */
export function assertFinite(value: unknown, what: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw invalid(`${what} must be a finite number, got ${describe(value)}`);
  }
}

/** An integer within `[min, max]`. */
export function assertInteger(value: unknown, what: string, min: number, max = Number.MAX_SAFE_INTEGER): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${String(min)}` : `from ${String(min)} to ${String(max)}`;
    throw invalid(`${what} must be an integer ${range}, got ${describe(value)}`);
  }
}

/**
 * An options argument: an object, or `undefined` for "all defaults". `null`, a number or an
 * array is refused with an `InvalidArgument` error instead of a `TypeError` from
 * destructuring.
 *
 * @param value - what the caller passed
 * @param what - the argument's name, for the message
 * @returns the options, `{}` for undefined
 */
export function optionsOf<T extends object>(value: T | undefined, what = 'options'): T {
  const given: unknown = value; // callers in plain JavaScript pass anything
  if (given === undefined) return {} as T;
  if (typeof given !== 'object' || given === null || Array.isArray(given)) {
    throw invalid(`${what} must be an object (or left out), got ${describe(given)}`);
  }
  return given as T;
}

/**
 * A point in time given as a Date or epoch ms, as epoch ms; refused unless finite.
 *
 * @param value - a Date or a number of epoch ms
 * @param what - the argument's name, for the message
 * @returns epoch ms
 */
export function epochMs(value: Date | number, what: string): number {
  const ms = value instanceof Date ? value.getTime() : value;
  assertFinite(ms, what);
  return ms;
}

/** A boolean. */
export function assertBoolean(value: unknown, what: string): asserts value is boolean {
  if (typeof value !== 'boolean') throw invalid(`${what} must be a boolean, got ${describe(value)}`);
}

/** A short, safe description of a value for error messages. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (Buffer.isBuffer(value)) return `Buffer(${String(value.length)})`;
  return Array.isArray(value) ? 'an array' : typeof value === 'function' ? 'a function' : 'an object';
}

/**
 * A page of ranks (`offset`, `limit`) as the start and stop a `ZRANGE` or `LRANGE` takes (stop
 * inclusive, -1 for the end), checked: a limit of 0 gives a range that reads nothing.
 */
export function ranks(range: { offset?: number | undefined; limit?: number | undefined } | undefined): { start: number; stop: number } {
  const { offset = 0, limit } = optionsOf(range, 'range');
  assertInteger(offset, 'offset', 0);
  if (limit === undefined) return { start: offset, stop: -1 };
  assertInteger(limit, 'limit', 0);
  // start > stop is empty; a limit of 0 reads nothing.
  return limit === 0 ? { start: 1, stop: 0 } : { start: offset, stop: offset + limit - 1 };
}

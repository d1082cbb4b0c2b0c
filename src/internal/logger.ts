/**
 * The logger the long-running parts (Worker, Expirer) accept: pino's shape, so a pino (or
 * bunyan, or any object with these four methods) logger plugs in; silent by default.
 *
 * @module
 */
import { invalid } from './validate.js';

/** Logs one record: its fields, then a message, as pino does. */
export type LogFn = (fields: Record<string, unknown>, message: string) => void;

/** A pino-shaped logger: `logger.info({ key: 'a' }, 'job completed')`. */
export interface Logger {
  /** Detail, such as each lease or sweep. */
  debug: LogFn;
  /** Something happened that an operator may want to know (started, stopped). */
  info: LogFn;
  /** Something went wrong and was handled (a lost lease, a retry). */
  warn: LogFn;
  /** Something failed (a lease or an ack that Redis refused). */
  error: LogFn;
}

const nothing: LogFn = () => undefined;

/** The default: logs nothing. */
export const silentLogger: Logger = { debug: nothing, info: nothing, warn: nothing, error: nothing };

/**
 * Checks a `logger` option: undefined gives the silent logger; anything else must have the
 * four methods.
 *
 * @param value - the option
 * @throws {@link GoodRedisError} `InvalidArgument` for anything else
 */
export function loggerOf(value: unknown): Logger {
  if (value === undefined) return silentLogger;
  const levels = ['debug', 'info', 'warn', 'error'] as const;
  if (typeof value !== 'object' || value === null || !levels.every((level) => typeof (value as Record<string, unknown>)[level] === 'function')) {
    throw invalid('logger must have debug, info, warn and error methods (a pino logger, say)');
  }
  return value as Logger;
}

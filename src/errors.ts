/**
 * Errors raised by good-redis.
 *
 * Every error the SDK raises is a {@link GoodRedisError} with a {@link ErrorKind}, so callers can
 * branch on `err.kind` instead of parsing messages. Errors coming back from a Lua script are
 * mapped to the same kinds in {@link fromScriptError}, the one place that knows the script codes.
 *
 * @module
 */

const MARKER = Symbol.for('good-redis.error');

/**
 * What went wrong, as a stable string you can switch on.
 *
 * - `InvalidArgument`: the caller passed something the operation refuses; nothing was written.
 * - `Codec`: a value could not be encoded (before writing) or decoded (after reading).
 * - `Configuration`: connection or module options, or environment variables, are invalid.
 * - `Range`: a stream's internal priority offset would leave the range where it is exact.
 * - `LeaseLost`: an ack, nack or extend named a lease that is no longer held (it expired and
 *   the job went back to the stream or to another worker); nothing was changed.
 * - `Replication`: with the `replication` option, a write reached the master but fewer replicas
 *   than asked confirmed it in time (or the confirmation never arrived): it may be lost if the
 *   master fails over now, so its outcome is unknown.
 * - `OutOfMemory`: Redis is at its `maxmemory` under the `noeviction` policy and refused the
 *   operation before writing anything (Redis 7+ checks a script up front; see docs/operations.md
 *   for Redis 6.2). Free memory (delete or purge data, let the Expirer sweep) or raise the limit.
 * - `Script`: Redis rejected a script for a reason the SDK did not anticipate.
 */
export type ErrorKind = 'InvalidArgument' | 'Codec' | 'Configuration' | 'Range' | 'LeaseLost' | 'Replication' | 'OutOfMemory' | 'Script';

/**
 * The one base class of every error good-redis raises.
 *
 * @example
 * ```ts
 * try {
 *   await stream.add('', 'v');
 * } catch (err) {
 *   if (GoodRedisError.is(err, 'InvalidArgument')) console.error(err.message);
 * }
 * ```
 */
export class GoodRedisError extends Error {
  /** What went wrong; see {@link ErrorKind}. */
  public readonly kind: ErrorKind;

  /**
   * @param kind - what went wrong
   * @param message - a sentence that names the bad input or the failed operation
   * @param options - `cause`: the underlying error, when there is one
   */
  public constructor(kind: ErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.kind = kind;
    this.name = 'GoodRedisError';
    Object.defineProperty(this, MARKER, { value: true });
  }

  /**
   * Tells whether `value` is a good-redis error, optionally of one kind. Works across duplicate
   * installs of the package (it checks a global symbol, not `instanceof`).
   *
   * @param value - anything, typically a caught error
   * @param kind - when given, the error must also be of this kind
   * @returns `true` when `value` is a {@link GoodRedisError} (of `kind`, if given)
   */
  public static is(value: unknown, kind?: ErrorKind): value is GoodRedisError {
    if (typeof value !== 'object' || value === null) return false;
    if ((value as Record<symbol, unknown>)[MARKER] !== true) return false;
    return kind === undefined || (value as GoodRedisError).kind === kind;
  }
}

/** The codes a good-redis Lua script can reply with, after its `GRERR` prefix. */
const SCRIPT_CODES: Readonly<Record<string, ErrorKind>> = {
  EINVAL: 'InvalidArgument',
  ERANGE: 'Range',
  ELEASE: 'LeaseLost',
};

const SCRIPT_ERROR = /GRERR (\w+) (.*)$/s;

/**
 * Maps an error that came back from Redis to a {@link GoodRedisError} when it carries a
 * good-redis script code (`GRERR <CODE> <message>`), or is Redis's `OOM` refusal
 * (`OutOfMemory`); any other error is returned unchanged.
 *
 * @param err - what a command rejected with
 * @returns the mapped error, or `err` itself
 */
export function fromScriptError(err: unknown): unknown {
  if (!(err instanceof Error)) return err;
  if (err.message.startsWith('OOM ')) {
    return new GoodRedisError('OutOfMemory', `Redis is out of memory and refused the operation; nothing was written (${err.message})`, { cause: err });
  }
  const match = SCRIPT_ERROR.exec(err.message);
  if (match === null) return err;
  const [, code = '', message = ''] = match;
  return new GoodRedisError(SCRIPT_CODES[code] ?? 'Script', message, { cause: err });
}

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
 * - `Connection`: Redis could not be reached, or the connection closed before the reply. A
 *   read may simply be retried. A write that was sent is never sent again by good-redis, so
 *   whether it ran is unknown (see "Connections that drop" in docs/operations.md); one that
 *   could not be sent at all did not run.
 * - `Permission`: the connection's ACL user may not run a command, touch a key or use a channel
 *   the operation needs (`NOPERM`, or from inside a script Redis's "can't run this command");
 *   nothing was written (see docs/security.md for the rules of each role).
 * - `Redis`: Redis refused the command with an error good-redis does not map, such as
 *   `READONLY` (a replica) or `BUSY` (the message is Redis's and `cause` is ioredis's
 *   `ReplyError`), or what a key of the object holds cannot be used: another type than the
 *   family keeps there (`WRONGTYPE …`, naming the key: another program's key of the same name,
 *   a restore, a hand edit), or garbage in a field it cannot do without (a topic's partition
 *   count); found before anything was written.
 * - `ResultMissing`: a task result store has no result for the task id (never stored, expired,
 *   or already taken by a read with `keepResults: false`).
 * - `Timeout`: a wait (a task's `waitResult`) ended at its `timeoutMs` before what it waited for
 *   came; nothing was changed.
 * - `Script`: a good-redis script answered with an error code or a reply this version of the
 *   SDK does not know (a bug, or scripts of another version).
 */
export type ErrorKind =
  | 'InvalidArgument'
  | 'Codec'
  | 'Configuration'
  | 'Range'
  | 'LeaseLost'
  | 'Replication'
  | 'OutOfMemory'
  | 'Connection'
  | 'Permission'
  | 'Redis'
  | 'ResultMissing'
  | 'Timeout'
  | 'Script';

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
  // A key of the object holds another type than the family keeps there, or a field the script cannot
  // do without holds garbage (a topic's partition count): refused before any write.
  ETYPE: 'Redis',
  EDATA: 'Redis',
};

const SCRIPT_ERROR = /GRERR (\w+) (.*)$/s;

/**
 * Errors ioredis raises when it cannot deliver a command or its reply: a closed or
 * unwritable connection, retries given up, a Cluster that cannot be reached or routed to.
 */
const CONNECTION_FAILURE =
  /^(Connection is closed|Stream isn't writeable|Reached the max retries per request limit|Failed to refresh slots cache|None of startup nodes is available|Too many Cluster redirections|Cluster is (disconnected|disconnecting|ended)|Command timed out|Command aborted due to connection close|All sentinels are unreachable)/;

/** Redis refusing a command, a key or a channel to the connection's ACL user: `NOPERM`, or its wording for a command a script runs. */
const PERMISSION = /^NOPERM |The user executing the script can't /;

/** Socket error codes that mean Redis could not be reached. */
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

function isConnectionFailure(err: Error): boolean {
  if (err.name === 'UnansweredError' || err.name === 'MaxRetriesPerRequestError' || err.name === 'ClusterAllFailedError') return true;
  const code = (err as { code?: unknown }).code;
  return (typeof code === 'string' && CONNECTION_CODES.has(code)) || CONNECTION_FAILURE.test(err.message);
}

/** Whether `err` is Redis's own answer (an error reply), not a failure on the way there. */
function isReply(err: Error): boolean {
  return err.name === 'ReplyError';
}

/**
 * Maps an error from a command good-redis sent to a {@link GoodRedisError}: a good-redis script
 * code (`GRERR <CODE> <message>`) to its kind, Redis's `OOM` refusal to `OutOfMemory`, a
 * connection that failed or dropped to `Connection`, and any other error reply to `Redis`
 * (keeping Redis's message). A {@link GoodRedisError} passes through, and so does anything else
 * (a bug is not dressed up as a Redis error).
 *
 * @param err - what a command rejected with
 * @returns the mapped error, or `err` itself
 */
export function fromRedisError(err: unknown): unknown {
  if (!(err instanceof Error) || GoodRedisError.is(err)) return err;
  if (err.message.startsWith('OOM ')) {
    return new GoodRedisError('OutOfMemory', `Redis is out of memory and refused the operation; nothing was written (${err.message})`, { cause: err });
  }
  const match = SCRIPT_ERROR.exec(err.message);
  if (match !== null) {
    const [, code = '', message = ''] = match;
    return new GoodRedisError(SCRIPT_CODES[code] ?? 'Script', message, { cause: err });
  }
  if (isConnectionFailure(err)) return new GoodRedisError('Connection', `Redis connection: ${err.message}`, { cause: err });
  if (isReply(err) && PERMISSION.test(err.message))
    return new GoodRedisError('Permission', `Redis refused the operation to this user (ACL): ${err.message}`, { cause: err });
  if (isReply(err)) return new GoodRedisError('Redis', err.message, { cause: err });
  return err;
}

/**
 * Awaits a command and rethrows its failure through {@link fromRedisError}.
 *
 * @param command - a command's promise
 */
export async function typed<R>(command: Promise<R>): Promise<R> {
  try {
    return await command;
  } catch (err) {
    throw fromRedisError(err);
  }
}

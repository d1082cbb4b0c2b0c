/**
 * What every `good-redis` command shares: exit codes, the one error type the CLI reports, the
 * streams it writes to, and the parsers of numbers and durations.
 *
 * @module
 */
import type { Readable, Writable } from 'node:stream';
import { GoodRedisError } from '../errors.js';

/** The exit codes of `good-redis`, as docs/cli.md lists them. */
export const ExitCode = {
  /** Done. */
  Ok: 0,
  /** Something failed: Redis unreachable, an unknown stream, a Redis error. */
  Failure: 1,
  /** The command line or the configuration is wrong; nothing was done. */
  Usage: 2,
  /** Done, but not everything was: an add was refused, a key is not queued, an import had bad or refused lines. */
  Partial: 3,
} as const;

/** One of {@link ExitCode}. */
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** An error the CLI prints as one line, `good-redis: <message>`, and exits with `code`. */
export class CliError extends Error {
  /** The exit code. */
  public readonly code: ExitCodeValue;

  /**
   * @param message - one line that says what went wrong and, when it helps, what to do
   * @param code - the exit code
   * @param options - `cause`: the underlying error
   */
  public constructor(message: string, code: ExitCodeValue = ExitCode.Failure, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CliError';
    this.code = code;
  }
}

/** A usage error: exit code 2. */
export function usage(message: string): CliError {
  return new CliError(message, ExitCode.Usage);
}

/** A writable terminal stream: `isTTY` and `columns` when it is one. */
export type Output = Writable & { isTTY?: boolean; columns?: number; rows?: number };

/** The process's streams and environment, as the CLI sees them (tests pass their own). */
export interface CliIO {
  /** Results. */
  stdout: Output;
  /** Errors, prompts and progress. */
  stderr: Output;
  /** Answers to prompts, and `import -`. */
  stdin: Readable & { isTTY?: boolean };
  /** REDIS_URL and the other connection variables. */
  env: NodeJS.ProcessEnv;
}

/** Writes one line. */
export function println(out: Writable, line = ''): void {
  out.write(`${line}\n`);
}

/** Writes a value as indented JSON and a newline. */
export function printJson(out: Writable, value: unknown): void {
  out.write(`${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Maps anything thrown to the one line and exit code the CLI reports.
 *
 * @param err - what was thrown
 * @returns the message (without the `good-redis:` prefix) and the exit code
 */
export function describeFailure(err: unknown): { message: string; code: ExitCodeValue } {
  if (err instanceof CliError) return { message: err.message, code: err.code };
  if (GoodRedisError.is(err)) {
    const code = err.kind === 'InvalidArgument' || err.kind === 'Configuration' ? ExitCode.Usage : ExitCode.Failure;
    return { message: err.message, code };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { message: message.split('\n')[0] ?? message, code: ExitCode.Failure };
}

/** A positive integer option or argument (`--count`, `--top`, `--batch`, …). */
export function parseCount(what: string, min = 1, max = Number.MAX_SAFE_INTEGER): (raw: string) => number {
  return (raw) => {
    const value = Number(raw);
    if (!/^\d+$/.test(raw.trim()) || value < min || value > max) {
      throw usage(`${what} must be an integer from ${String(min)} to ${String(max)}, got ${JSON.stringify(raw)}`);
    }
    return value;
  };
}

/** A finite number (`--priority`, `by`, `threshold`): decimal, with an optional sign and exponent. */
export function parseNumber(what: string): (raw: string) => number {
  return (raw) => {
    const value = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(value)) throw usage(`${what} must be a finite number, got ${JSON.stringify(raw)}`);
    return value;
  };
}

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Reads a duration such as `500ms`, `30s`, `10m`, `1h30m`, `1.5h` or `2d` as milliseconds. A
 * bare number is refused (is `600` seconds or ms?), except `0`.
 *
 * @param what - the option, for the message
 * @returns a parser for commander
 */
export function parseDuration(what: string): (raw: string) => number {
  return (raw) => {
    const text = raw.trim();
    if (text === '0') return 0;
    const part = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy;
    let total = 0;
    let end = 0;
    for (let match = part.exec(text); match !== null; match = part.exec(text)) {
      total += Number(match[1]) * (UNIT_MS[match[2] ?? ''] ?? Number.NaN);
      end = part.lastIndex;
    }
    if (text === '' || end !== text.length || !Number.isSafeInteger(total)) {
      throw usage(`${what}: bad duration ${JSON.stringify(raw)}; use a number and a unit (ms, s, m, h, d), e.g. 500ms, 30s, 10m, 1h30m`);
    }
    return total;
  };
}

/**
 * Writes a duration in ms the way people read it: `850ms`, `12s`, `4m 10s`, `2h 5m`, `3d 4h`.
 *
 * @param ms - a duration, at least 0
 * @returns the text
 */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${String(Math.round(ms))}ms`;
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${String(s)}s`;
  const units: [number, string][] = [
    [86_400, 'd'],
    [3_600, 'h'],
    [60, 'm'],
    [1, 's'],
  ];
  const parts: string[] = [];
  let rest = s;
  for (const [size, unit] of units) {
    if (rest >= size || parts.length > 0) {
      parts.push(`${String(Math.floor(rest / size))}${unit}`);
      rest %= size;
    }
    if (parts.length === 2) break;
  }
  return parts.join(' ');
}

/**
 * `good-redis expirer`: the long-running sweeper, with structured logs and a graceful stop.
 *
 * @module
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Expirer, type SweepResult } from '../overview/expirer.js';
import { QueueRegistry } from '../queues/queue-registry.js';
import type { StreamRegistry } from '../prioritized/stream-registry.js';
import type { Output } from './cli-support.js';

/** How log lines are written: one JSON object per line, or `time LEVEL message key=value …`. */
export type LogFormat = 'json' | 'text';

/** The log formats, for `--log-format`. */
export const LOG_FORMATS: readonly LogFormat[] = ['json', 'text'];

/** A log level. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Structured log lines: a time, a level, a message and fields. */
export class Logger {
  private readonly out: Output;
  private readonly format: LogFormat;
  private readonly verbose: boolean;
  private readonly clock: () => Date;

  /**
   * @param out - where the lines go (stdout)
   * @param format - JSON lines or text
   * @param verbose - also write `debug` lines
   * @param clock - the time stamp source (tests pass their own)
   */
  public constructor(out: Output, format: LogFormat, verbose: boolean, clock: () => Date = () => new Date()) {
    this.out = out;
    this.format = format;
    this.verbose = verbose;
    this.clock = clock;
  }

  /**
   * Writes one line, unless it is `debug` and the logger is not verbose.
   *
   * @param level - the level
   * @param msg - what happened, a short constant phrase
   * @param fields - the details
   */
  public log(level: LogLevel, msg: string, fields: Record<string, unknown> = {}): void {
    if (level === 'debug' && !this.verbose) return;
    const time = this.clock().toISOString();
    if (this.format === 'json') {
      this.out.write(`${JSON.stringify({ time, level, msg, ...fields })}\n`);
      return;
    }
    const details = Object.entries(fields).map(([k, v]) => `${k}=${typeof v === 'string' && v !== '' && !/[\s"=]/.test(v) ? v : JSON.stringify(v)}`);
    this.out.write(`${[time, level.toUpperCase().padEnd(5), msg, ...details].join(' ')}\n`);
  }
}

/** Options of {@link runExpirerDaemon}. */
export interface DaemonOptions {
  /** The pause between the end of one sweep and the start of the next, in ms. */
  intervalMs: number;
  /** Cooldowns per atomic script. */
  batchSize: number;
  /** Fields of the `expirer started` line (target, prefix). */
  about: Record<string, unknown>;
}

/**
 * Sweeps every registered stream at once, then every `intervalMs` after a sweep ends, until
 * `stop` aborts. A stop during a sweep lets that sweep finish (each stream is swept in atomic
 * chunks, so stopping half-way would be safe too, but a finished sweep is easier to reason
 * about); a stop between sweeps ends the wait at once.
 *
 * Log lines: `expirer started`, `sweep started` (debug), `sweep finished` (info when it did
 * something, else debug), `sweep failed` (error, per stream), `stopping` (with the signal and
 * whether a sweep was in flight), `expirer stopped`.
 *
 * @param registry - the streams to sweep
 * @param options - interval, batch size, what to say at start
 * @param log - where to log
 * @param stop - aborted (with the signal name as reason) to stop
 * @returns how many sweeps ran, once stopped
 */
export async function runExpirerDaemon(registry: StreamRegistry, options: DaemonOptions, log: Logger, stop: AbortSignal): Promise<number> {
  const queues = new QueueRegistry(registry.client, { prefix: registry.prefix });
  const expirer = new Expirer(registry, { intervalMs: options.intervalMs, batchSize: options.batchSize, queues });
  expirer.on('error', (err, object) => {
    log.log('error', 'sweep failed', { stream: object ?? null, error: err.message });
  });
  let sweeps = 0;
  let sweeping = false;
  const stopped = (): boolean => stop.aborted; // read anew each time (the loop's check narrows stop.aborted)
  const onStop = (): void => {
    log.log('info', 'stopping', { signal: String(stop.reason), sweepInFlight: sweeping });
  };
  stop.addEventListener('abort', onStop, { once: true });
  log.log('info', 'expirer started', { ...options.about, intervalMs: options.intervalMs, batchSize: options.batchSize, pid: process.pid });
  try {
    while (!stop.aborted) {
      sweeps += 1;
      sweeping = true;
      log.log('debug', 'sweep started', { sweep: sweeps });
      const result = await expirer.sweepOnce();
      sweeping = false;
      log.log(didSomething(result) ? 'info' : 'debug', 'sweep finished', { sweep: sweeps, ...sweepFields(result) });
      if (stopped()) break;
      try {
        await sleep(options.intervalMs, undefined, { signal: stop });
      } catch {
        break; // aborted: stop now
      }
    }
  } finally {
    stop.removeEventListener('abort', onStop);
  }
  log.log('info', 'expirer stopped', { sweeps });
  return sweeps;
}

function didSomething(result: SweepResult): boolean {
  return result.expired + result.returned + result.deadLettered + result.promoted + result.reEnqueued + result.failed > 0;
}

function sweepFields(result: SweepResult): Record<string, unknown> {
  const { streams, expired, returned, deadLettered, promoted, queues, reEnqueued, failed } = result;
  return { streams, expired, returned, deadLettered, promoted, queues, reEnqueued, failed, durationMs: Math.round(result.durationMs) };
}

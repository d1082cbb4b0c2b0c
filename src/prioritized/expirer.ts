import { EventEmitter } from 'node:events';
import { loggerOf, type Logger } from '../internal/logger.js';
import { reportError } from '../internal/report-error.js';
import { assertInteger, invalid, optionsOf } from '../internal/validate.js';
import type { StreamRegistry } from './stream-registry.js';

/** Options of {@link Expirer}. */
export interface ExpirerOptions {
  /**
   * The pause between the end of one sweep and the start of the next, in ms.
   *
   * @defaultValue 1000
   */
  intervalMs?: number | undefined;
  /**
   * Cooldowns swept per atomic script (1 to 10000).
   *
   * @defaultValue 1000
   */
  batchSize?: number | undefined;
  /**
   * Where the expirer logs (pino's shape): each sweep that changed something (`info`; the
   * others at `debug`) and each failure (`error`).
   *
   * @defaultValue silent
   */
  logger?: Logger | undefined;
}

/** Options of {@link Expirer.sweepOnce}. */
export interface SweepOptions {
  /** Stops the sweep before its next stream once aborted; the result counts what was done. */
  signal?: AbortSignal | undefined;
}

/** What one sweep did. */
export interface SweepResult {
  /** How many registered streams were swept. */
  streams: number;
  /** How many cooldowns ended, over all streams. */
  expired: number;
  /** Cooldowns ended per stream name (streams with none are left out). */
  perStream: Record<string, number>;
  /** Jobs whose lease expired and that went back to their stream. */
  returned: number;
  /** Jobs whose lease expired after their last attempt and that went to the dead letters. */
  deadLettered: number;
  /** Delayed jobs that were due and went back to their stream. */
  promoted: number;
  /** How many streams failed (each failure is also an `error` event). */
  failed: number;
  /** How long the sweep took, in ms. */
  durationMs: number;
}

/** The events an {@link Expirer} emits. */
export interface ExpirerEvents {
  /** After every sweep, with what it did. */
  sweep: [result: SweepResult];
  /** When a stream (or the registry) could not be swept; `stream` is its name when known. */
  error: [error: Error, stream: string | undefined];
}

/**
 * A background sweeper over every registered stream: it ends expired cooldowns, returns jobs
 * whose lease expired (or dead-letters them after their last attempt) and brings back due
 * delayed jobs. It reschedules
 * itself with an unref'd `setTimeout`, so it never keeps the process alive on its own;
 * reports failures as `error` events (or as process warnings when nobody listens) and never
 * crashes the process; and `stop()` waits for the sweep in flight. Each stream is swept in
 * atomic chunks, so several expirers, in as many processes, are safe together.
 *
 * @example
 * ```ts
 * const expirer = new Expirer(registry, { intervalMs: 5_000 });
 * expirer.on('error', (err, stream) => log.warn({ err, stream }));
 * expirer.start();
 * // …
 * await expirer.stop();
 * ```
 */
export class Expirer extends EventEmitter<ExpirerEvents> {
  private readonly registry: StreamRegistry;
  private readonly intervalMs: number;
  private readonly batchSize: number;
  private readonly logger: Logger;
  private timer: NodeJS.Timeout | undefined;
  private started = false;
  private readonly inFlight = new Set<Promise<SweepResult>>();

  /**
   * @param registry - the registry whose streams are swept
   * @param options - interval and batch size
   * @throws {@link GoodRedisError} `InvalidArgument` for a bad option
   */
  public constructor(registry: StreamRegistry, options: ExpirerOptions = {}) {
    options = optionsOf(options);
    super();
    this.registry = registry;
    this.intervalMs = options.intervalMs ?? 1000;
    assertInteger(this.intervalMs, 'intervalMs', 1);
    this.batchSize = options.batchSize ?? 1000;
    assertInteger(this.batchSize, 'batchSize', 1, 10_000);
    this.logger = loggerOf(options.logger);
  }

  /** Whether the sweeper is started. */
  public get running(): boolean {
    return this.started;
  }

  /** Starts sweeping: the first sweep after `intervalMs`, then `intervalMs` after each sweep ends. Idempotent. */
  public start(): void {
    if (this.started) return;
    this.started = true;
    this.schedule();
  }

  /**
   * Stops sweeping and waits for any sweep in flight to finish. Idempotent.
   *
   * @returns when no sweep is running any more
   */
  public async stop(): Promise<void> {
    this.started = false;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    await Promise.allSettled([...this.inFlight]);
  }

  /** `await using expirer = new Expirer(…)`: stops it, waiting for the sweep in flight. */
  public async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  /**
   * Sweeps every registered stream once, now: cooldowns, expired leases, due delayed jobs. A
   * stream that fails is reported as an `error` event and does not stop the others.
   *
   * @param options - `signal`: stop before the next stream once aborted
   * @returns what the sweep did
   */
  public sweepOnce(options: SweepOptions = {}): Promise<SweepResult> {
    options = optionsOf(options);
    const { signal } = options;
    if (signal !== undefined && !(signal instanceof AbortSignal)) throw invalid('signal must be an AbortSignal');
    const sweep = this.sweep(signal).finally(() => this.inFlight.delete(sweep));
    this.inFlight.add(sweep);
    return sweep;
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.connectionEnded()) {
        // quit() was called on the registry's connection: nothing will work again. Say so once and stop.
        this.started = false;
        this.report(new Error("the registry's connection was closed; the Expirer stops"), undefined);
        return;
      }
      void this.sweepOnce()
        .catch(() => undefined) // already reported by sweep()
        .then(() => {
          if (this.started) this.schedule();
        });
    }, this.intervalMs);
    this.timer.unref();
  }

  private async sweep(signal: AbortSignal | undefined): Promise<SweepResult> {
    const started = performance.now();
    const result: SweepResult = { streams: 0, expired: 0, perStream: {}, returned: 0, deadLettered: 0, promoted: 0, failed: 0, durationMs: 0 };
    let names: string[] = [];
    try {
      names = await this.registry.names();
    } catch (err) {
      result.failed += 1;
      this.report(err, undefined);
    }
    for (const name of names) {
      if (signal?.aborted === true) break;
      try {
        const stream = this.registry.stream(name, { chunkSize: this.batchSize });
        const expired = await stream.expire();
        const recovered = await stream.recover();
        result.streams += 1;
        result.expired += expired;
        if (expired > 0) result.perStream[name] = expired;
        result.returned += recovered.returned;
        result.deadLettered += recovered.died;
        result.promoted += recovered.promoted;
      } catch (err) {
        result.failed += 1;
        this.report(err, name);
      }
    }
    result.durationMs = performance.now() - started;
    const changed = result.expired + result.returned + result.deadLettered + result.promoted > 0;
    const { streams, expired, returned, deadLettered, promoted, failed, durationMs } = result;
    this.logger[changed ? 'info' : 'debug']({ streams, expired, returned, deadLettered, promoted, failed, durationMs }, 'sweep finished');
    this.emit('sweep', result);
    return result;
  }

  /** Whether the registry's connection was closed for good (`quit()`, `disconnect()`). */
  private connectionEnded(): boolean {
    return this.registry.client.status === 'end';
  }

  private report(err: unknown, stream: string | undefined): void {
    if (this.started && this.connectionEnded()) return; // the next schedule() reports it, once
    this.logger.error({ err, stream }, 'sweep failed');
    reportError(this, err, `Expirer: ${stream === undefined ? 'registry' : `stream ${stream}`}`, stream);
  }
}

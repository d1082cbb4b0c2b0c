/**
 * One background sweeper for every family: it runs each {@link Sweepable} (stream cooldowns
 * and expired leases today; queue reapers and rollback counters next) on one re-armed,
 * unref'd timer.
 *
 * @module
 */
import { EventEmitter } from 'node:events';
import type { RedisClient } from '../connection/redis-client.js';
import { loggerOf, type Logger } from '../internal/logger.js';
import { reportError } from '../internal/report-error.js';
import { assertInteger, invalid, optionsOf } from '../internal/validate.js';

/** What a {@link Sweepable} is given for one sweep. */
export interface SweepContext {
  /** Aborted when the sweep should stop before its next object (what was done is counted). */
  readonly signal: AbortSignal | undefined;
  /**
   * Reports one object's failure (an `error` event naming it, or a process warning when nobody
   * listens); the sweep goes on with the next object.
   *
   * @param err - what was caught
   * @param object - the object's name, or undefined when the failure is not one object's (its list could not be read)
   */
  readonly report: (err: unknown, object: string | undefined) => void;
}

/** What one sweepable did in one sweep. */
export interface SweepReport {
  /** How many objects it swept. */
  readonly objects: number;
  /** How many of its objects failed, each reported through {@link SweepContext.report}. */
  readonly failed: number;
  /** What it did, by name (`expired: 3`); a count above 0 means the sweep changed something. */
  readonly counts: Readonly<Record<string, number>>;
}

/**
 * Something a {@link Sweeper} sweeps: a set of objects it brings up to date in bounded,
 * atomic chunks, so that several sweepers in several processes are safe together.
 *
 * @typeParam R - what one sweep reports
 */
export interface Sweepable<R extends SweepReport = SweepReport> {
  /** What it sweeps, as the log lines name one: `stream`, `queue`. */
  readonly object: string;
  /** What it sweeps, plural, as the log lines count them: `streams`, `queues`. */
  readonly objects: string;
  /** Where its objects come from, for messages: `registry`. */
  readonly source: string;
  /** The connection it sweeps with: the sweeper stops once it has ended (`quit()`). */
  readonly client: RedisClient;
  /**
   * Sweeps every object once; a failing object is reported through the context and does not
   * stop the others.
   */
  sweep(context: SweepContext): Promise<R>;
}

/**
 * What a family's sweepable over its registry shares: its names for the logs and its registry's
 * connection; the family writes `sweep` (usually {@link sweepEach} over the registry's names).
 *
 * @typeParam R - what a sweep reports
 */
export abstract class RegistrySweepable<R extends SweepReport> implements Sweepable<R> {
  /** Where the names come from. */
  public readonly source: string = 'registry';

  /**
   * @param object - what it sweeps, as the log lines name one
   * @param objects - the same, plural
   * @param registry - where the names come from (its connection is the sweep's)
   * @param chunkSize - items per atomic script
   */
  protected constructor(
    public readonly object: string,
    public readonly objects: string,
    protected readonly registry: { readonly client: RedisClient },
    protected readonly chunkSize: number,
  ) {}

  /** The registry's connection. */
  public get client(): RedisClient {
    return this.registry.client;
  }

  /** Sweeps every registered object once; a failing object is reported and the others go on. */
  public abstract sweep(context: SweepContext): Promise<R>;
}

/**
 * The loop most sweepables run: lists their objects, sweeps each in turn, reports a failing
 * object (or a failing list) through the context and goes on, and stops before the next object
 * once the context's signal aborted.
 *
 * @param context - the sweep's context
 * @param list - reads the objects (their names)
 * @param sweepOne - sweeps one object
 * @returns how many objects were swept and how many failed
 */
export async function sweepEach(
  context: SweepContext,
  list: () => Promise<readonly string[]>,
  sweepOne: (name: string) => Promise<void>,
): Promise<Pick<SweepReport, 'objects' | 'failed'>> {
  let objects = 0;
  let failed = 0;
  let names: readonly string[] = [];
  try {
    names = await list();
  } catch (err) {
    failed += 1;
    context.report(err, undefined);
  }
  for (const name of names) {
    if (context.signal?.aborted === true) break;
    try {
      await sweepOne(name);
      objects += 1;
    } catch (err) {
      failed += 1;
      context.report(err, name);
    }
  }
  return { objects, failed };
}

/** Options of {@link Sweeper}. */
export interface SweeperOptions {
  /**
   * The pause between the end of one sweep and the start of the next, in ms.
   *
   * @defaultValue 1000
   */
  intervalMs?: number | undefined;
  /**
   * Where the sweeper logs (pino's shape): each sweep that changed something (`info`; the
   * others at `debug`) and each failure (`error`).
   *
   * @defaultValue silent
   */
  logger?: Logger | undefined;
  /**
   * Names the sweeper in warnings and messages.
   *
   * @defaultValue `'Sweeper'`
   */
  name?: string | undefined;
}

/** What one sweep of a {@link Sweeper} did. */
export interface SweeperResult<R extends SweepReport = SweepReport> {
  /** Each sweepable's report, in the order they were given; undefined where the sweepable itself failed (its error was reported). */
  reports: (R | undefined)[];
  /** How many objects failed, over every sweepable. */
  failed: number;
  /** How long the sweep took, in ms. */
  durationMs: number;
}

/**
 * The events a {@link Sweeper} emits.
 *
 * @typeParam S - what a sweep returns
 */
export interface SweeperEvents<S> {
  /** After every sweep, with what it did. */
  sweep: [result: S];
  /** When an object (or a sweepable's list of them) could not be swept; `object` is its name when known. */
  error: [error: Error, object: string | undefined];
}

/** Options of {@link Sweeper.sweepOnce}. */
export interface SweepOnceOptions {
  /** Stops the sweep before its next object once aborted; the result counts what was done. */
  signal?: AbortSignal | undefined;
}

/**
 * Runs every sweepable, one after the other, then waits `intervalMs` and does it again. It
 * reschedules itself with an unref'd `setTimeout`, so it never keeps the process alive on its
 * own and two sweeps never overlap; it reports failures as `error` events (or as process
 * warnings when nobody listens) and never crashes the process; `stop()` (and `await using`)
 * waits for the sweep in flight; it stops by itself, with one `error`, once a sweepable's
 * connection has been closed for good.
 *
 * @typeParam R - what its sweepables report
 * @typeParam S - what a sweep returns: a {@link SweeperResult}, or a preset's summary of it
 * @example
 * ```ts
 * const sweeper = new Sweeper([streamsOf(registry)], { intervalMs: 5_000 });
 * sweeper.on('error', (err, object) => log.warn({ err, object }));
 * sweeper.start();
 * ```
 */
export class Sweeper<R extends SweepReport = SweepReport, S = SweeperResult<R>> extends EventEmitter<SweeperEvents<S>> {
  private readonly sweepables: readonly Sweepable<R>[];
  private readonly summarize: (result: SweeperResult<R>) => S;
  private readonly intervalMs: number;
  private readonly logger: Logger;
  private readonly label: string;
  private timer: NodeJS.Timeout | undefined;
  private started = false;
  private readonly inFlight = new Set<Promise<S>>();

  /**
   * @param sweepables - what each sweep runs, in order
   * @param options - interval, logger, name
   * @param summarize - for a preset (the stream `Expirer`): turns a sweep's result into what it returns and emits
   * @throws {@link GoodRedisError} `InvalidArgument` for a bad option
   */
  public constructor(sweepables: readonly Sweepable<R>[], options: SweeperOptions = {}, summarize?: (result: SweeperResult<R>) => S) {
    options = optionsOf(options);
    super();
    const given: unknown = sweepables;
    if (!Array.isArray(given) || sweepables.length === 0) throw invalid('a Sweeper needs at least one sweepable');
    this.sweepables = sweepables.slice();
    this.intervalMs = options.intervalMs ?? 1000;
    assertInteger(this.intervalMs, 'intervalMs', 1);
    this.logger = loggerOf(options.logger);
    this.label = options.name ?? 'Sweeper';
    this.summarize = summarize ?? ((result) => result as S);
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

  /** `await using sweeper = new Sweeper(…)`: stops it, waiting for the sweep in flight. */
  public async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  /**
   * Runs every sweepable once, now. An object that fails is reported as an `error` event and
   * does not stop the others.
   *
   * @param options - `signal`: stop before the next object once aborted
   * @returns what the sweep did
   */
  public sweepOnce(options: SweepOnceOptions = {}): Promise<S> {
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
      const ended = this.endedSweepable();
      if (ended !== undefined) {
        // quit() was called on a sweepable's connection: nothing will work again. Say so once and stop.
        this.started = false;
        this.report(new Error(`the ${ended.source}'s connection was closed; the ${this.label} stops`), ended, undefined);
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

  private async sweep(signal: AbortSignal | undefined): Promise<S> {
    const started = performance.now();
    const reports: (R | undefined)[] = [];
    let failed = 0;
    for (const sweepable of this.sweepables) {
      if (signal?.aborted === true) break;
      const context: SweepContext = {
        signal,
        report: (err, object) => {
          this.report(err, sweepable, object);
        },
      };
      try {
        reports.push(await sweepable.sweep(context));
      } catch (err) {
        // A sweepable reports its objects' failures itself; one that fails as a whole is reported here.
        failed += 1;
        reports.push(undefined);
        this.report(err, sweepable, undefined);
      }
    }
    const result: SweeperResult<R> = { reports, failed, durationMs: 0 };
    const fields: Record<string, number> = {};
    let changed = false;
    for (const [i, report] of reports.entries()) {
      if (report === undefined) continue;
      const objects = this.sweepables[i]?.objects ?? 'objects';
      fields[objects] = (fields[objects] ?? 0) + report.objects;
      for (const [name, n] of Object.entries(report.counts)) {
        fields[name] = (fields[name] ?? 0) + n;
        if (n > 0) changed = true;
      }
      result.failed += report.failed;
    }
    result.durationMs = performance.now() - started;
    this.logger[changed ? 'info' : 'debug']({ ...fields, failed: result.failed, durationMs: result.durationMs }, 'sweep finished');
    const summary = this.summarize(result);
    this.emit('sweep', summary);
    return summary;
  }

  /** A sweepable whose connection was closed for good (`quit()`, `disconnect()`), if any. */
  private endedSweepable(): Sweepable<R> | undefined {
    return this.sweepables.find((s) => s.client.status === 'end');
  }

  private report(err: unknown, sweepable: Sweepable<R>, object: string | undefined): void {
    if (this.started && this.endedSweepable() !== undefined) return; // the next schedule() reports it, once
    this.logger.error({ err, [sweepable.object]: object }, 'sweep failed');
    reportError(this, err, `${this.label}: ${object === undefined ? sweepable.source : `${sweepable.object} ${object}`}`, object);
  }
}

import type { Logger } from '../internal/logger.js';
import { assertInteger, optionsOf } from '../internal/validate.js';
import { Sweeper, type Sweepable, type SweeperEvents, type SweeperResult, type SweepOnceOptions } from '../maintenance/sweeper.js';
import type { StreamRegistry } from '../prioritized/stream-registry.js';
import { RegistryStreams, type StreamSweepReport } from '../prioritized/stream-sweepable.js';
import type { QueueRegistry } from '../queues/queue-registry.js';
import { RegistryQueues, type QueueSweepReport } from '../queues/queue-sweepable.js';

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
   * Also reap these queues at every sweep: each registered `Queue` and `UniqueQueue` gives its
   * dead consumers' deliveries back and prunes old rollback counters (`reEnqueued`).
   */
  queues?: QueueRegistry | undefined;
  /**
   * Where the expirer logs (pino's shape): each sweep that changed something (`info`; the
   * others at `debug`) and each failure (`error`).
   *
   * @defaultValue silent
   */
  logger?: Logger | undefined;
}

/** Options of {@link Expirer.sweepOnce}. */
export type SweepOptions = SweepOnceOptions;

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
  /** How many registered queues were reaped (with the `queues` option). */
  queues: number;
  /** Deliveries of dead queue consumers given back to their queue (with the `queues` option). */
  reEnqueued: number;
  /** How many streams or queues failed (each failure is also an `error` event). */
  failed: number;
  /** How long the sweep took, in ms. */
  durationMs: number;
}

/** The events an {@link Expirer} emits: `sweep` after every sweep, `error` naming the stream (undefined: the registry). */
export type ExpirerEvents = SweeperEvents<SweepResult>;

/** What the Expirer's sweepables report. */
type ExpirerReport = StreamSweepReport | QueueSweepReport;

/** A sweep's result as the Expirer reports it. */
function summarize(result: SweeperResult<ExpirerReport>): SweepResult {
  const report = result.reports.find((r): r is StreamSweepReport => r?.family === 'streams');
  const queues = result.reports.find((r): r is QueueSweepReport => r?.family === 'queues');
  return {
    streams: report?.objects ?? 0,
    expired: report?.counts.expired ?? 0,
    perStream: report?.perStream ?? {},
    returned: report?.counts.returned ?? 0,
    deadLettered: report?.counts.deadLettered ?? 0,
    promoted: report?.counts.promoted ?? 0,
    queues: queues?.objects ?? 0,
    reEnqueued: queues?.counts.reEnqueued ?? 0,
    failed: result.failed,
    durationMs: result.durationMs,
  };
}

/**
 * A background sweeper over every registered stream: it ends expired cooldowns, returns jobs
 * whose lease expired (or dead-letters them after their last attempt) and brings back due
 * delayed jobs. It is the {@link Sweeper} preset for the streams of one registry. It reschedules
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
export class Expirer extends Sweeper<ExpirerReport, SweepResult> {
  /**
   * @param registry - the registry whose streams are swept
   * @param options - interval, batch size, logger
   * @throws {@link GoodRedisError} `InvalidArgument` for a bad option
   */
  public constructor(registry: StreamRegistry, options: ExpirerOptions = {}) {
    options = optionsOf(options);
    const batchSize = options.batchSize ?? 1000;
    assertInteger(batchSize, 'batchSize', 1, 10_000);
    const sweepables: Sweepable<ExpirerReport>[] = [new RegistryStreams(registry, batchSize)];
    if (options.queues !== undefined) sweepables.push(new RegistryQueues(options.queues, batchSize));
    super(sweepables, { intervalMs: options.intervalMs, logger: options.logger, name: 'Expirer' }, summarize);
  }
}

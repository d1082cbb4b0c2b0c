import { EventEmitter } from 'node:events';
import { reportError } from '../internal/report-error.js';
import { assertInteger, invalid, optionsOf } from '../internal/validate.js';

/** What one `fireDueSchedules` call did. */
export interface FiredSchedules {
  /** How many schedules it read due (all of them when fewer than its limit). */
  readonly read: number;
  /** Those this call fired (another scheduler fired the rest). */
  readonly fired: readonly FiredSchedule[];
}

/** One due time a scheduler fired. */
export interface FiredSchedule {
  /** The schedule. */
  readonly scheduleId: string;
  /** The id of the task it sent: `<scheduleId>:<due time in ms>`. */
  readonly taskId: string;
}

/**
 * What a {@link Scheduler} fires: a task queue's schedules (a `TaskBroker` is one). The
 * scheduler asks no more of it than its name and one round of due schedules.
 */
export interface ScheduleFirer {
  /** The queue's name, for events and errors. */
  readonly name: string;
  /**
   * Fires the schedules due now, at most `limit`, by compare-and-set.
   *
   * @param limit - the most due times to read
   * @returns what it read and what it fired
   */
  fireDueSchedules(limit: number): Promise<FiredSchedules>;
}

/** Options of a {@link Scheduler}. */
export interface SchedulerOptions {
  /**
   * The pause between the end of a tick and the next, in ms: a new schedule is seen within it.
   *
   * @defaultValue 1000
   */
  tickMs?: number | undefined;
}

/** The events a {@link Scheduler} emits. */
export interface SchedulerEvents {
  /** A due time fired: its task was sent with the id `<scheduleId>:<dueMs>`. */
  fired: [queue: string, scheduleId: string, taskId: string];
  /** A tick failed for a queue; the scheduler goes on. */
  error: [error: Error, queue: string];
}

/**
 * Fires the due schedules of one or more brokers' queues, on an unref'd timer. A tick reads the
 * due schedules and the server's time in one read-only script per queue (bounded, never a SCAN,
 * so its cost does not depend on the number of schedules), computes each next due time here (a
 * cron's next run after the server's now, an interval's next multiple: missed runs fire once),
 * then one script per queue fires them by compare-and-set: a due time fires only while it is
 * still the one read. Several schedulers, in several processes, never fire a due time twice and
 * never lose one.
 *
 * @example
 * ```ts
 * await broker.schedules.add({ id: 'nightly', task: 'report', cron: '0 3 * * *', tz: 'Europe/Paris' });
 * const scheduler = new Scheduler(broker);
 * scheduler.start();
 * ```
 */
export class Scheduler extends EventEmitter<SchedulerEvents> {
  /** The brokers whose schedules it fires. */
  public readonly brokers: readonly ScheduleFirer[];
  /** The pause between ticks, in ms. */
  public readonly tickMs: number;
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<number> | undefined;
  private running = false;

  /**
   * @param brokers - a broker, or several
   * @param options - `tickMs`
   * @throws {@link GoodRedisError} `InvalidArgument` for no broker or a bad tick
   */
  public constructor(brokers: ScheduleFirer | readonly ScheduleFirer[], options: SchedulerOptions = {}) {
    super();
    const list = Array.isArray(brokers) ? [...(brokers as readonly ScheduleFirer[])] : [brokers as ScheduleFirer];
    if (list.length === 0 || list.some((b) => typeof (b as Partial<ScheduleFirer> | null)?.fireDueSchedules !== 'function')) {
      throw invalid('a Scheduler takes a broker or a non-empty array of brokers');
    }
    this.brokers = list;
    this.tickMs = optionsOf(options).tickMs ?? 1000;
    assertInteger(this.tickMs, 'tickMs', 1);
  }

  /**
   * Fires what is due now in every queue (in rounds of 1,000 per queue until none is left).
   *
   * @returns how many due times fired
   */
  public tick(): Promise<number> {
    this.ticking ??= (async () => {
      let fired = 0;
      try {
        await Promise.all(
          this.brokers.map(async (broker) => {
            try {
              for (;;) {
                const round = await broker.fireDueSchedules(1000);
                for (const f of round.fired) this.emit('fired', broker.name, f.scheduleId, f.taskId);
                fired += round.fired.length;
                if (round.read < 1000) return;
              }
            } catch (err) {
              reportError(this, err, `Scheduler: queue ${JSON.stringify(broker.name)}`, broker.name);
            }
          }),
        );
        return fired;
      } finally {
        this.ticking = undefined;
      }
    })();
    return this.ticking;
  }

  /** Ticks now, then `tickMs` after each tick ends, until {@link stop}. Idempotent. */
  public start(): void {
    if (this.running) return;
    this.running = true;
    const loop = (): void => {
      void this.tick().finally(() => {
        if (!this.running) return;
        this.timer = setTimeout(loop, this.tickMs);
        this.timer.unref();
      });
    };
    loop();
  }

  /** Stops ticking, waiting for the tick in flight. Idempotent. */
  public async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    await this.ticking;
  }

  /** `await using scheduler = new Scheduler(…)`: stops it. */
  public async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}

import type { RedisClient } from '../connection/redis-client.js';
import { GoodRedisError, typed } from '../errors.js';
import { deadLetterCaps, encodeDeadLetterCaps, type DeadLetterCapOptions } from '../jobs/dead-letters.js';
import { WorkSignal } from '../jobs/work-signal.js';
import type { TaskSourceContext } from './task-source.js';
import { assertInteger, describe as describeValue, invalid, optionsOf } from '../internal/validate.js';
import { TaskBroker } from './task-broker.js';
import type { TaskJob } from './task-job.js';
import type { BrokerOptions } from './broker-options.js';
import type { TaskDeadLetter, TaskQueueStats } from './types.js';

/** Checks dead letter ids: an array of non-empty strings. */
export function assertDeadIds(ids: unknown): asserts ids is readonly string[] {
  if (!Array.isArray(ids) || ids.some((id) => typeof id !== 'string' || id.length === 0)) {
    throw invalid(`ids must be an array of dead letter ids, got ${describeValue(ids)}`);
  }
}

/**
 * What the two queue brokers share ({@link StreamBroker}, {@link ListQueueBroker}): dead letters
 * (a capped stream), counts, and the idle wait on the queue's marker list.
 */
export abstract class TaskQueueBroker extends TaskBroker {
  /** The most dead letters kept. */
  public readonly deadLetterLimit: number;
  /** How old a dead letter may get, in ms (0: no age cap). */
  public readonly deadLetterMaxAgeMs: number;
  /** The caps as the scripts take them. */
  protected readonly deadCaps: string;

  /** Checks the options; writes nothing. */
  protected constructor(client: RedisClient, name: string, options: BrokerOptions & DeadLetterCapOptions) {
    super(client, name, options);
    const caps = deadLetterCaps(options);
    this.deadLetterLimit = caps.limit;
    this.deadLetterMaxAgeMs = caps.maxAgeMs;
    this.deadCaps = encodeDeadLetterCaps(caps);
  }

  /**
   * The dead letters, oldest first.
   *
   * @param options - `limit`: the most to return (1 to 10,000; default 100)
   */
  public async deadLetters(options: { limit?: number | undefined } = {}): Promise<TaskDeadLetter[]> {
    const { limit = 100 } = optionsOf(options);
    assertInteger(limit, 'limit', 1, 10_000);
    const rows = await this.readDead(['-', '+', 'COUNT', limit]);
    return rows.map(([id, fields]) => {
      const f = new Map<string, string | Buffer>();
      for (let i = 0; i + 1 < fields.length; i += 2) {
        const value = fields[i + 1];
        if (value !== undefined) f.set(String(fields[i]), value);
      }
      const raw = f.get('m') ?? '';
      let message;
      try {
        message = this.decode(raw, `dead letter ${id}`);
      } catch {
        message = undefined;
      }
      return {
        id,
        message,
        ...(message === undefined ? { raw } : {}),
        error: String(f.get('error') ?? ''),
        attempts: Number(f.get('attempts') ?? 0),
        diedAt: Number(f.get('diedAt') ?? 0),
      };
    });
  }

  /** Reads dead letter rows (`XRANGE` arguments after the key). */
  protected async readDead(range: (string | number)[]): Promise<[string, (string | Buffer)[]][]> {
    const binary = this.codec.binary === true;
    const key = this.redisKeys.dead;
    const rows = binary
      ? await typed(this.client.xrangeBuffer(key, ...(range as [string, string, 'COUNT', number])))
      : await typed(this.client.xrange(key, ...(range as [string, string, 'COUNT', number])));
    return (rows as [string | Buffer, (string | Buffer)[]][]).map(([id, fields]) => [String(id), fields]);
  }

  /**
   * Moves dead letters back to the queue, attempts starting over: the named ones, or all.
   *
   * @param ids - dead letter ids (from {@link deadLetters}); all when left out
   * @returns how many were moved
   */
  public abstract replayDead(ids?: readonly string[]): Promise<number>;

  /**
   * Deletes dead letters: the named ones, or all.
   *
   * @param ids - dead letter ids; all when left out
   * @returns how many were deleted
   */
  public async purgeDead(ids?: readonly string[]): Promise<number> {
    if (ids !== undefined) assertDeadIds(ids);
    if (ids?.length === 0) return 0;
    return this.core.call('purgeDead', { ids });
  }

  /** The queue's counts (read-only). */
  public async stats(): Promise<TaskQueueStats> {
    const { waiting, active, delayed, dead, length, added } = await this.core.call('readStats', {});
    return { waiting, active, delayed, dead, length, added };
  }

  /** What this broker's job source asks of it (see {@link TaskSourceContext}). */
  protected sourceContext(): TaskSourceContext {
    return {
      client: this.client,
      object: this.sourceObject(),
      core: this.core,
      codec: this.codec,
      deadCaps: this.deadCaps,
      maxLength: this.trimLength(),
      decode: (raw, where) => this.decode(raw, where),
      jobOf: (message, attempt, maxAttempts, encoded, entryId, deliveries) => this.jobOf(message, attempt, maxAttempts, encoded, entryId, deliveries),
      maxAttemptsOf: (message, fallback) => this.maxAttemptsOf(message, fallback),
      taskMaxAttempts: () => this.taskMaxAttempts(),
      storeDeathResults: (dead) => this.storeDeathResults(dead),
      unreadableError: (reason) => this.unreadableError(reason),
      lost: (job, what) => this.lost(job, what),
      openSignal: () => this.openSignal(),
    };
  }

  /** An idle wait on the queue's marker list. */
  protected openSignal(): WorkSignal {
    return new WorkSignal(this.client, this.redisKeys.marker);
  }

  /** The error a Worker reports for what a lease found that no broker wrote, dead-lettered with `reason`. */
  protected unreadableError(reason: string): GoodRedisError {
    return new GoodRedisError('Codec', `task queue ${JSON.stringify(this.name)}: dead-lettered ${reason}`);
  }

  /** The `LeaseLost` error of a job whose lease moved on. */
  protected lost(job: TaskJob, what: string): GoodRedisError {
    return new GoodRedisError(
      'LeaseLost',
      `task ${JSON.stringify(job.taskId)} (entry ${job.entryId}) of queue ${JSON.stringify(this.name)}: cannot ${what}, its lease was lost (it was delivered again, or settled)`,
    );
  }
}

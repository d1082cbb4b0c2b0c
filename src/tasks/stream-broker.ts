import type { RedisClient } from '../connection/redis-client.js';
import { errorOf } from '../jobs/outcomes.js';
import type { JobSource, LeaseBatch, NackOutcome } from '../jobs/job-source.js';
import { assertInteger, optionsOf } from '../internal/validate.js';
import type { StreamDelivery } from './scripts.js';
import type { TaskJob } from './task-job.js';
import { assertDeadIds, TaskQueueBroker } from './task-queue-broker.js';
import type { StreamBrokerOptions } from './broker-options.js';
import type { TaskMessage } from './types.js';

/** The most entries a StreamBroker's stream keeps by default. */
export const DEFAULT_STREAM_MAX_LENGTH = 10_000;

/** The error a lease-expired death carries. */
const LEASE_EXPIRED = 'lease expired';

/**
 * Tasks on a Redis stream with a consumer group, at least once: one worker at a time holds each
 * message under a lease (renewed while its handler runs), and a worker that dies loses nothing.
 * Every lease first turns due delayed messages into entries and recovers expired leases (claimed
 * for the caller, or dead-lettered once their deliveries reached the message's max), on every
 * topology, with no lock and no separate loop. The group starts at the beginning of history, so a
 * message sent before any worker existed is delivered. Trimming to `maxLength` removes only
 * acknowledged entries.
 *
 * @example
 * ```ts
 * const broker = new StreamBroker(redis, 'emails', { results: new ResultStore(redis) });
 * const sendEmail = broker.task('send-email', async (args: { to: string }) => mailer.send(args.to));
 * const handle = await sendEmail.send({ to: 'a@b.example' });
 * broker.worker({ concurrency: 8 });
 * console.log(await handle.waitResult({ timeoutMs: 10_000 }));
 * ```
 */
export class StreamBroker extends TaskQueueBroker {
  /** A stream broker. */
  public readonly kind = 'stream' as const;
  /** The most entries the stream keeps (0: entries are deleted when acked). */
  public readonly maxLength: number;

  /**
   * @param client - the connection (standalone, Sentinel or Cluster)
   * @param name - the queue name (non-empty, without `{` or `}`)
   * @param options - see {@link StreamBrokerOptions}
   * @throws {@link GoodRedisError} `InvalidArgument` for a bad name or options; nothing is written
   */
  public constructor(client: RedisClient, name: string, options: StreamBrokerOptions = {}) {
    super(client, name, options);
    this.maxLength = optionsOf(options).maxLength ?? DEFAULT_STREAM_MAX_LENGTH;
    assertInteger(this.maxLength, 'maxLength', 0);
  }

  protected override trimLength(): number {
    return this.maxLength;
  }

  protected async write(messages: readonly { message: TaskMessage; encoded: string | Buffer }[], delayMs: number): Promise<number[]> {
    await this.core.call('sendTasks', {
      maxLength: this.maxLength,
      delayMs,
      messages: messages.map((m) => ({ maxAttempts: m.message.maxAttempts, task: m.message.task, encoded: m.encoded })),
    });
    return [];
  }

  /** @inheritDoc */
  public async replayDead(ids?: readonly string[]): Promise<number> {
    if (ids === undefined) {
      let moved = 0;
      for (;;) {
        const n = await this.core.call('replayStream', { limit: 1000 });
        moved += n;
        if (n < 1000) return moved;
      }
    }
    assertDeadIds(ids);
    let moved = 0;
    for (let i = 0; i < ids.length; i += 1000) moved += await this.core.call('replayStream', { limit: 1000, ids: ids.slice(i, i + 1000) });
    return moved;
  }

  private deliveriesOf(jobs: readonly TaskJob[]): StreamDelivery[] {
    return jobs.map((j) => ({ entryId: j.entryId, deliveries: j.deliveries }));
  }

  /**
   * The broker as a {@link JobSource} for the one Worker: leases with deadlines, recovery of
   * expired leases inside every lease, fenced acks, nacks and extends (a redelivered message's
   * stale copy answers `LeaseLost`), max deliveries and dead letters (each death stores an error
   * result), and the idle wait on the queue's marker list.
   */
  public jobSource(): JobSource<TaskJob> {
    const binary = this.codec.binary === true;
    return {
      client: this.client,
      object: this.sourceObject(),
      leaseBatch: async (request): Promise<LeaseBatch<TaskJob>> => {
        const lease = await this.core.call(
          'leaseTasks',
          {
            consumer: request.owner === '' ? 'worker' : request.owner,
            count: request.count,
            leaseMs: request.leaseMs,
            maxAttempts: request.maxAttempts,
            deadCaps: this.deadCaps,
            maxLength: this.maxLength,
            taskMaxAttempts: this.taskMaxAttempts(),
          },
          { binary },
        );
        const errors = await this.storeDeathResults(lease.died.map((d) => ({ encoded: d.encoded, attempts: d.attempts, error: LEASE_EXPIRED })));
        for (const u of lease.unreadable) errors.push(this.unreadableError(u.reason));
        const items: TaskJob[] = [];
        const undecodable: { delivery: StreamDelivery & { maxAttempts: number }; error: unknown }[] = [];
        for (const { entryId, attempt, deliveries, encoded } of lease.leased) {
          let message: TaskMessage;
          try {
            message = this.decode(encoded, `entry ${entryId}`);
          } catch (error) {
            undecodable.push({ delivery: { entryId, deliveries, maxAttempts: 1 }, error });
            continue;
          }
          items.push(this.jobOf(message, attempt, this.maxAttemptsOf(message, request.maxAttempts), encoded, entryId, deliveries));
        }
        // Dead-lettered at once, each with its own reason: it would fail the same way on every delivery.
        await Promise.all(
          undecodable.map(({ delivery, error }) => {
            errors.push(error);
            return this.core.call('nackTasks', {
              delayMs: 0,
              deadCaps: this.deadCaps,
              maxLength: this.maxLength,
              error: errorOf(error).message,
              deliveries: [delivery],
            });
          }),
        );
        return { items, wakeInMs: lease.wakeInMs, errors };
      },
      ack: async (jobs) => {
        if (jobs.length === 0) return [];
        const replies = await this.core.call('ackTasks', { maxLength: this.maxLength, deliveries: this.deliveriesOf(jobs) });
        return this.outcomes(jobs, replies, 'ack');
      },
      nack: async (jobs, { delayMs, error }) => {
        if (jobs.length === 0) return [];
        const replies = await this.core.call('nackTasks', {
          delayMs,
          deadCaps: this.deadCaps,
          maxLength: this.maxLength,
          error,
          deliveries: jobs.map((j) => ({ entryId: j.entryId, deliveries: j.deliveries, maxAttempts: j.maxAttempts })),
        });
        return jobs.map((job, i): NackOutcome | Error => {
          const answer = replies[i];
          return answer === 'retry' || answer === 'dead' ? answer : this.lost(job, 'nack');
        });
      },
      extend: async (jobs, leaseMs) => {
        if (jobs.length === 0) return [];
        const replies = await this.core.call('extendTasks', { ms: leaseMs, deliveries: this.deliveriesOf(jobs) });
        return this.outcomes(jobs, replies, 'extend');
      },
      release: async (jobs) => {
        if (jobs.length > 0) await this.core.call('releaseTasks', { deliveries: this.deliveriesOf(jobs) });
      },
      openSignal: () => this.openSignal(),
    };
  }
}

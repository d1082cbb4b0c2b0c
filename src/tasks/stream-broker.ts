import type { RedisClient } from '../connection/redis-client.js';
import type { JobSource } from '../jobs/job-source.js';
import { StreamTaskSource } from './stream-task-source.js';
import { assertInteger, optionsOf } from '../internal/validate.js';
import type { TaskJob } from './task-job.js';
import { assertDeadIds, TaskQueueBroker } from './task-queue-broker.js';
import type { StreamBrokerOptions } from './broker-options.js';
import type { TaskMessage } from './types.js';

/** The most entries a StreamBroker's stream keeps by default. */
export const DEFAULT_STREAM_MAX_LENGTH = 10_000;

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

  /**
   * The broker as a {@link JobSource} for the one Worker: leases with deadlines, recovery of
   * expired leases inside every lease, fenced acks, nacks and extends (a redelivered message's
   * stale copy answers `LeaseLost`), max deliveries and dead letters (each death stores an error
   * result), and the idle wait on the queue's marker list.
   */
  public jobSource(): JobSource<TaskJob> {
    return new StreamTaskSource(this.sourceContext());
  }
}

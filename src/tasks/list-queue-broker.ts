import type { RedisClient } from '../connection/redis-client.js';
import { encodeWith } from '../codec.js';
import { errorOf } from '../jobs/outcomes.js';
import type { JobSource, LeaseBatch, NackOutcome } from '../jobs/job-source.js';
import type { TaskJob } from './task-job.js';
import { assertDeadIds, TaskQueueBroker } from './task-queue-broker.js';
import type { ListQueueBrokerOptions } from './broker-options.js';
import type { TaskMessage } from './types.js';

/**
 * Tasks on a Redis list, at most once: sends push on the left, workers take from the right
 * (the oldest first), and taking is final, so a worker that dies mid-task loses it. A handler
 * that throws is retried after the backoff (the message sent again with its attempt raised)
 * until its max attempts, then dead-lettered. For work that must survive a crash, use a
 * {@link StreamBroker}.
 */
export class ListQueueBroker extends TaskQueueBroker {
  /** A list broker. */
  public readonly kind = 'list' as const;

  /**
   * @param client - the connection (standalone, Sentinel or Cluster)
   * @param name - the queue name (non-empty, without `{` or `}`)
   * @param options - see {@link ListQueueBrokerOptions}
   * @throws {@link GoodRedisError} `InvalidArgument` for a bad name or options; nothing is written
   */
  public constructor(client: RedisClient, name: string, options: ListQueueBrokerOptions = {}) {
    super(client, name, options);
  }

  protected async write(messages: readonly { message: TaskMessage; encoded: string | Buffer }[], delayMs: number): Promise<number[]> {
    await this.core.call('sendList', { delayMs, messages: messages.map((m) => m.encoded) });
    return [];
  }

  /** @inheritDoc */
  public async replayDead(ids?: readonly string[]): Promise<number> {
    if (ids !== undefined) assertDeadIds(ids);
    let moved = 0;
    for (let i = 0; ids === undefined || i < ids.length; i += 1000) {
      const rows =
        ids === undefined
          ? await this.readDead(['-', '+', 'COUNT', 1000])
          : (await Promise.all(ids.slice(i, i + 1000).map((id) => this.readDead([id, id, 'COUNT', 1])))).flat();
      if (rows.length === 0) break;
      const letters = rows.map(([id, fields]) => {
        const at = fields.findIndex((f, k) => k % 2 === 0 && String(f) === 'm');
        const raw = fields[at + 1] ?? '';
        let encoded = raw;
        try {
          encoded = encodeWith(this.codec, { ...this.decode(raw, `dead letter ${id}`), attempt: 0 }); // attempts start over
        } catch {
          // An undecodable message goes back as it was: it dies again at its next lease.
        }
        return { id, encoded };
      });
      const n = await this.core.call('replayList', { letters });
      moved += n;
      if (ids === undefined && n === 0) break;
    }
    return moved;
  }

  /**
   * The broker as a {@link JobSource} for the one Worker: leases take messages for good (no
   * lease to expire, ack and extend do nothing), a nack sends the message again with its attempt
   * raised or dead-letters it, and the idle wait is on the queue's marker list.
   */
  public jobSource(): JobSource<TaskJob> {
    const binary = this.codec.binary === true;
    const done = (jobs: readonly TaskJob[]): Promise<undefined[]> => Promise.resolve(jobs.map(() => undefined));
    return {
      client: this.client,
      object: this.sourceObject(),
      leaseBatch: async (request): Promise<LeaseBatch<TaskJob>> => {
        const lease = await this.core.call('leaseList', { count: request.count, deadCaps: this.deadCaps }, { binary });
        const items: TaskJob[] = [];
        const errors: unknown[] = lease.unreadable.map((reason) => this.unreadableError(reason));
        const undecodable: { encoded: string | Buffer; error: unknown }[] = [];
        for (const encoded of lease.taken) {
          let message: TaskMessage;
          try {
            message = this.decode(encoded, 'a message');
          } catch (error) {
            undecodable.push({ encoded, error });
            continue;
          }
          const used = typeof message.attempt === 'number' && Number.isInteger(message.attempt) && message.attempt > 0 ? message.attempt : 0;
          items.push(this.jobOf(message, used + 1, this.maxAttemptsOf(message, request.maxAttempts), encoded));
        }
        // Dead-lettered at once, each with its own reason.
        await Promise.all(
          undecodable.map(({ encoded, error }) => {
            errors.push(error);
            return this.core.call('nackList', {
              delayMs: 0,
              deadCaps: this.deadCaps,
              error: errorOf(error).message,
              messages: [{ action: 'dead', encoded, attempts: 1, maxAttempts: 0 }],
            });
          }),
        );
        return { items, wakeInMs: lease.wakeInMs, errors };
      },
      ack: done,
      extend: done,
      nack: async (jobs, { delayMs, error }) => {
        if (jobs.length === 0) return [];
        const messages = jobs.map((job) => {
          const action = job.isLastAttempt ? ('dead' as const) : ('retry' as const);
          // A retry goes out again with this delivery counted.
          const encoded = action === 'dead' ? job.encoded : encodeWith(this.codec, { ...job.message, attempt: job.attempt });
          return { action, encoded, attempts: job.attempt, maxAttempts: job.maxAttempts };
        });
        const replies = await this.core.call('nackList', { delayMs, deadCaps: this.deadCaps, error, messages });
        return replies.map((r): NackOutcome => (r === 'dead' ? 'dead' : 'retry'));
      },
      release: async (jobs) => {
        if (jobs.length > 0) await this.core.call('releaseList', { messages: jobs.map((j) => j.encoded) });
      },
      openSignal: () => this.openSignal(),
    };
  }
}

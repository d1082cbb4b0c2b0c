import type { RedisClient } from '../connection/redis-client.js';
import { encodeWith } from '../codec.js';
import type { JobSource } from '../jobs/job-source.js';
import { ListTaskSource } from './list-task-source.js';
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
    return new ListTaskSource(this.sourceContext());
  }
}

/**
 * A list broker's messages as a {@link JobSource}, for the one Worker.
 *
 * @module
 */
import { encodeWith } from '../codec.js';
import type { LeaseBatch, LeaseRequest, NackOutcome } from '../jobs/job-source.js';
import { errorOf } from '../jobs/outcomes.js';
import type { TaskJob } from './task-job.js';
import { BrokerSource } from './task-source.js';
import type { TaskMessage } from './types.js';

/**
 * A list broker's messages for the Worker: a lease takes messages for good (no lease to expire:
 * ack and extend do nothing), a nack sends the message again with its attempt raised or, on its
 * last attempt, dead-letters it, and the idle wait is on the queue's marker list.
 */
export class ListTaskSource extends BrokerSource {
  /** Takes messages (a message's attempt is the one it carries, plus one); dead-letters at once one that does not decode. */
  public override async leaseBatch(request: LeaseRequest): Promise<LeaseBatch<TaskJob>> {
    const { broker } = this;
    const lease = await broker.core.call('leaseList', { count: request.count, deadCaps: broker.deadCaps }, { binary: broker.codec.binary === true });
    const items: TaskJob[] = [];
    const errors: unknown[] = lease.unreadable.map((reason) => broker.unreadableError(reason));
    const undecodable: { encoded: string | Buffer; error: unknown }[] = [];
    for (const encoded of lease.taken) {
      let message: TaskMessage;
      try {
        message = broker.decode(encoded, 'a message');
      } catch (error) {
        undecodable.push({ encoded, error });
        continue;
      }
      const used = typeof message.attempt === 'number' && Number.isInteger(message.attempt) && message.attempt > 0 ? message.attempt : 0;
      items.push(broker.jobOf(message, used + 1, broker.maxAttemptsOf(message, request.maxAttempts), encoded));
    }
    // Dead-lettered at once, each with its own reason.
    await Promise.all(
      undecodable.map(({ encoded, error }) => {
        errors.push(error);
        return broker.core.call('nackList', {
          delayMs: 0,
          deadCaps: broker.deadCaps,
          error: errorOf(error).message,
          messages: [{ action: 'dead', encoded, attempts: 1, maxAttempts: 0 }],
        });
      }),
    );
    return { items, wakeInMs: lease.wakeInMs, errors };
  }

  /** Nothing to do: the message was taken for good. */
  public override ack(jobs: readonly TaskJob[]): Promise<(Error | undefined)[]> {
    return Promise.resolve(jobs.map(() => undefined));
  }

  /** Nothing to do: no lease expires. */
  public override extend(jobs: readonly TaskJob[]): Promise<(Error | undefined)[]> {
    return Promise.resolve(jobs.map(() => undefined));
  }

  /** Sends each message again with this delivery counted (after `delayMs`), or dead-letters it on its last attempt. */
  public override async nack(jobs: readonly TaskJob[], { delayMs, error }: { delayMs: number; error: string }): Promise<(NackOutcome | Error)[]> {
    if (jobs.length === 0) return [];
    const messages = jobs.map((job) => {
      const action = job.isLastAttempt ? ('dead' as const) : ('retry' as const);
      // A retry goes out again with this delivery counted.
      const encoded = action === 'dead' ? job.encoded : encodeWith(this.broker.codec, { ...job.message, attempt: job.attempt });
      return { action, encoded, attempts: job.attempt, maxAttempts: job.maxAttempts };
    });
    const replies = await this.broker.core.call('nackList', { delayMs, deadCaps: this.broker.deadCaps, error, messages });
    return replies.map((r): NackOutcome => (r === 'dead' ? 'dead' : 'retry'));
  }

  /** Puts messages never started back at the head, as they were. */
  public override async release(jobs: readonly TaskJob[]): Promise<void> {
    if (jobs.length > 0) await this.broker.core.call('releaseList', { messages: jobs.map((j) => j.encoded) });
  }
}

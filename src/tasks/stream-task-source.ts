/**
 * A stream broker's messages as a {@link JobSource}, for the one Worker.
 *
 * @module
 */
import type { LeaseBatch, LeaseRequest, NackOutcome } from '../jobs/job-source.js';
import { errorOf } from '../jobs/outcomes.js';
import type { StreamDelivery } from './scripts.js';
import type { TaskJob } from './task-job.js';
import { BrokerSource } from './task-source.js';
import type { TaskMessage } from './types.js';

/** The error a lease-expired death carries. */
const LEASE_EXPIRED = 'lease expired';

/** The deliveries the settle scripts name: each job's entry and the delivery count it was leased with. */
function deliveriesOf(jobs: readonly TaskJob[]): StreamDelivery[] {
  return jobs.map((j) => ({ entryId: j.entryId, deliveries: j.deliveries }));
}

/**
 * A stream broker's messages for the Worker: leases with deadlines, recovery of expired leases
 * inside every lease, fenced acks, nacks and extends (a redelivered message's stale copy answers
 * `LeaseLost`), max deliveries and dead letters (each death stores an error result), and the idle
 * wait on the queue's marker list.
 */
export class StreamTaskSource extends BrokerSource {
  /**
   * Leases messages (after recovering expired leases and turning due delayed messages into
   * entries); stores the results of those that died of an expired lease, and dead-letters at once
   * a message that does not decode (it would fail the same way on every delivery).
   */
  public override async leaseBatch(request: LeaseRequest): Promise<LeaseBatch<TaskJob>> {
    const { broker } = this;
    const lease = await broker.core.call(
      'leaseTasks',
      {
        consumer: request.owner === '' ? 'worker' : request.owner,
        count: request.count,
        leaseMs: request.leaseMs,
        maxAttempts: request.maxAttempts,
        deadCaps: broker.deadCaps,
        maxLength: broker.maxLength,
        taskMaxAttempts: broker.taskMaxAttempts(),
      },
      { binary: broker.codec.binary === true },
    );
    const errors = await broker.storeDeathResults(lease.died.map((d) => ({ encoded: d.encoded, attempts: d.attempts, error: LEASE_EXPIRED })));
    for (const u of lease.unreadable) errors.push(broker.unreadableError(u.reason));
    const items: TaskJob[] = [];
    const undecodable: { delivery: StreamDelivery & { maxAttempts: number }; error: unknown }[] = [];
    for (const { entryId, attempt, deliveries, encoded } of lease.leased) {
      let message: TaskMessage;
      try {
        message = broker.decode(encoded, `entry ${entryId}`);
      } catch (error) {
        undecodable.push({ delivery: { entryId, deliveries, maxAttempts: 1 }, error });
        continue;
      }
      items.push(broker.jobOf(message, attempt, broker.maxAttemptsOf(message, request.maxAttempts), encoded, entryId, deliveries));
    }
    // Dead-lettered at once, each with its own reason: it would fail the same way on every delivery.
    await Promise.all(
      undecodable.map(({ delivery, error }) => {
        errors.push(error);
        return broker.core.call('nackTasks', {
          delayMs: 0,
          deadCaps: broker.deadCaps,
          maxLength: broker.maxLength,
          error: errorOf(error).message,
          deliveries: [delivery],
        });
      }),
    );
    return { items, wakeInMs: lease.wakeInMs, errors };
  }

  /** Acks the messages (fenced by their delivery counts); `LeaseLost` for one redelivered meanwhile. */
  public override async ack(jobs: readonly TaskJob[]): Promise<(Error | undefined)[]> {
    if (jobs.length === 0) return [];
    const replies = await this.broker.core.call('ackTasks', { maxLength: this.broker.maxLength, deliveries: deliveriesOf(jobs) });
    return this.outcomes(jobs, replies, 'ack');
  }

  /** Nacks the messages: each retries after `delayMs` or, at its max deliveries, dies. */
  public override async nack(jobs: readonly TaskJob[], { delayMs, error }: { delayMs: number; error: string }): Promise<(NackOutcome | Error)[]> {
    if (jobs.length === 0) return [];
    const replies = await this.broker.core.call('nackTasks', {
      delayMs,
      deadCaps: this.broker.deadCaps,
      maxLength: this.broker.maxLength,
      error,
      deliveries: jobs.map((j) => ({ entryId: j.entryId, deliveries: j.deliveries, maxAttempts: j.maxAttempts })),
    });
    return jobs.map((job, i): NackOutcome | Error => {
      const answer = replies[i];
      return answer === 'retry' || answer === 'dead' ? answer : this.broker.lost(job, 'nack');
    });
  }

  /** Renews the messages' leases (fenced). */
  public override async extend(jobs: readonly TaskJob[], leaseMs: number): Promise<(Error | undefined)[]> {
    if (jobs.length === 0) return [];
    const replies = await this.broker.core.call('extendTasks', { ms: leaseMs, deliveries: deliveriesOf(jobs) });
    return this.outcomes(jobs, replies, 'extend');
  }

  /** Gives back messages never started, their delivery uncounted. */
  public override async release(jobs: readonly TaskJob[]): Promise<void> {
    if (jobs.length > 0) await this.broker.core.call('releaseTasks', { deliveries: deliveriesOf(jobs) });
  }

  /** One outcome per job of a fenced settle: 1 applied, else its lease moved on. */
  private outcomes(jobs: readonly TaskJob[], replies: readonly number[], what: string): (Error | undefined)[] {
    return jobs.map((job, i) => (replies[i] === 1 ? undefined : this.broker.lost(job, what)));
  }
}

import { RegistrySweepable, sweepEach, type SweepContext, type SweepReport } from '../maintenance/sweeper.js';
import type { QueueRegistry } from './queue-registry.js';
import type { QueueKind } from './scripts.js';

/** What the queues' sweep reports: the deliveries of dead consumers given back. */
export interface QueueSweepReport extends SweepReport {
  /** Which family the report is about. */
  readonly family: 'queues';
  /** `reEnqueued`: the deliveries given back. */
  readonly counts: {
    /** Deliveries of dead consumers given back to their queue. */
    reEnqueued: number;
  };
}

/**
 * The queues of a registry as a {@link Sweepable}: every registered `Queue` and `UniqueQueue`
 * gives its dead consumers' deliveries back to the head (in bounded chunks, each re-checking
 * that the consumer is dead) and prunes old rollback counters. Pools need nothing: a lease that
 * runs out makes its item due by itself.
 */
export class RegistryQueues extends RegistrySweepable<QueueSweepReport> {
  /** Where the names come from. */
  public override readonly source = 'queue registry';

  /**
   * @param registry - the queues to sweep
   * @param chunkSize - deliveries per atomic script
   */
  public constructor(
    protected override readonly registry: QueueRegistry,
    chunkSize: number,
  ) {
    super('queue', 'queues', registry, chunkSize);
  }

  /** Reaps every registered queue once; a failing queue is reported and the others go on. */
  public async sweep(context: SweepContext): Promise<QueueSweepReport> {
    let reEnqueued = 0;
    const kinds = new Map<string, QueueKind>();
    const { objects, failed } = await sweepEach(
      context,
      async () => {
        for (const [name, kind] of await this.registry.entries()) if (kind !== 'pool') kinds.set(name, kind);
        return [...kinds.keys()];
      },
      async (name) => {
        const options = { chunkSize: this.chunkSize };
        const queue = this.registry.reliableQueue(name, kinds.get(name) ?? 'queue', options);
        reEnqueued += await queue.reEnqueueTimeoutItems();
      },
    );
    return { family: 'queues', objects, failed, counts: { reEnqueued } };
  }
}

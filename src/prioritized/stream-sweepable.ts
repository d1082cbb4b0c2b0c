import { RegistrySweepable, sweepEach, type SweepContext, type SweepReport } from '../maintenance/sweeper.js';
import type { StreamRegistry } from './stream-registry.js';

/** What the streams' sweep reports: the sweep's counts and the cooldowns ended per stream. */
export interface StreamSweepReport extends SweepReport {
  /** Which family the report is about. */
  readonly family: 'streams';
  /** What the sweep did, over all streams. */
  readonly counts: {
    /** Cooldowns that ended. */
    expired: number;
    /** Jobs whose lease expired and that went back to their stream. */
    returned: number;
    /** Jobs whose lease expired after their last attempt and that went to the dead letters. */
    deadLettered: number;
    /** Delayed jobs that were due and went back to their stream. */
    promoted: number;
  };
  /** Cooldowns ended per stream name (streams with none are left out). */
  readonly perStream: Record<string, number>;
}

/**
 * The streams of a registry as a {@link Sweepable}: each stream's ended cooldowns, then its
 * expired leases and due delayed jobs, in atomic chunks of `chunkSize`.
 */
export class RegistryStreams extends RegistrySweepable<StreamSweepReport> {
  /**
   * @param registry - the streams to sweep
   * @param chunkSize - items per atomic script
   */
  public constructor(
    protected override readonly registry: StreamRegistry,
    chunkSize: number,
  ) {
    super('stream', 'streams', registry, chunkSize);
  }

  /** Sweeps every registered stream once; a failing stream is reported and the others go on. */
  public async sweep(context: SweepContext): Promise<StreamSweepReport> {
    const counts = { expired: 0, returned: 0, deadLettered: 0, promoted: 0 };
    const perStream: Record<string, number> = {};
    const { objects, failed } = await sweepEach(
      context,
      () => this.registry.names(),
      async (name) => {
        const stream = this.registry.stream(name, { chunkSize: this.chunkSize });
        const expired = await stream.expire();
        const recovered = await stream.recover();
        counts.expired += expired;
        if (expired > 0) perStream[name] = expired;
        counts.returned += recovered.returned;
        counts.deadLettered += recovered.died;
        counts.promoted += recovered.promoted;
      },
    );
    return { family: 'streams', objects, failed, counts, perStream };
  }
}

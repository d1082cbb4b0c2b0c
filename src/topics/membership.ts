/**
 * A consumer's membership of its group: the heartbeat (session, generation, target) on its own
 * timer, and the partition leases the target implies.
 *
 * @module
 */
import type { PartitionGroupKeys } from './topic-keys.js';

/** A partition this member holds the lease of. */
export interface Owned {
  readonly partition: number;
  readonly keys: PartitionGroupKeys;
  /** Units handed out and not yet settled. */
  inFlight: number;
  /** Its target moved to another member: no more fetches; the lease goes once its units settle. */
  revoking: boolean;
  /** The partition's last entry id when it last had less to give than asked (an idle wait starts after it); '' until then (the wait starts at `$`). */
  lastSeen: string;
}

/** What a lease script does with a partition's lease. */
export type LeaseAction = 'acquire' | 'renew' | 'release';

/** What a {@link Membership} asks of its consumer, and no more. */
export interface MembershipContext {
  /** This member's id, as the heartbeat's target names owners. */
  readonly memberId: string;
  /** The time between heartbeats, in ms. */
  readonly heartbeatMs: number;
  /**
   * One heartbeat script (or the leaving one).
   *
   * @returns the group's generation and the member each partition targets
   */
  heartbeat(leave: boolean): Promise<{ generation: number; target: readonly string[] }>;
  /**
   * One lease script on a partition.
   *
   * @returns whether the member holds the lease now
   */
  lease(keys: PartitionGroupKeys, action: LeaseAction): Promise<boolean>;
  /** The keys of one partition for the group. */
  partitionKeysOf(partition: number): PartitionGroupKeys;
  /** Whether the consumer is closing (nothing new is acquired or scheduled then). */
  closing(): boolean;
  /** Partitions were lost, assigned or revoked (sorted). */
  changed(event: 'lost' | 'assigned' | 'revoked', partitions: number[]): void;
  /** Reports a failed heartbeat or hand-over. */
  report(err: unknown): void;
}

/**
 * The member's side of the group protocol: one `{T}` heartbeat script per beat (which also
 * starts a new generation with a sticky, balanced target when the members or the partition
 * count change), then the leases that target implies: renew what it keeps, acquire what it
 * gains, and hand over what it no longer targets once that partition's units have settled.
 */
export class Membership {
  /** The partitions it holds the lease of. */
  public readonly owned = new Map<number, Owned>();
  /** The generation of the group it last saw. */
  public generation = 0;
  private timer: NodeJS.Timeout | undefined;
  private beating: Promise<void> | undefined;

  /** @param context - what it asks of its consumer */
  public constructor(private readonly context: MembershipContext) {}

  /** One heartbeat (one at a time): session, generation and target, then the leases it implies. */
  public beat(): Promise<void> {
    this.beating ??= (async () => {
      try {
        const { generation, target } = await this.context.heartbeat(false);
        this.generation = generation;
        const mine = new Set<number>();
        target.forEach((owner, p) => {
          if (owner === this.context.memberId) mine.add(p);
        });
        await this.applyTarget(mine);
      } finally {
        this.beating = undefined;
      }
    })();
    return this.beating;
  }

  /** Beats every `heartbeatMs` from now on (an unref'd timer), until {@link stop}. */
  public scheduleBeats(): void {
    if (this.context.closing()) return;
    this.timer = setTimeout(() => {
      this.beat()
        .catch((err: unknown) => {
          this.context.report(err);
        })
        .finally(() => {
          this.scheduleBeats();
        });
    }, this.context.heartbeatMs);
    this.timer.unref();
  }

  /** Beats no more (the consumer is closing: {@link scheduleBeats} schedules nothing then). */
  public stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** @returns when the heartbeat in flight (if any) is done, failed or not */
  public async idle(): Promise<void> {
    await this.beating?.catch(() => undefined);
  }

  /**
   * Forgets a partition whose lease the member lost (a fence said so), once.
   *
   * @param o - the partition as it held it
   */
  public lost(o: Owned): void {
    if (this.owned.get(o.partition) !== o) return;
    this.owned.delete(o.partition);
    this.context.changed('lost', [o.partition]);
  }

  /**
   * Releases a revoked partition whose units settled.
   *
   * @param o - the partition as it held it
   */
  public async handOver(o: Owned): Promise<void> {
    if (this.owned.get(o.partition) !== o) return;
    this.owned.delete(o.partition);
    await this.context.lease(o.keys, 'release');
    this.context.changed('revoked', [o.partition]);
  }

  /** Releases every lease it holds and leaves the group: the others take over at their next heartbeat. */
  public async leave(): Promise<void> {
    const held = [...this.owned.values()];
    this.owned.clear();
    await Promise.all(held.map((o) => this.context.lease(o.keys, 'release').catch(() => undefined)));
    await this.context.heartbeat(true);
    if (held.length > 0)
      this.context.changed(
        'revoked',
        held.map((o) => o.partition).sort((a, b) => a - b),
      );
  }

  /** Renews, hands over and acquires leases for the target `mine`. */
  private async applyTarget(mine: ReadonlySet<number>): Promise<void> {
    const lost: number[] = [];
    const acquired: number[] = [];
    await Promise.all([
      ...[...this.owned.values()].map(async (o) => {
        if (!mine.has(o.partition)) o.revoking = true;
        if (o.revoking && o.inFlight === 0) return this.handOver(o);
        if (!(await this.context.lease(o.keys, 'renew')) && this.owned.get(o.partition) === o) {
          this.owned.delete(o.partition);
          lost.push(o.partition);
        }
      }),
      ...[...mine]
        .filter((p) => !this.owned.has(p))
        .map(async (partition) => {
          const keys = this.context.partitionKeysOf(partition);
          if ((await this.context.lease(keys, 'acquire')) && !this.context.closing() && !this.owned.has(partition)) {
            this.owned.set(partition, { partition, keys, inFlight: 0, revoking: false, lastSeen: '' });
            acquired.push(partition);
          }
        }),
    ]);
    if (lost.length > 0)
      this.context.changed(
        'lost',
        lost.sort((a, b) => a - b),
      );
    if (acquired.length > 0)
      this.context.changed(
        'assigned',
        acquired.sort((a, b) => a - b),
      );
  }
}

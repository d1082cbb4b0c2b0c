/**
 * A pub/sub broker's subscription as a {@link JobSource}, for the one Worker.
 *
 * @module
 */
import { Cluster } from 'ioredis';
import type { RedisClient } from '../connection/redis-client.js';
import { fromRedisError } from '../errors.js';
import type { JobSource, LeaseBatch, LeaseRequest, NackOutcome, WorkWaiter } from '../jobs/job-source.js';
import type { SourceObject } from '../observe/telemetry.js';
import type { TaskJob } from './task-job.js';

/**
 * A {@link PubSubBroker}'s subscription as the Worker's {@link JobSource}: messages received while
 * it is subscribed wait in a buffer for the Worker's free slots; ack, nack and extend do nothing
 * (a nack answers `dead`: nothing comes back); the idle wait ends when a message arrives; the
 * Worker's close unsubscribes.
 */
export class BroadcastSource implements JobSource<TaskJob> {
  private readonly connection: RedisClient;
  private readonly buffer: TaskJob[] = [];
  private readonly errors: unknown[] = [];
  private readonly wakers = new Set<() => void>();
  /** Work arrived that no wait has seen yet (taken by the next wait, like a marker list's element). */
  private signalled = false;
  /** Messages received so far. */
  private receivedCount = 0;
  private readonly subscribed: Promise<unknown>;
  private closed = false;

  /**
   * @param client - the broker's connection; a duplicate of it subscribes
   * @param channel - the broker's channel
   * @param cluster - whether to subscribe sharded
   * @param object - the task queue, as the Worker's spans and registry name it
   * @param jobOf - a received message as a job (throws when it cannot be decoded)
   * @param onClose - tells the broker this subscription closed
   */
  public constructor(
    public readonly client: RedisClient,
    channel: string,
    cluster: boolean,
    public readonly object: SourceObject<TaskJob>,
    private readonly jobOf: (raw: Buffer) => TaskJob,
    private readonly onClose: () => void,
  ) {
    this.connection = client instanceof Cluster ? client.duplicate([], { shardedSubscribers: true }) : client.duplicate();
    this.connection.on('error', () => undefined); // failures reach the Worker through its leases
    this.connection.on(cluster ? 'smessageBuffer' : 'messageBuffer', (from: Buffer, raw: Buffer) => {
      if (String(from) !== channel) return;
      this.receive(raw);
    });
    this.subscribed = (cluster ? this.connection.ssubscribe(channel) : this.connection.subscribe(channel)).catch((err: unknown) => {
      throw fromRedisError(err);
    });
    this.subscribed.catch(() => undefined); // surfaced by the next lease
  }

  private receive(raw: Buffer): void {
    this.receivedCount++;
    try {
      this.buffer.push(this.jobOf(raw));
    } catch (err) {
      this.errors.push(err); // reported by the next lease: there is no dead letter for a broadcast
    }
    this.signal();
  }

  /** Tells one idle wait (the one in progress, or the next) that work arrived. */
  private signal(): void {
    this.signalled = true;
    for (const wake of this.wakers) wake();
  }

  /** How many messages this subscription has received so far (decodable or not). */
  public received(): number {
    return this.receivedCount;
  }

  /** Takes up to `count` received messages (and reports those that did not decode). */
  public async leaseBatch(request: LeaseRequest): Promise<LeaseBatch<TaskJob>> {
    await this.subscribed;
    return { items: this.buffer.splice(0, request.count), wakeInMs: -1, errors: this.errors.splice(0) };
  }

  /** Nothing to do: a broadcast is at most once. */
  public ack(jobs: readonly TaskJob[]): Promise<(Error | undefined)[]> {
    return Promise.resolve(jobs.map(() => undefined));
  }

  /** Nothing to do: no lease expires. */
  public extend(jobs: readonly TaskJob[]): Promise<(Error | undefined)[]> {
    return Promise.resolve(jobs.map(() => undefined));
  }

  /** Nothing comes back: each job is dead. */
  public nack(jobs: readonly TaskJob[]): Promise<(NackOutcome | Error)[]> {
    return Promise.resolve(jobs.map((): NackOutcome => 'dead'));
  }

  /** Puts messages that were never started back at the front. */
  public release(jobs: readonly TaskJob[]): Promise<void> {
    this.buffer.unshift(...jobs);
    this.signal();
    return Promise.resolve();
  }

  /** An idle wait that ends when a message arrives. */
  public openSignal(): WorkWaiter {
    let stop: () => void = () => undefined;
    return {
      waitForWork: async (wakeInMs, timeoutMs) => {
        if (this.closed) return false;
        if (this.signalled) {
          this.signalled = false;
          return true;
        }
        let timer: NodeJS.Timeout | undefined;
        let wake: () => void = () => undefined;
        const woken = new Promise<boolean>((resolve) => {
          wake = () => {
            resolve(true);
          };
          stop = () => {
            resolve(false);
          };
          timer = setTimeout(
            () => {
              resolve(false);
            },
            Math.max(1, wakeInMs >= 0 ? Math.min(wakeInMs, timeoutMs) : timeoutMs),
          );
        });
        this.wakers.add(wake);
        try {
          const work = await woken;
          if (work) this.signalled = false;
          return work;
        } finally {
          clearTimeout(timer);
          this.wakers.delete(wake);
        }
      },
      close: () => {
        stop();
      },
    };
  }

  /** Unsubscribes and closes the connection (what the Worker's close does). Idempotent. */
  public async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.onClose();
    for (const wake of this.wakers) wake();
    await this.subscribed.catch(() => undefined);
    this.connection.disconnect();
  }
}

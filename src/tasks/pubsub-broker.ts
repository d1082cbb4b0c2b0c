import { Cluster } from 'ioredis';
import type { RedisClient } from '../connection/redis-client.js';
import { fromRedisError, typed } from '../errors.js';
import type { JobSource, LeaseBatch, NackOutcome, WorkWaiter } from '../jobs/job-source.js';
import { assertInteger, invalid } from '../internal/validate.js';
import { TaskBroker } from './task-broker.js';
import type { TaskJob } from './task-job.js';
import type { BrokerOptions } from './broker-options.js';
import type { TaskMessage } from './types.js';

/** A {@link PubSubBroker}'s subscription as the Worker's {@link JobSource}. */
export interface BroadcastSource extends JobSource<TaskJob> {
  /** How many messages this subscription has received so far (decodable or not). */
  received(): number;
}

/**
 * Tasks broadcast on a pub/sub channel, at most once: a send reaches every worker subscribed at
 * that moment and no one else (a worker that is disconnected misses it). Handlers are not
 * retried, and each worker stores its own result (the last one wins). Sharded pub/sub
 * (`SPUBLISH`/`SSUBSCRIBE`) on a Cluster, plain otherwise. `delayMs` is refused.
 */
export class PubSubBroker extends TaskBroker {
  /** A broadcast broker. */
  public readonly kind = 'pubsub' as const;
  private readonly cluster: boolean;
  /** The sources made by {@link jobSource}, closed by {@link close}. */
  private readonly sources = new Set<PubSubSource>();

  /**
   * @param client - the connection (standalone, Sentinel or Cluster); each worker subscribes on a duplicate of it
   * @param name - the queue name (non-empty, without `{` or `}`)
   * @param options - see {@link BrokerOptions}
   * @throws {@link GoodRedisError} `InvalidArgument` for a bad name or options
   */
  public constructor(client: RedisClient, name: string, options: BrokerOptions = {}) {
    super(client, name, options);
    this.cluster = client instanceof Cluster;
  }

  protected override checkDelay(delayMs: number): void {
    assertInteger(delayMs, 'delayMs', 0);
    if (delayMs > 0) throw invalid(`a broadcast cannot be delayed (delayMs ${String(delayMs)}): broker ${JSON.stringify(this.name)} is a PubSubBroker`);
  }

  protected async write(messages: readonly { message: TaskMessage; encoded: string | Buffer }[]): Promise<number[]> {
    const channel = this.redisKeys.channel;
    return Promise.all(
      messages.map(async (m) => Number(await typed(this.cluster ? this.client.spublish(channel, m.encoded) : this.client.publish(channel, m.encoded)))),
    );
  }

  /** How many subscriptions the channel has now (`PUBSUB SHARDNUMSUB` over the masters of a Cluster, `NUMSUB` otherwise). */
  public async subscribers(): Promise<number> {
    const channel = this.redisKeys.channel;
    if (this.client instanceof Cluster) {
      const counts = await Promise.all(this.client.nodes('master').map((node) => typed(node.call('PUBSUB', 'SHARDNUMSUB', channel))));
      return counts.reduce((sum: number, reply) => sum + Number((reply as unknown[])[1] ?? 0), 0);
    }
    const reply = (await typed(this.client.call('PUBSUB', 'NUMSUB', channel))) as unknown[];
    return Number(reply[1] ?? 0);
  }

  /** A broadcast is never retried: any failure is its last. */
  protected override isFinal(): boolean {
    return true;
  }

  /**
   * A new subscription as a {@link JobSource} for one Worker: messages received while it is
   * subscribed wait in a buffer for the Worker's free slots; ack, nack and extend do nothing (a
   * nack answers `dead`: nothing comes back); the idle wait ends when a message arrives; the
   * Worker's close unsubscribes.
   */
  public jobSource(): BroadcastSource {
    const source = new PubSubSource(this.client, this.redisKeys.channel, this.cluster, (raw) => this.jobOf(this.decode(raw, 'a broadcast message'), 1, 1, raw));
    this.sources.add(source);
    return {
      client: this.client,
      object: this.sourceObject(),
      received: () => source.received,
      leaseBatch: (request) => source.take(request.count),
      ack: (jobs) => Promise.resolve(jobs.map(() => undefined)),
      extend: (jobs) => Promise.resolve(jobs.map(() => undefined)),
      nack: (jobs) => Promise.resolve(jobs.map((): NackOutcome => 'dead')),
      release: (jobs) => {
        source.giveBack(jobs);
        return Promise.resolve();
      },
      openSignal: () => source.waiter(),
      close: async () => {
        this.sources.delete(source);
        await source.close();
      },
    };
  }

  /** Closes the Workers made by {@link worker} and every subscription. Idempotent. */
  public override async close(): Promise<void> {
    await super.close();
    await Promise.all([...this.sources].map((s) => s.close()));
    this.sources.clear();
  }
}

/** One subscription of a {@link PubSubBroker}: its connection, the messages received, and the idle waits on them. */
class PubSubSource {
  private readonly connection: RedisClient;
  private readonly buffer: TaskJob[] = [];
  private readonly errors: unknown[] = [];
  private readonly wakers = new Set<() => void>();
  /** Work arrived that no wait has seen yet (taken by the next wait, like a marker list's element). */
  private signalled = false;
  /** Messages received so far. */
  public received = 0;
  private readonly subscribed: Promise<unknown>;
  private closed = false;

  /**
   * @param client - the broker's connection; a duplicate of it subscribes
   * @param channel - the broker's channel
   * @param cluster - whether to subscribe sharded
   * @param jobOf - a received message as a job (throws when it cannot be decoded)
   */
  public constructor(
    client: RedisClient,
    channel: string,
    cluster: boolean,
    private readonly jobOf: (raw: Buffer) => TaskJob,
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
    this.received++;
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

  /** Takes up to `count` received messages. */
  public async take(count: number): Promise<LeaseBatch<TaskJob>> {
    await this.subscribed;
    return { items: this.buffer.splice(0, count), wakeInMs: -1, errors: this.errors.splice(0) };
  }

  /** Puts messages that were never started back at the front. */
  public giveBack(jobs: readonly TaskJob[]): void {
    this.buffer.unshift(...jobs);
    this.signal();
  }

  /** An idle wait that ends when a message arrives. */
  public waiter(): WorkWaiter {
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

  /** Unsubscribes and closes the connection. Idempotent. */
  public async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const wake of this.wakers) wake();
    await this.subscribed.catch(() => undefined);
    this.connection.disconnect();
  }
}

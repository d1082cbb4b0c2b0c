import { Cluster } from 'ioredis';
import type { RedisClient } from '../connection/redis-client.js';
import { typed } from '../errors.js';
import { assertInteger, invalid } from '../internal/validate.js';
import { TaskBroker } from './task-broker.js';
import { BroadcastSource } from './broadcast-source.js';
import type { BrokerOptions } from './broker-options.js';
import type { TaskMessage } from './types.js';

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
  private readonly sources = new Set<BroadcastSource>();

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
    const source = new BroadcastSource(
      this.client,
      this.redisKeys.channel,
      this.cluster,
      this.sourceObject(),
      (raw) => this.jobOf(this.decode(raw, 'a broadcast message'), 1, 1, raw),
      () => this.sources.delete(source),
    );
    this.sources.add(source);
    return source;
  }

  /** Closes the Workers made by {@link worker} and every subscription. Idempotent. */
  public override async close(): Promise<void> {
    await super.close();
    await Promise.all([...this.sources].map((s) => s.close()));
    this.sources.clear();
  }
}

/**
 * The minimum a partitioned log on Redis Streams costs, for the benchmark's topic rows: sends are
 * one Lua script of bare `XADD`s per partition chunk (no key or header fields, no trimming, no
 * topic metadata), and a consumer is `XREADGROUP COUNT 100` then `XACK` per partition, with no
 * membership, lease, fence, retry or dead letter.
 */
import type { Redis } from 'ioredis';

/** Appends every value to one stream; returns the ids. */
const SEND = `
local ids = {}
for i = 1, #ARGV do ids[i] = redis.call('XADD', KEYS[1], '*', 'v', ARGV[i]) end
return ids`;

type RefClient = Redis & { refLogSend(log: string, ...values: string[]): Promise<string[]> };

/** A partitioned log: partition `p` is the stream `ref{<name>#p}`. */
export class ReferenceLog {
  private readonly client: RefClient;

  public constructor(
    redis: Redis,
    private readonly name: string,
    public readonly partitions: number,
  ) {
    redis.defineCommand('refLogSend', { numberOfKeys: 1, lua: SEND });
    this.client = redis as RefClient;
  }

  /** Partition `p`'s stream. */
  public log(p: number): string {
    return `ref{${this.name}#${String(p)}}`;
  }

  /** Sends values round-robin over the partitions: one script per partition. */
  public async sendMany(values: readonly string[]): Promise<number> {
    const byPartition = Array.from({ length: this.partitions }, () => [] as string[]);
    values.forEach((v, i) => byPartition[i % this.partitions]?.push(v));
    const sent = await Promise.all(byPartition.filter((list) => list.length > 0).map((list, p) => this.client.refLogSend(this.log(p), ...list)));
    return sent.reduce((n, ids) => n + ids.length, 0);
  }

  /** Creates the group `g` on every partition, from the start. */
  public async createGroup(): Promise<void> {
    for (let p = 0; p < this.partitions; p++) await this.client.xgroup('CREATE', this.log(p), 'g', '0', 'MKSTREAM');
  }

  /** Drains every partition in parallel: XREADGROUP COUNT `count`, then XACK what it read; returns how many were acked. */
  public async drain(count: number): Promise<number> {
    const perPartition = await Promise.all(
      Array.from({ length: this.partitions }, async (_, p) => {
        let acked = 0;
        for (;;) {
          const reply = (await this.client.xreadgroup('GROUP', 'g', 'c', 'COUNT', count, 'STREAMS', this.log(p), '>')) as
            [string, [string, string[]][]][] | null;
          const entries = reply?.[0]?.[1] ?? [];
          if (entries.length === 0) return acked;
          acked += await this.client.xack(this.log(p), 'g', ...entries.map(([id]) => id));
        }
      }),
    );
    return perPartition.reduce((a, b) => a + b, 0);
  }
}

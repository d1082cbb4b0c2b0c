/**
 * Type tests (compiled, never run) for issue 11, item 7: under `exactOptionalPropertyTypes`
 * every optional property of every options type accepts `undefined`, as optional fields of
 * the caller's own objects carry it. A property that refused it fails the build.
 */
import type { Redis } from 'ioredis';
import {
  Expirer,
  PrioritizedStream,
  StreamRegistry,
  Worker,
  createConnection,
  createGoodRedisModule,
  registerCommands,
  type AckOptions,
  type AddOptions,
  type ConsumeOptions,
  type DeleteBelowOptions,
  type LeaseOptions,
  type NackOptions,
  type PullOptions,
  type RangeOptions,
  type ScanOptions,
} from '../../src/index.js';

declare const redis: Redis;
/** What a caller's own optional settings look like: each may be undefined. */
declare const maybe: { n?: number | undefined; b?: boolean | undefined; s?: string | undefined };

export async function optionsTakeUndefined(): Promise<void> {
  const stream = new PrioritizedStream(redis, 's', {
    codec: undefined,
    prefix: maybe.s,
    cooldownMs: maybe.n,
    ackCooldownMs: maybe.n,
    chunkSize: maybe.n,
    replication: undefined,
  });
  const add: AddOptions = { readd: maybe.b, mode: undefined, delayMs: maybe.n, runAt: undefined };
  const pull: PullOptions = { count: maybe.n, purge: maybe.b, gate: maybe.b, cooldownMs: maybe.n, expireAt: undefined, decreaseBy: maybe.n };
  const lease: LeaseOptions = { count: maybe.n, leaseMs: maybe.n, maxAttempts: maybe.n, owner: maybe.s };
  const ack: AckOptions = { gate: maybe.b, cooldownMs: maybe.n, expireAt: undefined };
  const nack: NackOptions = { delayMs: maybe.n, priority: maybe.n, error: maybe.s };
  const consume: ConsumeOptions = { blockTimeoutMs: maybe.n, signal: undefined };
  const range: RangeOptions = { offset: maybe.n, limit: maybe.n };
  const scan: ScanOptions = { batchSize: maybe.n };
  const below: DeleteBelowOptions = { gate: maybe.b };
  await stream.add('k', 'v', 1, add);
  await stream.pull(pull);
  await stream.lease(lease);
  await stream.ack([], ack);
  await stream.nack([], nack);
  await stream.keys(range);
  await stream.deleteBelow(0, below);
  void stream.consume(consume);
  void stream.scan(scan);
  const worker = new Worker(stream, () => undefined, {
    concurrency: maybe.n,
    batch: maybe.n,
    leaseMs: maybe.n,
    autoExtend: maybe.b,
    maxAttempts: maybe.n,
    backoff: undefined,
    blockTimeoutMs: maybe.n,
    ack: undefined,
    autorun: maybe.b,
  });
  await worker.close({ timeoutMs: maybe.n });
  const registry = new StreamRegistry(redis, { prefix: maybe.s, streamDefaults: undefined });
  const expirer = new Expirer(registry, { intervalMs: maybe.n, batchSize: maybe.n });
  expirer;
  registerCommands(redis, { prefix: maybe.s });
  createConnection({ url: maybe.s, redis: undefined, cluster: undefined });
  createGoodRedisModule({
    client: undefined,
    connection: undefined,
    env: undefined,
    registry: undefined,
    expirer: { autoStart: maybe.b, intervalMs: maybe.n },
  });
}

import { assertInteger } from '../internal/validate.js';
import type { StreamJobs } from './stream-jobs.js';
import type { AckOptions, ConsumeOptions, Job, LeasedItem, NackOptions, NackResult } from './types.js';
import { WorkSignal } from './work-signal.js';

/** A leased item with its own ack, nack and extend (prototype methods: no closures per job). */
export class LeasedJob<T> implements Job<T> {
  public readonly key: string;
  public readonly value: T;
  public readonly priority: number;
  public readonly attempt: number;
  public leaseId: string;
  readonly #stream: StreamJobs<T>;

  public constructor(stream: StreamJobs<T>, leased: LeasedItem<T>) {
    this.key = leased.key;
    this.value = leased.value;
    this.priority = leased.priority;
    this.attempt = leased.attempt;
    this.leaseId = leased.leaseId;
    this.#stream = stream;
  }

  public ack(options?: AckOptions): Promise<number> {
    return this.#stream.ack([this], options);
  }

  public nack(options?: NackOptions): Promise<NackResult> {
    return this.#stream.nack([this], options);
  }

  public extend(leaseMs: number): Promise<number> {
    return this.#stream.extend([this], leaseMs);
  }
}

/** Gives a leased item its own ack, nack and extend. */
export function jobOf<T>(stream: StreamJobs<T>, leased: LeasedItem<T>): Job<T> {
  return new LeasedJob(stream, leased);
}

/**
 * Leases jobs one batch at a time and yields them, waiting without polling while there is
 * none; see `PrioritizedStream.consume`.
 */
export async function* consume<T>(stream: StreamJobs<T>, options: ConsumeOptions = {}): AsyncGenerator<Job<T>, void, undefined> {
  const { blockTimeoutMs = 5000, ...lease } = options;
  assertInteger(blockTimeoutMs, 'blockTimeoutMs', 1);
  const signal = new WorkSignal(stream.client, stream.redisKeys.marker);
  try {
    for (;;) {
      const { items, wakeInMs } = await stream.leaseBatch(lease);
      for (const item of items) yield jobOf(stream, item);
      if (items.length === 0) await signal.waitForWork(wakeInMs, blockTimeoutMs);
    }
  } finally {
    signal.close();
  }
}

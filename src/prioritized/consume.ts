import { assertInteger } from '../internal/validate.js';
import type { PrioritizedStream } from './prioritized-stream.js';
import type { ConsumeOptions, Job, LeasedItem } from './types.js';
import { WorkSignal } from './work-signal.js';

/** Gives a leased item its own ack, nack and extend. */
export function jobOf<T>(stream: PrioritizedStream<T>, leased: LeasedItem<T>): Job<T> {
  return {
    ...leased,
    ack: (options) => stream.ack([leased], options),
    nack: (options) => stream.nack([leased], options),
    extend: (leaseMs) => stream.extend([leased], leaseMs),
  };
}

/**
 * Leases jobs one batch at a time and yields them, waiting without polling while there is
 * none; see `PrioritizedStream.consume`.
 */
export async function* consume<T>(stream: PrioritizedStream<T>, options: ConsumeOptions = {}): AsyncGenerator<Job<T>, void, undefined> {
  const { blockTimeoutMs = 5000, ...lease } = options;
  assertInteger(blockTimeoutMs, 'blockTimeoutMs', 1);
  const signal = new WorkSignal(stream.client, stream.redisKeys.marker);
  try {
    for (;;) {
      const { items, wakeInMs } = await stream.leaseBatch(lease);
      for (const item of items) yield jobOf(stream, item);
      if (items.length === 0) await signal.wait(wakeInMs >= 0 ? Math.min(wakeInMs + 5, blockTimeoutMs) : blockTimeoutMs);
    }
  } finally {
    signal.close();
  }
}

import { assertInteger, invalid, optionsOf } from '../internal/validate.js';
import type { StreamJobs } from './stream-jobs.js';
import type { AckOptions, ConsumeOptions, Job, LeasedItem, NackOptions, NackResult } from './types.js';
import { WorkSignal } from './work-signal.js';

/** How a job was settled by its own `ack` or `nack`, as the Worker reads it afterwards. */
export type Settlement =
  | { kind: 'ack'; done: Promise<number> }
  | { kind: 'nack'; done: Promise<NackResult>; options: NackOptions | undefined };

/** A leased item with its own ack, nack and extend (prototype methods: no closures per job). */
export class LeasedJob<T> implements Job<T> {
  public readonly key: string;
  public readonly value: T;
  public readonly priority: number;
  public readonly attempt: number;
  public leaseId: string;
  readonly #stream: StreamJobs<T>;
  #settlement: Settlement | undefined;

  public constructor(stream: StreamJobs<T>, leased: LeasedItem<T>) {
    this.key = leased.key;
    this.value = leased.value;
    this.priority = leased.priority;
    this.attempt = leased.attempt;
    this.leaseId = leased.leaseId;
    this.#stream = stream;
  }

  public ack(options?: AckOptions): Promise<number> {
    const done = this.#stream.ack([this], options);
    this.#settlement ??= { kind: 'ack', done };
    return done;
  }

  public nack(options?: NackOptions): Promise<NackResult> {
    const done = this.#stream.nack([this], options);
    this.#settlement ??= { kind: 'nack', done, options };
    return done;
  }

  public extend(leaseMs: number): Promise<number> {
    return this.#stream.extend([this], leaseMs);
  }

  /** The first `ack` or `nack` called on this job, if any: a Worker does not settle it again. */
  public settlement(): Settlement | undefined {
    return this.#settlement;
  }
}

/** Gives a leased item its own ack, nack and extend. */
export function jobOf<T>(stream: StreamJobs<T>, leased: LeasedItem<T>): LeasedJob<T> {
  return new LeasedJob(stream, leased);
}

/**
 * Leases jobs one batch at a time and yields them, waiting without polling while there is
 * none; see `PrioritizedStream.consume`. On `break`, `return` or an abort of `signal`, the jobs
 * leased but not yet yielded go back to the stream at once (released: their attempt is not
 * counted); a value that did not decode went to the dead letters at lease time.
 */
export async function* consume<T>(stream: StreamJobs<T>, options: ConsumeOptions = {}): AsyncGenerator<Job<T>, void, undefined> {
  options = optionsOf(options);
  const { blockTimeoutMs = 5000, signal: abort, ...lease } = options;
  assertInteger(blockTimeoutMs, 'blockTimeoutMs', 1);
  if (abort !== undefined && !(abort instanceof AbortSignal)) throw invalid('signal must be an AbortSignal');
  const aborted = (): boolean => abort?.aborted === true;
  if (aborted()) return;
  const signal = new WorkSignal(stream.client, stream.redisKeys.marker);
  const onAbort = (): void => {
    signal.close();
  };
  abort?.addEventListener('abort', onAbort, { once: true });
  let pending: LeasedItem<T>[] = [];
  try {
    while (!aborted()) {
      const { items, wakeInMs } = await stream.leaseBatch(lease);
      pending = items;
      for (let item = pending[0]; item !== undefined && !aborted(); item = pending[0]) {
        pending.shift(); // handed out: no longer ours to release
        yield jobOf(stream, item);
      }
      if (items.length === 0 && !aborted()) await signal.waitForWork(wakeInMs, blockTimeoutMs);
    }
  } finally {
    abort?.removeEventListener('abort', onAbort);
    signal.close();
    if (pending.length > 0) {
      // Leased but never handed out: back to the stream now, not when their lease expires.
      await stream.release(pending).catch((err: unknown) => {
        // Nobody to throw to from a finally; the jobs come back when their lease expires.
        process.emitWarning(`good-redis consume: releasing ${String(pending.length)} job(s) not handed out failed: ${String(err)}`, 'GoodRedisWarning');
      });
    }
  }
}

import type { NackOutcome, Settlement } from '../jobs/job-source.js';
import type { AckOptions, Job, LeasedItem, LeaseRef, NackOptions, NackResult } from './types.js';

/** What a leased job asks of its stream (a `StreamJobs` is one): to settle or extend it. */
export interface JobSettler {
  /** Acks the leases; resolves to how many were acked. */
  ack(leases: readonly LeaseRef[], options?: AckOptions): Promise<number>;
  /** Nacks the leases. */
  nack(leases: readonly LeaseRef[], options?: NackOptions): Promise<NackResult>;
  /** Extends the leases; resolves to how many were extended. */
  extend(leases: readonly LeaseRef[], leaseMs: number): Promise<number>;
}

/** What a stream's nack did, as the Worker counts it: a job that died went to the dead letters. */
export function outcomeOf(result: NackResult): NackOutcome {
  return result.dead > 0 ? 'dead' : 'retry';
}

/** A leased item with its own ack, nack and extend (prototype methods: no closures per job). */
export class LeasedJob<T> implements Job<T> {
  public readonly key: string;
  public readonly value: T;
  public readonly priority: number;
  public readonly attempt: number;
  public leaseId: string;
  readonly #stream: JobSettler;
  #settlement: Settlement | undefined;

  public constructor(stream: JobSettler, leased: LeasedItem<T>) {
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
    if (this.#settlement === undefined) {
      const outcome = done.then(outcomeOf);
      outcome.catch(() => undefined); // the caller handles `done`; the Worker awaits `outcome` when it reads the settlement
      this.#settlement = { kind: 'nack', done: outcome, delayMs: options?.delayMs ?? 0, error: options?.error };
    }
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

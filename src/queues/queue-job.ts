import type { Settlement } from '../jobs/job-source.js';
import type { Delivery } from './types.js';

/** What a queue job asks of its queue (a `ReliableQueue` is one): to ack or reject one delivery. */
export interface DeliverySettler<T> {
  /** Acknowledges a delivery. */
  ackItem(delivery: Delivery<T>): Promise<void>;
  /** Gives a delivery back to the head of the queue. */
  rejectItem(delivery: Delivery<T>): Promise<void>;
}

/** A delivery as the Worker hands it to a handler: its value, its attempt, and its own ack and reject. */
export class QueueJob<T> implements Delivery<T> {
  readonly #queue: DeliverySettler<T>;
  #settlement: Settlement | undefined;

  /**
   * @param queue - the queue it came from
   * @param id - the delivery id
   * @param value - the value
   * @param attempt - 1 + the value's rollback count
   */
  public constructor(
    queue: DeliverySettler<T>,
    public readonly id: string,
    public readonly value: T,
    public readonly attempt: number,
  ) {
    this.#queue = queue;
  }

  /** Acknowledges the delivery (see `ackItem`); the Worker then does not settle it again. */
  public ack(): Promise<void> {
    const done = this.#queue.ackItem(this);
    this.#settlement ??= { kind: 'ack', done };
    return done;
  }

  /** Gives the delivery back to the head of the queue (see `rejectItem`); the Worker then does not settle it again. */
  public reject(): Promise<void> {
    const done = this.#queue.rejectItem(this);
    if (this.#settlement === undefined) {
      const outcome = done.then(() => 'retry' as const);
      outcome.catch(() => undefined); // the caller handles `done`
      this.#settlement = { kind: 'nack', done: outcome, delayMs: 0, error: undefined };
    }
    return done;
  }

  /** The first `ack` or `reject` called on this job, if any. */
  public settlement(): Settlement | undefined {
    return this.#settlement;
  }
}

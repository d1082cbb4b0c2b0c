import type { QueueObjectOptions } from './queue-object.js';
import type { Logger } from '../internal/logger.js';

/** One value handed out by `getItems`: settle it with `ackItem`, `rejectItem`, or let the reaper give it back. */
export interface Delivery<T> {
  /** The delivery's identity: acks and rejects name it, never the value (equal values are different deliveries). */
  readonly id: string;
  /** The value, decoded. */
  readonly value: T;
}

/** The rollback limit of {@link ReliableQueue.canRollbackItem}. */
export interface RollbackOptions {
  /** Rollbacks allowed before a value is refused. */
  maxRetry: number;
  /** The window, in ms, from a value's first rollback, before which it is never refused. */
  maxTimeoutMs: number;
}

/** Where a queue's Worker puts values that ran out of attempts: any `Queue` of the same codec. */
export interface DeadLetterQueue<T> {
  /**
   * Adds the values.
   *
   * @param values - the values that died
   */
  addItems(values: Iterable<T>): Promise<unknown>;
}

/** Options of `Queue` and `UniqueQueue`. */
export interface QueueOptions<T> extends QueueObjectOptions<T> {
  /**
   * How often this consumer tells the queue it is alive, in ms, once it has taken something.
   *
   * @defaultValue 10000
   */
  heartbeatMs?: number | undefined;
  /**
   * Silence after which this consumer counts as dead and the reaper gives its deliveries back,
   * in ms; at least twice `heartbeatMs` and at least 1,000.
   *
   * @defaultValue 60000
   */
  consumerTimeoutMs?: number | undefined;
  /**
   * Where the Worker puts a value whose job ran out of attempts, before acking it away (a
   * `Queue` of the same codec, say); without one the value is only dropped.
   */
  deadLetterQueue?: DeadLetterQueue<T> | undefined;
  /** Enables {@link ReliableQueue.canRollbackItem}: how many rollbacks, over how long. */
  rollback?: RollbackOptions | undefined;
  /**
   * How long a value's rollback counter is kept after its last rollback, in ms (0: forever).
   *
   * @defaultValue 604800000 (7 days)
   */
  rollbackTtlMs?: number | undefined;
  /**
   * Where the queue logs (pino's shape): heartbeats lost, failures in the background.
   *
   * @defaultValue silent
   */
  logger?: Logger | undefined;
}

/** Options of {@link ReliableQueue.getItems}. */
export interface GetItemsOptions {
  /**
   * When nothing waits, wait this long (ms) for a value, without polling; 0 returns at once.
   *
   * @defaultValue 0
   */
  blockMs?: number | undefined;
}

/** Options of {@link ReliableQueue.close}. */
export interface QueueCloseOptions {
  /**
   * Give what this consumer still holds back to the head of the queue; `false` leaves it held,
   * for the reaper to give back once this consumer counts as dead.
   *
   * @defaultValue true
   */
  handBack?: boolean | undefined;
}

/** One atomic snapshot of a queue. */
export interface QueueStats {
  /** Values waiting. */
  waiting: number;
  /** Deliveries held by consumers. */
  processing: number;
  /** Registered consumers. */
  consumers: number;
  /** Of those, the ones silent longer than their timeout (the reaper will take their deliveries). */
  deadConsumers: number;
  /**
   * The values producers added since the queue was created, in total: every value of a `Queue`'s
   * adds, the values of a `UniqueQueue`'s adds that were not waiting already (deliveries given
   * back or re-enqueued are not adds).
   */
  added: number;
  /** The server's clock at the snapshot, epoch ms. */
  now: number;
}

/** A leased pool item: settle it with `ackItem`, `extendItems` or `removeItem`. */
export interface PoolLease<T> {
  /** The lease's identity: a lease that ran out and was handed to someone else no longer acks. */
  readonly id: string;
  /** The item, decoded. */
  readonly value: T;
}

/** One atomic snapshot of a {@link Pool}. */
export interface PoolStats {
  /** Items in the pool. */
  size: number;
  /** Items due now (expired leases included). */
  due: number;
  /** Items leased. */
  leased: number;
  /** The items producers added that were new to the pool, in total since it was created (re-adds of items in it are not counted). */
  added: number;
  /** The server's clock at the snapshot, epoch ms. */
  now: number;
}

/** A consumer of a queue, as {@link ReliableQueue.consumers} lists it. */
export interface QueueConsumer {
  /** Its id: host, pid and a random part. */
  id: string;
  /** Its last heartbeat, epoch ms (server clock). */
  lastHeartbeatAt: number;
  /** Whether it is within its timeout. */
  alive: boolean;
  /** How many deliveries it holds. */
  held: number;
  /** When it took the oldest of them, epoch ms; null when it holds none. */
  oldestHeldAt: number | null;
  /** Its timeout, as it registered it, in ms. */
  consumerTimeoutMs: number;
}

/** A value's rollback counter, as {@link ReliableQueue.rollbacks} lists it. */
export interface QueueRollback<T> {
  /** The value. */
  value: T;
  /** Its rollbacks so far. */
  count: number;
  /** Its first rollback, epoch ms (server clock). */
  firstAt: number;
  /** Its last rollback, epoch ms (server clock). */
  lastAt: number;
}

/** The events of a queue object. */
export interface QueueEvents {
  /** This consumer found itself removed at a heartbeat: its deliveries were taken (reaped or re-enqueued); acks of them fail with `LeaseLost`. */
  lost: [];
  /** A background failure (a heartbeat that could not be sent). */
  error: [error: Error];
}

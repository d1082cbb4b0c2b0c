import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { RedisClient } from '../connection/redis-client.js';
import { GoodRedisError, typed } from '../errors.js';
import { loggerOf, type Logger } from '../internal/logger.js';
import { reportError } from '../internal/report-error.js';
import { assertBoolean, assertInteger, invalid, optionsOf, ranks } from '../internal/validate.js';
import { traceSend } from '../observe/telemetry.js';
import type { JobSource } from '../jobs/job-source.js';
import { WorkSignal } from '../jobs/work-signal.js';
import type { QueueJob } from './queue-job.js';
import { QueueSource } from './queue-source.js';
import { HeldDeliveries } from './held-deliveries.js';
import { MAX_CHUNK, QueueObject } from './queue-object.js';
import type { DeliveryReply, QueueKind } from './scripts.js';
import type {
  Delivery,
  GetItemsOptions,
  QueueCloseOptions,
  QueueConsumer,
  QueueEvents,
  QueueOptions,
  QueueRollback,
  QueueStats,
  RollbackOptions,
} from './types.js';

/** A week: how long rollback counters are kept after their last rollback by default. */
const DEFAULT_ROLLBACK_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/** A delivery's id: `<consumer>|<seq>|<call>`, as the scripts make it. */
const DELIVERY_ID = /^[^|}]+\|\d{16}\|[^|]+$/;

/**
 * What `Queue` and `UniqueQueue` share: one consumer of one queue, with aio-py-rq's verbs. A
 * value taken with {@link getItems} stays in Redis, held by this consumer, until it is acked or
 * rejected; if the consumer dies (no heartbeat for `consumerTimeoutMs`), the reaper gives it
 * back to the head of the queue.
 *
 * @typeParam T - the type of the values, fixed by the codec
 */
export abstract class ReliableQueue<T> extends QueueObject<T, QueueEvents> {
  /** This consumer's id: `host:pid:random`, never reused. */
  public readonly consumerId: string = `${hostname().replace(/[|}]/g, '_')}:${String(process.pid)}:${randomBytes(6).toString('hex')}`;
  /** Which class this is, as the scripts check it. */
  protected abstract override readonly kind: QueueKind;
  private readonly heartbeatMs: number;
  private readonly consumerTimeoutMs: number;
  private readonly rollback: RollbackOptions | undefined;
  private readonly deadLetterQueue: QueueOptions<T>['deadLetterQueue'];
  private readonly rollbackTtlMs: number;
  private readonly logger: Logger;
  private readonly info: string;
  private heartbeat: NodeJS.Timeout | undefined;
  private registered = false;
  private closed = false;
  private signal: WorkSignal | undefined;
  private calls = 0;
  /** What this consumer holds, as it knows it (settles retried, stale deliveries handed back). */
  private readonly held = new HeldDeliveries({
    settle: (action, ids) => (action === 'ack' ? this.core.call('ackItems', { ids }) : this.core.call('rejectItems', { kind: this.kind, ids })),
    release: (which) => this.core.call('releaseItems', { kind: this.kind, consumer: this.consumerId, which }),
    report: (err) => {
      this.report(err);
    },
    closed: () => this.closed,
  });

  /**
   * @param client - the connection
   * @param name - the queue's name (non-empty, without `{` or `}`)
   * @param options - codec, chunks, heartbeat, rollback limits
   * @throws {@link GoodRedisError} `InvalidArgument` for a bad name or option
   */
  protected constructor(client: RedisClient, name: string, options: QueueOptions<T> = {}) {
    options = optionsOf(options);
    super(client, name, options);
    this.heartbeatMs = options.heartbeatMs ?? 10_000;
    assertInteger(this.heartbeatMs, 'heartbeatMs', 1);
    this.consumerTimeoutMs = options.consumerTimeoutMs ?? 60_000;
    assertInteger(this.consumerTimeoutMs, 'consumerTimeoutMs', Math.max(1000, 2 * this.heartbeatMs));
    if (options.rollback !== undefined) {
      const { maxRetry, maxTimeoutMs } = optionsOf(options.rollback, 'rollback');
      assertInteger(maxRetry, 'rollback.maxRetry', 0);
      assertInteger(maxTimeoutMs, 'rollback.maxTimeoutMs', 0);
      this.rollback = { maxRetry, maxTimeoutMs };
    }
    this.deadLetterQueue = options.deadLetterQueue;
    if (this.deadLetterQueue !== undefined && typeof this.deadLetterQueue.addItems !== 'function') throw invalid('deadLetterQueue must be a queue');
    this.rollbackTtlMs = options.rollbackTtlMs ?? DEFAULT_ROLLBACK_TTL_MS;
    assertInteger(this.rollbackTtlMs, 'rollbackTtlMs', 0);
    this.logger = loggerOf(options.logger);
    const [host = '', pid = ''] = this.consumerId.split(':');
    this.info = JSON.stringify({ t: this.consumerTimeoutMs, h: host, p: Number(pid), s: Date.now() });
  }

  /** Adds encoded values in chunks; returns each chunk's reply. */
  protected async addEncoded(values: readonly (string | Buffer)[]): Promise<({ length: number } | { added: boolean[] })[]> {
    if (values.length === 0) return [await this.core.call('addItems', { kind: this.kind, values: [] })];
    const chunks: [number, () => Promise<{ length: number } | { added: boolean[] }>][] = [];
    for (let i = 0; i < values.length; i += this.chunkSize) {
      const chunk = values.slice(i, i + this.chunkSize);
      chunks.push([chunk.length, () => this.core.call('addItems', { kind: this.kind, values: chunk })]);
    }
    return traceSend({ family: this.kind, name: this.name }, values.length, () => this.inChunks(values.length, chunks));
  }

  /**
   * Takes up to `count` values from the head of the queue into this consumer's holdings,
   * after giving back one chunk of dead consumers' deliveries. With `blockMs` and nothing
   * waiting, waits for a value without polling (a blocking pop on a connection of its own).
   *
   * @param count - 1 to 10,000
   * @param options - `blockMs`
   * @returns the deliveries, in hand-out order
   * @throws {@link GoodRedisError} `InvalidArgument` for a bad count or `blockMs`
   */
  public async getItems(count = 1, options: GetItemsOptions = {}): Promise<Delivery<T>[]> {
    const { taken, errors } = await this.take(count, options);
    for (const err of errors) this.report(err);
    return taken.map(({ id, value }) => ({ id, value }));
  }

  /**
   * getItems, with each value's rollback count (for the Worker's `attempt`), and the `Codec`
   * errors of the values that did not decode (set aside: see {@link setAside}).
   */
  private async take(count: number, options: GetItemsOptions): Promise<{ taken: { id: string; value: T; rollbacks: number }[]; errors: GoodRedisError[] }> {
    assertInteger(count, 'count', 1, MAX_CHUNK);
    const { blockMs = 0 } = optionsOf(options);
    assertInteger(blockMs, 'blockMs', 0);
    if (this.closed) throw new GoodRedisError('InvalidArgument', `queue ${JSON.stringify(this.name)}: this consumer is closed`);
    const deadline = Date.now() + blockMs;
    for (;;) {
      const took = await this.takeOnce(count);
      const left = deadline - Date.now();
      if (took.taken.length > 0 || took.errors.length > 0 || left <= 0 || this.isClosed()) return took;
      this.signal ??= new WorkSignal(this.client, this.redisKeys.marker);
      await this.signal.wait(left);
    }
  }

  /**
   * Ends deliveries whose value the codec refuses (another producer's, a hand edit's): each goes
   * to the `deadLetterQueue` as it is stored when that is a good-redis queue, else is dropped, so
   * that none stays held by a consumer that cannot run it. Returns one `Codec` error per value,
   * naming the delivery and, when dropped, the value's first 200 characters.
   */
  private async setAside(unreadable: readonly { id: string; raw: string | Buffer; error: unknown }[]): Promise<GoodRedisError[]> {
    const dead = this.deadLetterQueue instanceof ReliableQueue ? (this.deadLetterQueue as ReliableQueue<unknown>) : undefined;
    if (dead !== undefined) await dead.addEncoded(unreadable.map((u) => u.raw));
    const ids = unreadable.map((u) => u.id);
    await this.held.settle('ack', ids, () => this.core.call('ackItems', { ids }));
    return unreadable.map(({ raw, error }) =>
      dead !== undefined ? this.unreadableError(error, `moved as it is to queue ${JSON.stringify(dead.name)}`) : this.unreadableError(error, 'dropped', raw),
    );
  }

  private async takeOnce(count: number): Promise<{ taken: { id: string; value: T; rollbacks: number }[]; errors: GoodRedisError[] }> {
    this.calls += 1;
    const callId = `${String(Date.now())}.${String(this.calls)}`;
    let delivered: DeliveryReply[];
    this.held.callStarted(callId);
    try {
      delivered = await this.core.call(
        'getItems',
        {
          kind: this.kind,
          consumer: this.consumerId,
          info: this.info,
          count,
          callId,
          chunk: this.chunkSize,
          rollbackTtlMs: this.rollbackTtlMs,
        },
        { binary: this.codec.binary },
      );
    } catch (err) {
      this.held.callEnded(callId);
      // The script may have run: hand back what it gave this consumer, so none of it stays held unseen.
      if (GoodRedisError.is(err, 'Replication'))
        await this.release(callId).catch(() => {
          this.releaseLater(callId);
        });
      else if (GoodRedisError.is(err, 'Connection')) this.releaseLater(callId);
      throw err;
    }
    this.startHeartbeat();
    const handedOut: string[] = [];
    const taken: { id: string; value: T; rollbacks: number }[] = [];
    const unreadable: { id: string; raw: string | Buffer; error: unknown }[] = [];
    for (const { id, raw, rollbacks } of delivered) {
      handedOut.push(id);
      try {
        taken.push({ id, value: this.decode(raw, `delivery ${id}`), rollbacks });
      } catch (error) {
        unreadable.push({ id, raw, error });
      }
    }
    this.held.callEnded(callId, handedOut);
    return { taken, errors: unreadable.length > 0 ? await this.setAside(unreadable) : [] };
  }

  /** Hands back the deliveries of one getItems call. */
  private release(callId: string): Promise<unknown> {
    return this.core.call('releaseItems', { kind: this.kind, consumer: this.consumerId, which: { kind: 'call', callId } });
  }

  /** Hands back, in the background, the deliveries of a getItems call whose reply was lost (retried on failure). */
  private releaseLater(callId: string, attempt = 1): void {
    this.release(callId).catch((err: unknown) => {
      if (attempt >= 5) {
        this.report(err);
        return;
      }
      setTimeout(() => {
        this.releaseLater(callId, attempt + 1);
      }, 1000 * attempt).unref();
    });
  }

  /**
   * Acknowledges a delivery: it ends for good, and its value's rollback counter is cleared.
   *
   * @param delivery - what `getItems` returned
   * @throws {@link GoodRedisError} `LeaseLost` when it is no longer held (acked, rejected, re-enqueued, dropped)
   */
  public async ackItem(delivery: Delivery<T>): Promise<void> {
    await this.ackItems([delivery]);
  }

  /**
   * Acknowledges deliveries, all or nothing, in chunks.
   *
   * @param deliveries - what `getItems` returned
   * @returns how many were acknowledged
   * @throws {@link GoodRedisError} `LeaseLost` when any of a chunk is no longer held (that chunk changes nothing)
   */
  public async ackItems(deliveries: readonly Delivery<T>[]): Promise<number> {
    const ids = idsOf(deliveries);
    let done = 0;
    for (let i = 0; i < ids.length; i += this.chunkSize) {
      const chunk = ids.slice(i, i + this.chunkSize);
      done += await this.held.settle('ack', chunk, () => this.core.call('ackItems', { ids: chunk }));
    }
    return done;
  }

  /**
   * Gives a delivery back to the head of the queue: it is handed out next.
   *
   * @param delivery - what `getItems` returned
   * @throws {@link GoodRedisError} `LeaseLost` when it is no longer held
   */
  public async rejectItem(delivery: Delivery<T>): Promise<void> {
    await this.rejectItems([delivery]);
  }

  /**
   * Gives deliveries back to the head of the queue, all or nothing: the first is handed out next.
   *
   * @param deliveries - what `getItems` returned
   * @returns how many were given back
   * @throws {@link GoodRedisError} `LeaseLost` when any is no longer held
   */
  public async rejectItems(deliveries: readonly Delivery<T>[]): Promise<number> {
    const ids = idsOf(deliveries);
    if (ids.length > this.chunkSize) {
      // Later chunks first, so the first delivery still ends nearest the head.
      let done = 0;
      for (let end = ids.length; end > 0; end -= this.chunkSize) {
        const chunk = ids.slice(Math.max(0, end - this.chunkSize), end);
        done += await this.held.settle('reject', chunk, () => this.core.call('rejectItems', { kind: this.kind, ids: chunk }));
      }
      return done;
    }
    return this.held.settle('reject', ids, () => this.core.call('rejectItems', { kind: this.kind, ids }));
  }

  /**
   * Removes waiting copies of a value (`LREM` semantics), and its rollback counter. Held
   * deliveries are untouched. O(waiting).
   *
   * @param value - the value
   * @param count - `> 0`: the most recently added copies; `< 0`: the next to be handed out; `0`: all
   * @returns how many copies were removed
   */
  public async deleteItem(value: T, count = 0): Promise<number> {
    return this.deleteItems([value], count);
  }

  /**
   * {@link deleteItem} for several values, one atomic step per value.
   *
   * @param values - the values
   * @param count - as for {@link deleteItem}
   * @returns how many copies were removed in all
   */
  public async deleteItems(values: readonly T[], count = 0): Promise<number> {
    assertInteger(count, 'count', -Number.MAX_SAFE_INTEGER);
    const encoded = this.encodeAll(values);
    let removed = 0;
    for (const value of encoded) removed += await this.core.call('deleteItem', { kind: this.kind, count, value });
    return removed;
  }

  /**
   * Gives back the deliveries of every consumer silent longer than `timeoutMs` (omitted: dead by
   * its own `consumerTimeoutMs`; 0: every consumer, live ones included), in bounded chunks that
   * each re-check the rule; emptied consumers are removed. The longest-silent consumer's values
   * come back nearest the head, each consumer's in the order it took them.
   *
   * @param timeoutMs - the silence that counts
   * @returns how many deliveries came back
   */
  public reEnqueueTimeoutItems(timeoutMs?: number): Promise<number> {
    return this.reap(timeoutMs === undefined ? 'dead' : 'timeout', timeoutMs, 'requeue');
  }

  /** Gives back every consumer's deliveries; live consumers' later acks fail with `LeaseLost`. @returns how many came back */
  public reEnqueueAllItems(): Promise<number> {
    return this.reap('all', undefined, 'requeue');
  }

  /**
   * Deletes the deliveries {@link reEnqueueTimeoutItems} would give back.
   *
   * @param timeoutMs - the silence that counts
   * @returns how many were deleted
   */
  public dropTimeoutItems(timeoutMs?: number): Promise<number> {
    return this.reap(timeoutMs === undefined ? 'dead' : 'timeout', timeoutMs, 'drop');
  }

  /** Deletes every consumer's deliveries. @returns how many were deleted */
  public dropAllItems(): Promise<number> {
    return this.reap('all', undefined, 'drop');
  }

  private async reap(mode: 'dead' | 'timeout' | 'all', timeoutMs: number | undefined, action: 'requeue' | 'drop'): Promise<number> {
    if (timeoutMs !== undefined) assertInteger(timeoutMs, 'timeoutMs', 0);
    let total = 0;
    for (;;) {
      const { moved, left } = await this.core.call('reapItems', {
        kind: this.kind,
        mode,
        timeoutMs,
        action,
        limit: this.chunkSize,
        rollbackTtlMs: this.rollbackTtlMs,
      });
      total += moved;
      if (left === 0) return total;
    }
  }

  /**
   * Counts one rollback of a value and tells whether it may be rolled back again: `false` only
   * when its count exceeds `rollback.maxRetry` and its first rollback is at least
   * `rollback.maxTimeoutMs` old (server clock).
   *
   * @param value - the value
   * @throws {@link GoodRedisError} `InvalidArgument` without the `rollback` option
   */
  public async canRollbackItem(value: T): Promise<boolean> {
    if (this.rollback === undefined) throw invalid('canRollbackItem needs the rollback option: { maxRetry, maxTimeoutMs }');
    return this.countRollback(value, this.rollback);
  }

  /** Counts one rollback of a value against `limit`: whether it may be rolled back again. */
  private async countRollback(value: T, limit: RollbackOptions): Promise<boolean> {
    const [encoded] = this.encodeAll([value]);
    return (await this.core.call('rollback', { action: 'count', value: encoded ?? '', ...limit })) === 1;
  }

  /**
   * Clears a value's rollback counter.
   *
   * @param value - the value
   */
  public async resetBlockedItem(value: T): Promise<void> {
    const [encoded] = this.encodeAll([value]);
    await this.core.call('rollback', { action: 'reset', value: encoded ?? '' });
  }

  /** How many values wait. */
  public async getCount(): Promise<number> {
    return typed(this.client.llen(this.redisKeys.list));
  }

  /**
   * The waiting values in hand-out order (the next first), paged.
   *
   * @param range - `offset` and `limit` (default: all)
   */
  public async items(range: { offset?: number | undefined; limit?: number | undefined } = {}): Promise<T[]> {
    const { start, stop } = ranks(range);
    if (stop !== -1 && stop < start) return [];
    // The next value is the rightmost: ranks from the right are negative indexes.
    const [left, right] = [stop === -1 ? 0 : -1 - stop, -1 - start];
    const raw = this.codec.binary
      ? await typed(this.client.lrangeBuffer(this.redisKeys.list, left, right))
      : await typed(this.client.lrange(this.redisKeys.list, left, right));
    return raw.reverse().map((value, i) => this.decode(value, `the value at rank ${String(start + i)}`));
  }

  /**
   * The rollback counters, most recently rolled back first.
   *
   * @param range - `limit` (default 10)
   */
  public async rollbacks(range: { limit?: number | undefined } = {}): Promise<QueueRollback<T>[]> {
    const { limit = 10 } = optionsOf(range, 'range');
    assertInteger(limit, 'limit', 0, MAX_CHUNK);
    if (limit === 0) return [];
    const flat = this.codec.binary
      ? await typed(this.client.zrevrangeBuffer(this.redisKeys.rollbackTimes, 0, limit - 1, 'WITHSCORES'))
      : await typed(this.client.zrevrange(this.redisKeys.rollbackTimes, 0, limit - 1, 'WITHSCORES'));
    const values = flat.filter((_, i) => i % 2 === 0);
    const counts = values.length === 0 ? [] : await typed(this.client.hmget(this.redisKeys.rollbacks, ...values));
    return values.map((raw, i) => {
      const [count = '0', first = '0'] = (counts[i] ?? '0:0').split(':');
      return { value: this.decode(raw, 'a rollback counter'), count: Number(count), firstAt: Number(first), lastAt: Number(flat[2 * i + 1]) };
    });
  }

  /** One atomic snapshot: waiting, processing, consumers, dead consumers, the values added in total, the server's clock. */
  public async stats(): Promise<QueueStats> {
    return this.core.call('readStats', {});
  }

  /** The registered consumers, least recently heard from first, with what each holds. */
  public async consumers(): Promise<QueueConsumer[]> {
    return this.core.call('readConsumers', {});
  }

  /**
   * Stops this consumer: stops its heartbeat and any blocked `getItems`, and, with `handBack`
   * (the default), gives what it still holds back to the head of the queue. Idempotent.
   *
   * @param options - `handBack`
   */
  public async close(options: QueueCloseOptions = {}): Promise<void> {
    const { handBack = true } = optionsOf(options);
    assertBoolean(handBack, 'handBack');
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.heartbeat);
    this.heartbeat = undefined;
    this.held.stop();
    this.signal?.close();
    if (!handBack || !this.registered) return;
    for (;;) {
      const n = await this.core.call('releaseItems', {
        kind: this.kind,
        consumer: this.consumerId,
        removeConsumer: true,
        limit: this.chunkSize,
        which: { kind: 'all' },
      });
      if (n < this.chunkSize) return;
    }
  }

  /** `await using queue = new Queue(…)`: closes it, handing back what it holds. */
  public async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /**
   * The queue as a {@link JobSource} for the {@link JobWorker}: `leaseBatch` is `getItems`
   * (`leaseMs` is unused: the heartbeat holds deliveries), `attempt` is 1 + the value's rollback
   * count; a nack counts a rollback and, past the limit (the `rollback` option, else
   * `maxAttempts − 1` rollbacks), adds the value to `deadLetterQueue` when there is one, acks the
   * delivery away and answers `'dead'`, else holds it `delayMs` and rejects it to the head.
   *
   * @returns a new source over this queue
   */
  public jobSource(): JobSource<QueueJob<T>> {
    return new QueueSource<T>({
      client: this.client,
      kind: this.kind,
      name: this.name,
      prefix: this.prefix,
      marker: this.redisKeys.marker,
      rollback: this.rollback,
      take: (count) => this.take(count, {}),
      ackItem: (delivery) => this.ackItem(delivery),
      rejectItem: (delivery) => this.rejectItem(delivery),
      ackItems: (deliveries) => this.ackItems(deliveries),
      rejectItems: (deliveries) => this.rejectItems(deliveries),
      countRollback: (value, limit) => this.countRollback(value, limit),
      bury: async (value) => {
        await this.deadLetterQueue?.addItems([value]);
      },
      holds: async (ids) => (await typed(this.client.zmscore(this.redisKeys.held, ...ids))).map((score) => score !== null),
      report: (err) => {
        this.report(err);
      },
    });
  }

  /** Whether close() was called (read through a method: it changes while a call awaits). */
  private isClosed(): boolean {
    return this.closed;
  }

  /** Starts the heartbeat once this consumer has registered (its first getItems). */
  private startHeartbeat(): void {
    this.registered = true;
    if (this.heartbeat !== undefined || this.closed) return;
    const beat = (): void => {
      this.heartbeat = setTimeout(() => {
        this.core
          .call('heartbeat', { consumer: this.consumerId, info: this.info })
          .then(async ({ known, held }) => {
            if (!known) {
              this.logger.warn({ queue: this.name, consumer: this.consumerId }, 'consumer was removed; its deliveries were taken');
              this.emit('lost');
            }
            // Deliveries Redis holds for it that it no longer runs (a settle whose outcome stayed unknown, an ack a failover lost): handed back.
            const stale = await this.held.reconcile(held);
            if (stale > 0) this.logger.warn({ queue: this.name, consumer: this.consumerId, stale }, 'handed back deliveries this consumer no longer runs');
          })
          .catch((err: unknown) => {
            this.report(err);
          })
          .finally(() => {
            if (!this.closed && this.client.status !== 'end') beat();
          });
      }, this.heartbeatMs);
      this.heartbeat.unref();
    };
    beat();
  }

  private report(err: unknown): void {
    this.logger.error({ queue: this.name, err }, 'queue background failure');
    reportError(this, err, `queue ${this.name}`);
  }
}

/** The ids of deliveries, each checked to be one this family handed out. */
function idsOf(deliveries: readonly { id: string }[]): string[] {
  if (!Array.isArray(deliveries)) throw invalid('deliveries must be an array of what getItems returned');
  return (deliveries as readonly unknown[]).map((d, i) => {
    const id = (d as { id?: unknown } | null)?.id;
    if (typeof id !== 'string' || !DELIVERY_ID.test(id)) throw invalid(`deliveries[${String(i)}] is not a delivery of a queue (no id from getItems)`);
    return id;
  });
}

import { Cluster } from 'ioredis';
import { decodeWith, encodeWith, jsonCodec, type Codec } from '../codec.js';
import type { RedisClient } from '../connection/redis-client.js';
import { fromRedisError, GoodRedisError, typed } from '../errors.js';
import { assertBoolean, assertInteger, describe as describeValue, invalid, optionsOf } from '../internal/validate.js';
import { execConfirmed, replicationOf, type ReplicationOptions } from '../scripting/script-set.js';
import { ObjectCore } from '../keyspace/object-core.js';
import { TASK_RESULT_SCRIPTS, type TaskResultCore } from './scripts.js';
import { taskResultKeys, type TaskResultKeys } from './task-keys.js';
import type { TaskProgress, TaskResult } from './types.js';

/** Wakes a wait: with the notice's payload (the encoded result), or with nothing (a reconnect, a close). */
type Wake = (payload: Buffer | undefined) => void;

/** How long results and progress live when the store is given no TTL: 24 hours. */
export const DEFAULT_RESULT_TTL_MS = 86_400_000;

/** Options of a {@link ResultStore}. */
export interface ResultStoreOptions {
  /**
   * The key prefix (`P` in `P:tr{taskId}:result`).
   *
   * @defaultValue `''`
   */
  prefix?: string | undefined;
  /** How long a result (and its progress) lives, in ms: a positive whole number. Not with `ttlSeconds`. */
  ttlMs?: number | undefined;
  /**
   * How long a result (and its progress) lives, in seconds: a positive whole number. Not with `ttlMs`.
   *
   * @defaultValue 24 hours, when neither is given
   */
  ttlSeconds?: number | undefined;
  /**
   * Keep a result after it is read; `false` makes a read (`get`, `waitResult`) take the result
   * and its progress away in one step, so a second read throws `ResultMissing`.
   *
   * @defaultValue `true`
   */
  keepResults?: boolean | undefined;
  /**
   * Encodes and decodes results.
   *
   * @defaultValue JSON
   */
  codec?: Codec<TaskResult> | undefined;
  /**
   * Confirm every write (results, progress, the take of `keepResults: false`) with replicas:
   * each goes out with `WAIT replicas timeoutMs` in one pipeline, and fewer confirmations fail
   * the call with a `Replication` error (the write happened on the master). Reads never wait.
   *
   * @defaultValue none
   */
  replication?: ReplicationOptions | undefined;
  /**
   * While waiting, read the result again this often, in ms, in case a notice was lost (a
   * reconnect re-reads at once).
   *
   * @defaultValue 5000
   */
  recheckMs?: number | undefined;
}

/** Checks a task id (or a schedule id): a non-empty string without `{` or `}`, for it is a hash tag. */
export function assertTaskId(id: unknown, what = 'taskId'): asserts id is string {
  if (typeof id !== 'string' || id.length === 0 || id.includes('{') || id.includes('}')) {
    throw invalid(`${what} must be a non-empty string without "{" or "}", got ${describeValue(id)}`);
  }
}

/** The TTL of the options in ms: `ttlMs` or `ttlSeconds` (not both), a positive whole number; 24 hours by default. */
function ttlOf(options: ResultStoreOptions): number {
  const { ttlMs, ttlSeconds } = options;
  if (ttlMs !== undefined && ttlSeconds !== undefined) throw invalid('give ttlMs or ttlSeconds, not both');
  if (ttlMs !== undefined) {
    assertInteger(ttlMs, 'ttlMs', 1);
    return ttlMs;
  }
  if (ttlSeconds !== undefined) {
    assertInteger(ttlSeconds, 'ttlSeconds', 1, Math.floor(Number.MAX_SAFE_INTEGER / 1000));
    return ttlSeconds * 1000;
  }
  return DEFAULT_RESULT_TTL_MS;
}

/**
 * Where task results and progress live, one string key each per task (`P:tr{taskId}:result`,
 * `:progress`), with a TTL, in the task id's Cluster slot so results spread over the shards.
 * Workers store results; senders read them or wait for them: a wait does not poll, it listens
 * for the notice the store script publishes (sharded pub/sub on a Cluster), on one subscriber
 * connection per store, re-reading after a reconnect and every `recheckMs`.
 *
 * @example
 * ```ts
 * const results = new ResultStore(redis, { ttlMs: 3_600_000 });
 * const broker = new StreamBroker(redis, 'emails', { results });
 * ```
 */
export class ResultStore {
  /** The key prefix. */
  public readonly prefix: string;
  /** The connection results are read and written on (never closed by the store). */
  public readonly client: RedisClient;
  /** How long a result lives, in ms. */
  public readonly ttlMs: number;
  /** Whether a read leaves the result in place. */
  public readonly keepResults: boolean;
  private readonly codec: Codec<TaskResult>;
  private readonly recheckMs: number;
  private readonly cluster: boolean;
  private readonly replication: { replicas: number; timeoutMs: number } | undefined;
  /** Runs the result scripts (each call names its task's keys). */
  private readonly core: TaskResultCore;
  private subscriber: RedisClient | undefined;
  /** The wake-ups of the waits in progress, by notice channel. */
  private readonly waiters = new Map<string, Set<Wake>>();
  /** Subscriptions made or in progress, by channel. */
  private readonly subscriptions = new Map<string, Promise<unknown>>();
  private closed = false;

  /**
   * @param client - the connection (standalone, Sentinel or Cluster); a wait subscribes on a duplicate of it
   * @param options - see {@link ResultStoreOptions}
   * @throws {@link GoodRedisError} `InvalidArgument` for bad options
   */
  public constructor(client: RedisClient, options: ResultStoreOptions = {}) {
    options = optionsOf(options);
    this.prefix = options.prefix ?? '';
    taskResultKeys('x', this.prefix); // checks the prefix
    this.client = client;
    this.ttlMs = ttlOf(options);
    this.keepResults = options.keepResults ?? true;
    assertBoolean(this.keepResults, 'keepResults');
    this.codec = options.codec ?? jsonCodec<TaskResult>();
    this.recheckMs = options.recheckMs ?? 5000;
    assertInteger(this.recheckMs, 'recheckMs', 1);
    this.cluster = client instanceof Cluster;
    this.replication = replicationOf(options.replication);
    this.core = new ObjectCore(client, 'results', this.prefix, undefined, TASK_RESULT_SCRIPTS, this.codec, this.replication);
  }

  /** The keys of a task's result (checking the id). */
  private keysOf(taskId: string): TaskResultKeys {
    assertTaskId(taskId);
    return taskResultKeys(taskId, this.prefix);
  }

  /**
   * Stores a task's result (replacing any) with the store's TTL, gives its progress the same
   * TTL, and tells the waiters, in one script.
   *
   * @param taskId - the task id
   * @param result - the result
   */
  public async set(taskId: string, result: TaskResult): Promise<void> {
    const keys = this.keysOf(taskId);
    const encoded = encodeWith(this.codec, result);
    await this.core.call(
      'storeResult',
      { encoded, ttlMs: this.ttlMs, channel: keys.done, sharded: this.cluster },
      { keys, binary: this.codec.binary === true },
    );
  }

  /**
   * Reads a task's result (taking it away with `keepResults: false`).
   *
   * @param taskId - the task id
   * @throws {@link GoodRedisError} `ResultMissing` when there is none (never stored, expired, or taken)
   */
  public async get<R = unknown>(taskId: string): Promise<TaskResult<R>> {
    const found = await this.read(this.keysOf(taskId), taskId);
    if (found === undefined)
      throw new GoodRedisError('ResultMissing', `no result for task ${JSON.stringify(taskId)} (never stored, expired, or already taken)`);
    return found as TaskResult<R>;
  }

  /** Reads a result, or undefined when there is none. */
  private async read(keys: TaskResultKeys, taskId: string): Promise<TaskResult | undefined> {
    const binary = this.codec.binary === true;
    let raw: unknown;
    if (!this.keepResults) raw = await this.core.call('takeResult', {}, { keys, binary });
    else raw = binary ? await typed(this.client.getBuffer(keys.result)) : await typed(this.client.get(keys.result));
    if (raw === null || raw === undefined) return undefined;
    return decodeWith(this.codec, raw as string | Buffer, () => `the result of task ${JSON.stringify(taskId)}`);
  }

  /**
   * Whether a task has a result now.
   *
   * @param taskId - the task id
   */
  public async has(taskId: string): Promise<boolean> {
    return (await typed(this.client.exists(this.keysOf(taskId).result))) === 1;
  }

  /**
   * Deletes a task's result and progress.
   *
   * @param taskId - the task id
   * @returns whether there was a result
   */
  public async delete(taskId: string): Promise<boolean> {
    const keys = this.keysOf(taskId);
    const [removed] = await Promise.all([typed(this.client.unlink(keys.result)), typed(this.client.unlink(keys.progress))]);
    return removed === 1;
  }

  /**
   * Stores a task's progress (JSON, with the store's TTL).
   *
   * @param taskId - the task id
   * @param state - what the task is doing
   * @param meta - anything JSON to add
   */
  public async setProgress(taskId: string, state: string, meta: unknown = null): Promise<void> {
    const keys = this.keysOf(taskId);
    if (typeof state !== 'string') throw invalid(`state must be a string, got ${describeValue(state)}`);
    const progress: TaskProgress = { state, meta, updatedAt: Date.now() };
    let encoded: string;
    try {
      encoded = JSON.stringify(progress);
    } catch (err) {
      throw new GoodRedisError('Codec', `the progress of task ${JSON.stringify(taskId)} is not JSON: ${(err as Error).message}`, { cause: err });
    }
    if (this.replication === undefined) {
      await typed(this.client.set(keys.progress, encoded, 'PX', this.ttlMs));
      return;
    }
    const pipeline = this.client.pipeline().set(keys.progress, encoded, 'PX', this.ttlMs);
    await execConfirmed(pipeline, this.replication.replicas, this.replication.timeoutMs, `the progress of task ${JSON.stringify(taskId)}`);
  }

  /**
   * Reads a task's last progress.
   *
   * @param taskId - the task id
   * @returns the progress, or `null` when there is none
   */
  public async getProgress(taskId: string): Promise<TaskProgress | null> {
    const raw = await typed(this.client.get(this.keysOf(taskId).progress));
    return raw === null ? null : (JSON.parse(raw) as TaskProgress);
  }

  /**
   * Waits for a task's result without polling: subscribes to its notice first, then reads; the
   * notice carries the stored result, which ends the wait with no read (with `keepResults:
   * false` it is taken with a read, so that one reader gets it); reads again after a
   * reconnect and every `recheckMs`.
   *
   * @param taskId - the task id
   * @param options - `timeoutMs`: the longest wait (default 30 s)
   * @throws {@link GoodRedisError} `Timeout` when no result came in time
   */
  public async wait<R = unknown>(taskId: string, options: { timeoutMs?: number | undefined } = {}): Promise<TaskResult<R>> {
    const keys = this.keysOf(taskId);
    const { timeoutMs = 30_000 } = optionsOf(options);
    assertInteger(timeoutMs, 'timeoutMs', 0);
    if (this.closed) throw new GoodRedisError('Connection', 'this result store is closed');
    const deadline = performance.now() + timeoutMs;
    let wake: Wake = () => undefined;
    const onNotice: Wake = (payload) => {
      wake(payload);
    };
    this.addWaiter(keys.done, onNotice);
    try {
      await this.subscribe(keys.done);
      let notice: Buffer | undefined;
      for (;;) {
        const woken = new Promise<Buffer | undefined>((resolve) => (wake = resolve));
        const found = this.fromNotice(notice, taskId) ?? (await this.read(keys, taskId));
        if (found !== undefined) return found as TaskResult<R>;
        if (this.isClosed()) throw new GoodRedisError('Connection', `the result store was closed while waiting for task ${JSON.stringify(taskId)}`);
        const left = deadline - performance.now();
        if (left <= 0) throw new GoodRedisError('Timeout', `no result for task ${JSON.stringify(taskId)} within ${String(timeoutMs)} ms`);
        let timer: NodeJS.Timeout | undefined;
        notice = await Promise.race([
          woken,
          new Promise<undefined>((resolve) => {
            timer = setTimeout(
              () => {
                resolve(undefined);
              },
              Math.min(left, this.recheckMs),
            );
          }),
        ]);
        clearTimeout(timer);
      }
    } finally {
      this.removeWaiter(keys.done, onNotice);
    }
  }

  /**
   * The result a notice carries (the store script publishes the encoded result), when the store
   * keeps results (a take must go through Redis so that one reader gets it); undefined when
   * there is none or it does not decode, and the wait reads the key instead.
   */
  private fromNotice(notice: Buffer | undefined, taskId: string): TaskResult | undefined {
    if (notice === undefined || !this.keepResults) return undefined;
    try {
      return decodeWith(this.codec, this.codec.binary === true ? notice : notice.toString(), () => `the result of task ${JSON.stringify(taskId)}`);
    } catch {
      return undefined;
    }
  }

  private addWaiter(channel: string, wake: Wake): void {
    const set = this.waiters.get(channel) ?? new Set();
    set.add(wake);
    this.waiters.set(channel, set);
  }

  private removeWaiter(channel: string, wake: Wake): void {
    const set = this.waiters.get(channel);
    set?.delete(wake);
    if (set === undefined || set.size > 0) return;
    this.waiters.delete(channel);
    this.subscriptions.delete(channel);
    const subscriber = this.subscriber;
    if (subscriber === undefined || this.closed) return;
    (this.cluster ? subscriber.sunsubscribe(channel) : subscriber.unsubscribe(channel)).catch(() => undefined);
  }

  /** The subscriber connection, made on the first wait. */
  private subscriberOf(): RedisClient {
    if (this.subscriber !== undefined) return this.subscriber;
    const subscriber = this.client instanceof Cluster ? this.client.duplicate([], { shardedSubscribers: true }) : this.client.duplicate();
    subscriber.on('error', () => undefined); // failures reach the waits through their reads
    const wakeAll = (): void => {
      for (const set of this.waiters.values()) for (const wake of set) wake(undefined);
    };
    subscriber.on(this.cluster ? 'smessageBuffer' : 'messageBuffer', (channel: Buffer, payload: Buffer) => {
      for (const wake of this.waiters.get(channel.toString()) ?? []) wake(payload);
    });
    subscriber.on('ready', wakeAll); // a reconnect may have missed notices
    this.subscriber = subscriber;
    return subscriber;
  }

  private subscribe(channel: string): Promise<unknown> {
    let subscribed = this.subscriptions.get(channel);
    if (subscribed === undefined) {
      const subscriber = this.subscriberOf();
      subscribed = (this.cluster ? subscriber.ssubscribe(channel) : subscriber.subscribe(channel)).catch((err: unknown) => {
        this.subscriptions.delete(channel);
        throw fromRedisError(err);
      });
      this.subscriptions.set(channel, subscribed);
    }
    return subscribed;
  }

  /** Whether close() was called (read through a method: it changes while a wait is pending). */
  private isClosed(): boolean {
    return this.closed;
  }

  /** Closes the subscriber connection (never the client given); waits in progress fail with `Connection`. Idempotent. */
  public close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    this.subscriber?.disconnect();
    for (const set of this.waiters.values()) for (const wake of set) wake(undefined);
    return Promise.resolve();
  }

  /** `await using results = new ResultStore(…)`: closes it. */
  public async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

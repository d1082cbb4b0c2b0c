import { Cluster } from 'ioredis';
import type { RedisClient } from '../connection/redis-client.js';
import { fromRedisError } from '../errors.js';
import type { WorkWaiter } from '../jobs/job-source.js';

/** Where an idle consumer waits: a partition's log, after the last entry it saw there. */
export interface WaitPosition {
  /** The partition. */
  readonly partition: number;
  /** The partition's log key. */
  readonly log: string;
  /** Wait for an entry after this id. */
  readonly after: string;
}

/** What the signal asks of its consumer. */
export interface SignalSource {
  /** Where to wait now: the owned partitions that may get new work, with their last seen ids. */
  positions(): WaitPosition[];
  /** Registers a local wake-up (a unit settled, a partition was acquired); returns its removal. */
  onWake(wake: () => void): () => void;
  /** Whether the consumer was woken since its last fetch began (the wait then returns at once). */
  woken(): boolean;
}

/** A blocking read in progress on one connection. */
interface PendingRead {
  readonly keys: string;
  readonly done: Promise<boolean>;
}

/**
 * An idle topic consumer's wait for work, without polling: `XREAD BLOCK` on the owned
 * partitions after their last seen ids, on a connection of its own (on a Cluster, whose
 * partitions live in different slots, one per partition), woken at once by the consumer itself
 * when one of its units settles or it acquires a partition, and bounded by `wakeInMs` and the
 * timeout. A blocking read still pending from an earlier wait is reused, not queued behind.
 */
export class TopicSignal implements WorkWaiter {
  private readonly connections = new Map<string, RedisClient>();
  private readonly reads = new Map<string, PendingRead>();
  private readonly cluster: boolean;
  /** Each standalone blocking connection's `CLIENT ID`. */
  private readonly ids = new Map<RedisClient, Promise<string | undefined>>();
  private closed = false;
  private readonly closing: Promise<false>;
  private closeNow: () => void = () => undefined;

  /**
   * @param client - the consumer's connection; duplicates of it do the blocking
   * @param source - the consumer
   */
  public constructor(
    private readonly client: RedisClient,
    private readonly source: SignalSource,
  ) {
    this.cluster = client instanceof Cluster;
    this.closing = new Promise<false>((resolve) => {
      this.closeNow = () => {
        resolve(false);
      };
    });
  }

  /**
   * Waits until a new entry arrives in an owned partition, the consumer wakes it, `wakeInMs`
   * (when not -1) or `timeoutMs` passes, or the signal is closed.
   *
   * @returns `true` when work was signalled
   */
  public async waitForWork(wakeInMs: number, timeoutMs: number): Promise<boolean> {
    if (this.closed) return false;
    if (this.source.woken()) return true;
    const ms = Math.max(1, wakeInMs >= 0 ? Math.min(wakeInMs + 5, timeoutMs) : timeoutMs);
    let timer: NodeJS.Timeout | undefined;
    let removeWake: (() => void) | undefined;
    const woken = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => {
        resolve(false);
      }, ms);
      removeWake = this.source.onWake(() => {
        resolve(true);
      });
    });
    try {
      const positions = this.source.positions();
      const reads = this.cluster ? positions.map((p) => this.read([p], ms)) : positions.length > 0 ? [this.read(positions, ms)] : [];
      return await Promise.race([woken, this.closing, ...reads]);
    } catch (err) {
      if (this.isClosed()) return false; // close() aborted the wait
      throw fromRedisError(err);
    } finally {
      clearTimeout(timer);
      removeWake?.();
    }
  }

  /** An `XREAD BLOCK` over `positions` on their connection, or the one still pending there. */
  private read(positions: readonly WaitPosition[], ms: number): Promise<boolean> {
    const connectionKey = this.cluster ? String(positions[0]?.partition) : 'all';
    const keys = positions.map((p) => `${p.log} ${p.after}`).join(' ');
    const pending = this.reads.get(connectionKey);
    if (pending !== undefined) {
      // Reuse a read over the same positions; one over others is unblocked first (standalone).
      if (pending.keys === keys || this.cluster) return pending.done;
    }
    const connection = this.connectionFor(connectionKey);
    const start = async (): Promise<boolean> => {
      if (pending !== undefined) {
        const id = await this.ids.get(connection);
        if (id !== undefined) await this.client.client('UNBLOCK', id).catch(() => undefined);
        await pending.done.catch(() => undefined);
      }
      const reply = await connection.xread('COUNT', 1, 'BLOCK', ms, 'STREAMS', ...positions.map((p) => p.log), ...positions.map((p) => p.after));
      return reply !== null;
    };
    const done = start().finally(() => {
      if (this.reads.get(connectionKey)?.done === done) this.reads.delete(connectionKey);
    });
    done.catch(() => undefined); // after close() nobody awaits it
    this.reads.set(connectionKey, { keys, done });
    return done;
  }

  private connectionFor(key: string): RedisClient {
    let connection = this.connections.get(key);
    if (connection === undefined) {
      connection = this.client.duplicate();
      // Failures surface through the pending XREAD; without a listener ioredis logs them as unhandled.
      connection.on('error', () => undefined);
      this.connections.set(key, connection);
      if (!this.cluster) {
        // Sent before its first XREAD: the id a wait over other partitions unblocks it by.
        const id = connection.client('ID').then(String, () => undefined);
        this.ids.set(connection, id);
      }
    }
    return connection;
  }

  /** Whether close() was called (read through a method: it changes while a wait is pending). */
  public isClosed(): boolean {
    return this.closed;
  }

  /** Ends any wait and closes the connections. Idempotent. */
  public close(): void {
    if (this.closed) return;
    this.closed = true;
    this.closeNow();
    for (const connection of this.connections.values()) connection.disconnect();
    this.connections.clear();
  }
}

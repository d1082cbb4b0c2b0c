import { assertBoolean, assertFinite, assertInteger, assertItemKey, invalid } from '../internal/validate.js';
import { consume } from './consume.js';
import { StreamBase, ranks, text } from './stream-base.js';
import {
  DEFAULT_LEASE_MS,
  DEFAULT_MAX_ATTEMPTS,
  MAX_PULL_COUNT,
  type AckOptions,
  type ConsumeOptions,
  type DeadLetter,
  type Job,
  type LeaseOptions,
  type LeaseRef,
  type LeasedItem,
  type NackOptions,
  type NackResult,
  type RangeOptions,
  type RecoverResult,
} from './types.js';

/**
 * The at-least-once side of a {@link PrioritizedStream}: leases, acks, nacks, renewals,
 * recovery and dead letters (see docs/jobs.md).
 *
 * @typeParam T - the type of the values, fixed by the codec
 */
export abstract class StreamJobs<T> extends StreamBase<T> {
  /**
   * Leases up to `count` items, highest priority first: they leave the stream for an
   * in-flight set with a deadline on the server clock, and come back by themselves if the
   * lease expires (through the next `lease`, `recover` or the Expirer) with their attempt count
   * raised; after `maxAttempts` deliveries they go to the dead letters instead. Finish each
   * with {@link ack}, give it back with {@link nack}, renew it with {@link extend}.
   *
   * @param options - `count`, `leaseMs`, `maxAttempts`
   * @returns the leased items, each with its `attempt` and `leaseId`
   * @example
   * ```ts
   * const [job] = await stream.lease({ leaseMs: 60_000 });
   * if (job) await stream.ack([job]);
   * ```
   */
  public async lease(options: LeaseOptions = {}): Promise<LeasedItem<T>[]> {
    return (await this.leaseBatch(options)).items;
  }

  /**
   * `lease`, plus how long until the next lease expires or delayed job is due (-1: none), for
   * workers deciding how long to wait.
   *
   * @internal
   */
  public async leaseBatch(options: LeaseOptions = {}): Promise<{ items: LeasedItem<T>[]; wakeInMs: number }> {
    const { count = 1, leaseMs = DEFAULT_LEASE_MS, maxAttempts = DEFAULT_MAX_ATTEMPTS } = options;
    assertInteger(count, 'count', 1, MAX_PULL_COUNT);
    assertInteger(leaseMs, 'leaseMs', 1);
    assertInteger(maxAttempts, 'maxAttempts', 0);
    const [flat, wakeInMs] = (await this.run('leaseItems', [count, leaseMs, maxAttempts, Math.max(count, 100)], this.codec.binary)) as [
      unknown[],
      number,
    ];
    const items: LeasedItem<T>[] = [];
    for (let i = 0; i + 4 < flat.length; i += 5) {
      items.push({
        key: text(flat[i]),
        value: this.codec.decode(flat[i + 1] as string | Buffer),
        priority: Number(text(flat[i + 2])),
        attempt: Number(flat[i + 3]),
        leaseId: text(flat[i + 4]),
      });
    }
    return { items, wakeInMs };
  }

  /**
   * Finishes leased jobs: they leave the stream for good, with a cooldown and optional gating
   * as for `pull`. All or nothing: if any lease is no longer held (it expired and the job went
   * back to the stream, or to another worker), nothing changes and the call fails with a
   * `LeaseLost` error.
   *
   * @param leases - the leased items (or `{ key, leaseId }`)
   * @param options - `gate`, `cooldownMs`, `expireAt`
   * @returns how many jobs were finished
   */
  public async ack(leases: readonly LeaseRef[], options: AckOptions = {}): Promise<number> {
    const { gate = false } = options;
    assertBoolean(gate, 'gate');
    const [cooldownMs, deadline] = this.cooldownArgs(options);
    const pairs = leasePairs(leases);
    if (pairs.length === 0) return 0;
    return Number(await this.run('ackItems', [gate ? '1' : '0', cooldownMs, deadline, ...pairs]));
  }

  /**
   * Gives leased jobs back: to the stream at once, or after `delayMs`, at the priority they
   * were leased with (or `priority`). A job that has used up its attempts goes to the dead
   * letters with `error` instead. All or nothing, like {@link ack}.
   *
   * @param leases - the leased items (or `{ key, leaseId }`)
   * @param options - `delayMs`, `priority`, `error`
   * @returns how many jobs were requeued, delayed and dead-lettered
   */
  public async nack(leases: readonly LeaseRef[], options: NackOptions = {}): Promise<NackResult> {
    const { delayMs = 0, priority, error } = options;
    assertInteger(delayMs, 'delayMs', 0);
    if (priority !== undefined) assertFinite(priority, 'priority');
    if (error !== undefined && typeof error !== 'string') throw invalid('error must be a string');
    const pairs = leasePairs(leases);
    if (pairs.length === 0) return { requeued: 0, delayed: 0, dead: 0 };
    const [requeued, delayed, dead] = (await this.run('nackItems', [delayMs, priority ?? '', error ?? '', ...pairs])) as number[];
    return { requeued: Number(requeued), delayed: Number(delayed), dead: Number(dead) };
  }

  /**
   * Renews leases: each gets the deadline now + `leaseMs` (server clock). All or nothing,
   * like {@link ack}.
   *
   * @param leases - the leased items (or `{ key, leaseId }`)
   * @param leaseMs - the new lease, from now
   * @returns the new deadline, epoch ms
   */
  public async extend(leases: readonly LeaseRef[], leaseMs: number): Promise<number> {
    assertInteger(leaseMs, 'leaseMs', 1);
    const pairs = leasePairs(leases);
    if (pairs.length === 0) throw invalid('extend needs at least one lease');
    return Number(await this.run('extendLeases', [leaseMs, ...pairs]));
  }

  /**
   * Recovers jobs now, in atomic chunks: expired leases go back to the stream (or, out of
   * attempts, to the dead letters) and delayed jobs that are due return. `lease` and the
   * Expirer do this too.
   *
   * @returns what was recovered
   */
  public async recover(): Promise<RecoverResult> {
    const total: RecoverResult = { returned: 0, died: 0, promoted: 0 };
    for (;;) {
      const [returned = 0, died = 0, promoted = 0] = (await this.run('recoverItems', [this.chunkSize])) as number[];
      total.returned += returned;
      total.died += died;
      total.promoted += promoted;
      if (returned + died < this.chunkSize && promoted < this.chunkSize) return total;
    }
  }

  /**
   * Consumes the stream with `for await`: leases jobs (`count` at a time) and yields each with
   * its own `ack`, `nack` and `extend`, waiting without polling while there is none. A job the
   * loop body neither acks nor nacks comes back when its lease expires.
   *
   * @param options - lease options and `blockTimeoutMs`
   * @returns an endless async iterator of jobs; `break` out of it to stop
   * @example
   * ```ts
   * for await (const job of stream.consume({ leaseMs: 60_000 })) {
   *   try { await handle(job.value); await job.ack(); } catch (err) { await job.nack({ delayMs: 1000, error: String(err) }); }
   * }
   * ```
   */
  public consume(options: ConsumeOptions = {}): AsyncGenerator<Job<T>, void, undefined> {
    return consume(this, options);
  }

  /**
   * Reads dead letters, oldest first.
   *
   * @param range - `offset` and `limit`
   * @returns the dead jobs with their value, last priority, attempts, last error and time of death
   */
  public async deadLetters(range: RangeOptions = {}): Promise<DeadLetter<T>[]> {
    const flat = (await this.run('readDead', ranks(range), this.codec.binary)) as unknown[];
    const out: DeadLetter<T>[] = [];
    for (let i = 0; i + 3 < flat.length; i += 4) {
      const state = JSON.parse(text(flat[i + 3] ?? '{}')) as { a?: number; p?: string; e?: string };
      out.push({
        key: text(flat[i]),
        value: this.codec.decode(flat[i + 1] as string | Buffer),
        priority: Number(state.p ?? 0),
        attempts: state.a ?? 0,
        error: state.e ?? null,
        diedAt: Number(text(flat[i + 2])),
      });
    }
    return out;
  }

  /**
   * Puts dead letters back into the stream at their last priority, attempts reset: the named
   * keys, or all of them (in chunks). Keys that are not dead letters are skipped.
   *
   * @param keys - the keys to replay; all when omitted
   * @returns the keys replayed
   */
  public async replayDead(keys?: readonly string[]): Promise<string[]> {
    return this.reviveDead('replay', keys);
  }

  /**
   * Removes dead letters and their values: the named keys, or all of them (in chunks).
   *
   * @param keys - the keys to purge; all when omitted
   * @returns the keys purged
   */
  public async purgeDead(keys?: readonly string[]): Promise<string[]> {
    return this.reviveDead('purge', keys);
  }

  private async reviveDead(action: 'replay' | 'purge', keys: readonly string[] | undefined): Promise<string[]> {
    if (keys !== undefined) {
      keys.forEach((key, i) => {
        assertItemKey(key, `keys[${String(i)}]`);
      });
      const done: string[] = [];
      for (let i = 0; i < keys.length; i += this.chunkSize) {
        done.push(...((await this.run('reviveDead', [action, this.chunkSize, ...keys.slice(i, i + this.chunkSize)])) as unknown[]).map(text));
      }
      return done;
    }
    const done: string[] = [];
    for (;;) {
      const batch = ((await this.run('reviveDead', [action, this.chunkSize])) as unknown[]).map(text);
      done.push(...batch);
      if (batch.length < this.chunkSize) return done;
    }
  }
}

/** Flattens leases into key, leaseId pairs, checking each. */
function leasePairs(leases: readonly LeaseRef[]): string[] {
  if (!Array.isArray(leases)) throw invalid('leases must be an array of { key, leaseId }');
  const pairs: string[] = [];
  (leases as readonly unknown[]).forEach((lease, i) => {
    const { key, leaseId } = (lease ?? {}) as Partial<LeaseRef>;
    assertItemKey(key, `leases[${String(i)}].key`);
    assertItemKey(leaseId, `leases[${String(i)}].leaseId`);
    pairs.push(key, leaseId);
  });
  return pairs;
}

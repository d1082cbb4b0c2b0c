import { assertBoolean, assertFinite, assertInteger, assertItemKey, invalid, optionsOf, ranks, storedObject } from '../internal/validate.js';
import { consumeSource } from '../jobs/consume.js';
import type { JobSource, LeaseRequest } from '../jobs/job-source.js';
import { StreamSource } from './stream-source.js';
import { StreamBase, cooldownArgs } from './stream-base.js';
import { text } from '../scripting/define-script.js';
import {
  DEFAULT_LEASE_MS,
  DEFAULT_MAX_ATTEMPTS,
  MAX_PULL_COUNT,
  type AckOptions,
  type ConsumeOptions,
  type DeadLetter,
  type DelayedInfo,
  type Job,
  type KeyState,
  type LeaseInfo,
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
   * with {@link ack}, give it back with {@link nack}, renew it with {@link extend}. A value the
   * codec cannot decode is not returned: that job goes to the dead letters at once with the
   * `Codec` error (naming the stream and the key), a process warning says so, and the other
   * jobs are returned as usual.
   *
   * @param options - `count`, `leaseMs`, `maxAttempts`, `owner`
   * @returns the leased items, each with its `attempt` and `leaseId`
   * @example
   * ```ts
   * const [job] = await stream.lease({ leaseMs: 60_000 });
   * if (job) await stream.ack([job]);
   * ```
   */
  public async lease(options: LeaseOptions = {}): Promise<LeasedItem<T>[]> {
    const { items, undecodable } = await this.leaseBatch(options);
    this.warnBuried('lease', undecodable);
    return items;
  }

  /**
   * `lease`, plus how long until the next lease expires or delayed job is due (-1: none), for
   * consumers deciding how long to wait, and the `Codec` errors of the leased values that did
   * not decode (those jobs went to the dead letters).
   */
  private async leaseBatch(options: LeaseOptions = {}): Promise<{ items: LeasedItem<T>[]; wakeInMs: number; undecodable: unknown[] }> {
    const { count, leaseMs, maxAttempts, owner } = leaseRequestOf(optionsOf(options));
    const { leased, wakeInMs } = await this.core.call(
      'leaseItems',
      { count, leaseMs, maxAttempts, owner, deadCaps: this.deadCaps },
      { binary: this.codec.binary },
    );
    const items: LeasedItem<T>[] = [];
    const undecodable: unknown[] = [];
    const bury: string[] = [];
    for (const { key, value, priority, attempt, leaseId } of leased) {
      const decoded = this.tryDecode(value, key);
      if (!decoded.ok) {
        undecodable.push(decoded.error);
        bury.push(key, leaseId, decoded.error.message);
        continue;
      }
      items.push({ key, value: decoded.value, priority, attempt, leaseId });
    }
    if (bury.length > 0) await this.bury('leased', bury, undecodable);
    return { items, wakeInMs, undecodable };
  }

  /**
   * Sends values that did not decode to the dead letters (buryItems). Should that fail, the
   * failure joins `errors`: a leased job then comes back when its lease expires.
   */
  protected async bury(from: 'leased' | 'pulled', entries: readonly (string | Buffer)[], errors: unknown[]): Promise<void> {
    try {
      await this.core.call('buryItems', { from, entries, deadCaps: this.deadCaps });
    } catch (err) {
      errors.push(err);
    }
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
  public async ack(leases: readonly LeaseRef[], options?: AckOptions): Promise<number> {
    const request = ackArgs(options, this.ackCooldownMs);
    const pairs = leasePairs(leases);
    if (pairs.length === 0) return 0;
    return this.core.call('ackItems', { ...request, pairs });
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
    options = optionsOf(options);
    const { delayMs = 0, priority, error } = options;
    assertInteger(delayMs, 'delayMs', 0);
    if (priority !== undefined) assertFinite(priority, 'priority');
    if (error !== undefined && typeof error !== 'string') throw invalid('error must be a string');
    const pairs = leasePairs(leases);
    if (pairs.length === 0) return { requeued: 0, delayed: 0, dead: 0 };
    return this.core.call('nackItems', { delayMs, priority, error, pairs, deadCaps: this.deadCaps });
  }

  /**
   * Gives leased jobs back to the stream at once without counting the delivery: for jobs
   * that were leased but never worked on (a consumer stopping with jobs it had not started).
   * Their attempt count goes back to what it was before the lease, and they never go to the
   * dead letters. All or nothing, like {@link ack}.
   *
   * @param leases - the leased items (or `{ key, leaseId }`)
   * @returns how many jobs were released
   */
  public async release(leases: readonly LeaseRef[]): Promise<number> {
    const pairs = leasePairs(leases);
    if (pairs.length === 0) return 0;
    const { requeued } = await this.core.call('nackItems', { release: true, pairs });
    return requeued;
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
    return this.core.call('extendLeases', { leaseMs, pairs });
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
      const { returned, died, promoted } = await this.core.call('recoverItems', { limit: this.chunkSize, deadCaps: this.deadCaps });
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
  public async *consume(options: ConsumeOptions = {}): AsyncGenerator<Job<T>, void, undefined> {
    options = optionsOf(options);
    const { blockTimeoutMs = 5000, signal, ...lease } = options;
    assertInteger(blockTimeoutMs, 'blockTimeoutMs', 1);
    if (signal !== undefined && !(signal instanceof AbortSignal)) throw invalid('signal must be an AbortSignal');
    yield* consumeSource(this.jobSource(), leaseRequestOf(lease), blockTimeoutMs, signal, (errors) => {
      this.warnBuried('consume', errors);
    });
  }

  /**
   * The stream's jobs as a {@link JobSource}, for the {@link JobWorker} (a {@link Worker} makes
   * its own): leases with the Worker's options, acks with `ack` (gate, cooldown), one outcome
   * per job (a batch refused because one lease was lost is acked again one by one), and waits
   * for work on the stream's marker list.
   *
   * @param ack - how completed jobs are acked
   * @returns a new source over this stream
   */
  public jobSource(ack: AckOptions = {}): JobSource<Job<T>> {
    ack = optionsOf(ack, 'ack');
    ackArgs(ack, 0); // a bad ack option fails here, not on every job's ack
    return new StreamSource<T>(
      {
        client: this.client,
        name: this.name,
        prefix: this.prefix,
        marker: this.redisKeys.marker,
        lease: (request) => this.leaseBatch(request),
        ack: (jobs, options) => this.ack(jobs, options),
        nack: (jobs, options) => this.nack(jobs, options),
        extend: (jobs, leaseMs) => this.extend(jobs, leaseMs),
        release: (jobs) => this.release(jobs),
      },
      ack,
    );
  }

  /**
   * Reads dead letters, oldest first.
   *
   * @param range - `offset` and `limit`
   * @returns the dead jobs with their value, last priority, attempts, last error and time of death
   */
  public async deadLetters(range: RangeOptions = {}): Promise<DeadLetter<T>[]> {
    return (await this.readJobs('dead', range, true)).map(({ key, value, score, state }): DeadLetter<T> => {
      const info = { key, priority: Number(state.p ?? 0), attempts: state.a ?? 0, error: state.e ?? null, diedAt: score };
      const decoded = this.tryDecode(value, key);
      if (decoded.ok) return { ...info, decoded: true, value: decoded.value };
      return { ...info, decoded: false, raw: value as string | Buffer, decodeError: decoded.error };
    });
  }

  /**
   * Lists the leased jobs, the soonest deadline first, with who holds each.
   *
   * @param range - `offset` and `limit` in deadline order
   * @returns the leases
   */
  public async leases(range: RangeOptions = {}): Promise<LeaseInfo[]> {
    return (await this.readJobs('leases', range, false)).map(({ key, score, state }) => ({
      key,
      leaseId: state.l ?? '',
      attempt: state.a ?? 0,
      deadline: score,
      owner: state.o ?? null,
      priority: Number(state.p ?? 0),
    }));
  }

  /**
   * Lists the jobs waiting for their time (delayed adds and nacks with a delay), the soonest
   * due first.
   *
   * @param range - `offset` and `limit` in due order
   * @returns the delayed jobs
   */
  public async delayed(range: RangeOptions = {}): Promise<DelayedInfo[]> {
    return (await this.readJobs('delayed', range, false)).map(({ key, score, state }) => ({
      key,
      due: score,
      priority: Number(state.p ?? 0),
      attempts: state.a ?? 0,
    }));
  }

  /**
   * Tells what a key is in the stream right now, without changing anything: queued, leased
   * (with attempt, deadline and owner), delayed (due), dead (error), gated, cooling (until),
   * or absent.
   *
   * @param key - the item key
   * @returns its state
   * @example
   * ```ts
   * const s = await stream.state('job-1');
   * if (s.state === 'leased') console.log(`held by ${s.owner ?? '?'} until ${new Date(s.deadline).toISOString()}`);
   * ```
   */
  public async state(key: string): Promise<KeyState> {
    assertItemKey(key);
    const st = JSON.parse(await this.core.call('readState', { key })) as JobState & { s: KeyState['state']; at?: number };
    const priority = Number(st.p ?? 0);
    const attempts = st.a ?? 0;
    switch (st.s) {
      case 'queued':
        return { state: 'queued', priority, attempts };
      case 'leased':
        return { state: 'leased', priority, attempt: attempts, leaseId: st.l ?? '', owner: st.o ?? null, deadline: st.at ?? 0, maxAttempts: st.m ?? 0 };
      case 'delayed':
        return { state: 'delayed', priority, attempts, due: st.at ?? 0 };
      case 'dead':
        return { state: 'dead', priority, attempts, error: st.e ?? null, diedAt: st.at ?? 0 };
      case 'cooling':
        return { state: 'cooling', until: st.at ?? 0 };
      case 'gated':
        return { state: 'gated' };
      default:
        return { state: 'absent' };
    }
  }

  /**
   * Cancels jobs: each named key that is queued, leased or delayed leaves the stream with its
   * value, in atomic chunks. A leased job's handler may still be running: its ack or nack then
   * fails with `LeaseLost` and changes nothing. Dead letters (see {@link purgeDead}), gating and
   * cooldowns are left as they are.
   *
   * @param keys - the keys to cancel
   * @returns the keys that were removed (a key that was not queued, leased or delayed is not listed)
   * @example
   * ```ts
   * const [cancelled] = await stream.remove(['password-reset:42']);
   * ```
   */
  public async remove(keys: readonly string[]): Promise<string[]> {
    return this.runOverKeys(keys, (chunk) => this.core.call('removeItems', { keys: chunk }));
  }

  /**
   * Runs a script over item keys, `chunkSize` keys at a time, every key checked before the
   * first; returns the keys the scripts name in their replies.
   */
  private async runOverKeys(given: readonly string[], runChunk: (keys: string[]) => Promise<string[]>): Promise<string[]> {
    if (!Array.isArray(given)) throw invalid('keys must be an array of strings');
    const keys: readonly string[] = given; // Array.isArray narrows to any[]
    keys.forEach((key, i) => {
      assertItemKey(key, `keys[${String(i)}]`);
    });
    const done: string[] = [];
    for (let i = 0; i < keys.length; i += this.chunkSize) {
      done.push(...(await runChunk(keys.slice(i, i + this.chunkSize))));
    }
    return done;
  }

  /** Reads one of the job sets by rank: each key with its score, job state and (with `values`) raw value. */
  private async readJobs(
    which: 'leases' | 'delayed' | 'dead',
    range: RangeOptions,
    values: boolean,
  ): Promise<{ key: string; value: unknown; score: number; state: JobState }[]> {
    const flat = await this.core.call('readJobs', { which, ...ranks(range), values }, { binary: values && this.codec.binary });
    const out: { key: string; value: unknown; score: number; state: JobState }[] = [];
    for (let i = 0; i + 3 < flat.length; i += 4) {
      const raw = flat[i + 3];
      out.push({
        key: text(flat[i]),
        value: flat[i + 1],
        score: Number(text(flat[i + 2])),
        state: raw === null || raw === undefined ? {} : ((storedObject(text(raw)) as JobState | undefined) ?? UNREADABLE_STATE),
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
    if (keys !== undefined) return this.runOverKeys(keys, (chunk) => this.core.call('reviveDead', { action, limit: this.chunkSize, keys: chunk }));
    const done: string[] = [];
    for (;;) {
      const batch = await this.core.call('reviveDead', { action, limit: this.chunkSize });
      done.push(...batch);
      if (batch.length < this.chunkSize) return done;
    }
  }
}

/** A job's state as the scripts keep it (includes/jobs.lua). */
interface JobState {
  /** Deliveries so far. */
  a?: number;
  /** maxAttempts of its last lease. */
  m?: number;
  /** Its priority, as an exact decimal string. */
  p?: string;
  /** The lease id, while leased. */
  l?: string;
  /** Who holds the lease, while leased. */
  o?: string;
  /** The last error. */
  e?: string;
}

/** What a reader shows of a state that is not the JSON the scripts write (they start it over at the job's next move). */
const UNREADABLE_STATE: JobState = Object.freeze({ a: 0, m: 0, e: 'its stored state was unreadable and started over' });

/**
 * Checks the options of an ack (or of a Worker's `ack` option, at construction) and returns
 * them as the ackItems script's arguments.
 *
 * @param options - `gate`, `cooldownMs`, `expireAt`
 * @param fallback - the cooldown when `cooldownMs` is left out (the stream's `ackCooldownMs`)
 * @throws {@link GoodRedisError} `InvalidArgument` for a bad option
 */
export function ackArgs(options: AckOptions | undefined, fallback: number): { gate: boolean; cooldownMs: number; expireAt: number | '' } {
  const checked = optionsOf(options, 'ack options');
  const { gate = false } = checked;
  assertBoolean(gate, 'gate');
  return { gate, ...cooldownArgs(checked, fallback) };
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

/** Checks lease options and applies their defaults. */
function leaseRequestOf(options: LeaseOptions): LeaseRequest {
  const { count = 1, leaseMs = DEFAULT_LEASE_MS, maxAttempts = DEFAULT_MAX_ATTEMPTS, owner = '' } = options;
  assertInteger(count, 'count', 1, MAX_PULL_COUNT);
  assertInteger(leaseMs, 'leaseMs', 1);
  assertInteger(maxAttempts, 'maxAttempts', 0);
  if (typeof owner !== 'string') throw invalid('owner must be a string');
  return { count, leaseMs, maxAttempts, owner };
}

/**
 * The history of every object's counts, kept in Redis so that the dashboard's charts survive its
 * restarts: one capped stream per object (`P:h{<family>/<name>}:history`, in a slot of its own),
 * a sample appended every interval by whichever dashboards run (about one per interval however
 * many do), the oldest dropped past the cap, the whole history expiring once nothing records it.
 *
 * @module
 */
import type { RedisClient } from '../connection/redis-client.js';
import { typed } from '../errors.js';
import { assertInteger, optionsOf } from '../internal/validate.js';
import { objectKeys, type KeyLayout } from '../keyspace/keys.js';
import { ScriptSet } from '../scripting/script-set.js';
import { defineScript } from '../scripting/define-script.js';
import { ObjectCore } from '../keyspace/object-core.js';
import { stringCodec } from '../codec.js';
import { objectId, type ObjectRef } from '../observe/families.js';
import type { ObjectCounts, ObjectInventory } from './inventory.js';
import { JOB_OUTCOMES, type JobOutcome, type ObjectTotals, type WorkerRegistry } from '../observe/worker-registry.js';
import { LUA_SOURCES } from './lua-sources.js';

/** The layout of an object's history key: family tag `:h`. */
export const HISTORY_LAYOUT: KeyLayout<'history'> = { what: 'history', tag: ':h', suffixes: { history: 'history' }, types: { history: 'stream' } };

/**
 * The key of an object's history under `prefix`.
 *
 * @param object - the family and name
 * @param prefix - the key prefix
 * @returns `P:h{<family>/<name>}:history`
 */
export function historyKey(object: ObjectRef, prefix = ''): string {
  return objectKeys(HISTORY_LAYOUT, objectId(object), prefix).history;
}

const HISTORY_SCRIPTS_TABLE = {
  historyAppend: defineScript(
    'historyAppend-1.lua',
    ['history'],
    'write',
    (r: { intervalMs: number; samples: number; fields: readonly (string | number)[] }) => [r.intervalMs, r.samples, ...r.fields],
    (reply) => Number(reply) === 1, // whether a sample was appended (none younger than half the interval was there)
  ),
} as const;

/** The history's script (slot: the object's history). */
export const HISTORY_SCRIPTS = new ScriptSet<keyof typeof HISTORY_SCRIPTS_TABLE, 'history', typeof HISTORY_SCRIPTS_TABLE>(
  'h',
  HISTORY_SCRIPTS_TABLE,
  LUA_SOURCES,
  HISTORY_LAYOUT.types,
);

/** One sample of an object's counts. */
export interface HistorySample {
  /** When it was taken (server ms). */
  readonly at: number;
  /** The counts by state (see {@link ObjectCounts}). */
  readonly states: Readonly<Record<string, number>>;
  /** What producers had added in total then (see {@link ObjectCounts}; absent from samples recorded before it was counted). */
  readonly added?: number | undefined;
  /** What its Workers had finished in total then (see {@link ObjectTotals}), when they had finished any. */
  readonly totals?: Readonly<Record<JobOutcome, number>> | undefined;
}

/** An object's rates between its last two samples, per second: each one only where both samples carry its total. */
export interface ObjectRates {
  /** What producers added per second. */
  readonly added?: number | undefined;
  /** What its Workers finished per second, by outcome. */
  readonly finished?: Readonly<Record<JobOutcome, number>> | undefined;
}

/** The field prefix of the totals in a sample (the states are fields of their own names). */
const TOTAL_FIELD = 't:';
/** The field of the added total in a sample. */
const ADDED_FIELD = `${TOTAL_FIELD}added`;

/** Options of {@link ObjectHistory}. */
export interface ObjectHistoryOptions {
  /**
   * The key prefix of the objects.
   *
   * @defaultValue `''`
   */
  prefix?: string | undefined;
  /**
   * The interval between two samples, in ms.
   *
   * @defaultValue 10000
   */
  intervalMs?: number | undefined;
  /**
   * The most samples kept per object (the span is `intervalMs × samples`: an hour by default).
   *
   * @defaultValue 360
   */
  samples?: number | undefined;
}

/**
 * The capped history of objects' counts in Redis. Memory is bounded: at most `samples` entries
 * per object, each the counts as fields of a stream entry (the state names are kept once per
 * node, so a sample costs its numbers: see `docs/dashboard.md` for the measured size), and a
 * history nothing has recorded for twice its span expires.
 *
 * @example
 * ```ts
 * const history = new ObjectHistory(redis);
 * await history.record(await new ObjectInventory(redis).counts()); // what a dashboard does every 10 s
 * const samples = await history.read({ family: 'stream', name: 'crawl' }); // oldest first
 * ```
 */
export class ObjectHistory {
  /** The key prefix. */
  public readonly prefix: string;
  /** The interval between two samples, in ms. */
  public readonly intervalMs: number;
  /** The most samples kept per object. */
  public readonly samples: number;
  private readonly client: RedisClient;
  /** Runs the history's script (each call names its object's history key). */
  private readonly core: ObjectCore<keyof typeof HISTORY_SCRIPTS_TABLE, 'history', typeof HISTORY_SCRIPTS_TABLE>;

  /**
   * @param client - any ioredis client (standalone, Sentinel or Cluster)
   * @param options - `prefix`, `intervalMs`, `samples`
   * @throws {@link GoodRedisError} `InvalidArgument` for a bad option
   */
  public constructor(client: RedisClient, options: ObjectHistoryOptions = {}) {
    options = optionsOf(options);
    this.client = client;
    this.core = new ObjectCore(client, 'history', options.prefix ?? '', undefined, HISTORY_SCRIPTS, stringCodec, undefined);
    this.prefix = options.prefix ?? '';
    historyKey({ family: 'stream', name: 'x' }, this.prefix); // checks the prefix
    this.intervalMs = options.intervalMs ?? 10_000;
    assertInteger(this.intervalMs, 'intervalMs', 1, 86_400_000);
    this.samples = options.samples ?? 360;
    assertInteger(this.samples, 'samples', 1, 100_000);
  }

  /**
   * Appends a sample of each object's counts (one script per object, all sent together), unless
   * one younger than half the interval is there.
   *
   * @param counts - the objects' counts, as {@link ObjectInventory.counts} reads them
   * @param totals - what their Workers finished in total, as {@link WorkerRegistry.read} reads it (the charts draw its rates)
   * @returns how many samples were appended
   */
  public async record(counts: readonly ObjectCounts[], totals: readonly ObjectTotals[] = []): Promise<number> {
    const finished = new Map(totals.map((t) => [objectId(t), t]));
    const charted = counts.filter((o) => Object.keys(o.states).length > 0); // no states: nothing to chart
    const appended = await Promise.all(
      charted.map((o) => {
        const fields: (string | number)[] = [...Object.entries(o.states).flat(), ADDED_FIELD, o.added];
        const t = finished.get(objectId(o));
        if (t !== undefined) for (const outcome of JOB_OUTCOMES) fields.push(TOTAL_FIELD + outcome, t[outcome]);
        return this.core.call(
          'historyAppend',
          { intervalMs: this.intervalMs, samples: this.samples, fields },
          { keys: { history: historyKey(o, this.prefix) } },
        );
      }),
    );
    return appended.filter(Boolean).length;
  }

  /**
   * Takes one sample of every object, what a dashboard does every interval: reads their counts
   * and the worker registry's totals together, then {@link record}s them.
   *
   * @param inventory - the objects
   * @param workers - the worker registry of the same prefix
   * @returns how many samples were appended
   */
  public async sample(inventory: ObjectInventory, workers: WorkerRegistry): Promise<number> {
    const [counts, registered] = await Promise.all([inventory.counts(), workers.read()]);
    return this.record(counts, registered.totals);
  }

  /**
   * Reads an object's history, oldest first.
   *
   * @param object - the family and name
   * @returns its samples (none when nothing recorded it, or it expired)
   */
  public async read(object: ObjectRef): Promise<HistorySample[]> {
    return (await typed(this.client.xrange(historyKey(object, this.prefix), '-', '+'))).map(sampleOf);
  }

  /**
   * What producers added to each object and what its Workers finished, per second between its
   * last two samples (one read of two entries per object, all sent together): the overview's
   * rates. A total that went down between the two (a stream's count restarted, an object deleted
   * and made again) gives no rate.
   *
   * @param objects - the objects
   * @returns per object (same order), its rates (empty where it has fewer than two samples)
   */
  public async rates(objects: readonly ObjectRef[]): Promise<ObjectRates[]> {
    const lasts = await Promise.all(
      objects.map(async (o) => (await typed(this.client.xrevrange(historyKey(o, this.prefix), '+', '-', 'COUNT', 2))).map(sampleOf)),
    );
    return lasts.map(([last, before]) => {
      if (last === undefined || before === undefined || last.at <= before.at) return {};
      const seconds = (last.at - before.at) / 1000;
      return { added: ratePerSecond(before.added, last.added, seconds), finished: finishedRates(before.totals, last.totals, seconds) };
    });
  }
}

/** The rate of a total between two samples `seconds` apart; undefined when either lacks it or it went down. */
function ratePerSecond(before: number | undefined, after: number | undefined, seconds: number): number | undefined {
  return before === undefined || after === undefined || after < before ? undefined : (after - before) / seconds;
}

/** What Workers finished per second between two samples' totals; undefined when either lacks them or one went down. */
function finishedRates(
  before: Readonly<Record<JobOutcome, number>> | undefined,
  after: Readonly<Record<JobOutcome, number>> | undefined,
  seconds: number,
): Record<JobOutcome, number> | undefined {
  if (before === undefined || after === undefined) return undefined;
  const rates: Partial<Record<JobOutcome, number>> = {};
  for (const outcome of JOB_OUTCOMES) {
    const rate = ratePerSecond(before[outcome], after[outcome], seconds);
    if (rate === undefined) return undefined;
    rates[outcome] = rate;
  }
  return rates as Record<JobOutcome, number>;
}

/** A stored sample: its id's time, its states, its added total and its Workers' totals (the `t:` fields), if any. */
function sampleOf([id, fields]: [string, string[]]): HistorySample {
  const states: Record<string, number> = {};
  const totals: Record<string, number> = {};
  let added: number | undefined;
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const field = String(fields[i]);
    const value = Number(fields[i + 1]);
    if (field === ADDED_FIELD) added = value;
    else if (field.startsWith(TOTAL_FIELD)) totals[field.slice(TOTAL_FIELD.length)] = value;
    else states[field] = value;
  }
  const at = Number(id.slice(0, id.indexOf('-')));
  const sample: { -readonly [K in keyof HistorySample]: HistorySample[K] } = { at, states };
  if (added !== undefined) sample.added = added;
  if (Object.keys(totals).length > 0) sample.totals = totals as Record<JobOutcome, number>;
  return sample;
}

/**
 * The worker registry of a prefix, shared by every family: each Worker whose source says which
 * object it consumes beats into it (what it is, what it runs, with the server's time), and reads
 * there whether its object is paused. The dashboard's live workers page and its pause and resume
 * actions read and write it.
 *
 * Keys (one slot, `{workers}`): `P:w{workers}:info` (hash: worker id → its description as
 * JSON), `P:w{workers}:beats` (sorted set: worker id → its last beat, server ms),
 * `P:w{workers}:paused` (hash: `family/name` → when it was paused, server ms),
 * `P:w{workers}:totals` (hash: `outcome|family/name` → the jobs its workers finished so).
 *
 * @module
 */
import type { RedisClient } from '../connection/redis-client.js';
import { GoodRedisError } from '../errors.js';
import { assertInteger, assertObjectName, invalid, optionsOf, storedObject } from '../internal/validate.js';
import { objectKeys, type KeyLayout } from '../keyspace/keys.js';
import { ObjectCore } from '../keyspace/object-core.js';
import { defineScript } from '../scripting/define-script.js';
import { ScriptSet } from '../scripting/script-set.js';
import { stringCodec } from '../codec.js';
import { compareObjects, isObjectFamily, OBJECT_FAMILIES, objectId, parseObjectId, type ObjectFamily, type ObjectRef } from './families.js';
import { LUA_SOURCES } from './lua-sources.js';

/** The keys of a prefix's worker registry, by role. */
export type WorkerRegistryKeys = Readonly<Record<'info' | 'beats' | 'paused' | 'totals', string>>;

/** The name in the worker registry's hash tag: one registry per prefix. */
export const WORKER_REGISTRY_NAME = 'workers';

/** The layout of the worker registry's keys: family tag `:w`, one object, {@link WORKER_REGISTRY_NAME}. */
export const WORKER_REGISTRY_LAYOUT: KeyLayout<keyof WorkerRegistryKeys> = {
  what: 'worker registry',
  tag: ':w',
  suffixes: { info: 'info', beats: 'beats', paused: 'paused', totals: 'totals' },
  types: { info: 'hash', beats: 'zset', paused: 'hash', totals: 'hash' },
};

/**
 * The keys of the worker registry under `prefix`.
 *
 * @param prefix - the key prefix
 * @returns its keys by role
 */
export function workerRegistryKeys(prefix = ''): WorkerRegistryKeys {
  return objectKeys(WORKER_REGISTRY_LAYOUT, WORKER_REGISTRY_NAME, prefix);
}

/** One heartbeat as workerBeat-4.lua takes it. */
interface BeatRequest {
  readonly description: WorkerDescription;
  readonly forgetAfterMs: number;
  readonly leave: boolean;
  readonly finished: Readonly<Record<JobOutcome, number>>;
}

/**
 * Decodes the reply of workerBeat-4.lua: `[_, paused (1 or 0)]`.
 *
 * @returns whether the worker's object is paused
 * @throws {@link GoodRedisError} `Script` for a reply that is no array
 */
export function decodeBeat(reply: unknown): boolean {
  if (!Array.isArray(reply)) throw new GoodRedisError('Script', 'the heartbeat script answered no array');
  return Number(reply[1]) === 1;
}

/** Decodes the reply of readWorkers-4.lua: `[now, [id, description, last beat, …], [family/name, paused at, …], [totals field, count, …]]`. */
export function decodeWorkers(reply: unknown): WorkerRegistryState {
  const [rawNow, rows = [], flags = [], totals = []] = reply as [unknown, unknown[]?, unknown[]?, unknown[]?];
  const now = Number(rawNow);
  const workers: WorkerInfo[] = [];
  for (let i = 0; i + 2 < rows.length; i += 3) {
    const description = descriptionOf(rows[i + 1]);
    if (description === undefined) continue;
    const lastBeatAt = Number(rows[i + 2]);
    workers.push({ ...description, id: String(rows[i]), lastBeatAt, alive: now - lastBeatAt <= 3 * description.heartbeatMs });
  }
  workers.sort((a, b) => Number(b.alive) - Number(a.alive) || compareObjects(a, b) || a.id.localeCompare(b.id));
  const paused: PausedObject[] = [];
  for (let i = 0; i + 1 < flags.length; i += 2) {
    const object = parseObjectId(String(flags[i]));
    if (object !== undefined) paused.push({ ...object, pausedAt: Number(flags[i + 1]) });
  }
  paused.sort(compareObjects);
  return { now, workers, paused, totals: totalsOf(totals) };
}

/** Whether setPaused-1.lua changed the flag (1) or found it as asked (0). */
const changed = (reply: unknown): boolean => Number(reply) === 1;

/** The script table of the worker registry. */
const WORKER_SCRIPTS_TABLE = {
  workerBeat: defineScript(
    'workerBeat-4.lua',
    ['info', 'beats', 'paused', 'totals'],
    'write',
    (r: BeatRequest) => [
      r.description.id,
      JSON.stringify(r.description),
      objectId(r.description),
      r.forgetAfterMs,
      r.leave ? '1' : '0',
      ...JOB_OUTCOMES.map((o) => r.finished[o]),
    ],
    decodeBeat,
  ),
  readWorkers: defineScript('readWorkers-4.lua', ['info', 'beats', 'paused', 'totals'], 'read', () => [], decodeWorkers),
  setPaused: defineScript('setPaused-1.lua', ['paused'], 'write', (r: { field: string; paused: boolean }) => [r.field, r.paused ? '1' : '0'], changed),
} as const;

/** The worker registry's scripts (slot `{workers}`). */
export const WORKER_SCRIPTS = new ScriptSet<keyof typeof WORKER_SCRIPTS_TABLE, keyof WorkerRegistryKeys, typeof WORKER_SCRIPTS_TABLE>(
  'w',
  WORKER_SCRIPTS_TABLE,
  LUA_SOURCES,
  WORKER_REGISTRY_LAYOUT.types,
);

/** A job a worker runs, as its beat describes it. */
export interface RunningJob {
  /** The job's message id, where its family has one (a stream item's key, a task's id, …). */
  readonly id?: string | undefined;
  /** Which delivery it is. */
  readonly attempt: number;
  /** When its handler started (the worker's clock, epoch ms). */
  readonly startedAt: number;
}

/** A job a worker finished lately, as its beat describes it. */
export interface FinishedJob {
  /** The job's message id, where its family has one. */
  readonly id?: string | undefined;
  /** How it ended: acked, or failed (to be retried, or dead-lettered). */
  readonly outcome: JobOutcome;
  /** When (the worker's clock, epoch ms). */
  readonly at: number;
}

/** How a job ended, as the totals count it. */
export type JobOutcome = 'completed' | 'failed' | 'dead';

/** The outcomes the totals count. */
export const JOB_OUTCOMES: readonly JobOutcome[] = ['completed', 'failed', 'dead'];

/** What a worker's beat says of it. */
export interface WorkerDescription {
  /** The worker's id (`host:pid:random`). */
  readonly id: string;
  /** Its host name. */
  readonly host: string;
  /** Its process id. */
  readonly pid: number;
  /** The family of the object it consumes. */
  readonly family: ObjectFamily;
  /** The object's name. */
  readonly name: string;
  /** Its consumer group (topics). */
  readonly group?: string | undefined;
  /** How many jobs it runs at once at most. */
  readonly concurrency: number;
  /** How many jobs it runs now. */
  readonly running: number;
  /** The jobs it runs now (the first 20). */
  readonly jobs: readonly RunningJob[];
  /** The last jobs it finished (up to 10), latest first. */
  readonly recent: readonly FinishedJob[];
  /** Whether it holds off consuming because its object is paused. */
  readonly paused: boolean;
  /** Why it hands out nothing though its object may have work (its topic does not exist yet), when it waits for such a thing. */
  readonly waiting?: string | undefined;
  /** Jobs completed since it started. */
  readonly completed: number;
  /** Jobs failed since it started (retried or dead). */
  readonly failed: number;
  /** When it started (its clock, epoch ms). */
  readonly startedAt: number;
  /** Its heartbeat interval, in ms. */
  readonly heartbeatMs: number;
}

/** A registered worker, as {@link WorkerRegistry.read} reads it. */
export interface WorkerInfo extends WorkerDescription {
  /** Its last beat (server ms). */
  readonly lastBeatAt: number;
  /** Whether it beat within three of its intervals: a worker that is not has died or hangs. */
  readonly alive: boolean;
}

/** A paused object. */
export interface PausedObject extends ObjectRef {
  /** When it was paused (server ms). */
  readonly pausedAt: number;
}

/** What the workers of one object finished, in total, as their beats added it up. */
export interface ObjectTotals extends ObjectRef {
  /** Jobs acked. */
  readonly completed: number;
  /** Jobs whose handler failed (each failed delivery: retried or dead). */
  readonly failed: number;
  /** Jobs dead-lettered (counted in `failed` too). */
  readonly dead: number;
}

/** What one read of the registry holds. */
export interface WorkerRegistryState {
  /** The server's time of the read (ms). */
  readonly now: number;
  /** Every registered worker, alive first, then by object and id. */
  readonly workers: WorkerInfo[];
  /** The paused objects, by family and name. */
  readonly paused: PausedObject[];
  /** What each object's workers finished, in total (since the registry's keys were made), by family and name. */
  readonly totals: ObjectTotals[];
}

/** Options of {@link WorkerRegistry}. */
export interface WorkerRegistryOptions {
  /**
   * The key prefix of the objects whose workers it lists.
   *
   * @defaultValue `''`
   */
  prefix?: string | undefined;
}

/** A worker forgets (removes from the registry) workers silent for this many of their own intervals, or a minute, whichever is longer. */
export function forgetAfterMs(heartbeatMs: number): number {
  return Math.max(60_000, 30 * heartbeatMs);
}

/** Parses a stored description; undefined for one that is not ours. */
function descriptionOf(raw: unknown): WorkerDescription | undefined {
  const d = storedObject(raw) as Partial<WorkerDescription> | undefined;
  if (d === undefined || typeof d.id !== 'string' || typeof d.name !== 'string' || typeof d.family !== 'string' || typeof d.heartbeatMs !== 'number')
    return undefined;
  return { ...(d as WorkerDescription), jobs: Array.isArray(d.jobs) ? d.jobs : [], recent: Array.isArray(d.recent) ? d.recent : [] };
}

/**
 * The worker registry of one prefix: who consumes what, alive or not, and which objects are
 * paused. Every Worker (of every family) whose source names its object beats here every
 * `heartbeatMs` (2 s by default) and holds off leasing while its object is paused; a pause
 * therefore takes effect within one heartbeat, and jobs already running finish.
 *
 * @example
 * ```ts
 * const registry = new WorkerRegistry(redis);
 * await registry.pause({ family: 'taskQueue', name: 'emails' }); // every worker of it holds off
 * for (const w of (await registry.read()).workers) console.log(w.id, w.family, w.name, w.alive, w.running);
 * await registry.resume({ family: 'taskQueue', name: 'emails' });
 * ```
 */
export class WorkerRegistry {
  /** The key prefix. */
  public readonly prefix: string;
  /** The registry as its scripts see it. */
  private readonly core: ObjectCore<keyof typeof WORKER_SCRIPTS_TABLE, keyof WorkerRegistryKeys, typeof WORKER_SCRIPTS_TABLE>;

  /**
   * @param client - any ioredis client (standalone, Sentinel or Cluster)
   * @param options - `prefix`
   * @throws {@link GoodRedisError} `InvalidArgument` for a bad prefix
   */
  public constructor(client: RedisClient, options: WorkerRegistryOptions = {}) {
    options = optionsOf(options);
    this.prefix = options.prefix ?? '';
    this.core = new ObjectCore(client, WORKER_REGISTRY_NAME, this.prefix, workerRegistryKeys(this.prefix), WORKER_SCRIPTS, stringCodec, undefined);
  }

  /**
   * Reads the registry at one moment (one read-only script).
   *
   * @returns the workers and the paused objects
   */
  public async read(): Promise<WorkerRegistryState> {
    return this.core.call('readWorkers', {});
  }

  /**
   * Pauses the consumption of an object by every Worker of this prefix: each holds off leasing
   * from its next heartbeat on (jobs already running finish). Producers are not affected.
   *
   * @param object - the family and name
   * @returns false when it was paused already
   * @throws {@link GoodRedisError} `InvalidArgument` for an unknown family or a bad name
   */
  public async pause(object: ObjectRef): Promise<boolean> {
    return this.core.call('setPaused', { field: checkedField(object), paused: true });
  }

  /**
   * Resumes the consumption of a paused object: its Workers lease again from their next heartbeat.
   *
   * @param object - the family and name
   * @returns false when it was not paused
   * @throws {@link GoodRedisError} `InvalidArgument` for an unknown family or a bad name
   */
  public async resume(object: ObjectRef): Promise<boolean> {
    return this.core.call('setPaused', { field: checkedField(object), paused: false });
  }

  /**
   * One worker's heartbeat (what a Worker sends itself; see {@link WorkerDescription}), adding
   * what it finished since its last beat to its object's totals.
   *
   * @param description - the worker
   * @param finished - the jobs it finished since its last beat, by outcome
   * @param leave - remove it instead (the worker closes)
   * @returns whether its object is paused
   */
  public async beat(description: WorkerDescription, finished: Readonly<Record<JobOutcome, number>>, leave = false): Promise<boolean> {
    assertInteger(description.heartbeatMs, 'heartbeatMs', 1);
    return this.core.call('workerBeat', { description, forgetAfterMs: forgetAfterMs(description.heartbeatMs), leave, finished });
  }
}

/** The paused field of an object, checked. */
function checkedField(object: ObjectRef): string {
  const { family, name } = optionsOf(object, 'object');
  if (!isObjectFamily(family)) throw invalid(`object.family must be one of ${OBJECT_FAMILIES.join(', ')}, got ${JSON.stringify(family)}`);
  assertObjectName(name, 'the object');
  return objectId({ family, name });
}

/** Parses the totals hash (`outcome|family/name` → count) into one row per object. */
function totalsOf(flat: readonly unknown[]): ObjectTotals[] {
  const byObject = new Map<string, { family: ObjectFamily; name: string; completed: number; failed: number; dead: number }>();
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const field = String(flat[i]);
    const bar = field.indexOf('|');
    const outcome = field.slice(0, bar) as JobOutcome;
    const id = field.slice(bar + 1);
    const object = parseObjectId(id);
    if (bar < 0 || !JOB_OUTCOMES.includes(outcome) || object === undefined) continue;
    let row = byObject.get(id);
    if (row === undefined) {
      row = { ...object, completed: 0, failed: 0, dead: 0 };
      byObject.set(id, row);
    }
    row[outcome] = Number(flat[i + 1]);
  }
  return [...byObject.values()].sort(compareObjects);
}

import { randomUUID } from 'node:crypto';
import { Cron } from 'croner';
import { Cluster } from 'ioredis';
import type { RedisClient } from '../connection/redis-client.js';
import { serverNowMs } from '../connection/server-time.js';
import { typed } from '../errors.js';
import { assertInteger, describe as describeValue, epochMs, invalid, optionsOf, storedObject } from '../internal/validate.js';
import { assertTaskId } from './result-store.js';
import type { TaskQueueCore } from './scripts.js';
import type { TaskQueueKeys } from './task-keys.js';
import type { Labels } from './types.js';

/** What {@link ScheduleStore.add} takes: a task, its arguments, and exactly one of `cron`, `everyMs` or `at`. */
export interface ScheduleSpec {
  /** The schedule id (a random UUID when left out); adding an existing id replaces it. */
  id?: string | undefined;
  /** The task name to send. */
  task: string;
  /** The arguments it is sent with. */
  args?: unknown;
  /** Labels it is sent with (besides `scheduleId`). */
  labels?: Labels | undefined;
  /** A cron expression of 5 fields, or 6 with seconds first (croner's syntax). */
  cron?: string | undefined;
  /**
   * The cron's IANA time zone.
   *
   * @defaultValue `'UTC'`
   */
  tz?: string | undefined;
  /** Every this many ms (a positive whole number); the first run one interval after adding. */
  everyMs?: number | undefined;
  /** Once, at this time (a `Date` or epoch ms); a past time fires at once. */
  at?: Date | number | undefined;
}

/** A schedule as stored. */
export interface Schedule {
  /** The schedule id. */
  readonly id: string;
  /** The task name. */
  readonly task: string;
  /** The arguments. */
  readonly args: unknown;
  /** The labels. */
  readonly labels: Labels;
  /** The cron expression, if it is one. */
  readonly cron?: string | undefined;
  /** The cron's time zone. */
  readonly tz?: string | undefined;
  /** The interval, if it is one. */
  readonly everyMs?: number | undefined;
  /** The one-shot time (epoch ms), if it is one. */
  readonly at?: number | undefined;
}

/** A schedule with its next due time. */
export interface ScheduleInfo extends Schedule {
  /** When it fires next (epoch ms, server clock), or `null` when it is not due again. */
  readonly nextRunAt: number | null;
}

/** The labels of schedules that are not plain objects of strings, numbers and booleans are refused by the broker's send check; this one checks the spec's shape. */
function scheduleOf(spec: ScheduleSpec): Schedule {
  spec = optionsOf(spec, 'schedule');
  const { id = randomUUID(), task, args = null, labels = {}, cron, tz, everyMs, at } = spec;
  assertTaskId(id, 'schedule id');
  assertTaskId(task, 'task name');
  if (typeof labels !== 'object' || Array.isArray(labels)) throw invalid(`labels must be a plain object, got ${describeValue(labels)}`);
  const kinds = [cron, everyMs, at].filter((v) => v !== undefined).length;
  if (kinds !== 1) throw invalid(`a schedule takes exactly one of cron, everyMs or at, got ${String(kinds)}`);
  if (cron !== undefined) {
    if (typeof cron !== 'string') throw invalid(`cron must be a string, got ${describeValue(cron)}`);
    if (tz !== undefined && typeof tz !== 'string') throw invalid(`tz must be an IANA time zone name, got ${describeValue(tz)}`);
    const job = cronOf(cron, tz); // refuses a bad expression now
    try {
      job.nextRun(); // and a zone Intl does not know
    } catch (err) {
      throw invalid(`bad time zone ${JSON.stringify(tz)} for cron ${JSON.stringify(cron)}: ${err instanceof Error ? err.message : String(err)}`);
    }
    return { id, task, args, labels, cron, tz: tz ?? 'UTC' };
  }
  if (tz !== undefined) throw invalid('tz goes with cron');
  if (everyMs !== undefined) {
    assertInteger(everyMs, 'everyMs', 1);
    return { id, task, args, labels, everyMs };
  }
  if (!(at instanceof Date) && typeof at !== 'number') throw invalid(`at must be a Date or epoch ms, got ${describeValue(at)}`);
  return { id, task, args, labels, at: epochMs(at, 'at') };
}

/** A SCAN pattern matching `text` literally. */
function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}

/** A paused croner job for an expression (5 fields, or 6 with seconds first) in a zone. */
function cronOf(expression: string, tz = 'UTC'): Cron {
  try {
    return new Cron(expression, { timezone: tz, paused: true, mode: '5-or-6-parts' });
  } catch (err) {
    throw invalid(`bad cron ${JSON.stringify(expression)}${tz === 'UTC' ? '' : ` in ${tz}`}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/**
 * When a schedule is due next after `nowMs`: a cron's next run, an interval's next multiple from
 * its previous due time (missed runs fire once, not once per miss), undefined for a one-shot
 * that fired (or a cron with no run left).
 *
 * @param schedule - the schedule
 * @param nowMs - the server's now
 * @param previousDueMs - the due time that just fired; undefined when adding
 */
export function nextDueOf(schedule: Schedule, nowMs: number, previousDueMs?: number): number | undefined {
  if (schedule.cron !== undefined) {
    try {
      return cronOf(schedule.cron, schedule.tz).nextRun(new Date(nowMs))?.getTime();
    } catch {
      return undefined; // stored by another version or edited by hand: it is not due again
    }
  }
  if (schedule.everyMs !== undefined) {
    if (previousDueMs === undefined) return nowMs + schedule.everyMs;
    return previousDueMs + schedule.everyMs * (Math.floor((nowMs - previousDueMs) / schedule.everyMs) + 1);
  }
  return previousDueMs === undefined ? schedule.at : undefined;
}

/** Parses a stored schedule; undefined for one that is not JSON. */
export function parseSchedule(raw: unknown): Schedule | undefined {
  const schedule = storedObject(raw);
  return typeof schedule?.id === 'string' && typeof schedule.task === 'string' ? (schedule as unknown as Schedule) : undefined;
}

/** What {@link ScheduleStore.migrateFrom} did. */
export interface MigrationReport {
  /** Schedules written (added or replaced). */
  readonly migrated: number;
  /** Keys left alone, and why. */
  readonly skipped: readonly SkippedKey[];
}

/** A key {@link ScheduleStore.migrateFrom} left alone. */
export interface SkippedKey {
  /** The key. */
  readonly key: string;
  /** Why: a pickled or malformed value, or a schedule this store refuses. */
  readonly reason: string;
}

/** An ISO 8601 duration (`P1DT2H3M4.5S`, `PT30S`) in ms, or undefined. */
function isoDurationMs(text: string): number | undefined {
  const m = /^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(text);
  if (m === null || text === 'P' || text.endsWith('T')) return undefined;
  const [, d = '0', h = '0', min = '0', s = '0'] = m;
  return Math.round(((Number(d) * 24 + Number(h)) * 60 + Number(min)) * 60_000 + Number(s) * 1000);
}

/** A taskiq-redis schedule (its JSON) as a spec, or the reason it cannot be one. */
function specFromTaskiq(raw: string): ScheduleSpec | string {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return 'not JSON (a pickled schedule?)';
  }
  if (typeof value !== 'object' || value === null) return 'not a schedule object';
  const s = value as Record<string, unknown>;
  if (typeof s.schedule_id !== 'string' || typeof s.task_name !== 'string') return 'no schedule_id or task_name';
  const positional = Array.isArray(s.args) ? s.args : [];
  const args = positional.length === 0 && typeof s.kwargs === 'object' && s.kwargs !== null ? s.kwargs : positional;
  const labels: Record<string, string | number | boolean> = {};
  if (typeof s.labels === 'object' && s.labels !== null) {
    for (const [k, v] of Object.entries(s.labels)) if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') labels[k] = v;
  }
  const spec = { id: s.schedule_id, task: s.task_name, args, labels };
  if (typeof s.cron === 'string') {
    if (s.cron_offset !== undefined && s.cron_offset !== null && typeof s.cron_offset !== 'string') return 'cron_offset is not a zone name';
    return { ...spec, cron: s.cron, tz: typeof s.cron_offset === 'string' ? s.cron_offset : undefined };
  }
  if (typeof s.time === 'string') {
    const at = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(s.time) ? s.time : `${s.time}Z`);
    return Number.isNaN(at) ? `time ${JSON.stringify(s.time)} is not a date` : { ...spec, at };
  }
  if (typeof s.interval === 'number') return { ...spec, everyMs: Math.round(s.interval * 1000) };
  if (typeof s.interval === 'string') {
    const ms = isoDurationMs(s.interval);
    return ms === undefined ? `interval ${JSON.stringify(s.interval)} is not an ISO 8601 duration` : { ...spec, everyMs: ms };
  }
  return 'none of cron, time or interval';
}

/**
 * A task queue's schedules: one hash of schedules (`P:tq{Q}:sched`) and one sorted set of due
 * times (`P:tq{Q}:due`), in the queue's slot. A {@link Scheduler} fires them; this store adds,
 * reads and removes them. `broker.schedules` is its queue's store.
 */
export class ScheduleStore {
  /**
   * Made by each broker (`broker.schedules`).
   *
   * @param client - the broker's connection
   * @param keys - the queue's keys
   * @param core - runs the queue's scripts and registers it
   * @internal
   */
  public constructor(
    private readonly client: RedisClient,
    private readonly keys: TaskQueueKeys,
    private readonly core: TaskQueueCore,
  ) {}

  /**
   * Adds a schedule, or replaces the one of its id, due first at: a cron's next run, one
   * interval from now, or its `at` (a past one fires at the next tick). Times are the server's.
   *
   * @param spec - the task, its arguments and labels, and exactly one of `cron` (with `tz`), `everyMs`, `at`
   * @returns the schedule with its first due time
   * @throws {@link GoodRedisError} `InvalidArgument` for a bad spec (none or several kinds, a bad cron or zone, an `at` that is not a date); nothing is written
   */
  public async add(spec: ScheduleSpec): Promise<ScheduleInfo> {
    const schedule = scheduleOf(spec);
    let json: string;
    try {
      json = JSON.stringify(schedule);
    } catch (err) {
      throw invalid(`the schedule's arguments are not JSON: ${err instanceof Error ? err.message : String(err)}`);
    }
    const due = nextDueOf(schedule, await serverNowMs(this.client));
    if (due === undefined) throw invalid(`cron ${JSON.stringify(schedule.cron)} never runs again`);
    // A queue with schedules is listed as one with messages is.
    await this.core.registering(this.core.call('addSchedule', { id: schedule.id, json, dueMs: due }));
    return { ...schedule, nextRunAt: due };
  }

  /**
   * A schedule and its next due time.
   *
   * @param id - the schedule id
   * @returns it, or `null`
   */
  public async get(id: string): Promise<ScheduleInfo | null> {
    assertTaskId(id, 'schedule id');
    const [raw, due] = await Promise.all([typed(this.client.hget(this.keys.sched, id)), typed(this.client.zscore(this.keys.due, id))]);
    const schedule = parseSchedule(raw);
    return schedule === undefined ? null : { ...schedule, nextRunAt: due === null ? null : Number(due) };
  }

  /** Every schedule with its next due time, read in HSCAN pages. */
  public async list(): Promise<ScheduleInfo[]> {
    const out: ScheduleInfo[] = [];
    let cursor = '0';
    do {
      const [next, fields] = await typed(this.client.hscan(this.keys.sched, cursor, 'COUNT', 500));
      cursor = next;
      const schedules: Schedule[] = [];
      for (let i = 1; i < fields.length; i += 2) {
        const schedule = parseSchedule(fields[i]);
        if (schedule !== undefined) schedules.push(schedule);
      }
      if (schedules.length === 0) continue;
      const scores = await typed(this.client.zmscore(this.keys.due, ...schedules.map((s) => s.id)));
      schedules.forEach((s, i) => {
        const score = scores[i];
        out.push({ ...s, nextRunAt: score === null || score === undefined ? null : Number(score) });
      });
    } while (cursor !== '0');
    return out.sort((a, b) => (a.nextRunAt ?? Infinity) - (b.nextRunAt ?? Infinity) || a.id.localeCompare(b.id));
  }

  /**
   * Moves a key-per-schedule layout (taskiq-redis's `RedisScheduleSource`: `prefix:<id>` holding
   * a JSON schedule with `schedule_id`, `task_name`, `args`, `kwargs`, `labels`, and one of
   * `cron` with `cron_offset` as a zone name, `time`, or `interval` in seconds or ISO 8601) into
   * this store, each with the same id (its args: `kwargs` when `args` is empty, else `args`).
   * The keys are found with one SCAN per master; pickled or malformed values are skipped, not
   * fatal. Idempotent: a second run replaces what the first wrote.
   *
   * @param options - `prefix` of the old keys; `client` holding them (default the broker's); `deleteOld` (default true) deletes each moved key
   */
  public async migrateFrom(options: { prefix: string; client?: RedisClient | undefined; deleteOld?: boolean | undefined }): Promise<MigrationReport> {
    const { prefix, client = this.client, deleteOld = true } = optionsOf(options, 'migration options');
    if (typeof prefix !== 'string' || prefix === '') throw invalid(`prefix must be a non-empty string, got ${describeValue(prefix)}`);
    const nodes = client instanceof Cluster ? client.nodes('master') : [client];
    const keys = new Set<string>();
    for (const node of nodes) {
      let cursor = '0';
      do {
        const [next, found] = await typed(node.scan(cursor, 'MATCH', `${escapeGlob(prefix)}:*`, 'COUNT', 1000));
        cursor = next;
        for (const key of found) keys.add(key);
      } while (cursor !== '0');
    }
    let migrated = 0;
    const skipped: { key: string; reason: string }[] = [];
    for (const key of [...keys].sort()) {
      const raw = await typed(client.getBuffer(key)).catch((err: unknown) => err as Error);
      const spec = raw instanceof Error ? `unreadable: ${raw.message}` : raw === null ? 'gone' : specFromTaskiq(raw.toString('utf8'));
      if (typeof spec === 'string') {
        skipped.push({ key, reason: spec });
        continue;
      }
      try {
        await this.add(spec);
      } catch (err) {
        skipped.push({ key, reason: err instanceof Error ? err.message : String(err) });
        continue;
      }
      migrated++;
      if (deleteOld) await typed(client.del(key));
    }
    return { migrated, skipped };
  }

  /**
   * Removes a schedule.
   *
   * @param id - the schedule id
   * @returns whether there was one
   */
  public async remove(id: string): Promise<boolean> {
    assertTaskId(id, 'schedule id');
    return (await this.core.call('removeSchedule', { id })) === 1;
  }
}

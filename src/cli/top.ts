/**
 * `good-redis top`: a live view of every object of every family, as the dashboard's overview
 * shows them: its counts by state, what producers added and what its Workers completed per
 * second.
 *
 * @module
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { RedisClient } from '../connection/redis-client.js';
import { serverNowMs } from '../connection/server-time.js';
import { objectId } from '../observe/families.js';
import type { ObjectCounts, ObjectFamily, ObjectInventory } from '../overview/inventory.js';
import { workOf } from '../overview/views.js';
import type { WorkerRegistry } from '../observe/worker-registry.js';
import { formatDuration, type Output } from './cli-support.js';
import { formatRate, table } from './format.js';

/** One object in a frame of `top`. */
export interface TopRow {
  /** Its family. */
  family: ObjectFamily;
  /** Its name. */
  name: string;
  /** Its counts by state (the states of its family: see `ObjectCounts`). */
  states: Readonly<Record<string, number>>;
  /** What producers added to it in total (see `ObjectCounts.added`). */
  added: number;
  /** What its Workers completed in total (their beats' totals; 0 when none beat). */
  completed: number;
  /** Added per second since the previous frame; null on the first frame. */
  addRate: number | null;
  /** Completed per second since the previous frame; null on the first frame. */
  completedRate: number | null;
}

/** One object's totals at a frame: what was added and completed, read at `now` (server ms). */
export interface TopSnapshot {
  readonly counts: ObjectCounts;
  readonly completed: number;
  readonly now: number;
}

/** Options of {@link runTop}. */
export interface TopOptions {
  /** The pause between frames, in ms. */
  intervalMs: number;
  /** Stop after this many frames; undefined runs until stopped. */
  iterations?: number | undefined;
  /** One JSON object per frame instead of a table. */
  json: boolean;
  /** What the header says the view is connected to. */
  target: string;
}

/**
 * The rates of one object between two snapshots, per second of the server clock. A counter that
 * went down was reset (the object was deleted, or a stream's counters expired): it counts from 0.
 *
 * @param now - this frame's snapshot
 * @param before - the previous frame's, if any
 * @returns the row
 */
export function topRow(now: TopSnapshot, before: TopSnapshot | undefined): TopRow {
  const rate = (current: number, previous: number | undefined): number | null => {
    if (before === undefined || previous === undefined) return null;
    const seconds = (now.now - before.now) / 1000;
    if (seconds <= 0) return null;
    return (current >= previous ? current - previous : current) / seconds;
  };
  const { family, name, states, added } = now.counts;
  return {
    family,
    name,
    states,
    added,
    completed: now.completed,
    addRate: rate(added, before?.counts.added),
    completedRate: rate(now.completed, before?.completed),
  };
}

/** An object's counts as one cell: `state n` for each of its family's states. */
function countsCell(states: Readonly<Record<string, number>>): string {
  return Object.entries(states)
    .map(([state, n]) => `${state} ${String(n)}`)
    .join(', ');
}

/**
 * The lines of one text frame: a header, then the objects, busiest first (the fastest rates,
 * then the most work held, then by family and name).
 *
 * @param rows - the objects
 * @param header - the first line
 * @returns the lines
 */
export function topLines(rows: readonly TopRow[], header: string): string[] {
  const pace = (r: TopRow): number => (r.addRate ?? 0) + (r.completedRate ?? 0);
  const sorted = [...rows].sort((a, b) => pace(b) - pace(a) || workOf(b) - workOf(a) || objectId(a).localeCompare(objectId(b)));
  const columns = [{ title: 'FAMILY' }, { title: 'NAME' }, { title: 'ADD/S', right: true }, { title: 'DONE/S', right: true }, { title: 'COUNTS' }];
  const cells = sorted.map((r) => [r.family, r.name, formatRate(r.addRate), formatRate(r.completedRate), countsCell(r.states)]);
  return [header, '', ...(rows.length === 0 ? ['No registered objects.'] : table(columns, cells))];
}

/**
 * Shows frames until `stop` aborts or `iterations` frames were shown. On a terminal (and
 * without `json`) each frame is redrawn in place on the alternate screen, which is left on
 * exit; otherwise frames follow one another (text frames separated by a blank line, or one
 * JSON object per line).
 *
 * @param client - the connection (for the server's clock)
 * @param inventory - the objects to show
 * @param workers - the worker registry (for what Workers completed)
 * @param options - interval, iterations, format
 * @param out - where to draw (stdout)
 * @param stop - aborted to stop
 * @returns how many frames were shown
 */
export async function runTop(
  client: RedisClient,
  inventory: ObjectInventory,
  workers: WorkerRegistry,
  options: TopOptions,
  out: Output,
  stop: AbortSignal,
): Promise<number> {
  const live = out.isTTY === true && !options.json;
  let previous = new Map<string, TopSnapshot>();
  let frames = 0;
  /** Waits for the next refresh; false when `stop` aborted the wait. */
  const rest = async (): Promise<boolean> => {
    try {
      await sleep(options.intervalMs, undefined, { signal: stop });
      return true;
    } catch {
      return false;
    }
  };
  if (live) out.write('\x1b[?1049h\x1b[?25l');
  try {
    while (!stop.aborted) {
      let snapshots: TopSnapshot[];
      let now: number;
      try {
        const [counts, registry, at] = await Promise.all([inventory.counts(), workers.read(), serverNowMs(client)]);
        now = at;
        const completed = new Map(registry.totals.map((t) => [objectId(t), t.completed]));
        snapshots = counts.map((c) => ({ counts: c, completed: completed.get(objectId(c)) ?? 0, now: at }));
      } catch (err) {
        // Redis unreachable (or a read failed): say so in this frame and carry on; ioredis
        // reconnects meanwhile.
        frames += 1;
        const reason = err instanceof Error ? (err.message.split('\n')[0] ?? err.message) : String(err);
        const time = new Date().toISOString();
        if (options.json) out.write(`${JSON.stringify({ time, error: reason })}\n`);
        else
          out.write(
            `${live ? '\x1b[H' : frames > 1 ? '\n' : ''}good-redis top  ${options.target}  ${time}\n\nRedis did not answer: ${reason}; retrying every ${formatDuration(options.intervalMs)}${live ? '\x1b[K\n\x1b[J' : '\n'}`,
          );
        if ((options.iterations !== undefined && frames >= options.iterations) || !(await rest())) break;
        continue;
      }
      const rows = snapshots.map((s) => topRow(s, previous.get(objectId(s.counts))));
      previous = new Map(snapshots.map((s) => [objectId(s.counts), s]));
      frames += 1;
      const time = new Date(now).toISOString();
      if (options.json) {
        out.write(`${JSON.stringify({ time, objects: rows })}\n`);
      } else {
        const header = `good-redis top  ${String(rows.length)} object(s) at ${options.target}  every ${formatDuration(options.intervalMs)}  ${time}${live ? '  (Ctrl-C quits)' : ''}`;
        const lines = topLines(rows, header);
        if (live) {
          const height = out.rows ?? lines.length;
          out.write(`\x1b[H${lines.slice(0, Math.max(1, height - 1)).join('\x1b[K\n')}\x1b[K\n\x1b[J`);
        } else {
          out.write(`${frames > 1 ? '\n' : ''}${lines.join('\n')}\n`);
        }
      }
      if ((options.iterations !== undefined && frames >= options.iterations) || !(await rest())) break;
    }
  } finally {
    if (live) out.write('\x1b[?25h\x1b[?1049l');
  }
  return frames;
}

/**
 * `good-redis top`: a live view of the streams, their sizes and their add and pull rates.
 *
 * @module
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { StreamRegistry } from '../prioritized/stream-registry.js';
import type { StreamStats } from '../prioritized/types.js';
import { formatDuration, type Output } from './cli-support.js';
import { formatRate, table } from './format.js';

/** One stream in a frame of `top`. */
export interface TopRow {
  /** The stream name. */
  name: string;
  /** Queued items. */
  length: number;
  /** Gated keys. */
  gated: number;
  /** Keys cooling down. */
  cooling: number;
  /** Leased jobs. */
  leased: number;
  /** Jobs waiting for their time (delayed adds, nacks with a delay). */
  delayed: number;
  /** Dead letters. */
  dead: number;
  /** The stream's add counter (see `StreamStats.added`). */
  added: number;
  /** The stream's pull counter. */
  pulled: number;
  /** Items added per second since the previous frame; null on the first frame. */
  addRate: number | null;
  /** Items pulled or leased per second since the previous frame; null on the first frame. */
  pullRate: number | null;
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
 * The rates of one stream between two snapshots, per second of the server clock. A counter
 * that went down was reset (the stream was deleted, or its counters expired): it counts from 0.
 *
 * @param name - the stream
 * @param now - this frame's snapshot
 * @param before - the previous frame's, if any
 * @returns the row
 */
export function topRow(name: string, now: StreamStats, before: StreamStats | undefined): TopRow {
  const rate = (current: number, previous: number | undefined): number | null => {
    if (before === undefined || previous === undefined) return null;
    const seconds = (now.now - before.now) / 1000;
    if (seconds <= 0) return null;
    return (current >= previous ? current - previous : current) / seconds;
  };
  return {
    name,
    length: now.length,
    gated: now.gated,
    cooling: now.cooling,
    leased: now.leased,
    delayed: now.delayed,
    dead: now.dead,
    added: now.added,
    pulled: now.pulled,
    addRate: rate(now.added, before?.added),
    pullRate: rate(now.pulled, before?.pulled),
  };
}

/**
 * The lines of one text frame: a header, then the streams, busiest first.
 *
 * @param rows - the streams
 * @param header - the first line
 * @returns the lines
 */
export function topLines(rows: readonly TopRow[], header: string): string[] {
  const sorted = [...rows].sort(
    (a, b) => (b.addRate ?? 0) + (b.pullRate ?? 0) - ((a.addRate ?? 0) + (a.pullRate ?? 0)) || b.length - a.length || (a.name < b.name ? -1 : 1),
  );
  const columns = [
    { title: 'NAME' },
    { title: 'LENGTH', right: true },
    { title: 'GATED', right: true },
    { title: 'COOLING', right: true },
    { title: 'LEASED', right: true },
    { title: 'DELAYED', right: true },
    { title: 'DEAD', right: true },
    { title: 'ADD/S', right: true },
    { title: 'PULL/S', right: true },
  ];
  const cells = sorted.map((r) => [
    r.name,
    ...[r.length, r.gated, r.cooling, r.leased, r.delayed, r.dead].map(String),
    formatRate(r.addRate),
    formatRate(r.pullRate),
  ]);
  return [header, '', ...(rows.length === 0 ? ['No registered streams.'] : table(columns, cells))];
}

/**
 * Shows frames until `stop` aborts or `iterations` frames were shown. On a terminal (and
 * without `json`) each frame is redrawn in place on the alternate screen, which is left on
 * exit; otherwise frames follow one another (text frames separated by a blank line, or one
 * JSON object per line).
 *
 * @param registry - the streams to show
 * @param options - interval, iterations, format
 * @param out - where to draw (stdout)
 * @param stop - aborted to stop
 * @returns how many frames were shown
 */
export async function runTop(registry: StreamRegistry, options: TopOptions, out: Output, stop: AbortSignal): Promise<number> {
  const live = out.isTTY === true && !options.json;
  let previous = new Map<string, StreamStats>();
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
      let snapshots: (readonly [string, StreamStats])[];
      try {
        snapshots = await Promise.all((await registry.names()).map(async (name) => [name, await registry.stream(name).stats()] as const));
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
      const rows = snapshots.map(([name, stats]) => topRow(name, stats, previous.get(name)));
      previous = new Map(snapshots);
      frames += 1;
      const time = new Date(snapshots[0]?.[1].now ?? Date.now()).toISOString();
      if (options.json) {
        out.write(`${JSON.stringify({ time, streams: rows })}\n`);
      } else {
        const header = `good-redis top  ${String(snapshots.length)} stream(s) at ${options.target}  every ${formatDuration(options.intervalMs)}  ${time}${live ? '  (Ctrl-C quits)' : ''}`;
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

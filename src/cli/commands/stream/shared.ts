/**
 * What the stream commands share: the add modes, finding a stream, and the tables of items
 * and dead letters.
 *
 * @module
 */
import type { PrioritizedStream } from '../../../prioritized/prioritized-stream.js';
import type { StreamRegistry } from '../../../prioritized/stream-registry.js';
import type { AddMode, DeadLetter, Item, StreamStats } from '../../../prioritized/types.js';
import { CliError, formatDuration, usage } from '../../cli-support.js';
import { formatPriority, quoted, shorten, table } from '../../format.js';

/** The add modes, as `--mode` offers them. */
export const ADD_MODES: readonly AddMode[] = ['sum', 'replace', 'max'];

/** Items as a PRIORITY / KEY / VALUE table, values shortened to `width` and escaped. */
export function itemTable(items: readonly Item<string>[], width: number, indent?: string): string[] {
  const rows = items.map((item) => [formatPriority(item.priority), item.key, shorten(item.value, width)]);
  return table([{ title: 'PRIORITY', right: true }, { title: 'KEY' }, { title: 'VALUE' }], rows, indent);
}

/** A dead letter as `--json` prints it: the value raw when it did not decode. */
export function deadJson(d: DeadLetter<string>): Record<string, unknown> {
  const { key, priority, attempts, error, diedAt } = d;
  return d.decoded ? { key, value: d.value, priority, attempts, error, diedAt } : { key, raw: String(d.raw), priority, attempts, error, diedAt };
}

/** Dead letters as a KEY / ATTEMPTS / DIED / ERROR / VALUE table. */
export function deadTable(dead: readonly DeadLetter<string>[], now: number, width: number, indent?: string): string[] {
  const rows = dead.map((d) => [
    d.key,
    String(d.attempts),
    `${formatDuration(Math.max(0, now - d.diedAt))} ago`,
    shorten(d.error ?? '-', width),
    shorten(d.decoded ? d.value : String(d.raw), width),
  ]);
  return table([{ title: 'KEY' }, { title: 'ATTEMPTS', right: true }, { title: 'DIED' }, { title: 'ERROR' }, { title: 'VALUE' }], rows, indent);
}

/** "in 9m 58s", or "overdue by 2s" for a time already past. */
export function formatDue(inMs: number): string {
  return inMs >= 0 ? `in ${formatDuration(inMs)}` : `overdue by ${formatDuration(-inMs)}`;
}

/** Checks that `replay` and `purge-dead` name keys or say --all, not both: returns whether it is all. */
export function deadKeysOrAll(keys: readonly string[], all: boolean): boolean {
  if (all && keys.length > 0) throw usage('name keys or pass --all, not both');
  if (!all && keys.length === 0) throw usage('name the dead keys, or pass --all');
  if (keys.includes('')) throw usage('key must be a non-empty string');
  return all;
}

/** The counts of a snapshot, without its clock reading. */
export function countsOf(stats: StreamStats): Omit<StreamStats, 'now'> {
  const { length, gated, cooling, cooldownsDue, leased, delayed, dead, added, pulled } = stats;
  return { length, gated, cooling, cooldownsDue, leased, delayed, dead, added, pulled };
}

/**
 * The stream `name`, if it is registered or holds anything, and whether it is registered;
 * else a one-line error.
 *
 * @throws {@link CliError} for an unknown stream
 */
export async function knownStream(registry: StreamRegistry, name: string, chunkSize?: number): Promise<{ stream: PrioritizedStream; registered: boolean }> {
  const stream = registry.stream(name, chunkSize === undefined ? {} : { chunkSize });
  if (await registry.has(name)) return { stream, registered: true };
  const s = await stream.stats();
  if (s.length + s.gated + s.cooling + s.cooldownsDue + s.leased + s.delayed + s.dead > 0) return { stream, registered: false };
  throw new CliError(`unknown stream ${quoted(name)}: it is not registered and holds nothing (good-redis streams lists the streams)`);
}

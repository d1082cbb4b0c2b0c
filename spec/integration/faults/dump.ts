/**
 * What Redis holds, as one comparable string: the fault matrix and the garbage matrix compare a
 * server's keys before and after a call with these.
 */
import type { Redis } from 'ioredis';
import { serverNow } from '../support.js';

/** What `XINFO STREAM … FULL` says, as objects, less the memory layout and the read counters. */
function streamInfo(reply: unknown): unknown {
  if (!Array.isArray(reply)) return reply;
  const pairs = reply.length % 2 === 0 && reply.every((v, i) => i % 2 === 1 || typeof v === 'string');
  if (!pairs || reply.length === 0) return reply.map(streamInfo);
  const fields: Record<string, unknown> = {};
  for (let i = 0; i + 1 < reply.length; i += 2) {
    const name = String(reply[i]);
    if (['radix-tree-keys', 'radix-tree-nodes', 'entries-read', 'lag'].includes(name)) continue;
    fields[name] = streamInfo(reply[i + 1]);
  }
  return fields;
}

/** The keys two dumps hold differently, for a failure message. */
export function diffDumps(actual: string, expected: string): string {
  const a = JSON.parse(actual) as Record<string, unknown>;
  const e = JSON.parse(expected) as Record<string, unknown>;
  const lines: string[] = [];
  for (const key of [...new Set([...Object.keys(a), ...Object.keys(e)])].sort()) {
    const [x, y] = [key in a ? JSON.stringify(a[key]) : '(none)', key in e ? JSON.stringify(e[key]) : '(none)'];
    if (x !== y) lines.push(`${key}:\n    actual   ${x}\n    expected ${y}`);
  }
  return lines.join('\n');
}

/**
 * Every key on the server, dumped as JSON, with what differs between equal runs made stable:
 * a time (13 digits of epoch ms) becomes its distance from the server's clock in tens of
 * seconds (`<now+60s>`: an extended lease differs from one that was not), a stream id `<id>`, a
 * lease id's microseconds `<us>`, a UUID `<uuid>`, and the run's aliases their names. A stream
 * is what `XINFO STREAM … FULL` says, less its memory layout and its read counters
 * (`entries-read`, `lag`: Redis does not keep them exact through a restart).
 */
export async function dumpServer(admin: Redis, aliases: ReadonlyMap<string, string> = new Map()): Promise<string> {
  const now = await serverNow(admin);
  const stable = (text: string): string => {
    let out = text;
    for (const [from, to] of aliases) out = out.replaceAll(from, to);
    return out
      .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<uuid>')
      .replace(/\b\d{13}-\d+\b/g, '<id>')
      .replace(/\b\d{16}\b/g, '<us>')
      .replace(/\b1\d{9}-(\d+)\b/g, '<s>-$1')
      .replace(
        /\b\d{13}(\.\d+)?\b/g,
        (t) => `<now${Math.round((Number(t) - now) / 10_000) >= 0 ? '+' : ''}${String(Math.round((Number(t) - now) / 10_000) * 10)}s>`,
      );
  };
  const keys = (await admin.keys('*')).sort();
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const type = await admin.type(key);
    let value: unknown;
    if (type === 'string') value = await admin.get(key);
    else if (type === 'hash') value = Object.entries(await admin.hgetall(key)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    else if (type === 'list') value = await admin.lrange(key, 0, -1);
    else if (type === 'set') value = (await admin.smembers(key)).sort();
    else if (type === 'zset') {
      // Scores that are times are compared in tens of seconds, so members whose times fall in one bucket are ordered by name.
      const flat = await admin.zrange(key, 0, -1, 'WITHSCORES');
      const pairs: [string, number][] = [];
      for (let i = 0; i + 1 < flat.length; i += 2) pairs.push([String(flat[i]), Number(flat[i + 1])]);
      const rank = (score: number): number => (score >= 1e12 ? Math.round((score - now) / 10_000) : score);
      value = pairs.sort(([a, x], [b, y]) => rank(x) - rank(y) || (a < b ? -1 : a > b ? 1 : 0)).flatMap(([member, score]) => [member, String(score)]);
    } else if (type === 'stream') value = streamInfo(await admin.call('XINFO', 'STREAM', key, 'FULL'));
    else value = `(${type})`;
    const ttl = await admin.pttl(key);
    out[stable(key)] = { type, value, expires: ttl > 0 };
  }
  return JSON.stringify(out, (_key, value: unknown) => {
    if (typeof value === 'string') return stable(value);
    if (typeof value === 'number') return stable(String(value));
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [stable(k), v]));
    return value;
  });
}

import { LUA_SOURCES } from './lua-sources.js';
import { ScriptSet } from '../scripting/script-set.js';
import { defineScript, numbers, text, texts } from '../scripting/define-script.js';
import type { ObjectCore } from '../keyspace/object-core.js';
import { DEFAULT_CHUNK_SIZE, DEFAULT_COOLDOWN_MS, DEFAULT_LEASE_MS, DEFAULT_MAX_ATTEMPTS, type AddMode, type StreamStats } from './types.js';
import { STREAM_LAYOUT, type StreamKeys } from './stream-keys.js';
import { DEFAULT_DEAD_CAPS } from '../jobs/dead-letters.js';

export type { ScriptArg } from '../scripting/script-set.js';

/** The keys of a stream a script may name, by role (the fields of {@link StreamKeys}). */
export type StreamKeyRole = keyof StreamKeys;

const EVERY_KEY = ['items', 'scores', 'gated', 'cooldowns', 'meta', 'leases', 'delayed', 'dead', 'state', 'marker', 'stats'] as const;

/** A boolean flag as the scripts read it. */
const flag = (value: boolean | undefined, fallback: boolean): '0' | '1' => ((value ?? fallback) ? '1' : '0');

/** An add's delay as the add scripts read it: `in:<ms>`, `at:<epoch ms>` (`delayMs` wins), or none. */
function delayArg(delayMs: number | undefined, runAt: number | undefined): string {
  if (delayMs !== undefined) return `in:${String(delayMs)}`;
  return runAt === undefined ? '' : `at:${String(runAt)}`;
}

/** How an add treats a key: gating and cooldown cleared first (`readd`), how a queued key's priority merges, a delay. */
export interface AddRequest {
  /** Clear the key's gating and cooldown first. @defaultValue false */
  readd?: boolean | undefined;
  /** How a queued key's priority merges. @defaultValue `'sum'` */
  mode?: AddMode | undefined;
  /** Wait this long (ms) in the delayed set first. */
  delayMs?: number | undefined;
  /** Wait until this time (epoch ms, server clock) in the delayed set first; `delayMs` wins. */
  runAt?: number | undefined;
}

/** A pull or an ack's cooldown: `expireAt` (epoch ms) wins over `cooldownMs`. */
export interface CooldownRequest {
  /** The cooldown from now, in ms; 0 sets none. */
  cooldownMs?: number | undefined;
  /** The cooldown's end, epoch ms (server clock). */
  expireAt?: number | '' | undefined;
}

/** A range of ranks, `start` to `stop` inclusive (negative counts from the end). */
export interface RankRequest {
  /** @defaultValue 0 */
  start?: number | undefined;
  /** @defaultValue -1 */
  stop?: number | undefined;
}

/** Leases named by flat key, leaseId pairs. */
interface LeasesRequest {
  readonly pairs: readonly string[];
}

/** The dead letters' caps of a script that may add dead letters, as `encodeDeadLetterCaps` writes them; the defaults when left out. */
interface DeadCapsRequest {
  deadCaps?: string | undefined;
}

const ranksOf = (r: RankRequest): [number, number] => [r.start ?? 0, r.stop ?? -1];

/** A priority reply: an exact decimal string, or null. */
export function priorityOf(value: unknown): number | null {
  return value === null ? null : Number(text(value));
}

/** A reply that is a list, its elements read by the caller (keys, values, flat triples). */
const list = (reply: unknown): unknown[] => reply as unknown[];

/** What a pull took: the stream's offset when it ran, each pulled key with its stored score, and each raw value. */
export interface PulledReply {
  /** The stream's priority offset (a priority is the offset minus the stored score). */
  readonly offset: number;
  /** The pulled keys and their scores, as pairs. */
  readonly range: readonly unknown[];
  /** The raw values, one per key. */
  readonly values: readonly unknown[];
}

/** Decodes the compact reply of pullItems-11.lua: empty when nothing was pulled, else `[offset, range, values]`. */
export function decodePull(reply: unknown): PulledReply | undefined {
  const r = reply as unknown[];
  if (r.length === 0) return undefined;
  return { offset: Number(text(r[0])), range: r[1] as unknown[], values: r[2] as unknown[] };
}

/** One leased item as leaseItems-10.lua answers it, its value as stored. */
export interface LeasedReply {
  readonly key: string;
  readonly value: unknown;
  readonly priority: number;
  readonly attempt: number;
  readonly leaseId: string;
}

/** Decodes the reply of leaseItems-10.lua: `[[key, value, priority, attempt, leaseId, …], wakeInMs]`. */
export function decodeLease(reply: unknown): { leased: LeasedReply[]; wakeInMs: number } {
  const [flat, wakeInMs] = reply as [unknown[], unknown];
  const leased: LeasedReply[] = [];
  for (let i = 0; i + 4 < flat.length; i += 5) {
    leased.push({ key: text(flat[i]), value: flat[i + 1], priority: Number(text(flat[i + 2])), attempt: Number(flat[i + 3]), leaseId: text(flat[i + 4]) });
  }
  return { leased, wakeInMs: Number(wakeInMs) };
}

/** Decodes the reply of nackItems-9.lua: `[requeued, delayed, dead]`. */
export function decodeNack(reply: unknown): { requeued: number; delayed: number; dead: number } {
  const [requeued = 0, delayed = 0, dead = 0] = numbers(reply);
  return { requeued, delayed, dead };
}

/** Decodes the reply of recoverItems-9.lua: `[returned, died, promoted]`. */
export function decodeRecover(reply: unknown): { returned: number; died: number; promoted: number } {
  const [returned = 0, died = 0, promoted = 0] = numbers(reply);
  return { returned, died, promoted };
}

/** Decodes the reply of expireItems-4.lua: `[expired, removed]`. */
export function decodeExpire(reply: unknown): { expired: number; removed: number } {
  const [expired = 0, removed = 0] = numbers(reply);
  return { expired, removed };
}

/** Decodes the reply of scanItems-3.lua: `[cursor, [key, value, priority, …]]`. */
export function decodeScan(reply: unknown): { cursor: string; flat: unknown[] } {
  const [cursor, flat] = reply as [unknown, unknown[]];
  return { cursor: text(cursor), flat };
}

/** Decodes the reply of readStats-7.lua: ten numbers in {@link StreamStats}'s order. */
export function decodeStats(reply: unknown): StreamStats {
  const [length = 0, gated = 0, cooling = 0, cooldownsDue = 0, leased = 0, delayed = 0, dead = 0, added = 0, pulled = 0, now = 0] = numbers(reply);
  return { length, gated, cooling, cooldownsDue, leased, delayed, dead, added, pulled, now };
}

/** Every script of a prioritized stream, by name, with the keys it touches (in its `namedKeys` order) and its encoder. */
export const SCRIPTS = {
  addItem: defineScript(
    'addItem-11.lua',
    EVERY_KEY,
    'write',
    (r: AddRequest & { key: string; value: string | Buffer; priority: number }) => [
      r.key,
      r.value,
      r.priority,
      flag(r.readd, false),
      r.mode ?? 'sum',
      delayArg(r.delayMs, r.runAt),
    ],
    priorityOf,
  ),
  addItems: defineScript(
    'addItems-11.lua',
    EVERY_KEY,
    'write',
    // pairs: key, value, …; scored: -priority, key, … (what ZADD takes when the offset is 0).
    (r: AddRequest & { pairs: readonly (string | Buffer)[]; scored: readonly (string | number)[]; reply?: 'full' | 'compact' | 'reasons' | undefined }) => [
      flag(r.readd, false),
      r.mode ?? 'sum',
      r.reply ?? 'full',
      delayArg(r.delayMs, r.runAt),
      ...r.pairs,
      ...r.scored,
    ],
  ),
  pullItems: defineScript(
    'pullItems-11.lua',
    EVERY_KEY,
    'write',
    (
      r: CooldownRequest & {
        count?: number | undefined;
        purge?: boolean | undefined;
        gate?: boolean | undefined;
        decreaseBy?: number | undefined;
        reply?: 'full' | 'compact' | undefined;
      } & DeadCapsRequest,
    ) => [
      r.count ?? 1,
      flag(r.purge, true),
      flag(r.gate, false),
      r.cooldownMs ?? DEFAULT_COOLDOWN_MS,
      r.expireAt ?? '',
      r.decreaseBy ?? 1,
      r.reply ?? 'full',
      r.deadCaps ?? DEFAULT_DEAD_CAPS,
    ],
    decodePull,
  ),
  incrementItem: defineScript(
    'incrementItem-2.lua',
    ['scores', 'meta'],
    'write',
    (r: { key: string; by?: number | undefined }) => [r.key, r.by ?? 1],
    priorityOf,
  ),
  decrementAll: defineScript('decrementAll-2.lua', ['scores', 'meta'], 'write', (r: { by?: number | undefined }) => [r.by ?? 1], Number),
  deleteBelow: defineScript(
    'deleteBelow-5.lua',
    ['items', 'scores', 'gated', 'meta', 'state'],
    'write',
    (r: { threshold: number; gate?: boolean | undefined; limit?: number | undefined }) => [r.threshold, flag(r.gate, false), r.limit ?? DEFAULT_CHUNK_SIZE],
    texts,
  ),
  expireItems: defineScript(
    'expireItems-4.lua',
    ['items', 'scores', 'cooldowns', 'state'],
    'remove',
    (r: { limit?: number | undefined }) => [r.limit ?? DEFAULT_CHUNK_SIZE],
    decodeExpire,
  ),
  deleteStream: defineScript('deleteStream-11.lua', EVERY_KEY, 'remove', () => [], Number, { anyType: true }),
  getItem: defineScript('getItem-1.lua', ['items'], 'read', (r: { key: string }) => [r.key]),
  countItems: defineScript('countItems-1.lua', ['scores'], 'read', () => [], Number),
  readItems: defineScript(
    'readItems-3.lua',
    ['items', 'scores', 'meta'],
    'read',
    (r: RankRequest & { what: 'keys' | 'values' | 'entries' }) => [r.what, ...ranksOf(r)],
    list,
  ),
  scanItems: defineScript('scanItems-3.lua', ['items', 'scores', 'meta'], 'read', (r: { cursor: string; count: number }) => [r.cursor, r.count], decodeScan),
  leaseItems: defineScript(
    'leaseItems-10.lua',
    ['items', 'scores', 'cooldowns', 'meta', 'leases', 'delayed', 'dead', 'state', 'marker', 'stats'],
    'write',
    // Recovers up to max(count, 100) expired leases and due delayed jobs first.
    (r: { count?: number | undefined; leaseMs?: number | undefined; maxAttempts?: number | undefined; owner?: string | undefined } & DeadCapsRequest) => {
      const count = r.count ?? 1;
      return [
        count,
        r.leaseMs ?? DEFAULT_LEASE_MS,
        r.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
        Math.max(count, 100),
        r.owner ?? '',
        r.deadCaps ?? DEFAULT_DEAD_CAPS,
      ];
    },
    decodeLease,
  ),
  ackItems: defineScript(
    'ackItems-5.lua',
    ['items', 'gated', 'cooldowns', 'leases', 'state'],
    'remove',
    (r: LeasesRequest & CooldownRequest & { gate?: boolean | undefined }) => [flag(r.gate, false), r.cooldownMs ?? 0, r.expireAt ?? '', ...r.pairs],
    Number,
  ),
  nackItems: defineScript(
    'nackItems-9.lua',
    ['items', 'scores', 'cooldowns', 'meta', 'leases', 'delayed', 'dead', 'state', 'marker'],
    'write',
    (
      r: LeasesRequest &
        DeadCapsRequest & { delayMs?: number | undefined; priority?: number | undefined; error?: string | undefined; release?: boolean | undefined },
    ) => [r.delayMs ?? 0, r.priority ?? '', r.error ?? '', r.release === true ? 'release' : 'nack', r.deadCaps ?? DEFAULT_DEAD_CAPS, ...r.pairs],
    decodeNack,
  ),
  extendLeases: defineScript('extendLeases-2.lua', ['leases', 'state'], 'write', (r: LeasesRequest & { leaseMs: number }) => [r.leaseMs, ...r.pairs], Number),
  recoverItems: defineScript(
    'recoverItems-9.lua',
    ['items', 'scores', 'cooldowns', 'meta', 'leases', 'delayed', 'dead', 'state', 'marker'],
    'write',
    (r: { limit?: number | undefined } & DeadCapsRequest) => [r.limit ?? DEFAULT_CHUNK_SIZE, r.deadCaps ?? DEFAULT_DEAD_CAPS],
    decodeRecover,
  ),
  readJobs: defineScript(
    'readJobs-5.lua',
    ['items', 'leases', 'delayed', 'dead', 'state'],
    'read',
    (r: RankRequest & { which: 'leases' | 'delayed' | 'dead'; values?: boolean | undefined }) => [r.which, ...ranksOf(r), flag(r.values, false)],
    list,
  ),
  readState: defineScript(
    'readState-8.lua',
    ['scores', 'gated', 'cooldowns', 'meta', 'leases', 'delayed', 'dead', 'state'],
    'read',
    (r: { key: string }) => [r.key],
    text,
  ),
  buryItems: defineScript(
    'buryItems-6.lua',
    ['items', 'scores', 'leases', 'delayed', 'dead', 'state'],
    'write',
    // leased: key, leaseId, error triples; pulled: key, value, priority, error quadruples.
    (r: { from: 'leased' | 'pulled'; entries: readonly (string | Buffer)[] } & DeadCapsRequest) => [r.from, r.deadCaps ?? DEFAULT_DEAD_CAPS, ...r.entries],
  ),
  removeItems: defineScript(
    'removeItems-5.lua',
    ['items', 'scores', 'leases', 'delayed', 'state'],
    'remove',
    (r: { keys: readonly string[] }) => [...r.keys],
    texts,
  ),
  readStats: defineScript('readStats-7.lua', ['scores', 'gated', 'cooldowns', 'leases', 'delayed', 'dead', 'stats'], 'read', () => [], decodeStats),
  reviveDead: defineScript(
    'reviveDead-7.lua',
    ['items', 'scores', 'cooldowns', 'meta', 'dead', 'state', 'marker'],
    'remove',
    // Without keys: up to `limit` of the oldest dead letters.
    (r: { action: 'replay' | 'purge'; limit?: number | undefined; keys?: readonly string[] | undefined }) => [
      r.action,
      r.limit ?? DEFAULT_CHUNK_SIZE,
      ...(r.keys ?? []),
    ],
    texts,
  ),
} as const;

/** The request a script's encoder takes. */
export type ScriptInput<N extends ScriptName> = Parameters<(typeof SCRIPTS)[N]['encode']>[0];

/** The name of one of the stream scripts. */
export type ScriptName = keyof typeof SCRIPTS;

/** The stream scripts: defined once per client, run with a stream's keys (see {@link ScriptSet}). */
export const STREAM_SCRIPTS = new ScriptSet<ScriptName, StreamKeyRole, typeof SCRIPTS>('ps', SCRIPTS, LUA_SOURCES, STREAM_LAYOUT.types);

/** A stream's keyed-object core: its keys, connection, codec and replication, running {@link SCRIPTS}. */
export type StreamCore<T> = ObjectCore<ScriptName, StreamKeyRole, typeof SCRIPTS, T>;

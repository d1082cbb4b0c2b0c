import { LUA_SOURCES } from './lua-sources.js';
import { ScriptSet, type ScriptArg, type ScriptDefinition } from '../scripting/script-set.js';
import { DEFAULT_CHUNK_SIZE, DEFAULT_COOLDOWN_MS, DEFAULT_LEASE_MS, DEFAULT_MAX_ATTEMPTS, type AddMode } from './types.js';
import { STREAM_LAYOUT, type StreamKeys } from './stream-keys.js';
import { DEFAULT_DEAD_CAPS } from '../jobs/dead-letters.js';

export type { ScriptArg } from '../scripting/script-set.js';

/** The keys of a stream a script may name, by role (the fields of {@link StreamKeys}). */
export type StreamKeyRole = keyof StreamKeys;

const EVERY_KEY = ['items', 'scores', 'gated', 'cooldowns', 'meta', 'leases', 'delayed', 'dead', 'state', 'marker', 'stats'] as const;

/**
 * One stream script: its file and keys (see {@link ScriptDefinition}) and its argument
 * encoder, which applies the defaults, so that the class methods and the raw `ps*` commands
 * send the same ARGV for the same request. Checking the request is the caller's: the classes
 * check every option with a typed error first, the raw commands leave it to the script.
 *
 * @typeParam I - the request
 */
export interface StreamScript<I> extends ScriptDefinition<StreamKeyRole> {
  /** The script's ARGV for a request, defaults applied. */
  readonly encode: (input: I) => ScriptArg[];
}

/** A script that reads (`no-writes`), writes, or only removes or settles work (writes, `allow-oom`: see `ScriptDefinition.allowOom`). */
type Access = 'read' | 'write' | 'remove';

function script<I>(file: string, keys: readonly StreamKeyRole[], access: Access, encode: (input: I) => ScriptArg[]): StreamScript<I> {
  return { file, keys, readOnly: access === 'read', allowOom: access === 'remove', encode };
}

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

/** Every script of a prioritized stream, by name, with the keys it touches (in its `namedKeys` order) and its encoder. */
export const SCRIPTS = {
  addItem: script('addItem-11.lua', EVERY_KEY, 'write', (r: AddRequest & { key: string; value: string | Buffer; priority: number }) => [
    r.key,
    r.value,
    r.priority,
    flag(r.readd, false),
    r.mode ?? 'sum',
    delayArg(r.delayMs, r.runAt),
  ]),
  addItems: script(
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
  pullItems: script(
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
  ),
  incrementItem: script('incrementItem-2.lua', ['scores', 'meta'], 'write', (r: { key: string; by?: number | undefined }) => [r.key, r.by ?? 1]),
  decrementAll: script('decrementAll-2.lua', ['scores', 'meta'], 'write', (r: { by?: number | undefined }) => [r.by ?? 1]),
  deleteBelow: script(
    'deleteBelow-5.lua',
    ['items', 'scores', 'gated', 'meta', 'state'],
    'write',
    (r: { threshold: number; gate?: boolean | undefined; limit?: number | undefined }) => [r.threshold, flag(r.gate, false), r.limit ?? DEFAULT_CHUNK_SIZE],
  ),
  expireItems: script('expireItems-4.lua', ['items', 'scores', 'cooldowns', 'state'], 'remove', (r: { limit?: number | undefined }) => [
    r.limit ?? DEFAULT_CHUNK_SIZE,
  ]),
  deleteStream: { ...script('deleteStream-11.lua', EVERY_KEY, 'remove', () => []), anyType: true },
  getItem: script('getItem-1.lua', ['items'], 'read', (r: { key: string }) => [r.key]),
  countItems: script('countItems-1.lua', ['scores'], 'read', () => []),
  readItems: script('readItems-3.lua', ['items', 'scores', 'meta'], 'read', (r: RankRequest & { what: 'keys' | 'values' | 'entries' }) => [
    r.what,
    ...ranksOf(r),
  ]),
  scanItems: script('scanItems-3.lua', ['items', 'scores', 'meta'], 'read', (r: { cursor: string; count: number }) => [r.cursor, r.count]),
  leaseItems: script(
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
  ),
  ackItems: script(
    'ackItems-5.lua',
    ['items', 'gated', 'cooldowns', 'leases', 'state'],
    'remove',
    (r: LeasesRequest & CooldownRequest & { gate?: boolean | undefined }) => [flag(r.gate, false), r.cooldownMs ?? 0, r.expireAt ?? '', ...r.pairs],
  ),
  nackItems: script(
    'nackItems-9.lua',
    ['items', 'scores', 'cooldowns', 'meta', 'leases', 'delayed', 'dead', 'state', 'marker'],
    'write',
    (
      r: LeasesRequest &
        DeadCapsRequest & { delayMs?: number | undefined; priority?: number | undefined; error?: string | undefined; release?: boolean | undefined },
    ) => [r.delayMs ?? 0, r.priority ?? '', r.error ?? '', r.release === true ? 'release' : 'nack', r.deadCaps ?? DEFAULT_DEAD_CAPS, ...r.pairs],
  ),
  extendLeases: script('extendLeases-2.lua', ['leases', 'state'], 'write', (r: LeasesRequest & { leaseMs: number }) => [r.leaseMs, ...r.pairs]),
  recoverItems: script(
    'recoverItems-9.lua',
    ['items', 'scores', 'cooldowns', 'meta', 'leases', 'delayed', 'dead', 'state', 'marker'],
    'write',
    (r: { limit?: number | undefined } & DeadCapsRequest) => [r.limit ?? DEFAULT_CHUNK_SIZE, r.deadCaps ?? DEFAULT_DEAD_CAPS],
  ),
  readJobs: script(
    'readJobs-5.lua',
    ['items', 'leases', 'delayed', 'dead', 'state'],
    'read',
    (r: RankRequest & { which: 'leases' | 'delayed' | 'dead'; values?: boolean | undefined }) => [r.which, ...ranksOf(r), flag(r.values, false)],
  ),
  readState: script('readState-8.lua', ['scores', 'gated', 'cooldowns', 'meta', 'leases', 'delayed', 'dead', 'state'], 'read', (r: { key: string }) => [r.key]),
  buryItems: script(
    'buryItems-6.lua',
    ['items', 'scores', 'leases', 'delayed', 'dead', 'state'],
    'write',
    // leased: key, leaseId, error triples; pulled: key, value, priority, error quadruples.
    (r: { from: 'leased' | 'pulled'; entries: readonly (string | Buffer)[] } & DeadCapsRequest) => [r.from, r.deadCaps ?? DEFAULT_DEAD_CAPS, ...r.entries],
  ),
  removeItems: script('removeItems-5.lua', ['items', 'scores', 'leases', 'delayed', 'state'], 'remove', (r: { keys: readonly string[] }) => [...r.keys]),
  readStats: script('readStats-7.lua', ['scores', 'gated', 'cooldowns', 'leases', 'delayed', 'dead', 'stats'], 'read', () => []),
  reviveDead: script(
    'reviveDead-7.lua',
    ['items', 'scores', 'cooldowns', 'meta', 'dead', 'state', 'marker'],
    'remove',
    // Without keys: up to `limit` of the oldest dead letters.
    (r: { action: 'replay' | 'purge'; limit?: number | undefined; keys?: readonly string[] | undefined }) => [
      r.action,
      r.limit ?? DEFAULT_CHUNK_SIZE,
      ...(r.keys ?? []),
    ],
  ),
} as const;

/** The request a script's encoder takes. */
export type ScriptInput<N extends ScriptName> = Parameters<(typeof SCRIPTS)[N]['encode']>[0];

/** The name of one of the stream scripts. */
export type ScriptName = keyof typeof SCRIPTS;

/** The stream scripts: defined once per client, run with a stream's keys (see {@link ScriptSet}). */
export const STREAM_SCRIPTS = new ScriptSet<ScriptName, StreamKeyRole>('ps', SCRIPTS, LUA_SOURCES, STREAM_LAYOUT.types);

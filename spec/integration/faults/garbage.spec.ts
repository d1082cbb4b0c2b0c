/**
 * The garbage matrix (issue 28): every mutating operation of every family (the fault matrix's
 * rows, and the maintenance calls below) run again with garbage written into each key its
 * scripts declare, one key and one kind of garbage at a time: the key of another type, a
 * field of a hash set to a value that is no number and no JSON, a member scored 0, +inf or -inf
 * in a sorted set, an entry with a field missing or garbage in a stream, a stream's groups
 * gone, an element in a list or a set. Whatever it finds, a call either answers (it handled the
 * garbage: dead-lettered or skipped it) or fails with a typed error having written nothing
 * (Redis's count of changes, `rdb_changes_since_last_save`, is unchanged): Redis keeps the
 * writes of a script that raises half way, so a script never raises after its first write. A
 * key of another type may be refused (`WRONGTYPE`, kind `Redis`); garbage inside a key of the
 * right type may not stop the call with a Lua error.
 *
 * On a standalone server of the suite's own (each run flushes it); the same scripts run on every
 * topology, and the hostile-data tests of each family (spec/integration/<family>/garbage.spec.ts)
 * show on all three that the good work around the garbage is done once.
 */
import assert from 'node:assert/strict';
import { Redis, type Command } from 'ioredis';
import { GoodRedisError } from '../../../src/index.js';
import { serverArgs, spawnRedis, type RedisProcess } from '../../../scripts/throwaway-redis.js';
import { diffDumps, dumpServer } from './dump.js';
import { compareIds } from '../../../src/topics/stream-ids.js';
import type { KeyLayout } from '../../../src/keyspace/keys.js';
import type { KeyType } from '../../../src/scripting/script-set.js';
import { STREAM_LAYOUT } from '../../../src/prioritized/stream-keys.js';
import { QUEUE_LAYOUT } from '../../../src/queues/queue-keys.js';
import { TASK_QUEUE_LAYOUT, TASK_RESULT_LAYOUT } from '../../../src/tasks/task-keys.js';
import { WORKER_REGISTRY_LAYOUT } from '../../../src/observe/worker-registry.js';
import { HISTORY_LAYOUT } from '../../../src/overview/history.js';
import { FAULT_ROWS, rowName, withRowRun, type RowRun } from './operations.js';
import { MAINTENANCE_ROWS, type GarbageRow } from './maintenance.js';

/** One kind of garbage in one key. */
interface Garbage {
  readonly key: string;
  readonly what: string;
  /** A key of the wrong type: the call may refuse it (`WRONGTYPE`). */
  readonly wrongType: boolean;
  write(admin: Redis): Promise<unknown>;
}

/** What each family keeps in a key, by the key's shape: the layouts' own types, for keys a call declares that do not exist yet. */
const LAYOUT_TYPES: readonly [RegExp, Readonly<Record<string, KeyType>>][] = [
  [/^:q\{[^}]*\}:(.+)$/, byRole(QUEUE_LAYOUT)],
  [/^:tq\{[^}]*\}:(.+)$/, byRole(TASK_QUEUE_LAYOUT)],
  [/^:tr\{[^}]*\}:(.+)$/, byRole(TASK_RESULT_LAYOUT)],
  [/^:w\{[^}]*\}:(.+)$/, byRole(WORKER_REGISTRY_LAYOUT)],
  [/^:h\{[^}]*\}:(.+)$/, byRole(HISTORY_LAYOUT)],
  [/^:tp\{[^}#]*#\d+\}:(\w+)/, { log: 'stream', stats: 'hash', own: 'hash', retry: 'zset', dead: 'stream' }],
  [/^:tp\{[^}#]*\}:(\w+)/, { topic: 'hash', groups: 'set', group: 'hash', members: 'zset' }],
  [/^\{[^}]*\}:(.+)$/, byRole(STREAM_LAYOUT)],
];

/** A layout's types by key suffix. */
function byRole(layout: KeyLayout<string>): Record<string, KeyType> {
  return Object.fromEntries(Object.entries(layout.suffixes).map(([role, suffix]) => [suffix, layout.types[role] ?? 'string']));
}

/** What the family keeps in `key` (undefined when no layout names it). */
function layoutType(key: string): KeyType | undefined {
  for (const [shape, types] of LAYOUT_TYPES) {
    const suffix = shape.exec(key)?.[1];
    if (suffix !== undefined) return types[suffix];
  }
  return undefined;
}

/** A value that is no number, no JSON and no codec's encoding. */
const JUNK = 'zz\u00ff{';

/** The garbage to try in a key the call's scripts declare, from what the key holds when the call runs normally. */
async function garbageFor(admin: Redis, key: string, type: string): Promise<Garbage[]> {
  const out: Garbage[] = [
    {
      key,
      what: type === 'string' ? 'a list' : 'a string',
      wrongType: true,
      write: async () => {
        await admin.del(key);
        return type === 'string' ? admin.rpush(key, JUNK) : admin.set(key, JUNK);
      },
    },
  ];
  const add = (what: string, write: () => Promise<unknown>): void => {
    out.push({ key, what, wrongType: false, write });
  };
  if (type === 'hash') {
    const fields = Object.keys(await admin.hgetall(key)).slice(0, 8);
    for (const field of fields) add(`field ${field} garbage`, () => admin.hset(key, field, JUNK));
    add('a garbage field', () => admin.hset(key, JUNK, JUNK));
  } else if (type === 'zset') {
    add('a garbage member scored 0', () => admin.zadd(key, 0, JUNK));
    add('a garbage member scored +inf', () => admin.zadd(key, '+inf', JUNK));
    add('a garbage member scored -inf', () => admin.zadd(key, '-inf', JUNK));
  } else if (type === 'list') {
    add('a garbage element at the head', () => admin.lpush(key, JUNK));
    add('a garbage element at the tail', () => admin.rpush(key, JUNK));
  } else if (type === 'set') {
    add('a garbage member', () => admin.sadd(key, JUNK));
  } else if (type === 'string') {
    add('a garbage value', () => admin.set(key, JUNK));
  } else if (type === 'stream') {
    const [newest] = (await admin.xrevrange(key, '+', '-', 'COUNT', 1)) as [string, string[]][];
    const fields = newest?.[1] ?? [];
    const names = fields.filter((_, i) => i % 2 === 0).slice(0, 8);
    const groups = (await admin.exists(key)) === 1 ? ((await admin.xinfo('GROUPS', key)) as unknown[][]) : [];
    // Garbage goes before what no group has read yet (all of a stream without groups), so a
    // read meets it first: those entries are added again after it.
    const between = (entry: string[]) => async (): Promise<void> => {
      const groupsNow = (await admin.exists(key)) === 1 ? ((await admin.xinfo('GROUPS', key)) as unknown[][]) : [];
      const read = groupsNow.map((g) => String(g[g.indexOf('last-delivered-id') + 1]));
      const from = read.length === 0 ? '-' : `(${read.sort((a, b) => compareIds(a, b))[0] ?? '0-0'}`;
      const unread = (await admin.exists(key)) === 1 ? ((await admin.xrange(key, from, '+')) as [string, string[]][]) : [];
      if (unread.length > 0) await admin.xdel(key, ...unread.map(([id]) => id));
      await admin.xadd(key, '*', ...entry);
      for (const [, f] of unread) await admin.xadd(key, '*', ...f);
    };
    add('an entry of one garbage field', between([JUNK, JUNK]));
    for (const name of names) {
      const others = fields.flatMap((v, i) => (i % 2 === 0 && v !== name ? [v, fields[i + 1] ?? ''] : []));
      add(`an entry with ${name} garbage`, between([...others, name, JUNK]));
      if (others.length > 0) add(`an entry without ${name}`, between(others));
    }
    if (groups.length > 0) {
      add('its groups gone', async () => {
        for (const g of groups) await admin.xgroup('DESTROY', key, String(g[1])).catch(() => undefined);
      });
    }
  }
  return out;
}

/** How a call settled. */
type Settled = { ok: true } | { ok: false; error: unknown };

/** Redis's count of changes since the last save: any write raises it (the server never saves). */
async function changes(admin: Redis): Promise<number> {
  const info = await admin.info('persistence');
  return Number(/rdb_changes_since_last_save:(\d+)/.exec(info)?.[1]);
}

/** Why a failure is not allowed, or undefined when it is: typed, and `WRONGTYPE` only for a key of the wrong type. */
function badFailure(error: unknown, garbage: Garbage): string | undefined {
  if (!GoodRedisError.is(error)) return `an untyped error: ${String(error)}`;
  if (error.kind === 'Script') return `a Script error: ${error.message}`;
  if (error.kind === 'Redis' && !refusal(error, garbage)) return `a Redis error: ${error.message}`;
  return undefined;
}

/**
 * A refusal of stored data the call cannot use, before it writes: a key of another type
 * (`WRONGTYPE`), or a field it cannot do without (a script's `EDATA`, or the same words from a
 * plain read: `<key> field <f> holds "…", not a …`).
 */
function refusal(error: GoodRedisError, garbage: Garbage): boolean {
  const code = /GRERR (\w+) /.exec(String((error.cause as Error | undefined)?.message))?.[1];
  return (
    (garbage.wrongType && error.message.includes('WRONGTYPE')) ||
    (!garbage.wrongType && (code === 'EDATA' || / field \S+ holds .*, not a /.test(error.message)))
  );
}

describe('garbage matrix: every mutating operation with garbage in each key it touches (issue 28)', function () {
  this.timeout(300_000);
  let server: RedisProcess;
  let admin: Redis;

  before(async () => {
    server = await spawnRedis(serverArgs);
    admin = new Redis(server.port, '127.0.0.1');
  });
  after(async () => {
    admin.disconnect();
    await server.stop();
  });

  const withRun = <R>(row: GarbageRow, body: (run: RowRun, call: () => Promise<unknown>) => Promise<R>): Promise<R> =>
    withRowRun(admin, server.port, row, body, { maxRetriesPerRequest: 1 });

  // Plain-command calls (no script) are left out: Redis runs each command whole.
  for (const row of [...FAULT_ROWS.filter((r) => r.resent !== true), ...MAINTENANCE_ROWS]) {
    it(`${rowName(row)}: handles garbage in each key it touches, or fails typed having written nothing`, async () => {
      // The control run: the keys the call's scripts declare, and the type each holds once the call ran.
      const declared = await withRun(row, async (run, call) => {
        const keys = new Set<string>();
        const send = run.redis.sendCommand.bind(run.redis);
        run.redis.sendCommand = (command: Command, stream?: unknown) => {
          if (command.name === 'evalsha' || command.name === 'eval') {
            const n = Number(command.args[1]);
            for (const key of command.args.slice(2, 2 + n)) keys.add(String(key));
          }
          return send(command, stream as never);
        };
        try {
          await call();
        } finally {
          run.redis.sendCommand = send;
        }
        // A key that does not exist once the call ran gets the garbage of the type its layout gives it.
        return Promise.all(
          [...keys].sort().map(async (key) => {
            const type = await admin.type(key);
            return { key, type: type === 'none' ? (layoutType(key) ?? 'none') : type };
          }),
        );
      });
      assert.ok(declared.length > 0, 'the call runs no script: the row tests nothing here');
      const failures: string[] = [];
      let tried = 0;
      for (const { key, type } of declared) {
        // Garbage of the kinds the key holds once the call ran (its fields, its entries' fields), each written into a fresh set-up.
        const kinds = await withRun(row, async (_run, call) => {
          await call();
          return garbageFor(admin, key, type);
        });
        for (const garbage of kinds) {
          tried += 1;
          await withRun(row, async (run, call) => {
            await garbage.write(admin);
            const before = await changes(admin);
            const dump = await dumpServer(admin, run.aliases);
            let scripts = 0;
            const send = run.redis.sendCommand.bind(run.redis);
            run.redis.sendCommand = (command: Command, stream?: unknown) => {
              if (command.name === 'evalsha' || command.name === 'eval') scripts += 1;
              return send(command, stream as never);
            };
            const settled: Settled = await call().then(
              () => ({ ok: true }),
              (error: unknown) => ({ ok: false, error }),
            );
            run.redis.sendCommand = send;
            if (settled.ok) return;
            const where = `${key}, ${garbage.what}`;
            const bad = badFailure(settled.error, garbage);
            if (bad !== undefined) failures.push(`${where}: ${bad}`);
            const after = await changes(admin);
            // A call of several scripts (one per partition, say), or of a plain write and a script, may
            // fail at a later step with what the earlier ones wrote kept; each script refuses before its first write.
            const steps = scripts > 1 || row.steps !== undefined || row.firstWrite === 'plain';
            if (after !== before && !(steps && bad === undefined))
              failures.push(
                `${where}: failed after writing ${String(after - before)} changes: ${String(settled.error)}\n${diffDumps(await dumpServer(admin, run.aliases), dump)}`,
              );
          });
        }
      }
      assert.ok(tried > 0, 'no garbage was tried');
      assert.ok(failures.length === 0, `${rowName(row)}: ${String(failures.length)} of ${String(tried)} failed:\n${failures.join('\n')}`);
    });
  }
});

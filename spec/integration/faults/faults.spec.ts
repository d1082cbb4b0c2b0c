/**
 * The fault matrix (issue 18): every mutating operation of every family (the rows of
 * `operations.ts`) under each fault, on a server of the suite's own (it is killed, restarted and
 * filled). Each run starts from an empty server, sets its row up, and compares what Redis holds
 * (every key, dumped, with times, stream ids and random ids made stable) with a control: the
 * same set-up, then the call once, then twice. The faults:
 *
 * - the connection killed with `CLIENT KILL` after the script ran, its reply unread: the call
 *   fails with `Connection`, Redis holds the call applied once, and a retry leaves what two calls
 *   leave (so "idempotent" in the docs means: as one call);
 * - the connection killed before the script ran (the server paused for writes): `Connection`, and
 *   nothing written;
 * - the server killed (SIGKILL) after the script ran and restarted from its append-only file
 *   (`appendfsync always`): `Connection`, and the call applied once after the restart;
 * - `maxmemory` reached with `noeviction`: a writing script is refused whole with `OutOfMemory`
 *   (a retry once there is room applies it once); a script that only removes runs.
 *
 * The table in docs/operations.md is rendered from the same rows, and checked here.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis, type Command } from 'ioredis';
import { GoodRedisError } from '../../../src/index.js';
import { freePort, serverArgs as throwawayArgs, spawnRedis, type RedisProcess } from '../../../scripts/throwaway-redis.js';
import { commandStats, waitFor } from '../support.js';
import { diffDumps as diff, dumpServer } from './dump.js';
import { FAULT_ROWS, renderFaultTable, rowName, withRowRun, type FaultRow, type RowRun } from './operations.js';

/** How a call settled. */
type Settled = { ok: true; value: unknown } | { ok: false; error: unknown };

const settle = (promise: Promise<unknown>): Promise<Settled> =>
  promise.then(
    (value): Settled => ({ ok: true, value }),
    (error: unknown): Settled => ({ ok: false, error }),
  );

const describeSettled = (s: Settled): string =>
  s.ok ? `resolved ${JSON.stringify(s.value)}` : `failed: ${String(s.error)}${GoodRedisError.is(s.error) ? ` (kind ${s.error.kind})` : ''}`;

function assertConnection(s: Settled): void {
  assert.ok(!s.ok && GoodRedisError.is(s.error, 'Connection'), `expected a Connection error, the call ${describeSettled(s)}`);
}

/**
 * A dump without the counters of what was added and taken (a stream's, a topic partition's and a
 * task queue's `stats` hash, a queue's `added`): every call counts, so they tell calls apart, not
 * data. Idempotence is about the data; the faults compare every key, counters included.
 */
function dataOf(dump: string): string {
  return JSON.stringify(withoutFields(dump, (key) => key.endsWith(':stats'), ['added']));
}

/** A dump's keys less those `drop` names, and less `fields` in each `meta` hash. */
function withoutFields(dump: string, drop: (key: string) => boolean, fields: readonly string[]): Record<string, unknown> {
  const keys = JSON.parse(dump) as Record<string, { type: string; value: unknown }>;
  return Object.fromEntries(
    Object.entries(keys)
      .filter(([key]) => !drop(key))
      .map(([key, entry]) =>
        key.endsWith(':meta') && entry.type === 'hash'
          ? [key, { ...entry, value: (entry.value as [string, string][]).filter(([field]) => !fields.includes(field)) }]
          : [key, entry],
      ),
  );
}

/**
 * What a queue holds for its values, without the consumer's registration and the counters a
 * delivery moves (`dseq`, `added`): what handing deliveries back restores.
 */
function handedBackView(dump: string): string {
  return JSON.stringify(withoutFields(dump, (key) => key.endsWith(':stats') || key.includes(':consumer'), ['added', 'dseq']));
}

/** A second call, or a retry after a lost reply, answers normally, or with the row's error. */
function assertSettledAgain(row: FaultRow, settled: Settled, what: string): void {
  if (row.again === undefined) assert.ok(settled.ok, `${what} ${describeSettled(settled)}`);
  else assert.ok(!settled.ok && GoodRedisError.is(settled.error, row.again), `expected ${row.again}, ${what} ${describeSettled(settled)}`);
}

/** How many times the server ran a command, from `commandStats` (`script`: EVAL and EVALSHA together). */
function callsOf(calls: ReadonlyMap<string, number>, command: string): number {
  return command === 'script' ? (calls.get('eval') ?? 0) + (calls.get('evalsha') ?? 0) : (calls.get(command) ?? 0);
}

/** The same set-up, then the call once, then twice: what each leaves. */
interface Control {
  before: string;
  once: string;
  twice: string;
  /** How the second call settled. */
  again: Settled;
}

/** Plain commands that write. */
const PLAIN_WRITES = new Set([
  'set',
  'setex',
  'psetex',
  'del',
  'unlink',
  'hset',
  'hdel',
  'hincrby',
  'sadd',
  'srem',
  'zadd',
  'zrem',
  'expire',
  'pexpire',
  'publish',
  'spublish',
  'xadd',
  'xack',
  'xdel',
  'xtrim',
  'xgroup',
  'lpush',
  'rpush',
  'lrem',
  'getdel',
]);

/** Whether a command is the kind of write asked for: a script not sent read-only, or a plain write. */
function writes(command: Command, kind: 'script' | 'plain'): boolean {
  if (command.name === 'evalsha' || command.name === 'eval') return kind === 'script' && command.isReadOnly !== true;
  return kind === 'plain' && PLAIN_WRITES.has(command.name);
}

describe('fault matrix: every mutating operation under a dropped connection, a restart and a full server (issue 18)', function () {
  this.timeout(60_000);
  let dir: string;
  let port: number;
  let server: RedisProcess;
  let admin: Redis;

  /** A throwaway server's arguments, then an append-only file written before each reply, and no eviction. */
  const serverArgs = (): string[] => [
    ...throwawayArgs(port),
    '--appendonly',
    'yes',
    '--appendfsync',
    'always',
    '--dir',
    dir,
    '--maxmemory-policy',
    'noeviction',
  ];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'good-redis-faults-'));
    port = await freePort();
    server = await spawnRedis(serverArgs);
    admin = new Redis(port, '127.0.0.1', { maxRetriesPerRequest: 50 });
    admin.on('error', () => undefined); // the restarts below drop it
  });
  after(async () => {
    admin.disconnect();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const dump = (aliases: ReadonlyMap<string, string>): Promise<string> => dumpServer(admin, aliases);

  const withRun = <R>(row: FaultRow, body: (run: RowRun, call: () => Promise<unknown>) => Promise<R>): Promise<R> => withRowRun(admin, port, row, body);

  /**
   * Runs `call` so that its first write reaches Redis and its reply never arrives: reading on the
   * connection is paused just before the first writing command goes out (a writing script, or a
   * plain write), Redis runs it (its count in INFO commandstats goes up), `fault` strikes, and the
   * connection is dropped with the reply unread.
   */
  async function replyLost(run: RowRun, row: FaultRow, call: () => Promise<unknown>, fault: () => Promise<void>): Promise<Settled> {
    const { redis } = run;
    await redis.ping();
    const before = await commandStats(admin);
    const send = redis.sendCommand.bind(redis);
    let written: string | undefined;
    redis.sendCommand = (command: Command, stream?: unknown) => {
      if (written === undefined && writes(command, row.resent === true ? 'plain' : 'script')) {
        written = command.name === 'evalsha' || command.name === 'eval' ? 'script' : command.name;
        redis.stream.pause();
      }
      return send(command, stream as never);
    };
    const socket = redis.stream;
    let settled: Promise<Settled>;
    try {
      settled = settle(call());
      await waitFor(
        async () => written !== undefined && callsOf(await commandStats(admin), written) > callsOf(before, written),
        5000,
        'Redis to run the first write',
      );
    } finally {
      redis.sendCommand = send;
    }
    await fault();
    socket.destroy();
    return settled;
  }

  /** Waits for the connection to come back and runs the call again. */
  async function retry(run: RowRun, call: () => Promise<unknown>): Promise<Settled> {
    await waitFor(async () => (await run.redis.ping().catch(() => '')) === 'PONG', 20_000, 'the connection to come back');
    return settle(call());
  }

  async function assertDump(run: RowRun, expected: string, message: string): Promise<void> {
    const actual = await dump(run.aliases);
    assert.ok(actual === expected, `${message}:\n${diff(actual, expected)}`);
  }

  /** What a call whose reply was lost leaves: applied once, or, where the SDK hands back what it took, what was there before. */
  async function assertLostReply(run: RowRun, row: FaultRow, call: () => Promise<unknown>, control: Control, settled: Settled, when: string): Promise<void> {
    if (row.resent === true) {
      // A plain command: ioredis sends it again on the new connection, and the call answers.
      assert.ok(settled.ok, `the call ${describeSettled(settled)}`);
    } else assertConnection(settled);
    if (row.handedBack === true) {
      const expected = handedBackView(control.before);
      await waitFor(async () => handedBackView(await dump(run.aliases)) === expected, 10_000, 'the deliveries to be handed back').catch(async () => {
        assert.fail(`${when}, the deliveries were not handed back:\n${diff(handedBackView(await dump(run.aliases)), expected)}`);
      });
    } else if (row.steps !== undefined) {
      // One script per step: the steps before the lost reply ran, the later ones did not; a retry completes the call.
      assert.ok(row.idempotent, 'a call of several steps must be idempotent, so that a retry completes it');
      await retry(run, call);
      await assertDump(run, control.once, `${when}, a retry did not complete the call`);
    } else await assertDump(run, control.once, `${when}, Redis does not hold the call applied once`);
  }

  for (const row of FAULT_ROWS) {
    describe(rowName(row), () => {
      let control: Control;

      before(async () => {
        control = await withRun(row, async (run, call) => {
          const before = await dump(run.aliases);
          await call();
          const once = await dump(run.aliases);
          const again = await settle(call());
          return { before, once, twice: await dump(run.aliases), again };
        });
      });

      it(`a second call ${row.idempotent ? 'leaves the data as one call left it (idempotent)' : 'applies again (not idempotent)'}`, () => {
        assert.notEqual(control.once, control.before, 'the call wrote nothing: the row tests nothing');
        const [once, twice] = [dataOf(control.once), dataOf(control.twice)];
        assert.equal(twice === once, row.idempotent, diff(twice, once));
        assertSettledAgain(row, control.again, 'the second call');
      });

      it(`connection killed after ${row.resent === true ? 'the write ran: sent again, answers' : 'the script ran: Connection'}, applied once; a retry acts as a second call`, async () => {
        await withRun(row, async (run, call) => {
          const id = String(await run.redis.client('ID'));
          const settled = await replyLost(run, row, call, async () => {
            assert.equal(await admin.client('KILL', 'ID', id), 1);
          });
          await assertLostReply(run, row, call, control, settled, 'after the kill');
          if (row.handedBack !== true && row.steps === undefined) {
            assertSettledAgain(row, await retry(run, call), 'the retry');
            await assertDump(run, control.twice, 'the retry did not act as a second call');
          }
        });
      });

      it(`connection killed before it ran: ${row.resent === true || row.firstWrite === 'plain' ? 'sent again, answers, applied once' : 'Connection, nothing written; a retry applies it once'}`, async () => {
        await withRun(row, async (run, call) => {
          const id = String(await run.redis.client('ID'));
          await admin.client('PAUSE', 10_000, 'WRITE');
          let settled: Settled;
          try {
            const pending = settle(call());
            await waitFor(async () => new RegExp(`^id=${id} .*flags=\\w*b`, 'm').test(String(await admin.client('LIST'))), 5000, 'the call to wait');
            await admin.client('KILL', 'ID', id);
            if (row.resent === true || row.firstWrite === 'plain') await admin.client('UNPAUSE');
            settled = await pending;
          } finally {
            await admin.client('UNPAUSE');
          }
          if (row.resent === true || row.firstWrite === 'plain') {
            assert.ok(settled.ok, `the call ${describeSettled(settled)}`);
            await assertDump(run, control.once, 'the call sent again did not apply once');
            return;
          }
          assertConnection(settled);
          await assertDump(run, control.before, 'something was written');
          await retry(run, call);
          await assertDump(run, control.once, 'the retry did not apply the call once');
        });
      });

      it(
        row.full === 'runs'
          ? 'maxmemory reached: runs (it only removes or settles)'
          : 'maxmemory reached: OutOfMemory, nothing written; a retry with room applies it once',
        async () => {
          await withRun(row, async (run, call) => {
            await admin.config('SET', 'maxmemory', '1');
            let settled: Settled;
            try {
              settled = await settle(call());
            } finally {
              await admin.config('SET', 'maxmemory', '0');
            }
            if (row.full === 'runs') {
              assert.ok(settled.ok, `the call ${describeSettled(settled)}`);
              await assertDump(run, control.once, 'the call did not apply once');
            } else {
              assert.ok(!settled.ok && GoodRedisError.is(settled.error, 'OutOfMemory'), `expected OutOfMemory, the call ${describeSettled(settled)}`);
              await assertDump(run, control.before, 'a refused call wrote something');
              await call();
              await assertDump(run, control.once, 'the retry did not apply the call once');
            }
          });
        },
      );

      it(`server killed after the ${row.resent === true ? 'write' : 'script'} ran and restarted from its AOF: ${row.resent === true ? 'sent again, answers' : 'Connection'}, applied once`, async () => {
        await withRun(row, async (run, call) => {
          const settled = await replyLost(run, row, call, async () => {
            await server.kill();
            server = await spawnRedis(serverArgs);
          });
          await waitFor(async () => (await admin.ping().catch(() => '')) === 'PONG', 20_000, 'the admin connection to come back');
          await assertLostReply(run, row, call, control, settled, 'after the restart');
        });
      });
    });
  }

  it('docs/operations.md carries the table these rows render', () => {
    const docs = readFileSync(new URL('../../../../docs/operations.md', import.meta.url), 'utf8');
    assert.ok(docs.includes(renderFaultTable()), `docs/operations.md lacks the fault table; it should read:\n${renderFaultTable()}`);
  });
});

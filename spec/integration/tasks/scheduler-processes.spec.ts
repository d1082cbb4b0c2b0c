/**
 * Three `good-redis scheduler` processes on one queue's 200 interval schedules for a minute, on
 * every topology: every due time fires once, none twice, none missed. (A due time may be skipped
 * only by the documented rule, a fire more than a period late skipping the periods it missed:
 * each skip is checked against the time its previous due time was fired, from the stream entry's
 * id.)
 */
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { StreamBroker, type RedisClient } from '../../../src/index.js';
import { startCli, type CliProcess } from '../cli/cli-support.js';
import { childEnv, closeAll, connect, describeEachTopology, serverNow, uniqueName, waitFor } from '../support.js';

const taskModule = fileURLToPath(new URL('./fixtures/task-module.js', import.meta.url));
const RUN_MS = 60_000;
const EVERY_MS = 1000;
const SCHEDULES = 200;

describeEachTopology('tasks: scheduler processes', () => {
  let redis: RedisClient;
  const schedulers: CliProcess[] = [];
  beforeEach(() => {
    redis = connect();
  });
  afterEach(async () => {
    for (const s of schedulers.splice(0)) if (s.process.exitCode === null && s.process.signalCode === null) s.process.kill('SIGKILL');
    await closeAll();
  });

  it('three schedulers on 200 schedules for a minute fire every due time once: none twice, none missed', async function () {
    this.timeout(RUN_MS + 60_000);
    const name = uniqueName('cron');
    const broker = new StreamBroker(redis, name, { maxLength: 0 }); // nothing is acked here: nothing is trimmed either way
    for (let i = 0; i < 3; i++) {
      schedulers.push(startCli(['scheduler', taskModule, '--tick', '100ms', '--log-format', 'json'], { ...childEnv(), TASKS_QUEUE: name }));
    }
    for (const s of schedulers) await waitFor(() => s.lines.some((l) => l.includes('scheduler started')), 15_000, 'a scheduler to start');
    // Its first line names the Redis its brokers use (issue 28, item 14).
    for (const s of schedulers)
      assert.match(
        String((JSON.parse(s.lines[0] ?? '{}') as { redis?: unknown }).redis),
        /^(\d+\.\d+\.\d+\.\d+:\d+|the cluster at .+|master \S+ through the sentinels at .+)$/,
      );
    const start = await serverNow(redis);
    for (let i = 0; i < SCHEDULES; i++) await broker.schedules.add({ id: `s${String(i)}`, task: 'add', args: { a: i, b: 0 }, everyMs: EVERY_MS });
    await new Promise((resolve) => setTimeout(resolve, RUN_MS));
    const end = await serverNow(redis);
    for (const s of schedulers) s.process.kill('SIGTERM');
    const exits = await Promise.all(schedulers.map((s) => s.exited));
    assert.deepEqual(
      exits.map((e) => e.code),
      [0, 0, 0],
      exits.map((e) => e.stderr).join('\n'),
    );
    /** Per schedule, each due time fired and when (the stream entry's server time). */
    const fired = new Map<string, { due: number; at: number }[]>();
    for (const [entryId, fields] of await redis.xrange(`:tq{${name}}:stream`, '-', '+')) {
      const { id } = JSON.parse(fields[1] ?? '{}') as { id: string };
      const [scheduleId = '', due = ''] = id.split(':');
      fired.set(scheduleId, [...(fired.get(scheduleId) ?? []), { due: Number(due), at: Number(entryId.split('-')[0]) }]);
    }
    assert.equal(fired.size, SCHEDULES, 'every schedule fired');
    let total = 0;
    let skips = 0;
    for (const [scheduleId, fires] of fired) {
      fires.sort((a, b) => a.due - b.due);
      total += fires.length;
      assert.equal(new Set(fires.map((f) => f.due)).size, fires.length, `${scheduleId}: a due time fired twice`);
      for (let k = 1; k < fires.length; k++) {
        const [previous, next] = [fires[k - 1], fires[k]];
        assert.ok(previous && next);
        const gap = next.due - previous.due;
        assert.equal(gap % EVERY_MS, 0, `${scheduleId}: off its cadence`);
        if (gap > EVERY_MS) {
          skips++;
          assert.ok(
            previous.at - previous.due >= gap - EVERY_MS,
            `${scheduleId}: due ${String(previous.due + EVERY_MS)} was missed, though ${String(previous.due)} fired on time`,
          );
        }
      }
      assert.ok((fires.at(-1)?.due ?? 0) >= end - 2 * EVERY_MS, `${scheduleId}: it stopped firing before the end`);
      assert.ok((fires[0]?.due ?? 0) <= start + 3 * EVERY_MS, `${scheduleId}: it started late`);
    }
    assert.ok(skips <= SCHEDULES, `${String(skips)} late fires: the machine stalled for whole periods`);
    const logged = schedulers.flatMap((s) => s.lines.filter((l) => l.includes('"schedule fired"')));
    assert.equal(logged.length, total, 'each fire logged by exactly one scheduler');
    assert.ok(schedulers.filter((s) => s.lines.some((l) => l.includes('"schedule fired"'))).length >= 2, 'the schedulers shared the work');
  });
});

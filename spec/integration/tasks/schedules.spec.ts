/**
 * Schedules on every topology: taskiq-redis's cases (a cron schedule stays after it fires, a
 * one-shot is removed; a past one-shot fires at once, a future one only when due), intervals that
 * fire a missed run once, schedulers ticking together that fire each due time once, the sent task
 * (id and label), and bad specs refused before anything is written.
 */
import assert from 'node:assert/strict';
import { GoodRedisError, ResultStore, Scheduler, StreamBroker, TaskQueueRegistry, type RedisClient } from '../../../src/index.js';
import { connect, describeEachTopology, keysMatching, serverNow, uniqueName, waitFor, trackEach } from '../support.js';

describeEachTopology('tasks: schedules', () => {
  let redis: RedisClient;
  let name: string;
  let broker: StreamBroker;
  const { track } = trackEach();
  const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
  const sent = async (): Promise<string[]> =>
    (await redis.xrange(`:tq{${name}}:stream`, '-', '+')).map(([, fields]) => (JSON.parse(fields[1] ?? '{}') as { id: string }).id);

  beforeEach(() => {
    redis = connect();
    name = uniqueName('sched');
    broker = track(new StreamBroker(redis, name, { results: track(new ResultStore(redis)) }));
  });

  it('a cron schedule stays after it fires, with its next run; a one-shot is removed once fired', async () => {
    const cron = await broker.schedules.add({ id: 'every-second', task: 'tick', cron: '* * * * * *' });
    const once = await broker.schedules.add({ id: 'once', task: 'tick', at: 0 });
    assert.ok(cron.nextRunAt !== null && cron.nextRunAt > (await serverNow(redis)) - 10);
    const scheduler = new Scheduler(broker);
    let fired = 0;
    await waitFor(async () => (fired += await scheduler.tick()) >= 2, 5000, 'both to fire');
    assert.equal(await broker.schedules.get('once'), null, 'the one-shot is removed');
    const after = await broker.schedules.get('every-second');
    assert.ok(after?.nextRunAt !== null && after?.nextRunAt !== undefined && after.nextRunAt > cron.nextRunAt, 'the cron schedule stays, due again');
    assert.deepEqual((await sent()).map((id) => id.split(':')[0]).sort(), ['every-second', 'once']);
    assert.equal(once.nextRunAt, 0);
  });

  it('a past one-shot fires at the first tick; a future one not before it is due, then once', async () => {
    const scheduler = new Scheduler(broker);
    const now = await serverNow(redis);
    await broker.schedules.add({ id: 'past', task: 't', at: new Date(now - 60_000) });
    await broker.schedules.add({ id: 'future', task: 't', at: now + 600 });
    assert.equal(await scheduler.tick(), 1);
    assert.deepEqual(await sent(), [`past:${String(now - 60_000)}`]);
    assert.equal(await scheduler.tick(), 0, 'the future one is not due');
    await waitFor(async () => (await scheduler.tick()) === 1, 5000, 'the future one');
    assert.ok((await serverNow(redis)) >= now + 600);
    assert.equal(await scheduler.tick(), 0);
    assert.deepEqual((await sent()).sort(), [`future:${String(now + 600)}`, `past:${String(now - 60_000)}`]);
    assert.equal((await broker.stats()).added, 2, 'each fired task counted as sent');
  });

  it('an interval fires a missed run once, keeping its cadence', async () => {
    const { nextRunAt: first } = await broker.schedules.add({ id: 'every', task: 't', everyMs: 200 });
    assert.ok(first !== null);
    await sleep(Math.max(0, first - (await serverNow(redis))) + 450); // two more periods pass unfired
    assert.equal(await new Scheduler(broker).tick(), 1, 'once, not once per missed period');
    const next = (await broker.schedules.get('every'))?.nextRunAt ?? 0;
    assert.ok(next > (await serverNow(redis)) - 5, 'due next in the future');
    assert.equal((next - first) % 200, 0, 'on the cadence');
  });

  it('schedulers ticking at once fire each due time once, and the worker runs the sent task with its schedule label', async () => {
    const seen: [string, unknown][] = [];
    broker.task('report', (_args: null, ctx) => {
      seen.push([ctx.taskId, ctx.labels.scheduleId]);
    });
    const now = await serverNow(redis);
    for (let i = 0; i < 20; i++) await broker.schedules.add({ id: `s${String(i)}`, task: 'report', at: now - 1000 + i });
    const schedulers = Array.from({ length: 5 }, () => new Scheduler(broker));
    const fired = (await Promise.all(schedulers.map((s) => s.tick()))).reduce((a, b) => a + b, 0);
    assert.equal(fired, 20);
    assert.equal(new Set(await sent()).size, 20);
    broker.worker({ concurrency: 4 });
    await waitFor(() => seen.length === 20, 5000, 'the 20 tasks');
    assert.ok(seen.every(([taskId, scheduleId]) => taskId.startsWith(`${String(scheduleId)}:`)));
  });

  it('runScheduleNow sends the task once with its arguments and labels, leaving its next run; null for no such schedule', async () => {
    const seen: [unknown, unknown, unknown][] = [];
    broker.task('report', (args: { full: boolean }, ctx) => {
      seen.push([args.full, ctx.labels.scheduleId, ctx.labels.team]);
      return 'done';
    });
    const schedule = await broker.schedules.add({ id: 'nightly', task: 'report', args: { full: true }, labels: { team: 'ops' }, cron: '0 3 * * *' });
    const handle = await broker.runScheduleNow('nightly');
    assert.ok(handle !== null);
    broker.worker();
    assert.equal((await handle.waitResult({ timeoutMs: 5000 })).returnValue, 'done');
    assert.deepEqual(seen, [[true, 'nightly', 'ops']]);
    assert.equal((await broker.schedules.get('nightly'))?.nextRunAt, schedule.nextRunAt);
    assert.equal(await broker.runScheduleNow('nothing'), null);
    await assert.rejects(
      () => broker.runScheduleNow(''),
      (e) => GoodRedisError.is(e, 'InvalidArgument'),
    );
  });

  it('start() ticks on its timer and stop() waits for the tick in flight; worker({ scheduler: true }) runs one too', async () => {
    const runs: string[] = [];
    broker.task('t', (_: null, ctx) => {
      runs.push(ctx.taskId);
    });
    const scheduler = new Scheduler(broker, { tickMs: 50 });
    const events: string[] = [];
    scheduler.on('fired', (_queue, scheduleId) => events.push(scheduleId));
    scheduler.start();
    await broker.schedules.add({ id: 'a', task: 't', at: Date.now() });
    await waitFor(() => events.length === 1, 5000, 'the fired event');
    await scheduler.stop();
    await broker.schedules.add({ id: 'b', task: 't', everyMs: 100 });
    const worker = broker.worker({ scheduler: true, blockTimeoutMs: 100 });
    await waitFor(() => runs.filter((id) => id.startsWith('b:')).length >= 2, 10_000, 'two runs of b');
    await worker.close();
    assert.deepEqual(events, ['a']);
  });

  it('lists and removes schedules; refuses bad specs, writing nothing', async () => {
    await broker.schedules.add({ id: 'x', task: 't', everyMs: 60_000 });
    await broker.schedules.add({ id: 'y', task: 't', cron: '0 3 * * *', tz: 'Europe/Paris', args: { full: true }, labels: { kind: 'nightly' } });
    const listed = await broker.schedules.list();
    assert.deepEqual(
      listed.map((s) => [s.id, s.cron ?? s.everyMs, s.tz]),
      [
        ['x', 60_000, undefined],
        ['y', '0 3 * * *', 'Europe/Paris'],
      ],
    );
    const registry = new TaskQueueRegistry(redis);
    assert.equal(await registry.has(name), true, 'a schedule registers its queue, as a send does');
    assert.equal(await broker.schedules.remove('x'), true);
    assert.equal(await broker.schedules.remove('x'), false);
    const other = track(new StreamBroker(redis, uniqueName('sched')));
    const bad = [
      { task: 't' },
      { task: 't', cron: '* * * * *', everyMs: 10 },
      { task: 't', cron: 'not a cron' },
      { task: 't', cron: '* * * * *', tz: 'Nowhere/Land' },
      { task: 't', everyMs: 0 },
      { task: 't', everyMs: 1.5 },
      { task: 't', at: 'tomorrow' as unknown as Date },
      { task: 't', at: new Date(Number.NaN) },
      { task: 't', everyMs: 10, tz: 'UTC' },
      { id: '{x}', task: 't', everyMs: 10 },
      { task: '', everyMs: 10 },
    ];
    for (const spec of bad) await assert.rejects(other.schedules.add(spec), (e) => GoodRedisError.is(e, 'InvalidArgument'), JSON.stringify(spec));
    assert.deepEqual(await keysMatching(redis, `:tq{${other.name}}:*`), []);
    assert.equal(await registry.has(other.name), false, 'a refused schedule registers nothing');
  });

  it('migrates 30 taskiq-redis key-per-schedule entries (cron, time, interval), skipping pickled and malformed ones; again, it replaces', async () => {
    const old = `taskiq-${uniqueName('old')}`;
    const writes: [string, string | Buffer][] = [];
    for (let i = 0; i < 10; i++) {
      writes.push([
        `${old}:c${String(i)}`,
        JSON.stringify({
          schedule_id: `c${String(i)}`,
          task_name: 'cron-task',
          args: [i],
          kwargs: {},
          labels: { n: i },
          cron: '*/5 * * * *',
          cron_offset: 'Europe/Paris',
          time: null,
          interval: null,
        }),
      ]);
      writes.push([
        `${old}:t${String(i)}`,
        JSON.stringify({
          schedule_id: `t${String(i)}`,
          task_name: 'time-task',
          args: [],
          kwargs: { i },
          labels: {},
          cron: null,
          time: '2030-01-01T00:00:00',
          interval: null,
        }),
      ]);
      writes.push([
        `${old}:i${String(i)}`,
        JSON.stringify({
          schedule_id: `i${String(i)}`,
          task_name: 'every',
          args: [],
          kwargs: {},
          labels: {},
          cron: null,
          time: null,
          interval: i % 2 === 0 ? 30 : 'PT1M30S',
        }),
      ]);
    }
    writes.push([`${old}:pickled`, Buffer.from([0x80, 0x04, 0x95, 0x10, 0x00])]);
    writes.push([`${old}:broken`, '{"schedule_id": "x", "task_name": ']);
    for (const [key, value] of writes) await redis.set(key, value);
    const first = await broker.schedules.migrateFrom({ prefix: old, deleteOld: false });
    assert.equal(first.migrated, 30);
    assert.deepEqual(first.skipped.map((s) => s.key).sort(), [`${old}:broken`, `${old}:pickled`]);
    const all = await broker.schedules.list();
    assert.equal(all.length, 30);
    const byId = new Map(all.map((s) => [s.id, s]));
    assert.deepEqual([byId.get('c3')?.cron, byId.get('c3')?.tz, byId.get('c3')?.args, byId.get('c3')?.labels], ['*/5 * * * *', 'Europe/Paris', [3], { n: 3 }]);
    assert.deepEqual([byId.get('t4')?.at, byId.get('t4')?.args], [Date.UTC(2030, 0, 1), { i: 4 }]);
    assert.deepEqual([byId.get('i2')?.everyMs, byId.get('i3')?.everyMs], [30_000, 90_000]);
    const again = await broker.schedules.migrateFrom({ prefix: old });
    assert.equal(again.migrated, 30, 'idempotent: the same 30, replaced');
    assert.equal((await broker.schedules.list()).length, 30);
    assert.deepEqual((await keysMatching(redis, `${old}:*`)).sort(), [`${old}:broken`, `${old}:pickled`], 'moved keys are deleted');
  });
});

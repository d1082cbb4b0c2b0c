/**
 * Schedules on every topology: taskiq-redis's cases (a cron schedule stays after it fires, a
 * one-shot is removed; a past one-shot fires at once, a future one only when due), intervals that
 * fire a missed run once, schedulers ticking together that fire each due time once, the sent task
 * (id and label), and bad specs refused before anything is written.
 */
import assert from 'node:assert/strict';
import { GoodRedisError, ResultStore, Scheduler, StreamBroker, type RedisClient } from '../../../src/index.js';
import { closeAll, connect, describeEachTopology, keysMatching, serverNow, tracker, uniqueName, waitFor } from '../support.js';

describeEachTopology('tasks: schedules', () => {
  let redis: RedisClient;
  let name: string;
  let broker: StreamBroker;
  const { track, closeTracked } = tracker();
  const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
  const sent = async (): Promise<string[]> =>
    (await redis.xrange(`:tq{${name}}:stream`, '-', '+')).map(([, fields]) => (JSON.parse(fields[1] ?? '{}') as { id: string }).id);

  beforeEach(() => {
    redis = connect();
    name = uniqueName('sched');
    broker = track(new StreamBroker(redis, name, { results: track(new ResultStore(redis)) }));
  });
  afterEach(async () => {
    await closeTracked();
    await closeAll();
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
  });
});

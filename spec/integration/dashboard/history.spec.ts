/**
 * The history behind the dashboard's charts, on every topology: it lives in Redis, so it survives
 * a dashboard's restart (a new dashboard serves the samples the first recorded, then appends);
 * it is capped (the last `samples` kept, expiring once nothing records it); dashboards recording
 * together keep one sample per interval; bad options are refused. The assets and the live counts
 * fragment are served.
 */
import assert from 'node:assert/strict';
import {
  createDashboard,
  GoodRedisError,
  historyKey,
  ObjectHistory,
  ObjectInventory,
  StreamRegistry,
  type Dashboard,
  type HistorySample,
  type RedisClient,
} from '../../../src/index.js';
import { closeAll, connect, describeEachTopology, uniqueName, waitFor } from '../support.js';

describeEachTopology('dashboard: history of the counts in Redis', () => {
  let redis: RedisClient;
  let prefix: string;
  const dashboards: Dashboard[] = [];
  beforeEach(() => {
    redis = connect();
    prefix = `${uniqueName('hist')}:`;
  });
  afterEach(async () => {
    for (const d of dashboards.splice(0)) d.close();
    await closeAll();
  });
  const dashboard = (history: { intervalMs?: number; samples?: number } | false): Dashboard => {
    const made = createDashboard({ client: redis, prefix, history });
    dashboards.push(made);
    return made;
  };
  const samplesOf = async (d: Dashboard): Promise<HistorySample[]> => {
    const response = await d.fetch(new Request('http://localhost/api/objects/stream/crawl/history'));
    assert.equal(response.status, 200);
    return ((await response.json()) as { samples: HistorySample[] }).samples;
  };

  it('survives a dashboard restart: the next dashboard serves what the first recorded, then appends', async () => {
    const stream = new StreamRegistry(redis, { prefix }).stream('crawl');
    await stream.addMany([
      ['a', 'x', 1],
      ['b', 'y', 1],
    ]);
    const first = dashboard({ intervalMs: 100 });
    await waitFor(async () => (await samplesOf(first)).length >= 2, 10_000, 'two samples');
    first.close();
    const recorded = await samplesOf(first);
    assert.ok(recorded.every((s) => s.states.waiting === 2));
    assert.ok(
      recorded.every((s, i) => i === 0 || s.at > (recorded[i - 1]?.at ?? 0)),
      'oldest first, by the server clock',
    );
    await stream.add('c', 'z', 1);
    const restarted = dashboard({ intervalMs: 100 });
    await waitFor(async () => (await samplesOf(restarted)).some((s) => s.states.waiting === 3), 10_000, 'a sample after the restart');
    const after = await samplesOf(restarted);
    assert.deepEqual(after.slice(0, recorded.length), recorded, 'the samples before the restart are still there');
    // And a dashboard that records nothing still charts what others recorded.
    assert.ok((await samplesOf(dashboard(false))).length >= recorded.length + 1);
  });

  it('keeps the last `samples` samples and expires once nothing records; one sample per interval however many record', async () => {
    const stream = new StreamRegistry(redis, { prefix }).stream('crawl');
    await stream.add('a', 'x', 1);
    const history = new ObjectHistory(redis, { prefix, intervalMs: 40, samples: 3 });
    const inventory = new ObjectInventory(redis, { prefix });
    for (let n = 1; n <= 6; n += 1) {
      await stream.add(`k${String(n)}`, 'v', 1);
      const counts = await inventory.counts();
      await waitFor(async () => (await history.record(counts)) === 1, 5000, `sample ${String(n)}`);
      assert.equal(await history.record(counts), 0, 'a second recorder within half the interval adds nothing');
    }
    const key = historyKey({ family: 'stream', name: 'crawl' }, prefix);
    assert.equal(await redis.xlen(key), 3);
    assert.deepEqual(
      (await history.read({ family: 'stream', name: 'crawl' })).map((s) => s.states.waiting),
      [5, 6, 7],
      'the last three',
    );
    const ttl = await redis.pttl(key);
    assert.ok(ttl > 0 && ttl <= 2 * 40 * 3, `expires after twice its span, got ${String(ttl)} ms`);
    assert.deepEqual(await history.read({ family: 'stream', name: 'nothing' }), []);
    // With the Workers' totals, a sample carries them apart from the states.
    const totals = [{ family: 'stream' as const, name: 'crawl', completed: 4, failed: 2, dead: 1 }];
    await waitFor(async () => (await history.record(await inventory.counts(), totals)) === 1, 5000, 'a sample with totals');
    const last = (await history.read({ family: 'stream', name: 'crawl' })).at(-1);
    assert.deepEqual(last?.totals, { completed: 4, failed: 2, dead: 1 });
    assert.equal(last.states.waiting, 7);
    assert.equal(last.added, 7, 'and what producers added in total, apart too');
    assert.equal(
      Object.keys(last.states).some((k) => k.includes(':')),
      false,
    );
    // The rates between the last two samples: what the overview shows.
    const later = [{ family: 'stream' as const, name: 'crawl', completed: 14, failed: 2, dead: 1 }];
    await stream.addMany(Array.from({ length: 5 }, (_, i): [string, string, number] => [`more${String(i)}`, 'v', 1]));
    await waitFor(async () => (await history.record(await inventory.counts(), later)) === 1, 5000, 'a later sample');
    const [before, after] = (await history.read({ family: 'stream', name: 'crawl' })).slice(-2);
    const seconds = ((after?.at ?? 0) - (before?.at ?? 0)) / 1000;
    const [rate, none] = await history.rates([
      { family: 'stream', name: 'crawl' },
      { family: 'stream', name: 'nothing' },
    ]);
    assert.deepEqual(rate, { added: 5 / seconds, finished: { completed: 10 / seconds, failed: 0, dead: 0 } });
    assert.deepEqual(none, {}, 'no samples, no rates');
    const overview = await (await dashboard(false).fetch(new Request('http://localhost/'))).text();
    assert.match(overview, new RegExp(`class="n added-rate">${(5 / seconds).toFixed(1)}/s<`));
    assert.match(overview, new RegExp(`class="n rate">${(10 / seconds).toFixed(1)}/s<`));
    // A total that went down between two samples (a stream's count restarted after a quiet day) gives no rate.
    await redis.hdel(`${prefix}{crawl}:stats`, 'added');
    await waitFor(async () => (await history.record(await inventory.counts(), later)) === 1, 5000, 'a sample after the restart of the count');
    const [restarted] = await history.rates([{ family: 'stream', name: 'crawl' }]);
    assert.deepEqual(restarted, { added: undefined, finished: { completed: 0, failed: 0, dead: 0 } });
  });

  it('refuses bad options; serves the chart assets and the live counts', async () => {
    for (const bad of [{ intervalMs: 0 }, { samples: 0 }, { samples: 1.5 }, { intervalMs: -1 }]) {
      assert.throws(
        () => createDashboard({ client: redis, prefix, history: bad }),
        (e) => GoodRedisError.is(e, 'InvalidArgument'),
      );
    }
    const d = dashboard(false);
    const page = await (await d.fetch(new Request('http://localhost/'))).text();
    const htmx = /src="\/assets\/(htmx-[\d.]+\.min\.js)"/.exec(page)?.[1];
    assert.ok(htmx !== undefined, 'every page loads htmx');
    const script = await d.fetch(new Request(`http://localhost/assets/${htmx}`));
    assert.equal(script.status, 200);
    assert.match(script.headers.get('content-type') ?? '', /javascript/);
    assert.match(script.headers.get('cache-control') ?? '', /immutable/);
    assert.ok((await script.text()).length > 10_000);
    assert.equal((await d.fetch(new Request('http://localhost/assets/nothing.js'))).status, 404);
    await new StreamRegistry(redis, { prefix }).stream('crawl').add('a', 'x', 1);
    const fragment = await (await d.fetch(new Request('http://localhost/objects/stream/crawl/counts'))).text();
    assert.match(fragment, /^<table id="counts">/);
    assert.match(fragment, /data-state="waiting">1</);
  });
});

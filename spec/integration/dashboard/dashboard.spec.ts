/**
 * The dashboard's HTTP surface on every topology, through its fetch handler: the overview lists
 * objects of every family, a stream key is found by lookup, a dead letter is replayed from its
 * page (confirmed, with the CSRF token) and the count drops; read-only mode hides the actions and
 * refuses a forged POST with 403, writing nothing; without the credential every page and API call
 * gets 401; an object named like markup renders as text; a base path prefixes every link.
 */
import assert from 'node:assert/strict';
import {
  createDashboard,
  GoodRedisError,
  QueueRegistry,
  ResultStore,
  StreamBroker,
  StreamRegistry,
  TopicRegistry,
  Worker,
  WorkerRegistry,
  type Dashboard,
  type DashboardOptions,
  type RedisClient,
} from '../../../src/index.js';
import { closeAll, connect, describeEachTopology, uniqueName, waitFor } from '../support.js';
import { poisonQueue } from './poison.js';

/** A browser in miniature: keeps the cookies the dashboard sets and sends them back. */
class Browser {
  private readonly cookies = new Map<string, string>();
  public constructor(
    private readonly dashboard: Dashboard,
    private readonly headers: Record<string, string> = {},
    /** The address's origin: its host is the request's Host. */
    private readonly origin = 'http://localhost',
  ) {}

  public async request(path: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<Response> {
    const headers: Record<string, string> = { ...this.headers };
    if (this.cookies.size > 0) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    let body: string | undefined;
    if (init.form !== undefined) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    }
    const response = await this.dashboard.fetch(
      new Request(`${this.origin}${path}`, { method: init.method ?? 'GET', headers, redirect: 'manual', ...(body === undefined ? {} : { body }) }),
    );
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      this.cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    return response;
  }

  public async page(path: string): Promise<string> {
    const response = await this.request(path);
    assert.equal(response.status, 200, `GET ${path}`);
    return response.text();
  }
}

/** The value of a hidden field in a page. */
function fieldOf(page: string, name: string): string {
  const value = new RegExp(`name="${name}" value="([^"]*)"`).exec(page)?.[1];
  assert.ok(value !== undefined, `the page has a ${name} field`);
  return value;
}

describeEachTopology('dashboard: pages, actions, security', () => {
  let redis: RedisClient;
  let prefix: string;
  const closers: (() => Promise<unknown>)[] = [];
  beforeEach(() => {
    redis = connect();
    prefix = `${uniqueName('dash')}:`;
  });
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
    await closeAll();
  });

  // History is not recorded here (spec/integration/dashboard/history.spec.ts is about it).
  const dashboard = (options: Partial<DashboardOptions> = {}): Dashboard => createDashboard({ client: redis, prefix, history: false, ...options });

  it('the overview lists objects of every family, busiest first, and the JSON API the same counts', async () => {
    await new StreamRegistry(redis, { prefix }).stream('crawl').addMany([
      ['a', 'x', 1],
      ['b', 'y', 2],
    ]);
    const queues = new QueueRegistry(redis, { prefix });
    await queues.queue('mail').addItems(['1', '2', '3']);
    await queues.uniqueQueue('once').addItem('u');
    await queues.pool('proxies').addItem('p');
    await new TopicRegistry(redis, { prefix }).topic('orders').ensure(2);
    await new StreamBroker(redis, 'jobs', { prefix }).send('t', 1);
    const browser = new Browser(dashboard());
    const page = await browser.page('/');
    const rows = [...page.matchAll(/<tr data-family="(\w+)">[\s\S]*?class="object" href="([^"]+)">([^<]+)</g)].map((m) => [m[1], m[3]]);
    assert.deepEqual(rows, [
      ['queue', 'mail'],
      ['stream', 'crawl'],
      ['taskQueue', 'jobs'], // ties by name
      ['unique', 'once'],
      ['pool', 'proxies'],
      ['topic', 'orders'],
    ]);
    const api = (await (await browser.request('/api/objects')).json()) as { objects: { family: string; name: string; states: Record<string, number> }[] };
    assert.equal(api.objects.find((o) => o.name === 'mail')?.states.waiting, 3);
    assert.equal(api.objects.find((o) => o.name === 'orders')?.states.partitions, 2);
    const metrics = await (await browser.request('/metrics')).text();
    assert.match(metrics, /good_redis_items\{family="queue",name="mail",state="waiting"\} 3/);
  });

  it("shows each family's own tables: a stream's items paged, cooldowns and leases; a queue's consumers; a topic's groups; a task queue's schedules", async () => {
    const stream = new StreamRegistry(redis, { prefix }).stream('crawl');
    await stream.addMany(Array.from({ length: 62 }, (_, i) => [`k${String(i).padStart(2, '0')}`, `v${String(i)}`, i] as const));
    await stream.pull({ count: 1 }); // k61 cools down
    await stream.lease({ count: 1, leaseMs: 60_000 }); // k60 leased
    const queue = new QueueRegistry(redis, { prefix }).queue('mail');
    await queue.addItems(['a', 'b']);
    await queue.getItems(1);
    closers.push(() => queue.close());
    const topic = new TopicRegistry(redis, { prefix }).topic('orders');
    await topic.ensure(2);
    await topic.createGroup('billing');
    const broker = new StreamBroker(redis, 'jobs', { prefix });
    await broker.schedules.add({ id: 'digest', task: 'send', args: null, cron: '0 8 * * *' });
    const browser = new Browser(dashboard());
    const rowsOf = (page: string, id: string): string[][] => {
      const table = new RegExp(`<table id="${id}">([\\s\\S]*?)</table>`).exec(page)?.[1] ?? '';
      const body = /<tbody>([\s\S]*)<\/tbody>/.exec(table)?.[1] ?? '';
      return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((m) => [...(m[1] ?? '').matchAll(/<td>([^<]*)<\/td>/g)].map((c) => c[1] ?? ''));
    };
    const first = await browser.page('/objects/stream/crawl');
    const items = rowsOf(first, 'items');
    assert.equal(items.length, 50);
    assert.deepEqual(items[0], ['k59', '59', 'v59']);
    assert.match(first, /class="next" href="\/objects\/stream\/crawl\?page=1"/);
    const second = await browser.page('/objects/stream/crawl?page=1');
    assert.deepEqual(
      rowsOf(second, 'items').map((r) => r[0]),
      ['k09', 'k08', 'k07', 'k06', 'k05', 'k04', 'k03', 'k02', 'k01', 'k00'],
    );
    assert.doesNotMatch(second, /class="next"/);
    assert.deepEqual(
      rowsOf(first, 'cooldowns').map((r) => r[0]),
      ['k61'],
    );
    assert.deepEqual(
      rowsOf(first, 'leases').map((r) => [r[0], r[1]]),
      [['k60', '1']],
    );
    const consumers = rowsOf(await browser.page('/objects/queue/mail'), 'consumers');
    assert.equal(consumers.length, 1);
    assert.deepEqual([consumers[0]?.[2], consumers[0]?.[3]], ['yes', '1']);
    const group = rowsOf(await browser.page('/objects/topic/orders'), 'group-billing');
    assert.deepEqual(group, [
      ['0', '', '0', '0'],
      ['1', '', '0', '0'],
    ]);
    const schedules = rowsOf(await browser.page('/objects/taskQueue/jobs'), 'schedules');
    assert.deepEqual(schedules[0]?.slice(0, 3), ['digest', 'send', 'cron 0 8 * * * (UTC)']);
    const [digest = []] = schedules;
    assert.match(digest[3] ?? '', /T08:00:00\.000Z$/);
  });

  it('finds a stream key by lookup, and says when a key is not there', async () => {
    await new StreamRegistry(redis, { prefix }).stream('crawl').add('https://a.example/x', 'page x', 5);
    const browser = new Browser(dashboard());
    const found = await browser.page(`/objects/stream/crawl?key=${encodeURIComponent('https://a.example/x')}`);
    assert.match(found, /id="lookup-result"><b>https:\/\/a.example\/x<\/b>: <code>page x<\/code>/);
    const missing = await browser.page('/objects/stream/crawl?key=nope');
    assert.match(missing, /id="lookup-result" class="muted">nope is not in the stream/);
    assert.equal((await browser.request('/objects/stream/absent')).status, 404);
    assert.equal((await browser.request(`/objects/stream/${encodeURIComponent('{bad}')}`)).status, 404, 'a name no stream can have');
    assert.equal((await browser.request('/objects/queue/crawl')).status, 404, 'a name of another family');
  });

  it('replays a dead letter from its page, confirmed with the CSRF token, and the count drops', async () => {
    const broker = await poisonQueue(redis, prefix, 'jobs', closers);
    const browser = new Browser(dashboard());
    const page = await browser.page('/objects/taskQueue/jobs');
    assert.match(page, /data-state="dead">1</);
    const ref = /name="ref" value="([^"]+)"/.exec(page)?.[1];
    assert.ok(ref !== undefined, 'a dead letter row with its actions');
    const confirm = await browser.page(`/objects/taskQueue/jobs/confirm?action=replay&ref=${encodeURIComponent(ref)}`);
    assert.equal((await broker.stats()).dead, 1, 'the confirmation page changes nothing');
    const done = await browser.request('/objects/taskQueue/jobs/replay', { method: 'POST', form: { _csrf: fieldOf(confirm, '_csrf'), ref } });
    assert.equal(done.status, 303);
    const after = await browser.page(done.headers.get('location') ?? '');
    assert.match(after, /id="notice">Replayed 1 dead letter\./);
    assert.match(after, /data-state="dead">0</);
    assert.match(after, /data-state="waiting">1</);
    assert.deepEqual(await broker.deadLetters(), []);
  });

  it('refuses a POST without the CSRF token or with another, writing nothing', async () => {
    const broker = await poisonQueue(redis, prefix, 'jobs', closers);
    const browser = new Browser(dashboard());
    await browser.page('/objects/taskQueue/jobs'); // sets the CSRF cookie
    assert.equal((await browser.request('/objects/taskQueue/jobs/purge', { method: 'POST', form: {} })).status, 403);
    assert.equal((await browser.request('/objects/taskQueue/jobs/purge', { method: 'POST', form: { _csrf: 'f'.repeat(64) } })).status, 403);
    const stranger = new Browser(dashboard());
    assert.equal((await stranger.request('/objects/taskQueue/jobs/purge', { method: 'POST', form: { _csrf: 'a'.repeat(64) } })).status, 403);
    assert.equal((await broker.stats()).dead, 1);
  });

  it('read-only: no action buttons, and a forged POST gets 403 and writes nothing', async () => {
    const broker = await poisonQueue(redis, prefix, 'jobs', closers);
    const browser = new Browser(dashboard({ readOnly: true }));
    const page = await browser.page('/objects/taskQueue/jobs');
    assert.match(page, /id="read-only"/);
    assert.doesNotMatch(page, /data-action=/);
    assert.equal((await browser.request('/objects/taskQueue/jobs/confirm?action=purge')).status, 403);
    const csrf = 'c'.repeat(64);
    const forged = new Browser(dashboard({ readOnly: true }), { cookie: `good_redis_csrf=${csrf}` });
    assert.equal((await forged.request('/objects/taskQueue/jobs/purge', { method: 'POST', form: { _csrf: csrf } })).status, 403);
    assert.equal((await forged.request('/objects/taskQueue/jobs/pause', { method: 'POST', form: { _csrf: csrf } })).status, 403);
    assert.equal((await broker.stats()).dead, 1);
    assert.deepEqual((await new WorkerRegistry(redis, { prefix }).read()).paused, [], 'nothing paused');
  });

  /** Confirms an action through its confirmation page and posts it; returns the notice of the page it lands on. */
  const confirmed = async (browser: Browser, object: string, action: string, params: Record<string, string>): Promise<string> => {
    const query = new URLSearchParams({ action, ...params }).toString();
    const confirm = await browser.page(`/objects/${object}/confirm?${query}`);
    const done = await browser.request(`/objects/${object}/${action}`, { method: 'POST', form: { _csrf: fieldOf(confirm, '_csrf'), ...params } });
    assert.equal(done.status, 303, `${action} answered ${String(done.status)}: ${await done.clone().text()}`);
    const page = await browser.page(done.headers.get('location') ?? '');
    return /id="notice">([^<]*)</.exec(page)?.[1] ?? '';
  };

  it("adds, raises and deletes a stream's items from its page, each confirmed; bad input gets 400 and writes nothing", async () => {
    const stream = new StreamRegistry(redis, { prefix }).stream('crawl');
    await stream.add('old', 'x', 1);
    const browser = new Browser(dashboard());
    const page = await browser.page('/objects/stream/crawl');
    assert.match(page, /id="add-item"/);
    assert.match(page, /data-action="delete"/);
    const confirm = await browser.page('/objects/stream/crawl/confirm?action=add&key=k1&value=v1&priority=5');
    assert.match(confirm, /Add k1 to crawl with priority 5\?/);
    assert.equal(await stream.get('k1'), null, 'the confirmation page changes nothing');
    assert.equal(await confirmed(browser, 'stream/crawl', 'add', { key: 'k1', value: 'v1', priority: '5' }), 'Added.');
    assert.deepEqual(await stream.entries(), [
      { key: 'k1', value: 'v1', priority: 5 },
      { key: 'old', value: 'x', priority: 1 },
    ]);
    assert.equal(await confirmed(browser, 'stream/crawl', 'increment', { key: 'k1', by: '2' }), 'Raised.');
    assert.equal(await confirmed(browser, 'stream/crawl', 'increment', { key: 'nothing', by: '2' }), 'Not queued: nothing changed.');
    assert.deepEqual((await stream.entries())[0], { key: 'k1', value: 'v1', priority: 7 });
    assert.equal(await confirmed(browser, 'stream/crawl', 'delete', { ref: 'k1' }), 'Deleted.');
    assert.equal(await stream.get('k1'), null);
    const csrf = fieldOf(await browser.page('/objects/stream/crawl/confirm?action=add'), '_csrf');
    const bad = await browser.request('/objects/stream/crawl/add', { method: 'POST', form: { _csrf: csrf, key: 'k2', value: 'v', priority: 'lots' } });
    assert.equal(bad.status, 400);
    const noKey = await browser.request('/objects/stream/crawl/add', { method: 'POST', form: { _csrf: csrf, value: 'v' } });
    assert.equal(noKey.status, 400);
    assert.equal(await stream.len(), 1, 'nothing written');
    await new QueueRegistry(redis, { prefix }).queue('mail').addItem('m');
    assert.equal(
      (await browser.request('/objects/queue/mail/add', { method: 'POST', form: { _csrf: csrf, key: 'k', value: 'v' } })).status,
      400,
      'not a stream',
    );
    assert.equal((await browser.request('/objects/queue/mail/confirm?action=run')).status, 400);
  });

  it("gives back a queue's dead consumers' deliveries, and runs a task queue's schedule now, each confirmed", async () => {
    const queues = new QueueRegistry(redis, { prefix });
    const taker = queues.queue('mail');
    await taker.addItems(['a', 'b', 'c']);
    assert.equal((await taker.getItems(2)).length, 2);
    await taker.close({ handBack: false });
    const [seconds] = await redis.time();
    await redis.zadd(`${prefix}:q{mail}:consumers`, Number(seconds) * 1000 - 600_000, taker.consumerId); // silent for ten minutes
    const browser = new Browser(dashboard());
    assert.match(await browser.page('/objects/queue/mail'), /data-action="reenqueue"/);
    assert.equal(await confirmed(browser, 'queue/mail', 'reenqueue', {}), 'Gave back 2 deliveries.');
    assert.deepEqual(await queues.queue('mail').items(), ['a', 'b', 'c']);

    const broker = new StreamBroker(redis, 'jobs', { prefix });
    closers.push(() => broker.close());
    await broker.send('warm-up', null); // the queue's kind is known once something was sent
    const schedule = await broker.schedules.add({ id: 'digest', task: 'send', args: { to: 'all' }, everyMs: 3_600_000 });
    const before = (await broker.stats()).waiting;
    assert.match(await browser.page('/objects/taskQueue/jobs'), /data-action="run"/);
    assert.equal(await confirmed(browser, 'taskQueue/jobs', 'run', { ref: 'digest' }), 'Sent the task of the schedule.');
    assert.equal((await broker.stats()).waiting, before + 1);
    assert.equal((await broker.schedules.get('digest'))?.nextRunAt, schedule.nextRunAt, 'its next run does not move');
    assert.equal(await confirmed(browser, 'taskQueue/jobs', 'run', { ref: 'nothing' }), 'No such schedule.');
  });

  it("a task queue's page lists the results of the tasks its Workers finished last, latest first", async () => {
    const results = new ResultStore(redis, { prefix });
    closers.push(() => results.close());
    const broker = new StreamBroker(redis, 'jobs', { prefix, results });
    closers.push(() => broker.close());
    broker.task('add', (args: { a: number; b: number }) => args.a + args.b);
    broker.task(
      'fails',
      () => {
        throw new TypeError('no luck');
      },
      { maxAttempts: 1 },
    );
    const sum = await broker.send('add', { a: 1, b: 2 });
    const failed = await broker.send('fails', null);
    const worker = broker.worker({ heartbeatMs: 50 });
    await Promise.all([sum.waitResult({ timeoutMs: 5000 }), failed.waitResult({ timeoutMs: 5000 })]);
    const registry = new WorkerRegistry(redis, { prefix });
    await waitFor(async () => (await registry.read()).workers.some((w) => w.id === worker.id && w.recent.length === 2), 5000, 'a beat with both');
    const browser = new Browser(dashboard());
    // The same beat added them to the queue's totals, which the overview shows.
    assert.match(await browser.page('/'), /completed <b>1<\/b>, failed <b>1<\/b>, dead <b>1<\/b>/);
    const page = await browser.page('/objects/taskQueue/jobs');
    const table = /<table id="results">([\s\S]*?)<\/table>/.exec(page)?.[1] ?? '';
    const rows = [...table.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((m) => [...(m[1] ?? '').matchAll(/<td>([^<]*)<\/td>/g)].map((c) => c[1] ?? ''));
    const byId = new Map(rows.map((r) => [r[0], r]));
    assert.deepEqual(byId.get(sum.taskId)?.slice(1, 3), ['add', 'completed']);
    assert.equal(byId.get(sum.taskId)?.[5], '3');
    assert.deepEqual(byId.get(failed.taskId)?.slice(1, 3), ['fails', 'dead']);
    assert.equal(byId.get(failed.taskId)?.[5], 'TypeError: no luck');
  });

  it("pauses and resumes an object's consumption from its page, confirmed; its Worker holds off; the workers page lists it", async () => {
    const stream = new StreamRegistry(redis, { prefix }).stream('crawl');
    await stream.add('warm-up', 'x');
    let handled = 0;
    const worker = new Worker(stream, () => void (handled += 1), { heartbeatMs: 50, blockTimeoutMs: 200 });
    closers.push(() => worker.close());
    await waitFor(() => handled === 1, 5000, 'the worker to run');
    const registry = new WorkerRegistry(redis, { prefix });
    await waitFor(async () => (await registry.read()).workers.some((w) => w.id === worker.id && w.completed === 1), 5000, 'its beat');
    const browser = new Browser(dashboard());
    const page = await browser.page('/objects/stream/crawl');
    assert.match(page, /id="consumption">\s*Consuming\./);
    assert.ok(page.includes(worker.id), "the object's workers are listed");
    const confirm = await browser.page('/objects/stream/crawl/confirm?action=pause');
    assert.match(confirm, /Pause the consumption of crawl\?/);
    assert.deepEqual((await registry.read()).paused, [], 'the confirmation page changes nothing');
    const paused = await browser.request('/objects/stream/crawl/pause', { method: 'POST', form: { _csrf: fieldOf(confirm, '_csrf') } });
    assert.equal(paused.status, 303);
    assert.match(await browser.page(paused.headers.get('location') ?? ''), /id="notice">Paused: its Workers stop leasing/);
    // A beat reports the state the worker was in when it beat: the one after it read the pause says paused.
    await waitFor(async () => (await registry.read()).workers.some((w) => w.id === worker.id && w.paused), 5000, 'the worker to report the pause');
    await stream.add('held', 'y');
    assert.match(await browser.page('/'), /crawl<\/a> <span class="paused">paused<\/span>/);
    const workersPage = await browser.page('/workers');
    assert.ok(workersPage.includes(worker.id));
    assert.match(workersPage, /<td>yes, paused<\/td>/);
    const api = (await (await browser.request('/api/workers')).json()) as { paused: { family: string; name: string }[]; workers: { id: string }[] };
    assert.deepEqual(
      api.paused.map((p) => [p.family, p.name]),
      [['stream', 'crawl']],
    );
    assert.ok(api.workers.some((w) => w.id === worker.id));
    assert.equal(handled, 1, 'nothing more was run while paused');
    const resume = await browser.page('/objects/stream/crawl/confirm?action=resume');
    const resumed = await browser.request('/objects/stream/crawl/resume', { method: 'POST', form: { _csrf: fieldOf(resume, '_csrf') } });
    assert.match(await browser.page(resumed.headers.get('location') ?? ''), /id="notice">Resumed/);
    await waitFor(() => handled === 2, 5000, 'the held item once resumed');
  });

  it('with a token, every page and API call without it gets 401; the header, or the address once, lets one in', async () => {
    await new StreamRegistry(redis, { prefix }).stream('crawl').add('k', 'v', 1);
    const secured = dashboard({ auth: { token: 's3cret-token' } });
    const anonymous = new Browser(secured);
    for (const path of ['/', '/api/objects', '/api/objects/stream/crawl', '/metrics', '/objects/stream/crawl', '/objects/stream/crawl/confirm?action=purge']) {
      assert.equal((await anonymous.request(path)).status, 401, path);
    }
    assert.equal((await anonymous.request('/objects/stream/crawl/purge', { method: 'POST', form: { _csrf: 'x' } })).status, 401);
    assert.equal((await new Browser(secured, { authorization: 'Bearer wrong' }).request('/')).status, 401);
    assert.equal((await new Browser(secured, { authorization: 'Bearer s3cret-token' }).request('/api/objects')).status, 200);
    const visitor = new Browser(secured);
    const first = await visitor.request('/objects/stream/crawl?token=s3cret-token');
    assert.equal(first.status, 303);
    assert.equal(first.headers.get('location'), '/objects/stream/crawl');
    assert.equal((await visitor.request('/objects/stream/crawl')).status, 200, 'the cookie carries the token');
  });

  it('answers only for loopback and the hosts it was told (DNS rebinding): another Host gets 403 and reads and writes nothing (issue 28)', async () => {
    const broker = await poisonQueue(redis, prefix, 'jobs', closers);
    const open = dashboard();
    const rebound = new Browser(open, {}, 'http://rebind.example:3000');
    for (const path of ['/', '/objects/taskQueue/jobs', '/objects/taskQueue/jobs/confirm?action=purge', '/api/objects', '/metrics', '/workers']) {
      const response = await rebound.request(path);
      assert.equal(response.status, 403, path);
      const text = await response.text();
      assert.match(text, /does not answer for the host "rebind\.example:3000"/);
      assert.doesNotMatch(text, /_csrf|jobs/, 'nothing read');
    }
    const csrf = 'c'.repeat(64);
    const forged = new Browser(open, { cookie: `good_redis_csrf=${csrf}` }, 'http://rebind.example:3000');
    assert.equal((await forged.request('/objects/taskQueue/jobs/purge', { method: 'POST', form: { _csrf: csrf } })).status, 403);
    assert.equal((await broker.stats()).dead, 1, 'nothing purged');
    for (const origin of ['http://localhost:3000', 'http://127.0.0.1:3000', 'http://[::1]:3000']) {
      assert.equal((await new Browser(open, {}, origin).request('/')).status, 200, origin);
    }
    const allowed = dashboard({ allowedHosts: ['dash.example'] });
    assert.equal((await new Browser(allowed, {}, 'http://dash.example').request('/')).status, 200);
    assert.equal((await new Browser(allowed, {}, 'http://rebind.example').request('/')).status, 403);
    assert.equal((await new Browser(dashboard({ allowedHosts: '*' }), {}, 'http://anything.example').request('/')).status, 200);
    assert.throws(
      () => dashboard({ allowedHosts: ['a b'] }),
      (err: unknown) => GoodRedisError.is(err, 'InvalidArgument'),
    );
  });

  it('refuses a POST whose Origin, or Referer without one, is another site, before reading its form (issue 28)', async () => {
    const broker = await poisonQueue(redis, prefix, 'jobs', closers);
    const d = dashboard();
    const confirm = await new Browser(d).page('/objects/taskQueue/jobs/confirm?action=purge');
    const token = fieldOf(confirm, '_csrf');
    const post = (headers: Record<string, string>): Promise<Response> =>
      new Browser(d, { cookie: `good_redis_csrf=${token}`, ...headers }).request('/objects/taskQueue/jobs/purge', { method: 'POST', form: { _csrf: token } });
    assert.equal((await post({ origin: 'http://evil.example' })).status, 403);
    assert.equal((await post({ origin: 'null' })).status, 403);
    assert.equal((await post({ referer: 'http://evil.example/page' })).status, 403);
    assert.equal((await broker.stats()).dead, 1, 'nothing purged');
    const own = await post({ origin: 'http://localhost' });
    assert.equal(own.status, 303, 'its own pages post');
    assert.equal((await broker.stats()).dead, 0);
  });

  it('looks an asset up as its own name: __proto__, constructor and toString are 404, not a 500 (issue 28)', async () => {
    const browser = new Browser(dashboard());
    for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      assert.equal((await browser.request(`/assets/${name}`)).status, 404, name);
    }
  });

  it('redirects within the dashboard only: //attacker.example/?token= lands on a local path (issue 28)', async () => {
    const secured = dashboard({ auth: { token: 'tok' } });
    const response = await new Browser(secured).request('//attacker.example/?token=tok');
    assert.equal(response.status, 303);
    const location = response.headers.get('location') ?? '';
    assert.ok(location.startsWith('/') && !location.startsWith('//'), `redirected to ${location}`);
    assert.equal(new URL(location, 'http://localhost').host, 'localhost');
    const mounted = dashboard({ auth: { token: 'tok' }, basePath: '/ops/' });
    assert.equal((await new Browser(mounted).request('//attacker.example/?token=tok')).status, 404, 'outside its base path it answers nothing');
    const under = await new Browser(mounted).request('/ops//attacker.example/?token=tok');
    const inside = under.headers.get('location') ?? '';
    assert.ok(inside.startsWith('/ops/') && new URL(inside, 'http://localhost').host === 'localhost', `redirected to ${inside}`);
  });

  it('pages the overview and the JSON list, 100 objects a page, and a name filter finds one (issue 28)', async () => {
    const queues = new QueueRegistry(redis, { prefix });
    for (let i = 0; i < 250; i++) await queues.queue(`q-${String(i).padStart(3, '0')}`).addItems(i % 50 === 0 ? ['a', 'b'] : ['a']);
    const browser = new Browser(dashboard());
    const first = await browser.page('/');
    assert.equal([...first.matchAll(/<tr data-family=/g)].length, 100);
    assert.match(first, /250 objects, page 1 of\s+3/);
    assert.match(first, /q-000/, 'the busiest first');
    assert.match(first, /href="\/\?page=1">next/);
    const last = await browser.page('/?page=2');
    assert.equal([...last.matchAll(/<tr data-family=/g)].length, 50);
    const found = await browser.page('/?q=Q-123');
    assert.equal([...found.matchAll(/<tr data-family=/g)].length, 1);
    assert.match(found, />q-123</);
    assert.match(found, /1 object whose name holds/);
    assert.ok(first.length < 150_000, `a page of 100 objects is ${String(first.length)} bytes`);
    const api = (await (await browser.request('/api/objects?page=2&limit=100')).json()) as {
      total: number;
      page: number;
      pages: number;
      objects: { name: string }[];
    };
    assert.deepEqual([api.total, api.page, api.pages, api.objects.length], [250, 2, 3, 50]);
    assert.equal(api.objects[0]?.name, 'q-200', 'the JSON list keeps the inventory order: by family, then name');
    const one = (await (await browser.request('/api/objects?q=q-042')).json()) as { objects: { name: string }[] };
    assert.deepEqual(
      one.objects.map((o) => o.name),
      ['q-042'],
    );
  });

  it('with basic auth, asks for it and lets the right user in', async () => {
    const secured = dashboard({ auth: { username: 'ops', password: 'pw:with:colons' } });
    const refused = await new Browser(secured).request('/');
    assert.equal(refused.status, 401);
    assert.match(refused.headers.get('www-authenticate') ?? '', /^Basic/);
    const basic = (user: string, password: string): Record<string, string> => ({
      authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
    });
    assert.equal((await new Browser(secured, basic('ops', 'nope')).request('/')).status, 401);
    assert.equal((await new Browser(secured, basic('ops', 'pw:with:colons')).request('/')).status, 200);
  });

  it('renders an object named like markup as text, everywhere', async () => {
    const name = '<img src=x onerror=alert(1)>';
    await new StreamRegistry(redis, { prefix }).stream(name).add('<b>key</b>', '<script>alert(2)</script>', 1);
    const browser = new Browser(dashboard());
    const overview = await browser.page('/');
    assert.ok(overview.includes('&lt;img src=x onerror=alert(1)&gt;'));
    assert.ok(!overview.includes(name));
    const page = await browser.page(`/objects/stream/${encodeURIComponent(name)}?key=${encodeURIComponent('<b>key</b>')}`);
    assert.ok(!page.includes(name) && !page.includes('<script>alert(2)') && !page.includes('<b>key</b>'));
    assert.ok(page.includes('&lt;script&gt;alert(2)&lt;/script&gt;'));
  });

  it('serves under a base path, every link under it; refuses bad options', async () => {
    await new QueueRegistry(redis, { prefix }).queue('mail').addItem('1');
    const browser = new Browser(dashboard({ basePath: '/ops/redis/' }));
    const page = await browser.page('/ops/redis/');
    assert.match(page, /href="\/ops\/redis\/objects\/queue\/mail"/);
    assert.equal((await browser.request('/')).status, 404);
    assert.equal((await browser.request('/ops/redis/objects/queue/mail')).status, 200);
    for (const bad of [
      { basePath: 'ops' },
      { basePath: '/ops' },
      { basePath: '/a/../b/' },
      { prefix: '{x}' },
      { readOnly: 'yes' },
      { auth: { token: '' } },
      { auth: { username: 'a:b', password: 'c' } },
    ]) {
      assert.throws(
        () => dashboard(bad as Partial<DashboardOptions>),
        (e) => GoodRedisError.is(e, 'InvalidArgument'),
        JSON.stringify(bad),
      );
    }
  });
});

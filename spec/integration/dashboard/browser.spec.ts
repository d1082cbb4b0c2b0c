/**
 * The dashboard in a real headless Chromium (Debian's, driven by playwright-core), served on a
 * free loopback port: the overview lists objects of every family; a key is found by lookup; a
 * dead letter is replayed from its page, through the confirmation, and the count drops; in
 * read-only mode the buttons are absent and a forged POST gets 403 and writes nothing; without the
 * token every page and API call gets 401; a page whose name rebinds to 127.0.0.1 gets 403 and
 * runs nothing; a stream named like markup renders as text and runs nothing. With GOOD_REDIS_SCREENSHOTS=<dir> the tests save their screenshots there (the
 * dashboard guide's pictures are made so).
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { delimiter, join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createDashboard, QueueRegistry, StreamRegistry, TopicRegistry, Worker, type DashboardOptions, type RedisClient } from '../../../src/index.js';
import { closeAll, connect, describeEachTopology, uniqueName, waitFor } from '../support.js';
import { poisonQueue } from './poison.js';

/** The Chromium to drive: CHROMIUM_PATH, else chromium or chromium-browser on the PATH (scripts/ensure-chromium.sh installs it). */
function chromiumPath(): string {
  const given = process.env.CHROMIUM_PATH;
  if (given !== undefined && given !== '') return given;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    for (const name of ['chromium', 'chromium-browser']) if (existsSync(join(dir, name))) return join(dir, name);
  }
  throw new Error('no Chromium: run scripts/ensure-chromium.sh, or set CHROMIUM_PATH');
}

/** Flags for a sandboxed machine with no outside network (no background connections to refuse). */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // A name of an attacker's that rebinds to this machine (DNS rebinding), for the Host check's test.
  '--host-resolver-rules=MAP rebind.test 127.0.0.1',
];

describeEachTopology(
  'dashboard in a browser',
  () => {
    let redis: RedisClient;
    let prefix: string;
    let browser: Browser;
    const servers: Server[] = [];
    const closers: (() => Promise<unknown>)[] = [];

    before(async function () {
      this.timeout(60_000);
      browser = await chromium.launch({ executablePath: chromiumPath(), headless: true, args: CHROMIUM_ARGS });
    });
    after(async () => {
      await browser.close();
    });
    beforeEach(() => {
      redis = connect();
      prefix = `${uniqueName('ui')}:`;
    });
    afterEach(async () => {
      for (const close of closers.splice(0)) await close();
      for (const server of servers.splice(0)) {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
      await closeAll();
    });

    /** Serves a dashboard on a free loopback port; returns its address. */
    async function serve(options: Partial<DashboardOptions> = {}): Promise<string> {
      const dashboard = createDashboard({ client: redis, prefix, ...options });
      closers.push(async () => {
        dashboard.close();
        await Promise.resolve();
      });
      const server = createServer(dashboard.listener);
      servers.push(server);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
    }

    async function newPage(): Promise<Page> {
      const context = await browser.newContext({ viewport: { width: 1100, height: 700 } });
      closers.push(() => context.close());
      return context.newPage();
    }

    async function screenshot(page: Page, name: string): Promise<void> {
      const dir = process.env.GOOD_REDIS_SCREENSHOTS;
      if (dir !== undefined && dir !== '') await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
    }

    it('the overview lists objects of every family', async () => {
      await new StreamRegistry(redis, { prefix }).stream('crawl-frontier').addMany([
        ['https://a.example/', 'a', 5],
        ['https://b.example/', 'b', 3],
      ]);
      const queues = new QueueRegistry(redis, { prefix });
      await queues.queue('mail').addItems(['1', '2', '3']);
      await queues.uniqueQueue('dedupe').addItem('u');
      await queues.pool('proxies').addItems(['p1', 'p2']);
      await new TopicRegistry(redis, { prefix }).topic('orders').ensure(3);
      await poisonQueue(redis, prefix, 'emails', closers);
      const page = await newPage();
      await page.goto(await serve());
      const rows = await Promise.all(
        (await page.locator('tr[data-family]').all()).map(
          async (tr) => `${(await tr.getAttribute('data-family')) ?? ''}:${(await tr.locator('a').textContent()) ?? ''}`,
        ),
      );
      assert.deepEqual([...rows].sort(), ['pool:proxies', 'queue:mail', 'stream:crawl-frontier', 'taskQueue:emails', 'topic:orders', 'unique:dedupe']);
      await screenshot(page, 'dashboard-overview');
    });

    it("an object's page draws its history with uPlot and refreshes its counts live (htmx), with no script error", async function () {
      this.timeout(30_000);
      const stream = new StreamRegistry(redis, { prefix }).stream('crawl-frontier');
      await stream.addMany([
        ['a', 'x', 3],
        ['b', 'y', 2],
      ]);
      const address = await serve({ history: { intervalMs: 100 } });
      const samples = async (): Promise<number> => {
        const body = (await (await fetch(`${address}/api/objects/stream/crawl-frontier/history`)).json()) as { samples: unknown[] };
        return body.samples.length;
      };
      await waitFor(async () => (await samples()) >= 3, 10_000, 'three samples');
      const page = await newPage();
      const errors: string[] = [];
      page.on('pageerror', (err) => errors.push(err.message));
      await page.goto(`${address}/objects/stream/crawl-frontier`);
      await page.waitForSelector('#history .uplot canvas', { timeout: 10_000 });
      const legend = await page.locator('#history .u-legend .u-label').allTextContents();
      assert.ok(legend.includes('waiting') && legend.includes('dead'), `the states are the series: ${legend.join(', ')}`);
      assert.equal(await page.locator('#counts td[data-state="waiting"]').textContent(), '2');
      await stream.add('c', 'z', 1);
      // htmx asks for the counts every 5 s.
      await page.locator('#counts td[data-state="waiting"]', { hasText: /^3$/ }).waitFor({ timeout: 15_000 });
      assert.deepEqual(errors, []);
      await screenshot(page, 'dashboard-history');
    });

    it("an object's page charts what producers added and its Workers finished per second, from the totals in its history", async function () {
      this.timeout(30_000);
      const stream = new StreamRegistry(redis, { prefix }).stream('crawl-frontier');
      const worker = new Worker(stream, () => undefined, { heartbeatMs: 50, blockTimeoutMs: 200 });
      closers.push(() => worker.close());
      const address = await serve({ history: { intervalMs: 100 } });
      await stream.addMany(Array.from({ length: 20 }, (_, i) => [`k${String(i)}`, 'v', 1] as const));
      const withTotals = async (): Promise<number> => {
        const body = (await (await fetch(`${address}/api/objects/stream/crawl-frontier/history`)).json()) as { samples: { totals?: { completed: number } }[] };
        return body.samples.filter((s) => s.totals !== undefined).length;
      };
      await waitFor(async () => (await withTotals()) >= 2, 10_000, 'two samples with totals');
      const page = await newPage();
      const errors: string[] = [];
      page.on('pageerror', (err) => errors.push(err.message));
      await page.goto(`${address}/objects/stream/crawl-frontier`);
      await page.locator('#history .uplot').nth(1).waitFor({ timeout: 10_000 });
      assert.deepEqual(await page.locator('#history .u-title').allTextContents(), ['Counts', 'Added and finished per second']);
      const legend = await page.locator('#history .uplot').nth(1).locator('.u-label').allTextContents();
      assert.ok(
        ['added', 'completed', 'failed', 'dead'].every((o) => legend.includes(o)),
        legend.join(', '),
      );
      assert.deepEqual(errors, []);
    });

    it('finds a key by lookup', async () => {
      await new StreamRegistry(redis, { prefix }).stream('crawl-frontier').add('https://a.example/page', '{"depth":2}', 7);
      const page = await newPage();
      await page.goto(`${await serve()}/objects/stream/crawl-frontier`);
      await page.fill('#lookup input[name="key"]', 'https://a.example/page');
      await page.click('#lookup button');
      assert.equal(await page.locator('#lookup-result').textContent(), 'https://a.example/page: {"depth":2}');
      await page.fill('#lookup input[name="key"]', 'https://nowhere.example/');
      await page.click('#lookup button');
      assert.equal(await page.locator('#lookup-result').textContent(), 'https://nowhere.example/ is not in the stream.');
    });

    it('replays a dead letter from its page, and the count drops', async () => {
      const broker = await poisonQueue(redis, prefix, 'emails', closers);
      const page = await newPage();
      await page.goto(`${await serve()}/objects/taskQueue/emails`);
      assert.equal(await page.locator('td[data-state="dead"]').textContent(), '1');
      await screenshot(page, 'dashboard-dead-letters');
      await page.click('#dead button[data-action="replay"]');
      assert.match((await page.locator('h1').textContent()) ?? '', /^Replay the dead letter .+ of emails\?$/);
      assert.equal((await broker.stats()).dead, 1, 'nothing changes before the confirmation');
      await page.click('#confirm button[type="submit"]');
      assert.equal(await page.locator('#notice').textContent(), 'Replayed 1 dead letter.');
      assert.equal(await page.locator('td[data-state="dead"]').textContent(), '0');
      assert.equal(await page.locator('td[data-state="waiting"]').textContent(), '1');
      assert.equal((await broker.stats()).dead, 0);
    });

    it('read-only: the buttons are absent, and a forged POST gets 403 and writes nothing', async () => {
      const broker = await poisonQueue(redis, prefix, 'emails', closers);
      const page = await newPage();
      const url = await serve({ readOnly: true });
      await page.goto(`${url}/objects/taskQueue/emails`);
      assert.equal(await page.locator('#read-only').count(), 1);
      assert.equal(await page.locator('[data-action]').count(), 0);
      assert.equal(await page.locator('#dead tbody tr').count(), 1, 'the dead letter is listed');
      const forged = await page.context().request.post(`${url}/objects/taskQueue/emails/purge`, { form: { _csrf: 'f'.repeat(64) }, maxRedirects: 0 });
      assert.equal(forged.status(), 403);
      assert.equal((await broker.stats()).dead, 1);
    });

    it('without the token every page and API call gets 401; with it once in the address, the pages open', async () => {
      await new QueueRegistry(redis, { prefix }).queue('mail').addItem('1');
      const page = await newPage();
      const url = await serve({ auth: { token: 'tok-123' } });
      for (const path of ['/', '/objects/queue/mail', '/api/objects', '/api/objects/queue/mail', '/metrics']) {
        assert.equal((await page.goto(`${url}${path}`))?.status(), 401, path);
      }
      await page.goto(`${url}/?token=tok-123`);
      assert.equal(new URL(page.url()).search, '', 'the token left the address');
      assert.equal(await page.locator('tr[data-family="queue"] a').textContent(), 'mail');
    });

    it('a page whose name rebinds to this machine (DNS rebinding) reads nothing and runs no action, without a credential (issue 28)', async () => {
      const broker = await poisonQueue(redis, prefix, 'emails', closers);
      const url = await serve(); // no credential: good-redis dashboard's default
      const rebound = `http://rebind.test:${new URL(url).port}`;
      const page = await newPage();
      const refused = await page.goto(`${rebound}/objects/taskQueue/emails/confirm?action=purge`);
      assert.equal(refused?.status(), 403);
      assert.equal(await page.locator('form').count(), 0, 'no form, no CSRF token to read');
      // The attacker's script, same-origin with the rebound name, reads and posts.
      const statuses = await page.evaluate(async () => {
        const read = await fetch('/api/objects');
        const post = await fetch('/objects/taskQueue/emails/purge', { method: 'POST', body: new URLSearchParams({ _csrf: 'x'.repeat(64) }) });
        return [read.status, post.status];
      });
      assert.deepEqual(statuses, [403, 403]);
      assert.equal((await broker.stats()).dead, 1, 'nothing purged');
      assert.equal((await page.goto(`${url}/objects/taskQueue/emails`))?.status(), 200, 'by its loopback address it answers');
    });

    it('a stream named like markup renders as text and runs nothing', async () => {
      const name = '<img src=x onerror=alert(1)>';
      await new StreamRegistry(redis, { prefix }).stream(name).add('k', '<script>alert(2)</script>', 1);
      const page = await newPage();
      const dialogs: string[] = [];
      page.on('dialog', (dialog) => {
        dialogs.push(dialog.message());
        void dialog.dismiss();
      });
      await page.goto(await serve());
      assert.equal(await page.locator('tr[data-family="stream"] a').textContent(), name);
      assert.equal(await page.locator('img').count(), 0);
      await page.click('tr[data-family="stream"] a');
      assert.equal(await page.locator('#object-name').textContent(), name);
      await page.fill('#lookup input[name="key"]', 'k');
      await page.click('#lookup button');
      assert.equal(await page.locator('#lookup-result code').textContent(), '<script>alert(2)</script>');
      assert.deepEqual(dialogs, []);
    });
  },
  ['standalone'],
);

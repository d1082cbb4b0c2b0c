/**
 * Crawler-frontier demo: 100,000 URLs through a prioritized stream.
 *
 *   npm ci && npm run demo
 *
 * Starts a throwaway redis-server unless REDIS_URL is set, then:
 *  1. seeds 100,000 URLs with priorities (addMany, 5,000 per call, 4 calls in flight);
 *  2. crawls them highest first in batches of 1,000 with gating and a cooldown, while each
 *     crawled page re-discovers links: crawled ones are rejected (gated), queued ones get a
 *     priority boost; 1% of fetches "fail" and are re-queued with readd;
 *  3. re-crawls 1,000 hub pages on a short cooldown: re-adding them while they cool down is
 *     rejected, and accepted again once the Expirer has swept their deadlines;
 *  4. prints a table of what happened and how fast.
 */
import { Cluster } from 'ioredis';
import { Expirer, StreamRegistry, closeConnection, createConnection, jsonCodec, type RedisClient, type SweepResult } from '../src/index.js';
import { redisForRun } from '../scripts/topologies.js';

interface Page {
  url: string;
  depth: number;
}

const TOTAL = 100_000;
const SEED_CHUNK = 5_000;
const SEED_IN_FLIGHT = 4;
const PULL_BATCH = 1_000;
const LINKS_PER_PAGE = 2;
const HUBS = 1_000;
const HUB_COOLDOWN_MS = 300;

/** A deterministic pseudo-random generator, so every run does the same work. */
function rng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

const url = (i: number): string => `https://site-${String(i % 500)}.example/page/${String(i)}`;
const page = (i: number): Page => ({ url: url(i), depth: i % 7 });

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const rate = (items: number, ms: number): string => `${fmt((items / ms) * 1000)}/s`;

/** One progress line, rewritten in place on a terminal, every 10% otherwise. */
function progress(label: string): (done: number, total: number) => void {
  let lastDecile = -1;
  return (done, total) => {
    const pct = Math.floor((done / total) * 100);
    if (process.stdout.isTTY) {
      process.stdout.write(`\r  ${label}: ${fmt(done)} / ${fmt(total)} (${String(pct)}%)   `);
      if (done >= total) process.stdout.write('\n');
    } else if (Math.floor(pct / 10) > lastDecile || done >= total) {
      lastDecile = Math.floor(pct / 10);
      console.log(`  ${label}: ${fmt(done)} / ${fmt(total)} (${String(pct)}%)`);
    }
  };
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function main(): Promise<void> {
  const server = await redisForRun();
  console.log(server.description);
  const redis = createConnection({}, server.env);
  const prefix = `demo-${String(Date.now())}:`;
  const registry = new StreamRegistry(redis, { prefix });
  const frontier = registry.stream('frontier', { codec: jsonCodec<Page>(), cooldownMs: 1_000 });
  const hubs = registry.stream('hubs', { codec: jsonCodec<Page>() });
  const random = rng(42);
  const memoryBefore = await usedMemory(redis);

  const expirer = new Expirer(registry, { intervalMs: 100 });
  const sweeps: SweepResult[] = [];
  expirer.on('sweep', (r) => sweeps.push(r));
  expirer.on('error', (err, stream) => {
    console.error(`  expirer error on ${stream ?? 'registry'}: ${err.message}`);
  });
  expirer.start();

  try {
    // 1. Seed.
    console.log(`\n1. Seeding ${fmt(TOTAL)} URLs`);
    const seedProgress = progress('seeded');
    const seedStart = performance.now();
    let seeded = 0;
    let next = 0;
    const seedWorker = async (): Promise<void> => {
      while (next < TOTAL) {
        const from = next;
        next += SEED_CHUNK;
        const items = Array.from({ length: Math.min(SEED_CHUNK, TOTAL - from) }, (_, j) => {
          const i = from + j;
          return { key: url(i), value: page(i), priority: 100 - page(i).depth * 10 + (i % 13) };
        });
        await frontier.addMany(items);
        seeded += items.length;
        seedProgress(seeded, TOTAL);
      }
    };
    await Promise.all(Array.from({ length: SEED_IN_FLIGHT }, seedWorker));
    const seedMs = performance.now() - seedStart;
    const memoryQueued = (await usedMemory(redis)) - memoryBefore;

    // 2. Crawl with gating, re-discovering links as we go.
    console.log(`\n2. Crawling highest priority first, ${fmt(PULL_BATCH)} per pull (gate, 1 s cooldown)`);
    const crawlProgress = progress('crawled');
    const crawlStart = performance.now();
    let crawled = 0;
    let batches = 0;
    let linksFound = 0;
    let rejectedGated = 0;
    let boosted = 0;
    let failed = 0;
    let requeued = 0;
    let firstBatchTop = 0;
    for (;;) {
      const batch = await frontier.pull({ count: PULL_BATCH, gate: true });
      if (batch.length === 0) break;
      if (batches === 0) firstBatchTop = batch[0]?.priority ?? 0;
      batches += 1;
      crawled += batch.length;
      const links = batch.flatMap(() =>
        Array.from({ length: LINKS_PER_PAGE }, () => {
          const i = Math.floor(random() * TOTAL);
          return { key: url(i), value: page(i), priority: 1 };
        }),
      );
      linksFound += links.length;
      for (const result of await frontier.addMany(links)) {
        if (result === null) rejectedGated += 1;
        else boosted += 1;
      }
      // 1% of fetches fail: put them back, below everything else, despite the gate.
      const failures = batch.filter(() => random() < 0.01);
      failed += failures.length;
      if (failures.length > 0) {
        const results = await frontier.addMany(
          failures.map((item) => ({ ...item, priority: -1 })),
          { readd: true },
        );
        requeued += results.filter((r) => r !== null).length;
      }
      crawlProgress(crawled, TOTAL + requeued);
    }
    const crawlMs = performance.now() - crawlStart;

    // 3. Hub pages on a short cooldown, swept by the Expirer.
    console.log(`\n3. Re-crawling ${fmt(HUBS)} hub pages with a ${String(HUB_COOLDOWN_MS)} ms cooldown`);
    const hubItems = Array.from({ length: HUBS }, (_, i) => ({ key: url(i), value: page(i), priority: 1 }));
    await hubs.addMany(hubItems);
    await hubs.pull({ count: HUBS, cooldownMs: HUB_COOLDOWN_MS });
    const whileCooling = await hubs.addMany(hubItems);
    const rejectedCooling = whileCooling.filter((r) => r === null).length;
    console.log(`  re-added while cooling down: ${fmt(rejectedCooling)} of ${fmt(HUBS)} rejected`);
    const sweptBefore = sweeps.reduce((n, r) => n + (r.perStream.hubs ?? 0), 0);
    await waitUntil(async () => (await redis.zcard(hubs.redisKeys.cooldowns)) === 0, 10_000, 'the Expirer to sweep the hub cooldowns');
    const hubsSwept = sweeps.reduce((n, r) => n + (r.perStream.hubs ?? 0), 0) - sweptBefore;
    const afterSweep = await hubs.addMany(hubItems);
    const acceptedAfter = afterSweep.filter((r) => r !== null).length;
    console.log(`  after the Expirer swept ${fmt(hubsSwept)} cooldowns: ${fmt(acceptedAfter)} of ${fmt(HUBS)} accepted again`);

    await waitUntil(async () => (await redis.zcard(frontier.redisKeys.cooldowns)) === 0, 15_000, 'the Expirer to sweep the crawl cooldowns');
    await expirer.stop();

    // 4. Report.
    const expired = sweeps.reduce((n, r) => n + r.expired, 0);
    const longestSweep = Math.max(...sweeps.map((r) => r.durationMs));
    const rows: [string, string, string][] = [
      ['URLs seeded (addMany)', fmt(TOTAL), `${fmt(seedMs)} ms, ${rate(TOTAL, seedMs)}`],
      ['Memory per queued URL (INFO memory)', `${fmt(memoryQueued / TOTAL)} B`, `${fmt(memoryQueued / 1024 / 1024)} MiB in all`],
      ['Highest priority pulled first', String(firstBatchTop), 'depth-0 pages lead'],
      ['Pages crawled (pull, gate)', fmt(crawled), `${fmt(batches)} batches, ${fmt(crawlMs)} ms, ${rate(crawled, crawlMs)}`],
      ['Links re-discovered', fmt(linksFound), `${rate(linksFound, crawlMs)} checked`],
      ['  rejected: already crawled (gated)', fmt(rejectedGated), `${((rejectedGated / linksFound) * 100).toFixed(1)}%`],
      ['  accepted: still queued, priority boosted', fmt(boosted), `${((boosted / linksFound) * 100).toFixed(1)}%`],
      ['Failed fetches re-queued (readd)', fmt(requeued), `of ${fmt(failed)} failures`],
      ['Hub re-adds rejected while cooling', fmt(rejectedCooling), `of ${fmt(HUBS)}`],
      ['Hub re-adds accepted after the sweep', fmt(acceptedAfter), `of ${fmt(HUBS)}`],
      ['Expirer sweeps', fmt(sweeps.length), `longest ${longestSweep.toFixed(1)} ms`],
      ['Cooldowns ended (swept)', fmt(expired), 'crawl + hubs'],
      ['Left in the frontier', fmt(await frontier.len()), ''],
    ];
    printTable(['what', 'count', 'how fast / notes'], rows);

    if (crawled !== TOTAL + requeued || rejectedCooling !== HUBS || acceptedAfter !== HUBS) {
      throw new Error('the demo did not see the behaviour it expects');
    }
  } finally {
    await expirer.stop();
    await frontier.delete();
    await hubs.delete();
    await closeConnection(redis);
    await server.stop();
  }
}

/** Memory used by the server, or by every master of a cluster. */
async function usedMemory(redis: RedisClient): Promise<number> {
  const servers = redis instanceof Cluster ? redis.nodes('master') : [redis];
  let sum = 0;
  for (const server of servers) sum += Number(/used_memory:(\d+)/.exec(await server.info('memory'))?.[1] ?? 0);
  return sum;
}

function printTable(header: [string, string, string], rows: [string, string, string][]): void {
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((r) => r[c]?.length ?? 0)));
  const line = (r: string[]): string => `| ${r.map((cell, c) => (c === 1 ? cell.padStart(widths[c] ?? 0) : cell.padEnd(widths[c] ?? 0))).join(' | ')} |`;
  console.log(`\n${line(header)}`);
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const row of rows) console.log(line(row));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});

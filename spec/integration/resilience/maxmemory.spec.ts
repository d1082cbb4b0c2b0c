/**
 * A server at its memory limit (issue 12, item 1): a `maxmemory` server with `noeviction`,
 * started by the test. Every writing script declares itself (Redis 7 script flags), so Redis
 * refuses it before its first write; the caller gets an OutOfMemory error; a write that landed
 * is never reported as failed because of its registration.
 */
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { GoodRedisError, PrioritizedStream } from '../../../src/index.js';
import { startThrowawayRedis, type ThrowawayRedis } from '../../../scripts/throwaway-redis.js';
import { waitFor } from '../support.js';
import { runCli } from '../cli/cli-support.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const LIMIT = 20 * 1024 * 1024;

describe('A server at its maxmemory (issue 12, item 1)', function () {
  this.timeout(60_000);
  let server: ThrowawayRedis;
  let redis: Redis;

  before(async () => {
    server = await startThrowawayRedis(['--maxmemory', String(LIMIT), '--maxmemory-policy', 'noeviction']);
    redis = new Redis(server.url, { maxRetriesPerRequest: 1 });
  });
  after(async () => {
    redis.disconnect();
    await server.stop();
  });

  async function usedMemory(): Promise<number> {
    return Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1]);
  }

  it('refuses adds with readd up front once full, with an OutOfMemory error, and does not grow past the limit', async () => {
    const stream = new PrioritizedStream(redis, 'full', { cooldownMs: 0 });
    const value = 'x'.repeat(10_000);
    let refused: unknown;
    let written = 0;
    // Fill it: 3,000 × 10 KB with readd (whose first write is a cleanup) is 30 MB, past the 20 MB limit.
    for (let i = 0; i < 3000 && refused === undefined; i += 1) {
      try {
        await stream.add(`k${String(i)}`, value, 1, { readd: true });
        written += 1;
      } catch (err) {
        refused = err;
      }
    }
    assert.ok(GoodRedisError.is(refused, 'OutOfMemory'), String(refused));
    assert.ok(written > 100 && written < 3000, `${String(written)} adds went in`);
    const atLimit = await usedMemory();
    // Retry the same adds (as a caller would after an error): each is refused, and nothing grows.
    for (let i = 0; i < 200; i += 1) {
      await assert.rejects(stream.add(`again${String(i)}`, value, 1, { readd: true }), (err: unknown) => GoodRedisError.is(err, 'OutOfMemory'));
      await assert.rejects(stream.addMany([[`many${String(i)}`, value]], { readd: true }), (err: unknown) => GoodRedisError.is(err, 'OutOfMemory'));
    }
    assert.ok((await usedMemory()) <= atLimit + 256 * 1024, `used ${String(await usedMemory())} after retries, ${String(atLimit)} before`);
    assert.ok((await usedMemory()) < LIMIT * 1.1, 'never far past the limit');
    assert.equal(await stream.len(), written, 'each add either wrote its item or was refused whole');
    // Reads and deletes still work on a full server; then writes do again.
    assert.equal((await stream.stats()).length, written);
    assert.equal((await stream.remove([`k${String(written - 1)}`])).length, 1);
    assert.equal(await stream.delete(), true);
    await waitFor(async () => (await usedMemory()) < LIMIT, 10_000, 'UNLINK to free the memory');
    assert.equal(await stream.add('after', 'v'), 1);
  });

  it('good-redis import --readd stops at the limit instead of growing past it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'good-redis-oom-'));
    try {
      const file = join(dir, 'big.jsonl');
      writeFileSync(file, Array.from({ length: 3000 }, (_, i) => JSON.stringify({ key: `imp${String(i)}`, value: 'y'.repeat(10_000) })).join('\n'));
      // This server only, whatever the suite's environment names.
      const env: NodeJS.ProcessEnv = {
        ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('REDIS_'))),
        REDIS_URL: server.url,
      };
      for (const attempt of [1, 2]) {
        const run = await runCli(['import', 'imported', file, '--readd', '--batch', '50', '--json'], env);
        assert.equal(run.code, 1, `attempt ${String(attempt)}: ${run.stderr}`);
        assert.match(run.stderr, /out of memory/, run.stderr);
        assert.ok((await usedMemory()) < LIMIT * 1.1, `attempt ${String(attempt)}: used ${String(await usedMemory())}`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

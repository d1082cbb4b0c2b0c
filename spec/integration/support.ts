/** Shared helpers of the integration suite: connections to the suite's redis-server, unique names. */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';

const opened: Redis[] = [];

/** The URL of the suite's server (started by spec/hooks.ts). */
export function testUrl(): string {
  const url = process.env.GOOD_REDIS_TEST_URL;
  if (url === undefined) throw new Error('GOOD_REDIS_TEST_URL is not set: run the suite through mocha (spec/hooks.ts)');
  return url;
}

/** A new connection to the suite's server, closed by {@link closeAll}. */
export function connect(options: { enableAutoPipelining?: boolean } = {}): Redis {
  const client = new Redis(testUrl(), { maxRetriesPerRequest: 1, ...options });
  opened.push(client);
  return client;
}

/** Closes every connection {@link connect} opened. */
export async function closeAll(): Promise<void> {
  await Promise.all(opened.splice(0).map((c) => c.quit().catch(() => { c.disconnect(); })));
}

/** A stream name no other test uses, so tests never need FLUSHALL. */
export function uniqueName(label = 'stream'): string {
  return `${label}-${randomUUID()}`;
}

/** Waits until `check` returns true, polling every few ms, or fails after `timeoutMs`. */
export async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${String(timeoutMs)} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** The Redis server's clock in epoch ms. */
export async function serverNow(redis: Redis): Promise<number> {
  const [seconds, micros] = await redis.time();
  return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
}

/**
 * Bounded memory over a long run: round after round of produce and consume through every family
 * (a prioritized stream with a Worker, a queue with a Worker, a topic trimmed by `maxLen` with a
 * consumer group, a task queue whose results are taken when read; one stream job and one task in
 * ten failing into their capped dead letters), on a server of the suite's own. After the first
 * rounds have sized every
 * structure, the server's memory stays flat: the last round ends within a small margin of the
 * second. A leak of even a few bytes per item (a key never deleted, a counter per item, a dead
 * letter never trimmed) would grow it by the items of three rounds.
 */
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { Consumer, Producer, Queue, ResultStore, StreamBroker, StreamRegistry, Topic, Worker } from '../../../src/index.js';
import { startThrowawayRedis, type ThrowawayRedis } from '../../../scripts/throwaway-redis.js';
import { fetchAndAck, waitFor } from '../support.js';

const ROUNDS = 5;
const ITEMS = 2000;
/** What the last round may end above the second: what a leak of 3 bytes per item would add over three rounds (3 × 4 families × 2,000 items); the runs here end a few KB above. */
const MARGIN_BYTES = 64 * 1024;

describe('memory stays flat over a long produce/consume run (a server of its own)', function () {
  this.timeout(300_000);
  let server: ThrowawayRedis;
  let redis: Redis;
  const closers: (() => Promise<unknown>)[] = [];

  before(async () => {
    server = await startThrowawayRedis();
    redis = new Redis(server.url, { maxRetriesPerRequest: 1 });
  });
  after(async () => {
    for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
    redis.disconnect();
    await server.stop();
  });

  const usedMemory = async (): Promise<number> => Number(/^used_memory:(\d+)/m.exec(await redis.info('memory'))?.[1]);

  it('every family, five rounds of 2,000 items, failed tasks dead-lettered: the last round ends within 64 KB of the second', async () => {
    const stream = new StreamRegistry(redis).stream('crawl', { cooldownMs: 0, deadLetterLimit: 100 });
    let streamDone = 0;
    const streamWorker = new Worker(
      stream,
      (job) => {
        streamDone += 1;
        if (job.key.endsWith('7')) throw new Error('no');
      },
      { ack: { cooldownMs: 0 }, blockTimeoutMs: 100, concurrency: 16, maxAttempts: 1, backoff: 0 },
    );
    streamWorker.on('error', () => undefined);
    closers.push(() => streamWorker.close());
    const queue = new Queue(redis, 'mail');
    closers.push(() => queue.close());
    let queueDone = 0;
    const queueWorker = new Worker(queue, () => void (queueDone += 1), { blockTimeoutMs: 100, concurrency: 16 });
    closers.push(() => queueWorker.close());
    // The group exists before the first send, so trimming never drops what it has not read.
    const topic = new Topic(redis, 'orders');
    await topic.ensure(1);
    await topic.createGroup('billing');
    const producer = new Producer(redis, 'orders', { maxLen: 500, approximate: false });
    const consumer = new Consumer<string>(redis, 'orders', { group: 'billing', heartbeatMs: 50, sessionTimeoutMs: 300, maxAttempts: 1, ordering: 'none' });
    closers.push(() => consumer.close());
    const results = new ResultStore(redis, { keepResults: false });
    closers.push(() => results.close());
    const broker = new StreamBroker(redis, 'jobs', { results, maxLength: 0, deadLetterLimit: 100 });
    closers.push(() => broker.close());
    const task = broker.task(
      'square',
      (n: number) => {
        if (n % 10 === 7) throw new Error('no');
        return n * n;
      },
      { maxAttempts: 1 },
    );
    const taskWorker = broker.worker({ blockTimeoutMs: 100, concurrency: 16 });
    closers.push(() => taskWorker.close());

    const after: number[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      const keys = Array.from({ length: ITEMS }, (_, i) => `r${String(round)}-${String(i)}`);
      await stream.addMany(keys.map((k) => [k, 'v', 1] as const));
      await queue.addItems(keys);
      await producer.sendMany(keys.map((k) => ({ value: k })));
      const handles = await Promise.all(keys.map((_, i) => task.send(i)));
      await waitFor(() => streamDone >= (round + 1) * ITEMS && queueDone >= (round + 1) * ITEMS, 60_000, `round ${String(round)}'s stream and queue jobs`);
      await fetchAndAck(consumer, ITEMS);
      for (const handle of handles) await handle.waitResult({ timeoutMs: 60_000 }); // taken: keepResults false
      await waitFor(async () => (await stream.stats()).leased === 0 && (await broker.stats()).active === 0, 10_000, 'the last settles');
      after.push(await usedMemory());
    }
    console.log(`      used_memory after each round: ${after.join(', ')}`);
    const [, second = 0] = after;
    const last = after.at(-1) ?? 0;
    assert.ok(last - second < MARGIN_BYTES, `used_memory after each round: ${after.join(', ')} (the last ${String(last - second)} bytes above the second)`);
    // What stays is what the caps allow.
    assert.equal((await broker.deadLetters({ limit: 1000 })).length, 100, 'task dead letters capped at 100');
    assert.equal((await stream.stats()).dead, 100, 'stream dead letters capped at 100');
    assert.equal(await redis.hlen(stream.redisKeys.items), 100, 'with their values only');
    // A send trims what the group acked: the log never holds more than the round in flight.
    assert.ok((await redis.xlen(':tp{orders#0}:log')) <= ITEMS, 'the topic trimmed');
  });
});

/**
 * The benchmark: good-redis against a minimal reference and BullMQ, on one throwaway Redis,
 * in one run, on the same data.
 *
 *   npm run bench            full run; writes docs/benchmarks.json and docs/benchmarks.svg
 *   npm run bench -- --quick CI smoke run (under a minute); writes .bench/quick.json/.svg
 *   add --check to exit non-zero when a target is missed
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { Consumer, Expirer, JobWorker, PrioritizedStream, Producer, Queue, StreamRegistry, Topic, Worker, jsonCodec } from '../src/index.js';
import { startThrowawayRedis } from '../scripts/throwaway-redis.js';
import { loadBullMQ, type BullMQ } from './bullmq.js';
import { bullLatency, bullTasks, goodRedisLatency, goodRedisTasks, referenceTasks, schedulerTickCommands } from './tasks.js';
import { dashboardTimings } from './dashboard.js';
import { quantile, timed, type Phase } from './timing.js';
import { chunks, inParallel, makeItems, type BenchItem } from './data.js';
import { ReferenceFifo } from './queue-reference.js';
import { ReferenceQueue } from './reference.js';
import { ReferenceLog } from './topic-reference.js';
import { evaluate, printReport, renderSvg, type Results } from './report.js';

const root = process.cwd();
const quick = process.argv.includes('--quick');
const check = process.argv.includes('--check');

const CONFIG = {
  items: quick ? 10_000 : 100_000,
  rounds: 3,
  chunk: 1_000,
  inFlight: 4,
  pullCount: 100,
  pullers: 4,
  bullConcurrency: 100,
  decrementSizes: quick ? [10_000, 100_000] : [10_000, 100_000, 1_000_000],
  decrementCalls: 500,
  expiryItems: quick ? 20_000 : 100_000,
  topicPartitions: 4,
  topicBatch: 100,
  tasks: quick ? 2000 : 20_000,
  taskConcurrency: 100,
  latencyRounds: quick ? 100 : 1000,
  schedules: quick ? 10_000 : 100_000,
  /** Dashboard objects per family (five families). */
  dashboardObjectsPerFamily: quick ? 40 : 200,
  dueSchedules: 10,
};

/**
 * redisaq 0.1.4's throughput as the topics contract measured it against a throwaway Redis 7.0 on
 * this kind of machine (it is Python, so it is not run here): 6,400 enqueues/s (one GET of the
 * partition count per message) and 4,900 messages/s consumed in batches of 10.
 */
const REDISAQ = { send: { itemsPerSecond: 6400, ms: 0 }, consumeBatches: { itemsPerSecond: 4900, ms: 0 } };

/** A day: the default pull's cooldown, and the ack cooldown of the second consume row. */
const DAY_MS = 86_400_000;

const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

async function usedMemory(redis: Redis): Promise<number> {
  return Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1] ?? 0);
}

/** The longest EVAL/EVALSHA in SLOWLOG since the last reset, in ms (0: none was logged). */
async function longestScriptMs(redis: Redis): Promise<number> {
  return (await scriptDurations(redis)).at(-1) ?? 0;
}

/**
 * Logs commands slower than `micros` from now on (0: every command) and clears the log.
 * Redis 7 also logs the commands a script runs, and every entry takes memory: phases that
 * measure memory log only commands over 1 ms.
 */
async function slowlog(redis: Redis, micros: number): Promise<void> {
  await redis.config('SET', 'slowlog-log-slower-than', String(micros));
  await redis.call('SLOWLOG', 'RESET');
}

async function fresh(redis: Redis): Promise<void> {
  await redis.flushall();
  await slowlog(redis, 1000);
}

/** Durations in ms of the EVAL/EVALSHA entries in SLOWLOG, sorted. */
async function scriptDurations(redis: Redis): Promise<number[]> {
  const entries = (await redis.call('SLOWLOG', 'GET', '-1')) as [number, number, number, string[]][];
  return entries
    .filter(([, , , args]) => /^eval/i.test(String(args[0])))
    .map(([, , micros]) => micros / 1000)
    .sort((a, b) => a - b);
}

const best = (phases: Phase[]): Phase => phases.reduce((a, b) => (b.itemsPerSecond > a.itemsPerSecond ? b : a));

async function goodRedisRound(
  redis: Redis,
  items: BenchItem[],
  cooldownMs?: number,
): Promise<{ add: Phase; pull: Phase; bytesPerItem: number; longestAddMs: number; longestPullMs: number }> {
  await fresh(redis);
  const stream = new PrioritizedStream(redis, 'bench', { codec: jsonCodec<BenchItem['value']>(), ...(cooldownMs === undefined ? {} : { cooldownMs }) });
  const before = await usedMemory(redis);
  const add = await timed(items.length, () => inParallel(chunks(items, CONFIG.chunk), CONFIG.inFlight, (c) => stream.addMany(c)));
  const bytesPerItem = ((await usedMemory(redis)) - before) / items.length;
  const longestAddMs = await longestScriptMs(redis);
  await slowlog(redis, 1000);
  let pulled = 0;
  const pull = await timed(items.length, () =>
    Promise.all(
      Array.from({ length: CONFIG.pullers }, async () => {
        for (;;) {
          const batch = await stream.pull({ count: CONFIG.pullCount });
          if (batch.length === 0) return;
          pulled += batch.length;
        }
      }),
    ),
  );
  if (pulled !== items.length) throw new Error(`good-redis pulled ${String(pulled)} of ${String(items.length)}`);
  return { add, pull, bytesPerItem, longestAddMs, longestPullMs: await longestScriptMs(redis) };
}

/** Runs `worker` until it completed `total` jobs; the phase that took. */
async function drain(worker: { on(event: 'completed', listener: () => void): unknown; run(): void }, total: number): Promise<Phase> {
  let completed = 0;
  let resolveDone!: () => void;
  const done = new Promise<void>((resolve) => {
    resolveDone = resolve;
  });
  worker.on('completed', () => {
    completed += 1;
    if (completed === total) resolveDone();
  });
  return timed(total, async () => {
    worker.run();
    await done;
  });
}

/** Drains the stream through a good-redis Worker (lease + ack per job), at BullMQ's concurrency, acking with `ackCooldownMs`. */
async function consumeRound(redis: Redis, items: BenchItem[], ackCooldownMs: number): Promise<Phase> {
  await fresh(redis);
  const stream = new PrioritizedStream(redis, 'bench', { codec: jsonCodec<BenchItem['value']>() });
  await inParallel(chunks(items, CONFIG.chunk), CONFIG.inFlight, (c) => stream.addMany(c));
  const worker = new Worker(stream, () => undefined, {
    concurrency: CONFIG.bullConcurrency,
    autorun: false,
    maxAttempts: 0,
    ack: { cooldownMs: ackCooldownMs },
  });
  const phase = await drain(worker, items.length);
  await worker.close();
  if ((await stream.len()) !== 0 || (await redis.zcard(stream.redisKeys.leases)) !== 0) throw new Error('the worker left jobs behind');
  return phase;
}

/**
 * The reference's consumer, shaped like the Worker at the same concurrency: lease up to
 * `bullConcurrency` jobs, run no-op handlers, ack them in one call while the next lease goes
 * out. With `ahead`, it also keeps the next lease in flight while it handles a batch, as the
 * Worker does with quick handlers (prefetch): the fair bound for the Worker's pipelining.
 */
async function referenceConsumeRound(redis: Redis, items: BenchItem[], ackCooldownMs: number, ahead = false): Promise<Phase> {
  await fresh(redis);
  const queue = new ReferenceQueue(redis, 'bench');
  await inParallel(chunks(items, CONFIG.chunk), CONFIG.inFlight, (c) => queue.addMany(c));
  let acked = 0;
  const phase = await timed(items.length, async () => {
    const acks: Promise<number>[] = [];
    let next = queue.lease(CONFIG.bullConcurrency, 30_000);
    for (;;) {
      const jobs = await next;
      if (jobs.length === 0) break;
      if (ahead) next = queue.lease(CONFIG.bullConcurrency, 30_000); // before this batch's ack
      acks.push(
        queue
          .ack(
            jobs.map((j) => j.key),
            ackCooldownMs,
          )
          .then((n) => (acked += n)),
      );
      if (!ahead) next = queue.lease(CONFIG.bullConcurrency, 30_000); // with this batch's ack
    }
    await Promise.all(acks);
  });
  if (acked !== items.length) throw new Error(`the reference consumer acked ${String(acked)} of ${String(items.length)}`);
  return phase;
}

async function referenceRound(redis: Redis, items: BenchItem[]): Promise<{ add: Phase; pull: Phase; pullCooldown: Phase; bytesPerItem: number }> {
  await fresh(redis);
  const queue = new ReferenceQueue(redis, 'bench');
  const before = await usedMemory(redis);
  const add = await timed(items.length, () => inParallel(chunks(items, CONFIG.chunk), CONFIG.inFlight, (c) => queue.addMany(c)));
  const bytesPerItem = ((await usedMemory(redis)) - before) / items.length;
  const drain = async (cooldown: boolean): Promise<Phase> => {
    let pulled = 0;
    const phase = await timed(items.length, () =>
      Promise.all(
        Array.from({ length: CONFIG.pullers }, async () => {
          for (;;) {
            const batch = await queue.pull(CONFIG.pullCount, cooldown);
            if (batch.length === 0) return;
            pulled += batch.length;
          }
        }),
      ),
    );
    if (pulled !== items.length) throw new Error(`reference pulled ${String(pulled)} of ${String(items.length)}`);
    return phase;
  };
  const pull = await drain(false);
  await inParallel(chunks(items, CONFIG.chunk), CONFIG.inFlight, (c) => queue.addMany(c));
  const pullCooldown = await drain(true);
  return { add, pull, pullCooldown, bytesPerItem };
}

async function bullRound(
  bull: BullMQ,
  redis: Redis,
  port: number,
  items: BenchItem[],
  fifo = false,
): Promise<{ add: Phase; pull: Phase; bytesPerItem: number }> {
  await fresh(redis);
  const connection = { connection: { host: '127.0.0.1', port, maxRetriesPerRequest: null } };
  const queue = new bull.Queue('bench', connection);
  await queue.waitUntilReady();
  const before = await usedMemory(redis);
  const add = await timed(items.length, () =>
    inParallel(chunks(items, CONFIG.chunk), CONFIG.inFlight, (c) =>
      // BullMQ: lower is more urgent, 1..2^21-1; our priorities 0..1000 map to 1001..1.
      queue.addBulk(
        c.map((item) => ({
          name: 'page',
          data: item.value,
          opts: fifo ? { removeOnComplete: true } : { priority: 1001 - item.priority, removeOnComplete: true },
        })),
      ),
    ),
  );
  const bytesPerItem = ((await usedMemory(redis)) - before) / items.length;
  let completed = 0;
  let resolveDone!: () => void;
  const done = new Promise<void>((resolve) => {
    resolveDone = resolve;
  });
  const worker = new bull.Worker('bench', () => Promise.resolve(), { ...connection, concurrency: CONFIG.bullConcurrency, autorun: false });
  worker.on('completed', () => {
    completed += 1;
    if (completed === items.length) resolveDone();
  });
  const pull = await timed(items.length, async () => {
    void worker.run();
    await done;
  });
  await worker.close();
  await queue.close();
  return { add, pull, bytesPerItem };
}

/** A good-redis `Queue`: `addItems` in chunks, then drained by a `JobWorker` (get + ack) at BullMQ's concurrency. */
async function queueRound(redis: Redis, items: BenchItem[]): Promise<{ add: Phase; consume: Phase; bytesPerItem: number }> {
  await fresh(redis);
  const queue = new Queue(redis, 'bench', { codec: jsonCodec<BenchItem['value']>() });
  const before = await usedMemory(redis);
  const add = await timed(items.length, () => inParallel(chunks(items, CONFIG.chunk), CONFIG.inFlight, (c) => queue.addItems(c.map((item) => item.value))));
  const bytesPerItem = ((await usedMemory(redis)) - before) / items.length;
  const worker = new JobWorker(queue.jobSource(), () => undefined, { concurrency: CONFIG.bullConcurrency, autorun: false, maxAttempts: 0 });
  const consume = await drain(worker, items.length);
  await worker.close();
  await queue.close();
  if ((await queue.getCount()) !== 0 || (await redis.zcard(queue.redisKeys.held)) !== 0) throw new Error('the queue worker left values behind');
  return { add, consume, bytesPerItem };
}

/** The reference FIFO: the same adds, then get 100 and ack them while the next get goes out. */
async function queueReferenceRound(redis: Redis, items: BenchItem[]): Promise<{ add: Phase; consume: Phase; bytesPerItem: number }> {
  await fresh(redis);
  const queue = new ReferenceFifo(redis, 'bench');
  const before = await usedMemory(redis);
  const add = await timed(items.length, () => inParallel(chunks(items, CONFIG.chunk), CONFIG.inFlight, (c) => queue.addMany(c.map((item) => item.value))));
  const bytesPerItem = ((await usedMemory(redis)) - before) / items.length;
  let acked = 0;
  const consume = await timed(items.length, async () => {
    const acks: Promise<number>[] = [];
    for (;;) {
      const got = await queue.get(CONFIG.bullConcurrency);
      if (got.length === 0) break;
      acks.push(queue.ack(got.map((d) => d.id)).then((n) => (acked += n)));
    }
    await Promise.all(acks);
  });
  if (acked !== items.length) throw new Error(`the reference queue acked ${String(acked)} of ${String(items.length)}`);
  return { add, consume, bytesPerItem };
}

/** A good-redis topic: `sendMany` in chunks, then drained by `processBatch` (batches of 100, 'partition' ordering). */
async function topicRound(redis: Redis, items: BenchItem[]): Promise<{ send: Phase; consume: Phase }> {
  await fresh(redis);
  await new Topic(redis, 'bench').ensure(CONFIG.topicPartitions);
  await new Topic(redis, 'bench').createGroup('g');
  const producer = new Producer(redis, 'bench');
  const values = items.map((item) => JSON.stringify(item.value));
  const send = await timed(items.length, () =>
    inParallel(chunks(values, CONFIG.chunk), CONFIG.inFlight, (c) => producer.sendMany(c.map((value) => ({ value })))),
  );
  const consumer = new Consumer(redis, 'bench', { group: 'g' });
  await consumer.join();
  let done = 0;
  const consume = await timed(items.length, async () => {
    const finished = new Promise<void>((resolve) => {
      consumer.processBatch(
        (batch) => {
          done += batch.messages.length;
          if (done >= items.length) resolve();
        },
        { batchSize: CONFIG.topicBatch, concurrency: CONFIG.topicPartitions, maxAttempts: 0 },
      );
    });
    await finished;
  });
  await consumer.close();
  const pending = await Promise.all(Array.from({ length: CONFIG.topicPartitions }, (_, p) => redis.xpending(`:tp{bench#${String(p)}}:log`, 'g')));
  if (pending.some((reply) => (reply as [number])[0] !== 0)) throw new Error('the topic consumer left messages pending');
  return { send, consume };
}

/** The reference log: the same sends, then XREADGROUP COUNT 100 + XACK per partition. */
async function topicReferenceRound(redis: Redis, items: BenchItem[]): Promise<{ send: Phase; consume: Phase }> {
  await fresh(redis);
  const log = new ReferenceLog(redis, 'bench', CONFIG.topicPartitions);
  await log.createGroup();
  const values = items.map((item) => JSON.stringify(item.value));
  const send = await timed(items.length, () => inParallel(chunks(values, CONFIG.chunk), CONFIG.inFlight, (c) => log.sendMany(c)));
  let acked = 0;
  const consume = await timed(items.length, async () => {
    acked = await log.drain(CONFIG.topicBatch);
  });
  if (acked !== items.length) throw new Error(`the reference log acked ${String(acked)} of ${String(items.length)}`);
  return { send, consume };
}

/**
 * How long a rebalance takes: two members (heartbeat 100 ms, session 1 s) share 4 partitions;
 * one leaves with close(), then one crashes (its connection cut: no heartbeat, no release).
 * The time until the survivor holds every partition, in ms.
 */
async function rebalancePhase(redis: Redis): Promise<{ leaveMs: number; crashMs: number; sessionTimeoutMs: number; heartbeatMs: number }> {
  await fresh(redis);
  const options = { group: 'g', heartbeatMs: 100, sessionTimeoutMs: 1000 };
  await new Topic(redis, 'rebalance').ensure(CONFIG.topicPartitions);
  const measure = async (end: (member: Consumer) => Promise<void>, client: Redis): Promise<number> => {
    const survivor = new Consumer(redis, 'rebalance', { ...options, memberId: 'survivor' });
    const other = new Consumer(client, 'rebalance', { ...options, memberId: 'other' });
    other.on('error', () => undefined); // the crashed member's heartbeats fail
    await survivor.join();
    await other.join();
    while (survivor.assignment().length !== CONFIG.topicPartitions / 2 || other.assignment().length !== CONFIG.topicPartitions / 2)
      await new Promise((r) => setTimeout(r, 5));
    const started = performance.now();
    await end(other);
    while (survivor.assignment().length !== CONFIG.topicPartitions) await new Promise((r) => setTimeout(r, 5));
    const ms = performance.now() - started;
    await survivor.close();
    return ms;
  };
  const leaveMs = await measure((member) => member.close(), redis);
  const doomed = new Redis(redis.options);
  const crashMs = await measure(() => {
    doomed.disconnect(); // no heartbeat, no release: the session and the leases run out
    return Promise.resolve();
  }, doomed);
  return { leaveMs, crashMs, sessionTimeoutMs: options.sessionTimeoutMs, heartbeatMs: options.heartbeatMs };
}

/**
 * decrementAll on every size, measured interleaved: all streams stay loaded and the calls
 * rotate over them, so machine noise hits every size alike. The figure is the server's own
 * duration of each call (SLOWLOG logs every command during the loop), attributed by key.
 */
async function decrementPhase(redis: Redis): Promise<Results['decrementAll']> {
  await fresh(redis);
  const streams = CONFIG.decrementSizes.map((size) => new PrioritizedStream(redis, `decrement-${String(size)}`, { chunkSize: 5000 }));
  for (const [index, stream] of streams.entries()) {
    const size = CONFIG.decrementSizes[index] ?? 0;
    log(`  decrementAll: filling ${size.toLocaleString('en-US')} items`);
    const fill = Array.from({ length: size }, (_, i) => [`item-${String(i)}`, 'v', i % 1000] as const);
    await inParallel(chunks(fill, 5000), 8, (c) => stream.addMany(c));
  }
  for (const stream of streams) for (let i = 0; i < 10; i += 1) await stream.decrementAll(0); // warm-up
  await slowlog(redis, 0);
  const roundTrips = streams.map((): number[] => []);
  for (let call = 0; call < CONFIG.decrementCalls; call += 1) {
    for (const [index, stream] of streams.entries()) {
      const started = performance.now();
      await stream.decrementAll(1);
      roundTrips[index]?.push(performance.now() - started);
    }
  }
  const entries = (await redis.call('SLOWLOG', 'GET', '-1')) as [number, number, number, string[]][];
  await slowlog(redis, 1000);
  const median = (values: number[]): number => quantile(values, 0.5);
  const p99 = (values: number[]): number => quantile(values, 0.99);
  const rows: Results['decrementAll'] = [];
  for (const [index, stream] of streams.entries()) {
    const size = CONFIG.decrementSizes[index] ?? 0;
    const server = entries
      .filter(([, , , args]) => /^eval/i.test(String(args[0])) && args.includes(stream.redisKeys.scores))
      .map(([, , micros]) => micros / 1000);
    if (server.length !== CONFIG.decrementCalls) throw new Error(`SLOWLOG holds ${String(server.length)} decrementAll calls for ${String(size)}`);
    const top = (await stream.entries({ limit: 1 }))[0];
    if (top?.priority !== 999 - CONFIG.decrementCalls) throw new Error(`decrementAll read back ${String(top?.priority)}`);
    // The good-redis way: one script looping ZINCRBY over the whole set.
    const loop = `for _, k in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do redis.call('ZINCRBY', KEYS[1], ARGV[1], k) end return 1`;
    const started = performance.now();
    await redis.eval(loop, 1, stream.redisKeys.scores, 1);
    const loopMs = performance.now() - started;
    rows.push({ size, medianMs: median(server), p99Ms: p99(server), roundTripMs: median(roundTrips[index] ?? []), loopMs });
  }
  return rows;
}

async function expiryPhase(redis: Redis): Promise<Results['expiry']> {
  await fresh(redis);
  const registry = new StreamRegistry(redis);
  const stream = registry.stream('expiry');
  const n = CONFIG.expiryItems;
  await inParallel(
    chunks(
      Array.from({ length: n }, (_, i) => [`k${String(i)}`, 'v', 1] as const),
      5000,
    ),
    4,
    (c) => stream.addMany(c),
  );
  for (let pulled = 0; pulled < n; pulled += 10_000) await stream.pull({ count: 10_000, expireAt: 1 }); // deadlines long past
  await slowlog(redis, 0);
  const expirer = new Expirer(registry, { batchSize: 1000 });
  const started = performance.now();
  const result = await expirer.sweepOnce();
  const ms = performance.now() - started;
  if (result.expired !== n) throw new Error(`the Expirer swept ${String(result.expired)} of ${String(n)}`);
  return { items: n, ms, itemsPerSecond: (n / ms) * 1000, longestScriptMs: await longestScriptMs(redis) };
}

async function main(): Promise<void> {
  const bull = loadBullMQ(root);
  const server = await startThrowawayRedis(['--slowlog-log-slower-than', '1000', '--slowlog-max-len', '1000000']);
  const redis = new Redis(server.url);
  try {
    const items = makeItems(CONFIG.items);
    const serverVersion = /redis_version:(\S+)/.exec(await redis.info('server'))?.[1] ?? '?';
    log(`good-redis benchmark (${quick ? 'quick' : 'full'}): ${CONFIG.items.toLocaleString('en-US')} items, Redis ${serverVersion}, BullMQ ${bull.version}`);

    // Untimed warm-up of both code paths (JIT, script cache, connection), on fewer items.
    log('  warm-up');
    const warmUp = items.slice(0, 5000);
    await goodRedisRound(redis, warmUp);
    await referenceRound(redis, warmUp);
    await consumeRound(redis, warmUp, 0);
    await referenceConsumeRound(redis, warmUp, 0);
    await queueRound(redis, warmUp);
    await queueReferenceRound(redis, warmUp);
    await topicRound(redis, warmUp);
    await topicReferenceRound(redis, warmUp);

    const ours: Awaited<ReturnType<typeof goodRedisRound>>[] = [];
    const oursNoCooldown: Awaited<ReturnType<typeof goodRedisRound>>[] = [];
    const reference: Awaited<ReturnType<typeof referenceRound>>[] = [];
    for (let round = 1; round <= CONFIG.rounds; round += 1) {
      log(`  round ${String(round)}/${String(CONFIG.rounds)}: good-redis, good-redis without cooldown, reference`);
      ours.push(await goodRedisRound(redis, items));
      oursNoCooldown.push(await goodRedisRound(redis, items, 0));
      reference.push(await referenceRound(redis, items));
    }
    const consume: Phase[] = [];
    const consumeCooldown: Phase[] = [];
    const referenceConsume: Phase[] = [];
    const referenceConsumeCooldown: Phase[] = [];
    const referenceConsumeAhead: Phase[] = [];
    for (let round = 1; round <= CONFIG.rounds; round += 1) {
      log(`  consume round ${String(round)}/${String(CONFIG.rounds)}: good-redis Worker and the reference, ack without and with a 24 h cooldown`);
      consume.push(await consumeRound(redis, items, 0));
      referenceConsume.push(await referenceConsumeRound(redis, items, 0));
      consumeCooldown.push(await consumeRound(redis, items, DAY_MS));
      referenceConsumeCooldown.push(await referenceConsumeRound(redis, items, DAY_MS));
      referenceConsumeAhead.push(await referenceConsumeRound(redis, items, 0, true));
    }
    const queues: Awaited<ReturnType<typeof queueRound>>[] = [];
    const queueReference: Awaited<ReturnType<typeof queueReferenceRound>>[] = [];
    for (let round = 1; round <= CONFIG.rounds; round += 1) {
      log(`  queue round ${String(round)}/${String(CONFIG.rounds)}: good-redis Queue (addItems, JobWorker get + ack) and the reference FIFO`);
      queues.push(await queueRound(redis, items));
      queueReference.push(await queueReferenceRound(redis, items));
    }
    const topics: Awaited<ReturnType<typeof topicRound>>[] = [];
    const topicReference: Awaited<ReturnType<typeof topicReferenceRound>>[] = [];
    for (let round = 1; round <= CONFIG.rounds; round += 1) {
      log(`  topic round ${String(round)}/${String(CONFIG.rounds)}: good-redis Producer.sendMany and Consumer.processBatch, and the reference log`);
      topics.push(await topicRound(redis, items));
      topicReference.push(await topicReferenceRound(redis, items));
    }
    log('  rebalance');
    const rebalance = await rebalancePhase(redis);
    const taskRates: Phase[] = [];
    const taskReference: Phase[] = [];
    await fresh(redis);
    await goodRedisTasks(redis, Math.min(2000, CONFIG.tasks), CONFIG.taskConcurrency); // warm-up
    for (let round = 1; round <= CONFIG.rounds; round += 1) {
      log(
        `  task round ${String(round)}/${String(CONFIG.rounds)}: ${CONFIG.tasks.toLocaleString('en-US')} no-op tasks with results, good-redis and the reference`,
      );
      await fresh(redis);
      taskRates.push(await goodRedisTasks(redis, CONFIG.tasks, CONFIG.taskConcurrency));
      await fresh(redis);
      taskReference.push(await referenceTasks(redis, CONFIG.tasks, CONFIG.taskConcurrency));
    }
    log('  BullMQ tasks');
    await fresh(redis);
    const bullTaskRate = await bullTasks(bull, server.port, CONFIG.tasks, CONFIG.taskConcurrency);
    log(`  waitResult latency: ${String(CONFIG.latencyRounds)} round trips, good-redis and BullMQ`);
    await fresh(redis);
    const latency = { goodRedis: await goodRedisLatency(redis, CONFIG.latencyRounds), bullmq: await bullLatency(bull, server.port, CONFIG.latencyRounds) };
    log(`  scheduler tick: ${String(CONFIG.dueSchedules)} due of ${String(CONFIG.dueSchedules)}, and of ${CONFIG.schedules.toLocaleString('en-US')}`);
    await fresh(redis);
    const tickFew = await schedulerTickCommands(redis, CONFIG.dueSchedules, CONFIG.dueSchedules);
    const tickMany = await schedulerTickCommands(redis, CONFIG.schedules, CONFIG.dueSchedules);
    log(`  dashboard: the overview and /metrics with ${String(CONFIG.dashboardObjectsPerFamily * 5)} objects`);
    await fresh(redis);
    const dashboard = await dashboardTimings(redis, CONFIG.dashboardObjectsPerFamily);
    log('  BullMQ');
    const bullmq = await bullRound(bull, redis, server.port, items);
    log('  BullMQ, FIFO');
    const bullFifo = await bullRound(bull, redis, server.port, items, true);
    log('  decrementAll');
    const decrementAll = await decrementPhase(redis);
    log('  expiry');
    const expiry = await expiryPhase(redis);

    const results: Results = {
      mode: quick ? 'quick' : 'full',
      date: new Date().toISOString(),
      environment: { node: process.version, redis: serverVersion, bullmq: bull.version, cpus: (await import('node:os')).cpus().length },
      config: CONFIG,
      add: { goodRedis: best(ours.map((o) => o.add)), reference: best(reference.map((r) => r.add)), bullmq: bullmq.add },
      pull: { goodRedis: best(ours.map((o) => o.pull)), reference: best(reference.map((r) => r.pullCooldown)), bullmq: bullmq.pull },
      pullNoCooldown: { goodRedis: best(oursNoCooldown.map((o) => o.pull)), reference: best(reference.map((r) => r.pull)) },
      consume: { goodRedis: best(consume), reference: best(referenceConsume), bullmq: bullmq.pull },
      consumeCooldown: { goodRedis: best(consumeCooldown), reference: best(referenceConsumeCooldown) },
      consumeAhead: { goodRedis: best(consume), reference: best(referenceConsumeAhead) },
      queueAdd: { goodRedis: best(queues.map((q) => q.add)), reference: best(queueReference.map((q) => q.add)), bullmq: bullFifo.add },
      queueConsume: { goodRedis: best(queues.map((q) => q.consume)), reference: best(queueReference.map((q) => q.consume)), bullmq: bullFifo.pull },
      queueMemory: {
        goodRedis: Math.min(...queues.map((q) => q.bytesPerItem)),
        reference: Math.min(...queueReference.map((q) => q.bytesPerItem)),
        bullmq: bullFifo.bytesPerItem,
      },
      topicSend: { goodRedis: best(topics.map((t) => t.send)), reference: best(topicReference.map((t) => t.send)), redisaq: REDISAQ.send },
      topicConsume: { goodRedis: best(topics.map((t) => t.consume)), reference: best(topicReference.map((t) => t.consume)), redisaq: REDISAQ.consumeBatches },
      rebalance,
      tasks: { goodRedis: best(taskRates), reference: best(taskReference), bullmq: bullTaskRate },
      taskLatency: latency,
      schedulerTick: { schedules: CONFIG.schedules, due: CONFIG.dueSchedules, few: tickFew, many: tickMany },
      dashboard,
      memory: {
        goodRedis: Math.min(...ours.map((o) => o.bytesPerItem)),
        reference: Math.min(...reference.map((r) => r.bytesPerItem)),
        bullmq: bullmq.bytesPerItem,
      },
      longestScriptMs: { add: Math.max(...ours.map((o) => o.longestAddMs)), pull: Math.max(...ours.map((o) => o.longestPullMs)) },
      decrementAll,
      expiry,
    };
    const verdicts = evaluate(results);
    printReport(results, verdicts);
    const out = quick ? join(root, '.bench') : join(root, 'docs');
    const base = quick ? 'quick' : 'benchmarks';
    writeFileSync(join(out, `${base}.json`), `${JSON.stringify({ ...results, verdicts }, null, 2)}\n`);
    writeFileSync(join(out, `${base}.svg`), renderSvg(results));
    log(`wrote ${join(out, `${base}.json`)} and ${base}.svg`);
    if (check && verdicts.some((v) => !v.met)) process.exitCode = 1;
  } finally {
    await redis.quit();
    await server.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});

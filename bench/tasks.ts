/**
 * The benchmark's task rows: throughput of no-op tasks with results stored (good-redis's
 * StreamBroker and Worker, a minimal Lua reference, BullMQ), the latency of one task's round
 * trip to its result (waitResult against BullMQ's waitUntilFinished), and what a scheduler tick
 * costs with many schedules against few (INFO commandstats).
 */
import type { Redis } from 'ioredis';
import { ResultStore, Scheduler, StreamBroker } from '../src/index.js';
import type { BullMQ } from './bullmq.js';
import { quantile, timed, type Phase } from './timing.js';

/** A latency distribution in ms. */
export interface Latency {
  medianMs: number;
  p99Ms: number;
}

function latencyOf(samples: number[]): Latency {
  return { medianMs: quantile(samples, 0.5), p99Ms: quantile(samples, 0.99) };
}

/** good-redis: `count` no-op tasks sent with sendMany in batches of 1,000, then run by broker.worker() at `concurrency`, results stored. */
export async function goodRedisTasks(redis: Redis, count: number, concurrency: number): Promise<Phase> {
  const results = new ResultStore(redis);
  const broker = new StreamBroker(redis, `bench-tasks-${String(Date.now())}`, { results });
  broker.task('noop', () => 1);
  let done = 0;
  const rate = await timed(count, async () => {
    for (let i = 0; i < count; i += 1000)
      await broker.sendMany(
        'noop',
        Array.from({ length: Math.min(1000, count - i) }, (_, k) => ({ args: i + k })),
      );
    const worker = broker.worker({ concurrency });
    await new Promise<void>((resolve) =>
      worker.on('completed', () => {
        if (++done === count) resolve();
      }),
    );
    await worker.close();
  });
  if ((await redis.xpending(broker.redisKeys.stream, 'workers'))[0] !== 0) throw new Error('the task worker left tasks pending');
  await results.close();
  return rate;
}

/** The minimum: a Lua XADD per batch; workers lease 100 with XREADGROUP + a lease ZADD, and ack 100 with XACK + ZREM + SET result. */
const REF_SEND = `for i = 1, #ARGV do redis.call('XADD', KEYS[1], '*', 'm', ARGV[i]) end return #ARGV`;
const REF_LEASE = `
local now = redis.call('TIME')
local deadline = tonumber(now[1]) * 1000 + 30000
local read = redis.call('XREADGROUP', 'GROUP', 'g', 'c', 'COUNT', ARGV[1], 'STREAMS', KEYS[1], '>')
local entries = read and read[1] and read[1][2] or {}
for _, e in ipairs(entries) do redis.call('ZADD', KEYS[2], deadline, e[1]) end
return entries`;
const REF_ACK = `
for i = 1, #ARGV, 2 do
  redis.call('XACK', KEYS[1], 'g', ARGV[i])
  redis.call('ZREM', KEYS[2], ARGV[i])
  redis.call('SET', 'ref-result:' .. ARGV[i], ARGV[i + 1], 'PX', 86400000)
end
return #ARGV / 2`;

/** The reference: the same sends, then 4 loops of lease 100 → run → ack 100 (`concurrency / 100` loops of 100 in flight each). */
export async function referenceTasks(redis: Redis, count: number, concurrency: number): Promise<Phase> {
  const stream = `ref-tasks-${String(Date.now())}`;
  const leases = `${stream}:lease`;
  await redis.xgroup('CREATE', stream, 'g', '0', 'MKSTREAM');
  const call = (lua: string, keys: string[], args: (string | number)[]): Promise<unknown> => redis.eval(lua, keys.length, ...keys, ...args);
  let acked = 0;
  const rate = await timed(count, async () => {
    for (let i = 0; i < count; i += 1000)
      await call(
        REF_SEND,
        [stream],
        Array.from({ length: Math.min(1000, count - i) }, (_, k) => JSON.stringify({ task: 'noop', args: i + k })),
      );
    await Promise.all(
      Array.from({ length: Math.max(1, Math.floor(concurrency / 100)) }, async () => {
        for (;;) {
          const entries = (await call(REF_LEASE, [stream, leases], [100])) as [string, string[]][];
          if (entries.length === 0) return;
          const args: string[] = [];
          for (const [id] of entries) args.push(id, JSON.stringify({ returnValue: 1 }));
          acked += Number(await call(REF_ACK, [stream, leases], args));
        }
      }),
    );
  });
  if (acked !== count) throw new Error(`the reference acked ${String(acked)} of ${String(count)}`);
  return rate;
}

/** BullMQ: addBulk in batches of 1,000 (removeOnComplete off: the values are kept), then a Worker at `concurrency` returning a value. */
export async function bullTasks(bull: BullMQ, port: number, count: number, concurrency: number): Promise<Phase> {
  const connection = { connection: { host: '127.0.0.1', port, maxRetriesPerRequest: null } };
  const name = `bench-tasks-${String(Date.now())}`;
  const queue = new bull.Queue(name, connection);
  await queue.waitUntilReady();
  let completed = 0;
  const worker = new bull.Worker(name, () => Promise.resolve(1), { ...connection, concurrency, autorun: false });
  const rate = await timed(count, async () => {
    for (let i = 0; i < count; i += 1000) {
      await queue.addBulk(Array.from({ length: Math.min(1000, count - i) }, (_, k) => ({ name: 'noop', data: i + k, opts: { removeOnComplete: false } })));
    }
    await new Promise<void>((resolve) => {
      worker.on('completed', () => {
        if (++completed === count) resolve();
      });
      void worker.run();
    });
  });
  await worker.close();
  await queue.close();
  return rate;
}

/** good-redis: `rounds` sequential send → waitResult round trips to an idle worker. */
export async function goodRedisLatency(redis: Redis, rounds: number): Promise<Latency> {
  const results = new ResultStore(redis);
  const broker = new StreamBroker(redis, `bench-latency-${String(Date.now())}`, { results });
  const echo = broker.task('echo', (n: number) => n);
  const worker = broker.worker({ concurrency: 1 });
  const samples: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const started = performance.now();
    const result = await (await echo.send(i)).waitResult({ timeoutMs: 10_000 });
    samples.push(performance.now() - started);
    if (result.returnValue !== i) throw new Error('a wrong result');
  }
  await worker.close();
  await results.close();
  return latencyOf(samples);
}

/** BullMQ: `rounds` sequential add → job.waitUntilFinished(queueEvents) round trips to an idle worker. */
export async function bullLatency(bull: BullMQ, port: number, rounds: number): Promise<Latency> {
  const connection = { connection: { host: '127.0.0.1', port, maxRetriesPerRequest: null } };
  const name = `bench-latency-${String(Date.now())}`;
  const queue = new bull.Queue(name, connection);
  const events = new bull.QueueEvents(name, connection);
  await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
  const worker = new bull.Worker(name, () => Promise.resolve(1), { ...connection, concurrency: 1, autorun: false });
  void worker.run();
  const samples: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const started = performance.now();
    const job = await queue.add('echo', i, { removeOnComplete: false });
    await job.waitUntilFinished(events, 10_000);
    samples.push(performance.now() - started);
  }
  await worker.close();
  await events.close();
  await queue.close();
  return latencyOf(samples);
}

/** The commands (from INFO commandstats) one scheduler tick sends for a queue with `total` schedules of which `due` are due. */
export async function schedulerTickCommands(redis: Redis, total: number, due: number): Promise<Record<string, number>> {
  const broker = new StreamBroker(redis, `bench-sched-${String(total)}-${String(Date.now())}`);
  const now = Date.now();
  for (let i = 0; i < total; i += 1000) {
    const pipeline = redis.pipeline();
    for (let k = i; k < Math.min(total, i + 1000); k++) {
      const id = `s${String(k)}`;
      pipeline.hset(broker.redisKeys.sched, id, JSON.stringify({ id, task: 't', args: null, labels: {}, everyMs: 3_600_000 }));
      pipeline.zadd(broker.redisKeys.due, k < due ? now - 1000 : now + 3_600_000, id);
    }
    await pipeline.exec();
  }
  await redis.config('RESETSTAT');
  const fired = await new Scheduler(broker).tick();
  const stats = await redis.info('commandstats');
  if (fired !== due) throw new Error(`the tick fired ${String(fired)} of ${String(due)}`);
  const calls: Record<string, number> = {};
  for (const [, command = '', count = '0'] of stats.matchAll(/cmdstat_([^:]+):calls=(\d+)/g)) {
    if (command === 'config|resetstat' || command === 'info') continue;
    // A script's first call on a connection may go as EVAL (its SHA not cached yet): count scripts as one.
    const key = command === 'eval' || command === 'evalsha' ? 'scripts' : command;
    calls[key] = (calls[key] ?? 0) + Number(count);
  }
  return calls;
}

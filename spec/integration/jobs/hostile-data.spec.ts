/**
 * Hostile data in every family's keys (issue 28): garbage written between good items, as another
 * producer, a restore or a hand edit would leave it (entries with fields missing or no counts,
 * values no codec reads, members no script wrote, counters that hold no number, a stream without
 * its group). The one Worker then runs every good item once, the garbage is dead-lettered (or, in
 * families without dead letters, set aside) with a typed reason of its own, reported as an error
 * event, and nothing stays pending, leased or held. On every topology.
 */
import assert from 'node:assert/strict';
import {
  GoodRedisError,
  jsonCodec,
  ListQueueBroker,
  Pool,
  PrioritizedStream,
  Producer,
  Queue,
  ResultStore,
  StreamBroker,
  Topic,
  Consumer,
  Worker,
  partitionGroupKeys,
  type JobSourceProvider,
  type RedisClient,
  type SourceJob,
  type TaskHandle,
  type TaskQueueBroker,
  type WorkerOptions,
} from '../../../src/index.js';
import { connect, describeEachTopology, uniqueName, waitFor, trackEach } from '../support.js';

/** A value that is no number, no JSON and no codec's encoding. */
const JUNK = 'zz\u00ff{';

/** How often each id ran, and the errors a Worker reported. */
interface Ledger {
  ran: Map<string, number>;
  errors: unknown[];
  run: (id: string) => void;
  onError: (err: unknown) => void;
}

/** Counts how often each id ran, and collects the errors a Worker reported. */
function ledger(): Ledger {
  const ran = new Map<string, number>();
  const errors: unknown[] = [];
  return {
    ran,
    errors,
    run: (id) => ran.set(id, (ran.get(id) ?? 0) + 1),
    onError: (err) => errors.push(err),
  };
}

/** Asserts that each of `ids` ran exactly once, and nothing else ran. */
function ranOnce(ran: ReadonlyMap<string, number>, ids: readonly string[]): void {
  assert.deepEqual([...ran.entries()].sort(), ids.map((id) => [id, 1]).sort());
}

/** Asserts that every reported error is a typed one of `kind`, and that there are at least `n`. */
function reported(errors: readonly unknown[], kind: string, n: number): void {
  assert.ok(errors.length >= n, `expected at least ${String(n)} error events, got ${String(errors.length)}: ${errors.map(String).join('; ')}`);
  for (const err of errors) assert.ok(GoodRedisError.is(err, kind as never), `not a ${kind} error: ${String(err)}`);
}

/** Asserts that each of `expected` is among the dead letters' reasons, and that no reason joins another's (each is its own). */
function assertReasons(reasons: readonly string[], expected: readonly (string | RegExp)[]): void {
  for (const e of expected)
    assert.ok(
      reasons.some((r) => (typeof e === 'string' ? r.includes(e) : e.test(r))),
      `no reason says ${String(e)}:\n${reasons.join('\n')}`,
    );
  for (const r of reasons) assert.ok(!r.includes('; '), `a reason joins others: ${r}`);
}

/**
 * Ten good tasks of a task `ok` (it returns its `i`, counted in the ledger as `t<i>`) sent on
 * `broker` around `garbage` (five before, five after), then a Worker whose errors the ledger
 * collects.
 */
async function tasksAround(broker: TaskQueueBroker, garbage: () => Promise<void>): Promise<{ led: Ledger; handles: TaskHandle[] }> {
  const led = ledger();
  const ok = broker.task('ok', (args: { i: number }) => {
    led.run(`t${String(args.i)}`);
    return args.i;
  });
  const handles: TaskHandle[] = [];
  for (let i = 0; i < 5; i++) handles.push(await ok.send({ i }));
  await garbage();
  for (let i = 5; i < 10; i++) handles.push(await ok.send({ i }));
  broker.worker({ concurrency: 4, blockTimeoutMs: 200 }).on('error', led.onError);
  return { led, handles };
}

const range = (prefix: string, from: number, to: number): string[] => Array.from({ length: to - from }, (_, i) => `${prefix}${String(from + i)}`);

describeEachTopology('hostile data in every family: the good work is done once, the garbage set aside with a reason (issue 28)', () => {
  let redis: RedisClient;
  const { track } = trackEach();

  /** A Worker over `source` whose handler counts each job's id (`idOf`) in `led`, and whose errors `led` collects. */
  function workOn<J extends SourceJob>(
    source: JobSourceProvider<J>,
    idOf: (job: J) => string,
    led: Ledger,
    options: WorkerOptions = { concurrency: 4, blockTimeoutMs: 200 },
  ): void {
    const worker = track(
      new Worker<unknown, unknown, J>(
        source,
        (job) => {
          led.run(idOf(job));
        },
        options,
      ),
    );
    worker.on('error', led.onError);
  }

  beforeEach(() => {
    redis = connect();
  });

  it('a prioritized stream: undecodable and missing values, a member of no item in the leases and delays, garbage states and counters', async () => {
    const stream = new PrioritizedStream<{ key: string }>(redis, uniqueName('hostile'), { cooldownMs: 0, codec: jsonCodec() });
    const k = stream.redisKeys;
    await stream.addMany(range('k', 0, 5).map((key) => [key, { key }, 1] as const));
    await redis.hset(k.items, 'g-undecodable', JUNK);
    await redis.zadd(k.scores, 0, 'g-undecodable');
    await redis.zadd(k.scores, 0, 'g-novalue');
    await redis.zadd(k.leases, 0, 'g-lease');
    await redis.zadd(k.delayed, 0, 'g-delay');
    await redis.hset(k.state, 'k2', JUNK);
    await redis.hset(k.meta, 'lseq', JUNK);
    await redis.hset(k.stats, 'added', JUNK, 'pulled', JUNK);
    await redis.zadd(k.cooldowns, 0, JUNK);
    await stream.addMany(range('k', 5, 10).map((key) => [key, { key }, 1] as const));
    const led = ledger();
    const { ran, errors } = led;
    workOn(stream, (job) => job.value.key, led);
    await waitFor(async () => ran.size === 10 && (await stream.deadLetters()).length === 4, 10_000, 'the good items run and the garbage buried');
    ranOnce(ran, range('k', 0, 10));
    const dead = await stream.deadLetters();
    assert.deepEqual(dead.map((d) => d.key).sort(), ['g-delay', 'g-lease', 'g-novalue', 'g-undecodable']);
    for (const d of dead) assert.match(String(d.error), /\w/, `${d.key} has no reason`);
    reported(errors, 'Codec', 4);
    await waitFor(async () => (await redis.zcard(k.leases)) === 0, 5000, 'no lease left');
    assert.equal(await stream.len(), 0);
  });

  it('a queue: undecodable values between good ones go to the deadLetterQueue as they are, garbage in its other keys is read past, nothing stays held', async () => {
    const name = uniqueName('hostile');
    const dead = track(new Queue(redis, `${name}-dead`));
    const queue = track(new Queue<{ id: string }>(redis, name, { codec: jsonCodec(), deadLetterQueue: dead as never }));
    const k = queue.redisKeys;
    await queue.addItems(range('v', 0, 5).map((id) => ({ id })));
    await redis.lpush(k.list, JUNK);
    await redis.hset(k.meta, 'dseq', JUNK, 'added', JUNK);
    await redis.hset(k.consumerInfo, 'ghost:1:0', JUNK);
    await redis.zadd(k.consumers, 1, 'ghost:1:0');
    await redis.zadd(k.held, 0, JUNK);
    await redis.hset(k.deliveries, JUNK, JUNK);
    await redis.hset(k.rollbacks, JUNK, JUNK);
    await queue.addItems(range('v', 5, 10).map((id) => ({ id })));
    await redis.rpush(k.list, JUNK); // the next one handed out
    // The sweep (the expirer's reaper) ends the held delivery that belongs to no consumer: its stored value comes back to wait.
    assert.equal(await queue.reEnqueueTimeoutItems(), 1);
    const led = ledger();
    const { ran, errors } = led;
    workOn(queue, (job) => job.value.id, led);
    await waitFor(async () => ran.size === 10 && (await redis.llen(dead.redisKeys.list)) === 3, 10_000, 'the good values run and the garbage set aside');
    ranOnce(ran, range('v', 0, 10));
    assert.deepEqual(await redis.lrange(dead.redisKeys.list, 0, -1), [JUNK, JUNK, JUNK]);
    reported(errors, 'Codec', 3);
    await waitFor(async () => (await queue.stats()).processing === 0, 5000, 'nothing held');
    assert.equal((await queue.stats()).waiting, 0);
  });

  it('a pool: an undecodable item is removed with a Codec error, the good ones run, garbage leases and counters are read past', async () => {
    const pool = new Pool<{ id: string }>(redis, uniqueName('hostile'), { codec: jsonCodec(), ackValidForMs: 3_600_000 });
    const k = pool.redisKeys;
    await pool.addItems(range('p', 0, 5).map((id) => ({ id })));
    await redis.zadd(k.pool, 0, JUNK);
    await redis.hset(k.meta, 'lseq', JUNK, 'added', JUNK);
    await redis.hset(k.poolLeases, JUNK, JUNK);
    await pool.addItems(range('p', 5, 10).map((id) => ({ id })));
    const led = ledger();
    const { ran, errors } = led;
    workOn(pool, (job) => job.value.id, led);
    await waitFor(() => ran.size === 10, 10_000, 'the good items run');
    ranOnce(ran, range('p', 0, 10));
    reported(errors, 'Codec', 1);
    assert.equal(await redis.zscore(k.pool, JUNK), null, 'the garbage item was removed');
  });

  it('a topic: entries without a value or with an undecodable one are dead-lettered each with its own reason; garbage epochs, retries and counters are read past', async () => {
    const name = uniqueName('hostile');
    const topic = new Topic(redis, name);
    await topic.ensure(2);
    await topic.createGroup('g');
    const producer = new Producer<{ id: string }>(redis, name, { codec: jsonCodec() });
    await producer.sendMany(range('m', 0, 5).map((id) => ({ key: id, value: { id } })));
    const parts = [0, 1].map((p) => partitionGroupKeys(name, p, 'g'));
    for (const p of parts) {
      await redis.xadd(p.log, '*', 'k', 'x'); // no value
      await redis.xadd(p.log, '*', 'v', JUNK); // not JSON
      await redis.hset(p.own, 'epoch', JUNK);
      await redis.zadd(p.retry, 0, JUNK);
      await redis.hset(p.stats, 'added', JUNK);
    }
    await producer.sendMany(range('m', 5, 10).map((id) => ({ key: id, value: { id } })));
    const led = ledger();
    const { ran, errors } = led;
    const consumer = track(new Consumer<{ id: string }>(redis, name, { group: 'g', codec: jsonCodec(), heartbeatMs: 200, sessionTimeoutMs: 2000 }));
    workOn(consumer, (message) => message.value.id, led);
    await waitFor(async () => ran.size === 10 && (await topic.deadLetters('g')).length === 4, 10_000, 'the good messages run and the garbage dead-lettered');
    ranOnce(ran, range('m', 0, 10));
    const reasons = (await topic.deadLetters('g')).map((d) => d.error);
    assert.equal(reasons.filter((r) => r.includes('no value')).length, 2, reasons.join('\n'));
    assert.equal(reasons.filter((r) => /json codec cannot decode/i.test(r)).length, 2, reasons.join('\n'));
    for (const r of reasons) assert.ok(!r.includes(';'), `a reason joins others: ${r}`);
    reported(errors, 'Codec', 4);
    await waitFor(async () => (await topic.describeGroup('g')).partitions.every((p) => p.pending === 0), 5000, 'nothing pending');
  });

  it('a topic partition whose group is gone (a restore without its groups) is consumed again from the start of its log: nothing stalls, nothing is lost', async () => {
    const name = uniqueName('hostile');
    const topic = new Topic(redis, name);
    await topic.ensure(1);
    await topic.createGroup('g');
    const producer = new Producer<string>(redis, name);
    await producer.sendMany(range('m', 0, 3).map((value) => ({ value })));
    await redis.xgroup('DESTROY', partitionGroupKeys(name, 0, 'g').log, 'g');
    await producer.sendMany(range('m', 3, 6).map((value) => ({ value })));
    const led = ledger();
    const { ran } = led;
    const consumer = track(new Consumer<string>(redis, name, { group: 'g', heartbeatMs: 200, sessionTimeoutMs: 2000 }));
    workOn(consumer, (message) => message.value, led, { blockTimeoutMs: 200 });
    await waitFor(() => ran.size === 6, 10_000, 'every message of the log');
    ranOnce(ran, range('m', 0, 6));
  });

  describe('a StreamBroker', () => {
    let results: ResultStore;
    let name: string;
    beforeEach(() => {
      results = track(new ResultStore(redis));
      name = uniqueName('hostile');
    });
    const pending = async (): Promise<number> => ((await redis.xpending(`:tq{${name}}:stream`, 'workers')) as [number])[0];

    it('entries with a garbage attempts field, no message, an undecodable or null message, garbage delays and leases: each dead-lettered with its own reason, every good task run once', async () => {
      const broker = track(new StreamBroker(redis, name, { results }));
      const k = broker.redisKeys;
      const { led, handles } = await tasksAround(broker, async () => {
        await redis.xadd(k.stream, '*', 'm', '{"id":"p","task":"ok","args":{}}', 't', 'ok', 'a', 'zz'); // item 1 of the issue
        await redis.xadd(k.stream, '*', 't', 'ok'); // no m (item 2)
        await redis.xadd(k.stream, '*', 'm', JUNK, 't', 'ok'); // not JSON
        await redis.xadd(k.stream, '*', 'm', 'null', 't', 'ok'); // JSON null (item 4)
        await redis.xadd(k.stream, '*', 'm', '{"id":"x"}', 't', 'ok'); // no task
        await redis.zadd(k.delay, 0, JUNK);
        await redis.zadd(k.lease, 0, JUNK);
        await redis.hset(k.stats, 'added', JUNK);
      });
      const { ran, errors } = led;
      const values = await Promise.all(handles.map((h) => h.waitResult({ timeoutMs: 10_000 })));
      assert.deepEqual(
        values.map((r) => r.returnValue),
        Array.from({ length: 10 }, (_, i) => i),
      );
      ranOnce(ran, range('t', 0, 10));
      await waitFor(async () => (await broker.deadLetters()).length === 6, 5000, 'the garbage dead-lettered');
      const reasons = (await broker.deadLetters()).map((d) => d.error);
      assertReasons(reasons, [
        'field a (deliveries used) is not a whole number',
        'no message (field m)',
        'unreadable delayed message',
        /json codec cannot decode/i,
      ]);
      assert.equal(reasons.filter((r) => r.includes('not a task message')).length, 2, reasons.join('\n'));
      reported(errors, 'Codec', 6);
      await waitFor(async () => (await pending()) === 0 && (await broker.stats()).active === 0, 5000, 'nothing pending');
      assert.equal(await redis.zcard(k.lease), 0);
    });

    it('a stream that exists without its group (another producer wrote it with a plain XADD) is consumed', async () => {
      const broker = track(new StreamBroker(redis, name, { results }));
      const { ran, run } = ledger();
      broker.task('ok', (args: { i: number }) => {
        run(`t${String(args.i)}`);
      });
      for (let i = 0; i < 3; i++)
        await redis.xadd(broker.redisKeys.stream, '*', 'm', JSON.stringify({ id: `id-${String(i)}`, task: 'ok', args: { i } }), 't', 'ok');
      assert.equal((await broker.stats()).waiting, 3, 'without its group, all of it waits');
      broker.worker({ blockTimeoutMs: 200 });
      await waitFor(() => ran.size === 3, 10_000, 'the tasks another producer wrote');
      ranOnce(ran, range('t', 0, 3));
      await waitFor(async () => (await pending()) === 0, 5000, 'nothing pending');
    });
  });

  it('a ListQueueBroker: undecodable and null messages, a garbage attempt, a garbage delay: each dead-lettered with its own reason, every good task run once', async () => {
    const broker = track(new ListQueueBroker(redis, uniqueName('hostile'), { results: track(new ResultStore(redis)) }));
    const k = broker.redisKeys;
    const { led, handles } = await tasksAround(broker, async () => {
      await redis.lpush(k.list, JUNK, 'null', '{"id":"x","task":"ok","args":{"i":99},"attempt":"zz"}');
      await redis.zadd(k.delay, 0, JUNK);
      await redis.hset(k.stats, 'added', JUNK);
    });
    const { ran, errors } = led;
    await Promise.all(handles.map((h) => h.waitResult({ timeoutMs: 10_000 })));
    await waitFor(async () => (await broker.deadLetters()).length === 3 && ran.size === 11, 5000, 'the garbage dead-lettered');
    // A message whose attempt is garbage is a task all the same: it runs, as its first attempt.
    ranOnce(ran, [...range('t', 0, 10), 't99']);
    assertReasons(
      (await broker.deadLetters()).map((d) => d.error),
      ['unreadable delayed message', 'not a task message', /json codec cannot decode/i],
    );
    reported(errors, 'Codec', 3);
    assert.equal(await redis.llen(k.list), 0);
  });
});

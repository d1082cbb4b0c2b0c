/**
 * The StreamBroker and the task layer on every topology: taskiq-redis's own cases (a message is
 * acked once, maxLength trimming), the fixes of the tasks contract (a task sent before any worker
 * existed runs; trimming never drops work; a long task is not run twice while its worker lives;
 * max deliveries and dead letters with an error result), round trips through the broker's
 * worker, delays on the server clock, and bad input refused before anything is written.
 */
import assert from 'node:assert/strict';
import { GoodRedisError, ResultStore, StreamBroker, type RedisClient, type StreamBrokerOptions, type TaskJob } from '../../../src/index.js';
import { connect, describeEachTopology, keysMatching, serverNow, uniqueName, waitFor, trackEach } from '../support.js';

describeEachTopology('tasks: StreamBroker', () => {
  let redis: RedisClient;
  let name: string;
  let results: ResultStore;
  const { track } = trackEach();
  const broker = (options: StreamBrokerOptions = {}): StreamBroker => track(new StreamBroker(redis, name, { results, ...options }));
  const pending = async (): Promise<number> => ((await redis.xpending(`:tq{${name}}:stream`, 'workers')) as [number])[0];
  const lease = { count: 10, leaseMs: 30_000, maxAttempts: 5, owner: 'test' };

  beforeEach(() => {
    redis = connect();
    name = uniqueName('tasks');
    results = track(new ResultStore(redis));
  });

  it('runs a task sent before any worker existed, and waitResult returns its value once it is acked', async () => {
    const b = broker();
    const calls: number[] = [];
    const add = b.task('add', (args: { a: number; b: number }, ctx) => {
      calls.push(ctx.attempt);
      return args.a + args.b;
    });
    const handle = await add.send({ a: 1, b: 2 }, { labels: { tenant: 'acme' } });
    b.worker();
    const result = await handle.waitResult({ timeoutMs: 10_000 });
    assert.deepEqual(
      {
        isErr: result.isErr,
        returnValue: result.returnValue,
        error: result.error,
        attempts: result.attempts,
        labels: result.labels,
        taskName: result.taskName,
      },
      { isErr: false, returnValue: 3, error: null, attempts: 1, labels: { tenant: 'acme' }, taskName: 'add' },
    );
    assert.equal(result.taskId, handle.taskId);
    await waitFor(async () => (await pending()) === 0, 5000, 'the ack');
    assert.deepEqual(calls, [1], 'run and acked once');
    assert.equal(await handle.isReady(), true);
  });

  it('a throwing task is retried, then dead-lettered after its max deliveries with an error result; replay runs it again', async () => {
    const b = broker();
    let fail = true;
    const attempts: number[] = [];
    const flaky = b.task(
      'flaky',
      (_args: null, ctx) => {
        attempts.push(ctx.attempt);
        if (fail) throw new TypeError(`boom ${String(ctx.attempt)}`);
        return 'ok';
      },
      { maxAttempts: 3 },
    );
    const handle = await flaky.send(null);
    const worker = b.worker({ backoff: 0 });
    const result = await handle.waitResult({ timeoutMs: 10_000 });
    assert.equal(result.isErr, true);
    assert.deepEqual(result.error && { name: result.error.name, message: result.error.message }, { name: 'TypeError', message: 'boom 3' });
    assert.equal(result.attempts, 3);
    await waitFor(async () => (await b.deadLetters()).length === 1, 5000, 'the dead letter');
    const [letter] = await b.deadLetters();
    assert.equal(letter?.message?.id, handle.taskId);
    assert.equal(letter.attempts, 3);
    assert.equal(letter.error, 'boom 3');
    assert.deepEqual(attempts, [1, 2, 3]);
    assert.equal(await pending(), 0);
    fail = false;
    assert.equal(await b.replayDead(), 1);
    await waitFor(async () => (await handle.result()).returnValue === 'ok', 10_000, 'the replayed run');
    assert.deepEqual(attempts, [1, 2, 3, 1], 'attempts start over');
    assert.deepEqual([(await b.stats()).dead, (await b.stats()).added], [0, 1], 'its retries and its replay are no sends');
    await worker.close();
  });

  it('an unknown task name fails like a throwing handler; an undecodable entry is dead-lettered at once, not left pending', async () => {
    const b = broker();
    const handle = await b.send('nobody-knows', 1, { maxAttempts: 1 });
    await redis.xadd(`:tq{${name}}:stream`, '*', 'm', 'not json');
    const errors: unknown[] = [];
    const worker = b.worker();
    worker.on('error', (e) => errors.push(e));
    const result = await handle.waitResult({ timeoutMs: 10_000 });
    assert.equal(result.isErr, true);
    assert.match(result.error?.message ?? '', /no handler for task "nobody-knows"/);
    await waitFor(async () => (await b.deadLetters()).length === 2, 5000, 'two dead letters');
    const raw = (await b.deadLetters()).find((d) => d.message === undefined);
    assert.equal(String(raw?.raw), 'not json');
    assert.ok(errors.some((e) => GoodRedisError.is(e, 'Codec')));
    assert.equal(await pending(), 0);
  });

  it('a task that outlives leaseMs while its worker lives is not run twice', async () => {
    const b = broker();
    let runs = 0;
    const slow = b.task('slow', async () => {
      runs++;
      await new Promise((resolve) => setTimeout(resolve, 900));
      return runs;
    });
    const handle = await slow.send(null);
    // Two workers with a lease far shorter than the task: autoExtend keeps renewing it.
    b.worker({ leaseMs: 200, blockTimeoutMs: 50 });
    broker().worker({ leaseMs: 200, blockTimeoutMs: 50 });
    assert.equal((await handle.waitResult({ timeoutMs: 10_000 })).returnValue, 1);
    await new Promise((resolve) => setTimeout(resolve, 400)); // past two more lease periods: nobody takes it again
    assert.equal(runs, 1);
  });

  it('a lease that expires on the last delivery dead-letters the message ("lease expired") and stores an error result', async () => {
    const b = broker({ maxAttempts: 2 });
    const handle = await b.send('crashes', null);
    const source = b.jobSource();
    const short = { ...lease, leaseMs: 100, maxAttempts: 2 };
    const first = (await source.leaseBatch(short)).items;
    assert.equal(first[0]?.attempt, 1);
    let second: TaskJob[] = [];
    await waitFor(async () => (second = (await source.leaseBatch(short)).items).length > 0, 5000, 'the reclaim');
    assert.equal(second[0]?.attempt, 2);
    const [stale] = await source.ack(first);
    assert.ok(GoodRedisError.is(stale, 'LeaseLost'), 'the first copy was delivered again');
    // The second delivery's lease runs out too: a later lease dead-letters it instead of handing it out.
    await waitFor(
      async () => {
        assert.deepEqual((await source.leaseBatch(short)).items, []);
        return (await b.deadLetters()).length === 1;
      },
      5000,
      'the death',
    );
    const result = await handle.result();
    assert.equal(result.isErr, true);
    assert.equal(result.error?.message, 'lease expired');
    assert.equal(result.attempts, 2);
    assert.equal(await pending(), 0);
  });

  it("a task's maxAttempts as the worker registered it applies to messages sent by name, crashes included", async () => {
    const producer = broker();
    const worker = broker();
    worker.task('once', () => 'never runs here', { maxAttempts: 1 });
    const handle = await producer.send('once', null); // the producer does not know the task
    const source = worker.jobSource();
    const short = { ...lease, leaseMs: 100 };
    const [job] = (await source.leaseBatch(short)).items;
    assert.equal(job?.maxAttempts, 1);
    // Its worker "crashes": the next lease finds its one delivery used up.
    await waitFor(
      async () => {
        assert.deepEqual((await source.leaseBatch(short)).items, []);
        return (await worker.deadLetters()).length === 1;
      },
      5000,
      'the death',
    );
    assert.deepEqual([(await handle.result()).error?.message, (await handle.result()).attempts], ['lease expired', 1]);
  });

  it('keeps its dead letters within their caps: the newest deadLetterLimit, none older than deadLetterMaxAgeMs', async () => {
    const b = broker({ deadLetterLimit: 2, deadLetterMaxAgeMs: 300 });
    const fails = b.task('fails', (n: number) => Promise.reject(new Error(`no ${String(n)}`)), { maxAttempts: 1 });
    const handles = [await fails.send(1), await fails.send(2), await fails.send(3)];
    b.worker({ backoff: 0 });
    for (const handle of handles) await handle.waitResult({ timeoutMs: 10_000 });
    await waitFor(async () => (await b.stats()).active === 0, 5000, 'the settles');
    const kept = await b.deadLetters();
    assert.equal(kept.length, 2, 'three died, the limit kept two');
    assert.ok(
      kept.every((d) => ['no 1', 'no 2', 'no 3'].includes(d.error)),
      JSON.stringify(kept),
    );
    // Once the server's clock is past their age, the next death drops them.
    const newest = Math.max(...kept.map((d) => d.diedAt));
    await waitFor(async () => (await serverNow(redis)) > newest + 300, 5000, 'the age to pass');
    await (await fails.send(4)).waitResult({ timeoutMs: 10_000 });
    await waitFor(async () => (await b.deadLetters()).some((d) => d.error === 'no 4'), 5000, 'the fourth dead letter');
    assert.deepEqual(
      (await b.deadLetters()).map((d) => d.error),
      ['no 4'],
    );
  });

  it('maxLength trims only acknowledged entries, exactly; maxLength 0 deletes each entry when acked', async () => {
    const b = broker({ maxLength: 5 });
    await b.sendMany(
      't',
      Array.from({ length: 20 }, (_, i) => ({ args: i })),
    );
    const length = (): Promise<number> => redis.xlen(`:tq{${name}}:stream`);
    assert.equal(await length(), 20, 'undelivered entries are never trimmed');
    const source = b.jobSource();
    const jobs = (await source.leaseBatch({ ...lease, count: 20 })).items;
    assert.equal(jobs.length, 20);
    await source.ack(jobs.slice(0, 10));
    assert.equal(await length(), 10, 'the 10 pending entries stay, the acked ones go');
    await source.ack(jobs.slice(10));
    assert.equal(await length(), 5);
    const tight = track(new StreamBroker(redis, uniqueName('tasks'), { maxLength: 0 }));
    await tight.sendMany('t', [{ args: 1 }, { args: 2 }]);
    const tightSource = tight.jobSource();
    await tightSource.ack((await tightSource.leaseBatch(lease)).items);
    assert.equal(await redis.xlen(`:tq{${tight.name}}:stream`), 0);
  });

  it('a delayed send is not delivered before its delay (server clock), then is; progress and stats', async () => {
    const b = broker();
    const job = b.task('report', async (_: null, ctx) => {
      await ctx.progress('halfway', { pct: 50 });
      return 'done';
    });
    const handle = await job.send(null, { delayMs: 400 });
    assert.deepEqual(await b.stats(), { waiting: 0, active: 0, delayed: 1, dead: 0, length: 0, added: 1 }, 'counted when sent');
    const source = b.jobSource();
    assert.deepEqual((await source.leaseBatch(lease)).items, []);
    const sent = performance.now();
    b.worker({ blockTimeoutMs: 100 });
    const result = await handle.waitResult({ timeoutMs: 10_000 });
    assert.ok(performance.now() - sent >= 300, 'not before its delay');
    assert.equal(result.returnValue, 'done');
    assert.deepEqual({ ...(await handle.progress()), updatedAt: 0 }, { state: 'halfway', meta: { pct: 50 }, updatedAt: 0 });
    await waitFor(async () => (await b.stats()).active === 0, 5000, 'the ack');
    assert.deepEqual(await b.stats(), { waiting: 0, active: 0, delayed: 0, dead: 0, length: 1, added: 1 }, 'and not again when due');
  });

  it('refuses bad input with a typed error and writes nothing', async () => {
    const bad = (fn: () => unknown, kind: 'InvalidArgument' | 'Codec' = 'InvalidArgument'): void => {
      assert.throws(fn, (e) => GoodRedisError.is(e, kind));
    };
    for (const n of ['', '{x}', 5 as unknown as string]) bad(() => new StreamBroker(redis, n));
    bad(() => new StreamBroker(redis, name, { maxLength: -1 }));
    bad(() => new StreamBroker(redis, name, { maxLength: 1.5 }));
    bad(() => new StreamBroker(redis, name, { deadLetterLimit: 0 }));
    bad(() => new StreamBroker(redis, name, { deadLetterMaxAgeMs: -1 }));
    bad(() => new StreamBroker(redis, name, { maxAttempts: -1 }));
    bad(() => new StreamBroker(redis, name, { prefix: 'a{b' }));
    const b = broker();
    for (const n of ['', 'a}b']) bad(() => b.task(n, () => 1));
    bad(() => b.task('x', 'nope' as unknown as () => number));
    bad(() => b.task('x', () => 1, { maxAttempts: 0.5 }));
    b.task('taken', () => 1);
    bad(() => b.task('taken', () => 2));
    const refused = async (call: Promise<unknown>, kind: 'InvalidArgument' | 'Codec' = 'InvalidArgument') =>
      assert.rejects(call, (e) => GoodRedisError.is(e, kind));
    await refused(b.send('', 1));
    await refused(b.send('t', 1, { delayMs: -1 }));
    await refused(b.send('t', 1, { delayMs: 2.5 }));
    await refused(b.send('t', 1, { taskId: '' }));
    await refused(b.send('t', 1, { taskId: '{id}' }));
    await refused(b.send('t', 1, { maxAttempts: -2 }));
    await refused(b.send('t', 1, { labels: [] as unknown as Record<string, string> }));
    await refused(b.send('t', 1, { labels: { a: {} } as unknown as Record<string, string> }));
    await refused(b.send('t', 1, { labels: { a: Number.NaN } }));
    await refused(b.send('t', 10n), 'Codec');
    await refused(b.sendMany('t', [{ args: 1 }, { args: 2n }]), 'Codec');
    await refused(b.sendMany('t', 'x' as unknown as []));
    assert.throws(
      () => b.worker({ maxAttempts: 3 } as never),
      (e) => GoodRedisError.is(e, 'InvalidArgument'),
    );
    assert.deepEqual(await keysMatching(redis, `:tq{${name}}:*`), []);
    assert.equal(await redis.sismember(':tq:keys', name), 0);
    await refused(b.deadLetters({ limit: 0 }));
    await refused(b.purgeDead(['']));
    await refused(b.replayDead('x' as unknown as string[]));
  });

  it('a handle without a result store refuses to wait, with Configuration', async () => {
    const b = track(new StreamBroker(redis, name));
    const handle = await b.send('t', 1);
    await assert.rejects(handle.waitResult(), (e) => GoodRedisError.is(e, 'Configuration'));
    await assert.rejects(handle.result(), (e) => GoodRedisError.is(e, 'Configuration'));
    assert.equal(await redis.sismember(':tq:keys', name), 1, 'the send registered the queue');
  });
});

/**
 * The ListQueueBroker on every topology: taskiq-redis's case (a list queue message reaches
 * exactly one of two workers), retries with the attempt raised, dead letters with an error
 * result, and what at most once means: a message taken by a worker that dies is gone.
 */
import assert from 'node:assert/strict';
import { ListQueueBroker, ResultStore, type ListQueueBrokerOptions, type RedisClient } from '../../../src/index.js';
import { connect, describeEachTopology, uniqueName, waitFor, trackEach } from '../support.js';

describeEachTopology('tasks: ListQueueBroker', () => {
  let redis: RedisClient;
  let name: string;
  let results: ResultStore;
  const { track } = trackEach();
  const broker = (options: ListQueueBrokerOptions = {}): ListQueueBroker => track(new ListQueueBroker(redis, name, { results, ...options }));

  beforeEach(() => {
    redis = connect();
    name = uniqueName('tasks');
    results = track(new ResultStore(redis));
  });

  it('each message reaches exactly one of two workers', async () => {
    const runs: [worker: string, args: number][] = [];
    const [a, b] = [broker(), broker()];
    a.task('t', (n: number) => runs.push(['a', n]));
    b.task('t', (n: number) => runs.push(['b', n]));
    const handles = await a.sendMany(
      't',
      Array.from({ length: 40 }, (_, i) => ({ args: i })),
    );
    a.worker({ concurrency: 4 });
    b.worker({ concurrency: 4 });
    await Promise.all(handles.map((h) => h.waitResult({ timeoutMs: 10_000 })));
    assert.deepEqual(
      runs.map(([, n]) => n).sort((x, y) => x - y),
      Array.from({ length: 40 }, (_, i) => i),
    );
    assert.equal(await redis.llen(`:tq{${name}}:list`), 0);
  });

  it('a throwing handler is retried with its attempt raised, then dead-lettered with an error result', async () => {
    const b = broker();
    const seen: number[] = [];
    const task = b.task(
      'fails',
      (_: null, ctx) => {
        seen.push(ctx.attempt);
        throw new Error(`no ${String(ctx.attempt)}`);
      },
      { maxAttempts: 3 },
    );
    const handle = await task.send(null);
    b.worker({ backoff: 0 });
    const result = await handle.waitResult({ timeoutMs: 10_000 });
    assert.deepEqual([result.isErr, result.error?.message, result.attempts], [true, 'no 3', 3]);
    await waitFor(async () => (await b.deadLetters()).length === 1, 5000, 'the dead letter');
    assert.deepEqual(seen, [1, 2, 3]);
    const [letter] = await b.deadLetters();
    assert.deepEqual([letter?.attempts, letter?.error, letter?.message?.id], [3, 'no 3', handle.taskId]);
    assert.equal(await b.replayDead(), 1);
    assert.deepEqual((await b.stats()).dead, 0);
    assert.equal((await b.stats()).added, 1, 'its retries and its replay are no sends');
    await waitFor(() => seen.length === 4, 5000, 'the replayed run');
    assert.equal(seen[3], 1, 'attempts start over');
  });

  it('keeps at most deadLetterLimit dead letters, the newest', async () => {
    const b = broker({ deadLetterLimit: 2 });
    const fails = b.task('fails', (n: number) => Promise.reject(new Error(`no ${String(n)}`)), { maxAttempts: 1 });
    const handles = [await fails.send(1), await fails.send(2), await fails.send(3)];
    b.worker({ backoff: 0, concurrency: 1 });
    for (const handle of handles) await handle.waitResult({ timeoutMs: 10_000 });
    await waitFor(async () => (await b.deadLetters()).length === 2 && (await b.deadLetters()).some((d) => d.error === 'no 3'), 5000, 'the dead letters');
    assert.deepEqual(
      (await b.deadLetters()).map((d) => d.error),
      ['no 2', 'no 3'],
    );
  });

  it('at most once: a message taken by a worker that never settles it is gone', async () => {
    const b = broker();
    await b.send('t', 'only');
    const source = b.jobSource();
    const lease = { count: 5, leaseMs: 100, maxAttempts: 5, owner: 'dies' };
    const [taken] = (await source.leaseBatch(lease)).items;
    assert.equal(taken?.message.args, 'only');
    await new Promise((resolve) => setTimeout(resolve, 200)); // past its "lease": nothing comes back
    assert.deepEqual((await source.leaseBatch(lease)).items, []);
    assert.deepEqual(await b.stats(), { waiting: 0, active: 0, delayed: 0, dead: 0, length: 0, added: 1 });
  });
});

/**
 * The ResultStore on every topology: TTLs (taskiq-redis's own cases), reads that take the result
 * with keepResults: false, progress, and waits that listen for the store's notice instead of
 * polling, with their timeout.
 */
import assert from 'node:assert/strict';
import sinon from 'sinon';
import { Cluster } from 'ioredis';
import { GoodRedisError, ResultStore, taskResultKeys, type RedisClient, type TaskResult } from '../../../src/index.js';
import { closeAll, connect, describeEachTopology, keysMatching, uniqueName, waitFor } from '../support.js';

const resultOf = (taskId: string, returnValue: unknown = 42): TaskResult => ({
  taskId,
  taskName: 'add',
  isErr: false,
  returnValue,
  error: null,
  executionMs: 3,
  attempts: 1,
  labels: { tenant: 'acme' },
  finishedAt: Date.now(),
});
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describeEachTopology('tasks: ResultStore', () => {
  let redis: RedisClient;
  const stores: ResultStore[] = [];
  const store = (options: ConstructorParameters<typeof ResultStore>[1] = {}): ResultStore => {
    const s = new ResultStore(redis, options);
    stores.push(s);
    return s;
  };
  beforeEach(() => {
    redis = connect();
  });
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close()));
    await closeAll();
  });

  it('stores and reads a result, keeps it by default, and deletes it with its progress', async () => {
    const results = store();
    const id = uniqueName('task');
    await assert.rejects(results.get(id), (e) => GoodRedisError.is(e, 'ResultMissing'));
    await results.setProgress(id, 'working', { done: 3 });
    const stored = resultOf(id);
    await results.set(id, stored);
    assert.deepEqual(await results.get(id), stored);
    assert.deepEqual(await results.get(id), stored, 'kept after a read');
    assert.equal(await results.has(id), true);
    assert.equal((await results.getProgress(id))?.state, 'working');
    assert.equal(await results.delete(id), true);
    assert.equal(await results.has(id), false);
    assert.equal(await results.getProgress(id), null);
    assert.equal(await results.delete(id), false);
  });

  it('a result with a 1 s TTL is readable at 0.5 s and gone at 1.1 s; its progress expires with it', async () => {
    const results = store({ ttlSeconds: 1 });
    const id = uniqueName('task');
    await results.setProgress(id, 'started');
    const started = performance.now();
    await results.set(id, resultOf(id));
    await sleep(500 - (performance.now() - started));
    assert.equal((await results.get(id)).taskId, id);
    await sleep(1100 - (performance.now() - started));
    await assert.rejects(results.get(id), (e) => GoodRedisError.is(e, 'ResultMissing'));
    assert.equal(await results.getProgress(id), null);
  });

  it('keepResults: false makes the second read miss, and takes the progress with the result', async () => {
    const results = store({ keepResults: false });
    const id = uniqueName('task');
    await results.setProgress(id, 'half');
    await results.set(id, resultOf(id));
    assert.equal((await results.get(id)).returnValue, 42);
    await assert.rejects(results.get(id), (e) => GoodRedisError.is(e, 'ResultMissing'));
    assert.deepEqual(await keysMatching(redis, `:tr{${id}}:*`), []);
  });

  it('a wait reads once, then ends on the notice of the store, which carries the result: it neither polls nor reads it back', async () => {
    // A connection of the waiting store's own, whose reads are counted; a recheck far beyond the test.
    const reader = connect();
    const reads = sinon.spy(reader, 'get');
    const waiting = new ResultStore(reader, { recheckMs: 60_000 });
    stores.push(waiting);
    const id = uniqueName('task');
    const waited = waiting.wait(id, { timeoutMs: 20_000 });
    await waitFor(() => reads.callCount === 1, 5000, 'the first read');
    assert.equal(await reads.firstCall.returnValue, null, 'the first read done, and missed');
    await store().set(id, resultOf(id, 'done'));
    assert.equal((await waited).returnValue, 'done');
    assert.equal(reads.callCount, 1, 'one read before the notice, none after');
    assert.equal((await waiting.wait(id, { timeoutMs: 0 })).returnValue, 'done', 'a result already there');
    assert.equal(reads.callCount, 2);
  });

  it('a notice that carries no readable result makes the wait read the key', async () => {
    const reader = connect();
    const reads = sinon.spy(reader, 'get');
    const waiting = new ResultStore(reader, { recheckMs: 60_000 });
    stores.push(waiting);
    const id = uniqueName('task');
    const keys = taskResultKeys(id);
    const waited = waiting.wait(id, { timeoutMs: 20_000 });
    await waitFor(() => reads.callCount === 1, 5000, 'the first read');
    assert.equal(await reads.firstCall.returnValue, null, 'the first read done, and missed');
    await redis.set(keys.result, JSON.stringify(resultOf(id, 'read back')));
    await waitFor(
      async () => (await (redis instanceof Cluster ? redis.spublish(keys.done, 'x') : redis.publish(keys.done, 'x'))) === 1,
      5000,
      'a bare notice heard',
    );
    assert.equal((await waited).returnValue, 'read back');
    assert.equal(reads.callCount, 2, 'read again on the bare notice');
  });

  it('with keepResults: false a wait takes the result through Redis though its notice carries it', async () => {
    const waiting = store({ keepResults: false, recheckMs: 60_000 });
    const id = uniqueName('task');
    const waited = waiting.wait(id, { timeoutMs: 20_000 });
    await store().set(id, resultOf(id, 'once'));
    assert.equal((await waited).returnValue, 'once');
    await assert.rejects(waiting.get(id), (e) => GoodRedisError.is(e, 'ResultMissing'));
    assert.deepEqual(await keysMatching(redis, `:tr{${id}}:*`), []);
  });

  it('many waits on one store share one subscriber connection and each ends on its notice', async () => {
    const client = connect();
    const duplicates = sinon.spy(client, 'duplicate');
    const waiting = new ResultStore(client, { recheckMs: 60_000 });
    stores.push(waiting);
    const ids = Array.from({ length: 20 }, () => uniqueName('task'));
    const waits = ids.map((id) => waiting.wait(id, { timeoutMs: 20_000 }));
    await Promise.all(ids.map((id) => store().set(id, resultOf(id, id))));
    assert.deepEqual(
      (await Promise.all(waits)).map((r) => r.returnValue),
      ids,
    );
    assert.equal(duplicates.callCount, 1);
  });

  it('a wait past its timeout throws Timeout; a closed store refuses waits', async () => {
    const results = store();
    const id = uniqueName('task');
    await assert.rejects(results.wait(id, { timeoutMs: 200 }), (e) => GoodRedisError.is(e, 'Timeout') && e.message.includes(id));
    const pending = results.wait(uniqueName('task'), { timeoutMs: 10_000 });
    await results.close();
    await assert.rejects(pending, (e) => GoodRedisError.is(e, 'Connection'));
    await assert.rejects(results.wait(id), (e) => GoodRedisError.is(e, 'Connection'));
  });

  it('refuses bad options and task ids, writing nothing', async () => {
    const bad: ConstructorParameters<typeof ResultStore>[1][] = [
      { ttlMs: 1000, ttlSeconds: 1 },
      { ttlMs: 0 },
      { ttlMs: -5 },
      { ttlMs: 1.5 },
      { ttlSeconds: 0 },
      { keepResults: 'no' as unknown as boolean },
      { recheckMs: 0 },
      { prefix: '{x}' },
    ];
    for (const options of bad)
      assert.throws(
        () => new ResultStore(redis, options),
        (e) => GoodRedisError.is(e, 'InvalidArgument'),
        JSON.stringify(options),
      );
    const results = store();
    for (const id of ['', '{a}', 7 as unknown as string]) {
      await assert.rejects(results.set(id, resultOf('x')), (e) => GoodRedisError.is(e, 'InvalidArgument'));
      await assert.rejects(results.get(id), (e) => GoodRedisError.is(e, 'InvalidArgument'));
    }
    const id = uniqueName('task');
    await assert.rejects(results.wait(id, { timeoutMs: -1 }), (e) => GoodRedisError.is(e, 'InvalidArgument'));
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    await assert.rejects(results.setProgress(id, 'loop', circular), (e) => GoodRedisError.is(e, 'Codec'));
    await assert.rejects(results.setProgress(id, 5 as unknown as string), (e) => GoodRedisError.is(e, 'InvalidArgument'));
    assert.deepEqual(await keysMatching(redis, `:tr{${id}}:*`), []);
  });
});

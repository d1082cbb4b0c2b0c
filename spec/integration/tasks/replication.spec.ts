/** The tasks family's `replication` option on every topology: WAIT with each write of a broker and a result store, a typed shortfall. */
import assert from 'node:assert/strict';
import { GoodRedisError, ResultStore, StreamBroker, type RedisClient, type TaskResult } from '../../../src/index.js';
import { closeAll, commandStats, connect, describeEachTopology, uniqueName } from '../support.js';

const resultOf = (taskId: string): TaskResult => ({
  taskId,
  taskName: 't',
  isErr: false,
  returnValue: 1,
  error: null,
  executionMs: 1,
  attempts: 1,
  labels: {},
  finishedAt: 0,
});

describeEachTopology('tasks (replication)', (kind) => {
  let redis: RedisClient;
  beforeEach(() => {
    redis = connect();
  });
  afterEach(closeAll);

  if (kind === 'standalone') {
    it('a write no replica confirmed is a Replication error; the master has it', async () => {
      const name = uniqueName('trep');
      const broker = new StreamBroker(redis, name, { replication: { replicas: 1, timeoutMs: 50 } });
      await assert.rejects(broker.send('t', 1), (err: unknown) => GoodRedisError.is(err, 'Replication') && err.message.includes('only 0 of 1 replica'));
      assert.equal(await redis.xlen(`:tq{${name}}:stream`), 1, 'on the master');
      const results = new ResultStore(redis, { replication: { replicas: 1, timeoutMs: 50 } });
      const id = uniqueName('task');
      await assert.rejects(results.set(id, resultOf(id)), (err: unknown) => GoodRedisError.is(err, 'Replication'));
      await assert.rejects(results.setProgress(id, 'half'), (err: unknown) => GoodRedisError.is(err, 'Replication'));
      assert.equal(await results.has(id), true, 'on the master; reads never wait');
    });
  } else {
    it("confirms each write with a WAIT on the slot's master: send, lease, ack, result, progress; reads without one", async () => {
      const replication = { replicas: 1 };
      const broker = new StreamBroker(redis, uniqueName('trep'), { replication });
      const results = new ResultStore(redis, { replication });
      const waits = async (): Promise<number> => (await commandStats(redis)).get('wait') ?? 0;
      const before = await waits();
      const handle = await broker.send('t', 1);
      const source = broker.jobSource();
      const { items } = await source.leaseBatch({ count: 1, leaseMs: 30_000, maxAttempts: 5, owner: 'w' });
      assert.equal(items.length, 1);
      await results.setProgress(handle.taskId, 'done');
      await results.set(handle.taskId, resultOf(handle.taskId));
      assert.deepEqual(await source.ack(items), [undefined]);
      assert.equal((await results.get(handle.taskId)).returnValue, 1);
      assert.equal((await broker.stats()).active, 0);
      assert.equal((await waits()) - before, 6, 'send and its registration, lease, progress, result, ack: one WAIT each; get and stats none');
    });
  }
});

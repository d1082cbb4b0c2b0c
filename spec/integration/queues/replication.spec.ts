/** The queue family's `replication` option on every topology: WAIT with each write, a typed shortfall. */
import assert from 'node:assert/strict';
import { GoodRedisError, Pool, Queue, type RedisClient } from '../../../src/index.js';
import { closeAll, commandStats, connect, describeEachTopology, uniqueName } from '../support.js';

describeEachTopology('Queue and Pool (replication)', (kind) => {
  let redis: RedisClient;
  beforeEach(() => {
    redis = connect();
  });
  afterEach(closeAll);

  if (kind === 'standalone') {
    it('a write no replica confirmed is a Replication error saying what was confirmed; a getItems shortfall hands its deliveries back', async () => {
      const name = uniqueName('qrep');
      const queue = new Queue(redis, name, { chunkSize: 2, replication: { replicas: 1, timeoutMs: 50 } });
      await assert.rejects(
        queue.addItems(['1', '2', '3', '4', '5']),
        (err: unknown) =>
          GoodRedisError.is(err, 'Replication') && err.message.includes('only 0 of 1 replica') && err.message.includes('the 0 item(s) of 5 before this chunk'),
      );
      assert.deepEqual(await redis.lrange(`:q{${name}}:list`, 0, -1), ['2', '1'], 'the first chunk is on the master; the rest was not sent');
      await assert.rejects(queue.getItems(2), (err: unknown) => GoodRedisError.is(err, 'Replication'));
      assert.deepEqual(await redis.lrange(`:q{${name}}:list`, 0, -1), ['2', '1'], 'handed back, in order');
      assert.equal(await redis.zcard(`:q{${name}}:held`), 0);
      assert.equal(await queue.getCount(), 2, 'reads never wait');
      await queue.close({ handBack: false });
      const pool = new Pool(redis, uniqueName('prep'), { replication: { replicas: 1, timeoutMs: 50 } });
      await assert.rejects(pool.addItem('x'), (err: unknown) => GoodRedisError.is(err, 'Replication'));
      assert.equal(await pool.isInPool('x'), true, 'the master has it');
    });
  } else {
    it("confirms each write with a WAIT on the queue's master, and reads without one", async () => {
      const queue = new Queue(redis, uniqueName('qrep'), { replication: { replicas: 1 } });
      const waits = async (): Promise<number> => (await commandStats(redis)).get('wait') ?? 0;
      const before = await waits();
      assert.equal(await queue.addItems(['a', 'b']), 2);
      const [d] = await queue.getItems();
      assert.ok(d);
      await queue.ackItem(d);
      assert.equal(await queue.getCount(), 1);
      assert.equal((await waits()) - before, 4, 'add and its registration, getItems, ack: one WAIT each; getCount none');
      await queue.close();
    });
  }

  it('refuses bad replication options', () => {
    for (const replication of [{ replicas: 0 }, { replicas: 1.5 }, { replicas: 1, timeoutMs: 0 }]) {
      assert.throws(
        () => new Queue(redis, 'q', { replication }),
        (err: unknown) => GoodRedisError.is(err, 'InvalidArgument'),
        JSON.stringify(replication),
      );
    }
  });
});

/**
 * The `replication` option: each write is confirmed by replicas (WAIT in the same pipeline,
 * on the master of the stream's slot), or fails with a `Replication` error.
 */
import assert from 'node:assert/strict';
import { GoodRedisError, PrioritizedStream, type RedisClient } from '../../../src/index.js';
import { closeAll, commandStats, connect, describeEachTopology, uniqueName } from '../support.js';

describeEachTopology('PrioritizedStream (replication)', (kind) => {
  let redis: RedisClient;

  beforeEach(() => {
    redis = connect();
  });
  afterEach(closeAll);

  if (kind === 'standalone') {
    it('should report a write no replica confirmed as a Replication error, the write done on the master', async () => {
      const stream = new PrioritizedStream(redis, uniqueName(), { replication: { replicas: 1, timeoutMs: 50 } });
      await assert.rejects(stream.add('k', 'v', 3), (err) => GoodRedisError.is(err, 'Replication') && err.message.includes('only 0 of 1 replica'));
      assert.equal(await new PrioritizedStream(redis, stream.name).get('k'), 'v', 'the master has it');
    });
  } else {
    it("should confirm every write with a WAIT on the stream's master, and read without one", async () => {
      const stream = new PrioritizedStream(redis, uniqueName(), { cooldownMs: 0, replication: { replicas: 1 } });
      const waits = async (): Promise<number> => (await commandStats(redis)).get('wait') ?? 0;
      const before = await waits();
      assert.deepEqual(
        await stream.addMany([
          ['a', 'A', 2],
          ['b', 'B', 1],
        ]),
        [2, 1],
      );
      assert.deepEqual(
        (await stream.pull()).map((i) => i.key),
        ['a'],
      );
      const [job] = await stream.lease();
      assert.ok(job);
      assert.equal(await stream.ack([job]), 1);
      assert.equal(await stream.len(), 0);
      // addMany: the script and the registration; pull; lease; ack. len reads, with no WAIT.
      assert.equal((await waits()) - before, 5);
    });
  }

  it('should refuse bad replication options and send nothing', () => {
    for (const replication of [{ replicas: 0 }, { replicas: 1.5 }, { replicas: 1, timeoutMs: 0 }]) {
      assert.throws(
        () => new PrioritizedStream(redis, 's', { replication }),
        (err) => GoodRedisError.is(err, 'InvalidArgument'),
        JSON.stringify(replication),
      );
    }
  });
});

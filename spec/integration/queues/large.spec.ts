/**
 * On 200,000 waiting or held values no queue script holds Redis for long: each works on a
 * bounded chunk, whatever the queue's size (SLOWLOG on every master), on every topology.
 */
import assert from 'node:assert/strict';
import { Queue, type RedisClient } from '../../../src/index.js';
import { closeAll, connect, describeEachTopology, masters, serverNow, uniqueName } from '../support.js';

/** The durations (ms, longest first) of the EVAL/EVALSHA calls every master logged since `reset`. */
async function scriptMs(redis: RedisClient): Promise<number[]> {
  const durations: number[] = [];
  for (const node of await masters(redis)) {
    for (const entry of (await node.call('SLOWLOG', 'GET', '100000')) as [number, number, number, string[]][]) {
      const command = String(entry[3][0]).toLowerCase();
      if (command === 'evalsha' || command === 'eval') durations.push(entry[2] / 1000);
    }
  }
  return durations.sort((a, b) => b - a);
}

describeEachTopology('Queue on 200,000 values', () => {
  let redis: RedisClient;
  const restore: [RedisClient, string, string][] = [];
  beforeEach(async () => {
    redis = connect();
    for (const node of await masters(redis)) {
      const [, was] = (await node.config('GET', 'slowlog-log-slower-than')) as [string, string];
      const [, length] = (await node.config('GET', 'slowlog-max-len')) as [string, string];
      restore.push([node, was, length]);
      await node.config('SET', 'slowlog-log-slower-than', '1000');
      await node.config('SET', 'slowlog-max-len', '2000'); // every script of the test, not the last 128
      await node.call('SLOWLOG', 'RESET');
    }
  });
  afterEach(async () => {
    for (const [node, was, length] of restore.splice(0)) {
      await node.config('SET', 'slowlog-log-slower-than', was);
      await node.config('SET', 'slowlog-max-len', length);
    }
    await closeAll();
  });

  it('adds, hands out, re-enqueues and drops in chunks, no script over 10 ms', async function () {
    this.timeout(120_000);
    const name = uniqueName('large');
    const q = new Queue(redis, name);
    try {
      const values = Array.from({ length: 200_000 }, (_, i) => `value-${String(i).padStart(6, '0')}`);
      assert.equal(await q.addItems(values), 200_000);
      let held = 0;
      while (held < 100_000) held += (await q.getItems(1000)).length;
      await redis.zadd(`:q{${name}}:consumers`, (await serverNow(redis)) - 120_000, q.consumerId);
      assert.equal(await q.reEnqueueTimeoutItems(), 100_000);
      held = 0;
      while (held < 100_000) held += (await q.getItems(1000)).length;
      assert.equal(await q.dropAllItems(), 100_000);
      assert.equal(await q.deleteItem('value-199999'), 1);
      assert.equal(await q.getCount(), 99_999);
      // About 400 scripts ran, each on a chunk of 1,000 values. SLOWLOG times them on the wall
      // clock, so on a loaded machine (two cores, other tests running, a Sentinel's replica fed)
      // some run long; a script working on the whole queue would take well over 100 ms every
      // time. So: none over 60 ms, and all but the 20 longest (5%) under 10 ms.
      const durations = await scriptMs(redis);
      const [longest = 0] = durations;
      const p95 = durations[20] ?? 0;
      assert.ok(
        longest < 60 && p95 < 10,
        `scripts held Redis for ${durations.slice(0, 25).join(', ')} ms (longest first, of ${String(durations.length)} over 1 ms)`,
      );
    } finally {
      await q.close({ handBack: false });
    }
  });
});

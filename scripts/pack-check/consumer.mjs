// Uses the packed good-redis the way an application would: package import, Lua from dist/,
// raw commands, a Worker, the container module. Run by scripts/pack-check.sh.
import assert from 'node:assert/strict';
import { Container } from 'inversify';
import { PrioritizedStream, TOKENS, Worker, closeConnection, createConnection, createGoodRedisModule, jsonCodec, registerCommands } from 'good-redis';

const redis = createConnection(); // REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS
const stream = new PrioritizedStream(redis, `pack-check-${String(Date.now())}`, { codec: jsonCodec() });
try {
  assert.deepEqual(
    await stream.addMany([
      ['a', { n: 1 }, 2],
      ['b', { n: 2 }, 5],
    ]),
    [2, 5],
  );
  assert.deepEqual(await stream.pull(), [{ key: 'b', value: { n: 2 }, priority: 5 }]);
  registerCommands(redis);
  assert.equal(await redis.pslen(stream.name), 1);
  const completed = await new Promise((resolve) => {
    const worker = new Worker(stream, (job) => job.value.n);
    worker.on('completed', (job, result) => {
      void worker.close().then(() => {
        resolve([job.key, result]);
      });
    });
  });
  assert.deepEqual(completed, ['a', 1]);
  const container = new Container();
  await container.loadAsync(createGoodRedisModule({ client: redis }));
  assert.equal(typeof container.get(TOKENS.StreamFactory), 'function');
  await container.unbindAllAsync();
  console.log('pack-check: the packed package works from a fresh project');
} finally {
  await stream.delete();
  await closeConnection(redis);
}

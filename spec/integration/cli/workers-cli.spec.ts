/**
 * `good-redis workers`, `pause` and `resume` as real processes on every topology: the list shows
 * a running Worker of the prefix, a pause from the command line is honoured by it, a resume
 * lets it go on, and a bad family is a usage error (exit 2) that writes nothing.
 */
import assert from 'node:assert/strict';
import { PrioritizedStream, Worker, WorkerRegistry, type RedisClient } from '../../../src/index.js';
import { childEnv, closeAll, connect, describeEachTopology, uniqueName, waitFor } from '../support.js';
import { oneLine, runCli } from './cli-support.js';

describeEachTopology('good-redis workers, pause, resume', () => {
  let redis: RedisClient;
  let prefix: string;
  let env: NodeJS.ProcessEnv;
  const workers: Worker[] = [];
  beforeEach(() => {
    redis = connect();
    prefix = `${uniqueName('wcli')}:`;
    env = { ...childEnv(), GOOD_REDIS_PREFIX: prefix };
  });
  afterEach(async () => {
    for (const w of workers.splice(0)) await w.close();
    await closeAll();
  });

  it("lists the prefix's Workers, pauses and resumes one object's consumption", async function () {
    this.timeout(60_000);
    const stream = new PrioritizedStream(redis, 'crawl', { prefix });
    let handled = 0;
    const worker = new Worker(stream, () => void (handled += 1), { heartbeatMs: 50, blockTimeoutMs: 200 });
    workers.push(worker);
    const registry = new WorkerRegistry(redis, { prefix });
    await waitFor(async () => (await registry.read()).workers.length === 1, 5000, 'its first beat');

    const listed = await runCli(['workers', '--json'], env);
    assert.equal(listed.code, 0, listed.stderr);
    const body = JSON.parse(listed.stdout) as { prefix: string; workers: { id: string; family: string; name: string; alive: boolean }[]; paused: unknown[] };
    assert.deepEqual(
      body.workers.map((w) => [w.id, w.family, w.name, w.alive]),
      [[worker.id, 'stream', 'crawl', true]],
    );
    assert.deepEqual(body.paused, []);

    const paused = await runCli(['pause', 'stream', 'crawl'], env);
    assert.equal(paused.code, 0, paused.stderr);
    assert.equal(oneLine(paused.stdout), 'paused stream "crawl"');
    await waitFor(() => worker.paused, 5000, 'the worker to read the pause');
    await stream.add('held', 'x');
    const text = await runCli(['workers'], env);
    assert.match(text.stdout, new RegExp(`${worker.id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s+stream\\s+crawl\\s+paused`));
    assert.match(text.stdout, /^paused: stream "crawl" since \d{4}-/m);
    assert.equal(oneLine((await runCli(['pause', 'stream', 'crawl'], env)).stdout), 'stream "crawl" was paused already');
    assert.equal(handled, 0);

    const resumed = await runCli(['resume', 'stream', 'crawl', '--json'], env);
    assert.deepEqual(JSON.parse(resumed.stdout), { family: 'stream', name: 'crawl', changed: true });
    await waitFor(() => handled === 1, 5000, 'the held item once resumed');

    const bad = await runCli(['pause', 'streams', 'crawl'], env);
    assert.equal(bad.code, 2);
    assert.match(oneLine(bad.stderr), /the family must be one of stream, queue, unique, pool, topic, taskQueue/);
    assert.deepEqual((await registry.read()).paused, []);
  });
});

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { PrioritizedStream, Worker, type Job } from '../../../src/index.js';
import { closeAll, connect, describeEachTopology, childEnv, linesOf, uniqueName, waitFor } from '../support.js';

const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}.js`, import.meta.url));

interface Child {
  process: ChildProcess;
  output: string[];
}

const children: Child[] = [];

/** Starts a fixture process on the current topology (given by its variables) and collects its stdout lines. */
function start(name: string, args: string[]): Child {
  const child = spawn(process.execPath, [fixture(name), ...args], { stdio: ['ignore', 'pipe', 'inherit'], env: childEnv() });
  const started = { process: child, output: linesOf(child.stdout) };
  children.push(started);
  return started;
}

describeEachTopology('Worker (real processes)', () => {
  afterEach(async () => {
    for (const child of children.splice(0)) {
      if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill('SIGKILL');
    }
    await closeAll();
  });

  it('should deliver the jobs of a worker killed with SIGKILL to another worker, attempt 2, none lost', async function () {
    this.timeout(30_000);
    const name = uniqueName('killed');
    const stream = new PrioritizedStream(connect(), name, { cooldownMs: 0 });
    const doomed = start('worker-process', [name, 'hang', '500', '3']);
    await waitFor(() => doomed.output.includes('READY'), 10_000, 'the worker process to start');
    await stream.addMany([
      ['job-1', 'one', 3],
      ['job-2', 'two', 2],
      ['job-3', 'three', 1],
    ]);
    await waitFor(() => doomed.output.filter((l) => l.startsWith('LEASED')).length === 3, 10_000, 'the three leases');
    assert.deepEqual(doomed.output.filter((l) => l.startsWith('LEASED')).sort(), ['LEASED job-1 1', 'LEASED job-2 1', 'LEASED job-3 1']);
    doomed.process.kill('SIGKILL');
    await once(doomed.process, 'exit');

    const delivered: [string, number][] = [];
    const rescuer = new Worker(
      stream,
      (job: Job<string>) => {
        delivered.push([job.key, job.attempt]);
      },
      { concurrency: 3 },
    );
    try {
      await waitFor(() => delivered.length === 3, 10_000, 'the redelivery');
    } finally {
      await rescuer.close();
    }
    assert.deepEqual(delivered.sort(), [
      ['job-1', 2],
      ['job-2', 2],
      ['job-3', 2],
    ]);
    assert.equal(await stream.len(), 0);
    assert.deepEqual(await stream.deadLetters(), []);
  });

  it('should complete 50,000 items from 4 producer processes exactly once over 4 worker processes', async function () {
    this.timeout(180_000);
    const name = uniqueName('fleet');
    const redis = connect();
    const workers = Array.from({ length: 4 }, () => start('worker-process', [name, 'count', '60000', '16']));
    await waitFor(() => workers.every((w) => w.output.includes('READY')), 10_000, 'the workers to start');
    const producers = Array.from({ length: 4 }, (_, p) => start('producer-process', [name, `p${String(p)}`, '12500']));
    await Promise.all(
      producers.map(async (p) => {
        const [code] = (await once(p.process, 'exit')) as [number | null];
        assert.equal(code, 0, 'a producer failed');
      }),
    );
    const counts = `{${name}}:completed`;
    await waitFor(async () => (await redis.hlen(counts)) === 50_000, 120_000, 'every item to complete');
    for (const w of workers) w.process.kill('SIGTERM');
    const codes = await Promise.all(workers.map(async (w) => ((await once(w.process, 'exit')) as [number | null])[0]));
    assert.deepEqual(codes, [0, 0, 0, 0], 'every worker stopped cleanly on SIGTERM');

    const completed = await redis.hgetall(counts);
    const values = Object.values(completed);
    assert.equal(values.length, 50_000);
    assert.equal(values.filter((v) => v !== '1').length, 0, 'an item was completed twice');
    for (let p = 0; p < 4; p += 1) assert.equal(completed[`p${String(p)}-12499`], '1');
    const stream = new PrioritizedStream(redis, name);
    assert.equal(await stream.len(), 0);
    assert.equal(await redis.exists(stream.redisKeys.leases, stream.redisKeys.items, stream.redisKeys.delayed), 0);
  });
});

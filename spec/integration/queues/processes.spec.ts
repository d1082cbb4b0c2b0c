/**
 * Crash and concurrency claims with real processes, on every topology: a SIGKILLed consumer's
 * deliveries come back exactly once with three reapers racing; a busy consumer that heartbeats
 * keeps its deliveries; 4 producers and 4 worker processes move 50,000 values, each once.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { Queue, type RedisClient } from '../../../src/index.js';
import { childEnv, closeAll, connect, describeEachTopology, linesOf, uniqueName, waitFor } from '../support.js';

const fixture = fileURLToPath(new URL('./fixtures/queue-process.js', import.meta.url));

interface Child {
  process: ChildProcess;
  output: string[];
}

describeEachTopology('Queue (real processes)', () => {
  const children: Child[] = [];
  const open: Queue[] = [];
  let redis: RedisClient;
  const start = (args: string[]): Child => {
    const child = spawn(process.execPath, [fixture, ...args], { stdio: ['ignore', 'pipe', 'inherit'], env: childEnv() });
    const started = { process: child, output: linesOf(child.stdout) };
    children.push(started);
    return started;
  };
  const queue = (name: string): Queue => {
    const q = new Queue(redis, name, { heartbeatMs: 200, consumerTimeoutMs: 1000 });
    open.push(q);
    return q;
  };

  beforeEach(() => {
    redis = connect();
  });
  afterEach(async () => {
    for (const child of children.splice(0)) if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill('SIGKILL');
    await Promise.all(open.splice(0).map((q) => q.close({ handBack: false })));
    await closeAll();
  });

  it('a consumer SIGKILLed holding 50 deliveries: they come back exactly once, with three reapers racing', async function () {
    this.timeout(30_000);
    const name = uniqueName('killed');
    const values = Array.from({ length: 50 }, (_, i) => `v${String(i)}`);
    await queue(name).addItems(values);
    const doomed = start([name, 'hold', '50']);
    await waitFor(() => doomed.output.includes('HELD 50'), 10_000, 'the consumer to take 50');
    doomed.process.kill('SIGKILL');
    await once(doomed.process, 'exit');
    const reapers = [queue(name), queue(name), queue(name)];
    let back = 0;
    await waitFor(
      async () => {
        back += (await Promise.all(reapers.map((r) => r.reEnqueueTimeoutItems()))).reduce((x, y) => x + y, 0);
        return back >= 50;
      },
      10_000,
      'the reapers',
    );
    assert.equal(back, 50, 'each delivery came back once');
    const waiting = await redis.lrange(`:q{${name}}:list`, 0, -1);
    assert.deepEqual([...waiting].sort(), [...values].sort());
    assert.deepEqual(waiting.reverse(), values, 'in the order it took them');
    assert.equal(await redis.zcard(`:q{${name}}:held`), 0);
  });

  it('a consumer whose work takes 3 times its timeout keeps its deliveries while it heartbeats, and its acks succeed', async function () {
    this.timeout(30_000);
    const name = uniqueName('busy');
    await queue(name).addItems(Array.from({ length: 10 }, (_, i) => `v${String(i)}`));
    const busy = start([name, 'slow', '10', '3000']);
    await waitFor(() => busy.output.includes('HELD 10'), 10_000, 'the consumer to take 10');
    const other = queue(name);
    const started = Date.now();
    while (Date.now() - started < 2500) {
      assert.deepEqual(await other.getItems(1), [], "a reaper took a live consumer's work");
      assert.equal(await other.reEnqueueTimeoutItems(), 0);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const [code] = (await once(busy.process, 'exit')) as [number];
    assert.equal(code, 0);
    assert.ok(busy.output.includes('ACKED 10'), busy.output.join('\n'));
  });

  it('4 producers and 4 worker processes move 50,000 values, each handled and acked once', async function () {
    this.timeout(120_000);
    const name = uniqueName('flow');
    const workers = [0, 1, 2, 3].map(() => start([name, 'work', '50']));
    await waitFor(() => workers.every((w) => w.output.includes('READY')), 10_000, 'the workers');
    const producers = [0, 1, 2, 3].map((p) => start([name, 'produce', String(p * 12_500), String((p + 1) * 12_500)]));
    await waitFor(() => producers.every((p) => p.output.includes('DONE')), 60_000, 'the producers');
    const seen = `{${name}}:seen`;
    await waitFor(async () => (await redis.hlen(seen)) === 50_000 && (await redis.zcard(`:q{${name}}:held`)) === 0, 60_000, 'every value handled');
    for (const w of workers) w.process.kill('SIGTERM');
    await Promise.all(workers.map((w) => once(w.process, 'exit')));
    const counts = await redis.hvals(seen);
    assert.equal(counts.length, 50_000);
    assert.ok(
      counts.every((c) => c === '1'),
      'a value was handled twice',
    );
    assert.equal(await redis.llen(`:q{${name}}:list`), 0);
    assert.equal(await redis.zcard(`:q{${name}}:held`), 0);
  });
});

/**
 * Task workers as real processes, on every topology: a round trip through `good-redis worker`
 * (a value, an error result), SIGTERM letting the task in flight finish, and a worker SIGKILLed
 * mid-task whose task is reclaimed and run by another worker process, through Sentinel and on a
 * Cluster too.
 */
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { ResultStore, StreamBroker, type RedisClient } from '../../../src/index.js';
import { runCli, startCli, oneLine, type CliProcess } from '../cli/cli-support.js';
import { childEnv, closeAll, connect, describeEachTopology, uniqueName, waitFor } from '../support.js';

const taskModule = fileURLToPath(new URL('./fixtures/task-module.js', import.meta.url));
const noBroker = fileURLToPath(new URL('./fixtures/no-broker.js', import.meta.url));

describeEachTopology('tasks (real processes)', () => {
  let redis: RedisClient;
  let name: string;
  let results: ResultStore;
  let producer: StreamBroker;
  const workers: CliProcess[] = [];
  const startWorker = (...args: string[]): CliProcess => {
    const worker = startCli(['worker', taskModule, '--log-format', 'json', ...args], { ...childEnv(), TASKS_QUEUE: name });
    workers.push(worker);
    return worker;
  };
  const logged = (worker: CliProcess): Record<string, unknown>[] => worker.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  const started = async (worker: CliProcess): Promise<void> => {
    await waitFor(() => logged(worker).some((l) => l.msg === 'worker started'), 15_000, 'the worker to start');
    // Its first line names the Redis its brokers use (issue 28, item 14), never a password.
    const [first] = logged(worker);
    assert.equal(first?.msg, 'worker started');
    assert.match(String(first.redis), /^(\d+\.\d+\.\d+\.\d+:\d+|the cluster at .+|master \S+ through the sentinels at .+)$/);
  };

  beforeEach(() => {
    redis = connect();
    name = uniqueName('tasks');
    results = new ResultStore(redis);
    producer = new StreamBroker(redis, name, { results });
  });
  afterEach(async () => {
    for (const w of workers.splice(0)) if (w.process.exitCode === null && w.process.signalCode === null) w.process.kill('SIGKILL');
    await results.close();
    await closeAll();
  });

  it('send → good-redis worker → waitResult: a value, an error result; SIGTERM lets the task in flight finish, exit 0', async function () {
    this.timeout(60_000);
    const worker = startWorker('--concurrency', '2');
    await started(worker);
    const sum = await producer.send('add', { a: 2, b: 3 });
    assert.equal((await sum.waitResult({ timeoutMs: 10_000 })).returnValue, 5);
    // Sent by name: the worker applies the task's maxAttempts (1) as it registered it.
    const failed = await (await producer.send('fail', null)).waitResult({ timeoutMs: 10_000 });
    assert.deepEqual([failed.isErr, failed.error?.message], [true, 'always']);
    const slow = await producer.send('slow', { ms: 800 });
    await waitFor(async () => (await redis.llen(`{${name}}:started`)) === 1, 10_000, 'the slow task to start');
    worker.process.kill('SIGTERM');
    const exit = await worker.exited;
    assert.equal(exit.code, 0, exit.stderr);
    const result = await slow.result();
    assert.deepEqual([result.isErr, result.returnValue], [false, worker.process.pid], 'finished and stored before the exit');
    const lines = logged(worker);
    const completed = lines.filter((l) => l.msg === 'task completed').map((l) => l.task);
    assert.deepEqual(completed.sort(), ['add', 'slow']);
    const failure = lines.find((l) => l.msg === 'task failed');
    assert.deepEqual([failure?.task, failure?.error, failure?.attempt, typeof failure?.durationMs], ['fail', 'always', 1, 'number']);
    assert.deepEqual(
      lines.map((l) => l.msg).filter((m) => m === 'stopping' || m === 'worker stopped'),
      ['stopping', 'worker stopped'],
    );
  });

  it('a worker process SIGKILLed mid-task: another worker process reclaims the task when its lease runs out and runs it', async function () {
    this.timeout(60_000);
    const victim = startWorker('--lease', '1s');
    await started(victim);
    const slow = await producer.send('slow', { ms: 1500 });
    await waitFor(async () => (await redis.llen(`{${name}}:started`)) === 1, 10_000, 'the victim to start the task');
    victim.process.kill('SIGKILL');
    await victim.exited;
    const survivor = startWorker('--lease', '1s');
    await started(survivor);
    const result = await slow.waitResult({ timeoutMs: 20_000 });
    assert.equal(result.returnValue, survivor.process.pid);
    assert.equal(result.attempts, 2, 'the crash counted as a delivery');
    assert.deepEqual(await redis.lrange(`{${name}}:started`, 0, -1), [`${String(victim.process.pid)}:1`, `${String(survivor.process.pid)}:2`]);
  });

  it('a module that exports no broker, or cannot be imported, exits 1 with one line', async () => {
    const none = await runCli(['worker', noBroker], childEnv());
    assert.equal(none.code, 1);
    assert.match(oneLine(none.stderr), /exports no task broker/);
    const missing = await runCli(['worker', '/nonexistent/module.js'], childEnv());
    assert.equal(missing.code, 1);
    assert.match(oneLine(missing.stderr), /cannot import \/nonexistent\/module\.js/);
    const named = await runCli(['worker', taskModule, '--broker', 'version'], { ...childEnv(), TASKS_QUEUE: name });
    assert.equal(named.code, 2);
    assert.match(oneLine(named.stderr), /exports no broker named "version"/);
  });
});

/**
 * The worker registry on every topology: every family's Worker beats into it (what it is and
 * what it runs), leaves it when it closes, shows dead once killed (a real process, SIGKILL), is
 * forgotten past the horizon; a pause set in Redis is honoured by every family's Worker (nothing
 * leased until the resume, the running job finishes), and bad input writes nothing.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Registry } from 'prom-client';
import {
  collectMetrics,
  Consumer,
  OBJECT_JOBS_METRIC,
  GoodRedisError,
  Pool,
  PrioritizedStream,
  Producer,
  Queue,
  StreamBroker,
  UniqueQueue,
  Worker,
  WorkerRegistry,
  workerRegistryKeys,
  type ObjectFamily,
  type RedisClient,
  type WorkerInfo,
} from '../../../src/index.js';
import { childEnv, closeAll, connect, describeEachTopology, linesOf, tracker, uniqueName, waitFor } from '../support.js';

const workerProcess = fileURLToPath(new URL('../resilience/fixtures/worker-process.js', import.meta.url));

/** What the test needs of a Worker, whatever its jobs. */
interface AnyWorker {
  readonly id: string;
  readonly paused: boolean;
  close(): Promise<void>;
  on(event: 'paused' | 'resumed', listener: () => void): unknown;
}

/** One object of a family under test: how to add one item and how to start a Worker on it. */
interface Subject {
  readonly family: ObjectFamily;
  readonly name: string;
  add(): Promise<void>;
  work(handler: () => Promise<void> | void): AnyWorker;
}

describeEachTopology('observe: the worker registry, and pausing every family', () => {
  let redis: RedisClient;
  let prefix: string;
  let registry: WorkerRegistry;
  const { track, closeTracked } = tracker();
  const heartbeatMs = 50;
  /** Ends the handlers a test blocks (afterEach too, so a failed test's Workers close). */
  let release: () => void = () => undefined;
  const block = (): Promise<void> => new Promise<void>((resolve) => (release = resolve));

  /** Waits for a write and drops its answer. */
  const settled = async (write: Promise<unknown>): Promise<void> => {
    await write;
  };
  /** One object of each family under the test's prefix. */
  const subjects = (): Subject[] => {
    const options = { heartbeatMs, blockTimeoutMs: 200 };
    const stream = new PrioritizedStream(redis, uniqueName('stream'), { prefix, cooldownMs: 0 });
    // The queue kinds share their names: one name each.
    const queue = track(new Queue(redis, uniqueName('queue'), { prefix }));
    const unique = track(new UniqueQueue(redis, uniqueName('unique'), { prefix }));
    const pool = new Pool(redis, uniqueName('pool'), { prefix });
    const topic = uniqueName('topic');
    const broker = track(new StreamBroker(redis, uniqueName('tasks'), { prefix }));
    let taskHandler: () => Promise<void> | void = () => undefined;
    broker.task('t', () => taskHandler());
    return [
      { family: 'stream', name: stream.name, add: () => settled(stream.add(uniqueName('k'), 'v')), work: (h) => track(new Worker(stream, h, options)) },
      { family: 'queue', name: queue.name, add: () => settled(queue.addItem(uniqueName('v'))), work: (h) => track(new Worker(queue, h, options)) },
      { family: 'unique', name: unique.name, add: () => settled(unique.addItem(uniqueName('v'))), work: (h) => track(new Worker(unique, h, options)) },
      { family: 'pool', name: pool.name, add: () => settled(pool.addItem(uniqueName('v'))), work: (h) => track(new Worker(pool, h, options)) },
      {
        family: 'topic',
        name: topic,
        add: () => settled(new Producer(redis, topic, { partitions: 1, prefix }).send({ value: 'v' })),
        work: (h) => track(new Consumer(redis, topic, { prefix, group: 'g', heartbeatMs: 50, sessionTimeoutMs: 300 })).process(h, options),
      },
      {
        family: 'taskQueue',
        name: broker.name,
        add: () => settled(broker.send('t', null)),
        work: (h) => {
          taskHandler = h;
          return broker.worker(options);
        },
      },
    ];
  };

  const entryOf = async (id: string): Promise<WorkerInfo | undefined> => (await registry.read()).workers.find((w) => w.id === id);
  /** Waits until the worker has beaten `beats` more times than now. */
  const beatsLater = async (id: string, beats: number): Promise<void> => {
    for (let i = 0; i < beats; i += 1) {
      const last = (await entryOf(id))?.lastBeatAt ?? 0;
      await waitFor(async () => ((await entryOf(id))?.lastBeatAt ?? 0) > last, 5000, 'a later beat');
    }
  };

  beforeEach(() => {
    redis = connect();
    prefix = `${uniqueName('wr')}:`;
    registry = new WorkerRegistry(redis, { prefix });
  });
  afterEach(async () => {
    release();
    await closeTracked();
    await closeAll();
  });

  it("lists every family's Worker with what it runs, and drops each one that closes", async () => {
    const blocked = block();
    const started: Subject[] = [];
    const workers = new Map<ObjectFamily, AnyWorker>();
    for (const subject of subjects()) {
      await subject.add();
      workers.set(
        subject.family,
        subject.work(() => blocked),
      );
      started.push(subject);
    }
    await waitFor(async () => (await registry.read()).workers.filter((w) => w.running === 1).length === 6, 10_000, 'six workers running one job each');
    const { workers: listed } = await registry.read();
    for (const subject of started) {
      const worker = workers.get(subject.family);
      const entry = listed.find((w) => w.id === worker?.id);
      assert.ok(entry, `the ${subject.family} worker is listed`);
      assert.deepEqual(
        [entry.family, entry.name, entry.alive, entry.pid, entry.concurrency, entry.heartbeatMs, entry.jobs.length, entry.jobs[0]?.attempt],
        [subject.family, subject.name, true, process.pid, 1, heartbeatMs, 1, 1],
      );
      assert.ok((entry.jobs[0]?.startedAt ?? 0) > 0);
    }
    assert.equal(listed.find((w) => w.family === 'topic')?.group, 'g');
    assert.equal(typeof listed.find((w) => w.family === 'taskQueue')?.jobs[0]?.id, 'string', "a task's id");
    release();
    await waitFor(async () => (await registry.read()).workers.filter((w) => w.completed === 1 && w.running === 0).length === 6, 10_000, 'each one completed');
    const stream = workers.get('stream');
    await stream?.close();
    const after = await registry.read();
    assert.equal(
      after.workers.some((w) => w.id === stream?.id),
      false,
      'a closed worker leaves',
    );
    assert.equal(after.workers.length, 5);
  });

  it("every family's Worker honours a pause set before it starts: it leases nothing until the resume", async () => {
    for (const subject of subjects()) {
      assert.equal(await registry.pause(subject), true);
      assert.equal(await registry.pause(subject), false, 'paused already');
      await subject.add();
      let handled = 0;
      const worker = subject.work(() => void (handled += 1));
      await waitFor(() => worker.paused, 5000, `the ${subject.family} worker to read the pause`);
      await beatsLater(worker.id, 2);
      assert.equal(handled, 0, `the paused ${subject.family} worker leased nothing`);
      assert.equal((await entryOf(worker.id))?.paused, true);
      assert.deepEqual(
        (await registry.read()).paused.map((p) => [p.family, p.name]),
        [[subject.family, subject.name]],
      );
      assert.equal(await registry.resume(subject), true);
      await waitFor(() => handled === 1, 5000, `the ${subject.family} worker to run the job once resumed`);
      assert.equal(worker.paused, false);
      assert.equal(await registry.resume(subject), false, 'not paused any more');
      await worker.close();
    }
  });

  it('a pause lets the running job finish and holds the next one back; the Worker emits paused and resumed', async () => {
    const [stream] = subjects();
    assert.ok(stream);
    await stream.add();
    await stream.add();
    const blocked = block();
    let handled = 0;
    const worker = stream.work(async () => {
      handled += 1;
      await blocked;
    });
    const events: string[] = [];
    worker.on('paused', () => events.push('paused'));
    worker.on('resumed', () => events.push('resumed'));
    await waitFor(() => handled === 1, 5000, 'the first job');
    await registry.pause(stream);
    await waitFor(() => worker.paused, 5000, 'the pause to be read');
    release();
    await waitFor(async () => (await entryOf(worker.id))?.completed === 1, 5000, 'the running job to finish');
    await beatsLater(worker.id, 2);
    assert.equal(handled, 1, 'the second job is held back');
    await registry.resume(stream);
    await waitFor(() => handled === 2, 5000, 'the second job once resumed');
    assert.deepEqual(events, ['paused', 'resumed']);
  });

  it('a worker process killed with SIGKILL shows dead; one silent past the horizon is forgotten by the next beat', async function () {
    this.timeout(30_000);
    const name = uniqueName('killed');
    const shared = new WorkerRegistry(redis); // the fixture's objects have no prefix
    const child = spawn(process.execPath, [workerProcess, name, 'hang', '30000', '1', '100'], { stdio: ['ignore', 'pipe', 'inherit'], env: childEnv() });
    const output = linesOf(child.stdout);
    try {
      await waitFor(() => output.includes('READY'), 10_000, 'the worker process');
      await new PrioritizedStream(redis, name).add('job-1', 'x');
      await waitFor(() => output.some((l) => l.startsWith('LEASED job-1')), 10_000, 'the job to be leased');
      const mine = async (): Promise<WorkerInfo | undefined> => (await shared.read()).workers.find((w) => w.name === name);
      await waitFor(async () => (await mine())?.running === 1, 5000, 'its beat with the job');
      assert.deepEqual([(await mine())?.pid, (await mine())?.jobs[0]?.id, (await mine())?.alive], [child.pid, 'job-1', true]);
      child.kill('SIGKILL');
      await waitFor(async () => (await mine())?.alive === false, 10_000, 'the killed worker to show dead');
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    // A worker silent for longer than the horizon (a minute at least) goes at the next beat of any worker.
    const keys = workerRegistryKeys(prefix);
    const [seconds] = await redis.time();
    await redis.hset(keys.info, 'ghost', JSON.stringify({ id: 'ghost', family: 'stream', name: 'gone', heartbeatMs: 1000, jobs: [] }));
    await redis.zadd(keys.beats, Number(seconds) * 1000 - 61_000, 'ghost');
    assert.equal((await registry.read()).workers.find((w) => w.id === 'ghost')?.alive, false);
    const [subject] = subjects();
    assert.ok(subject);
    const worker = subject.work(() => undefined);
    await waitFor(async () => (await entryOf(worker.id)) !== undefined, 5000, 'a beat');
    assert.equal(await redis.zscore(keys.beats, 'ghost'), null);
    assert.equal(await redis.hexists(keys.info, 'ghost'), 0);
  });

  it("adds up what each object's Workers finished in Redis (across workers and restarts), exported to /metrics; each worker lists its last jobs", async () => {
    const stream = new PrioritizedStream(redis, uniqueName('totals'), { prefix, cooldownMs: 0 });
    await stream.addMany(['ok-1', 'ok-2', 'ok-3', 'bad-1', 'bad-2'].map((key) => [key, 'v', 1] as const));
    const handler = (job: { key: string }): void => {
      if (job.key.startsWith('bad')) throw new Error('no');
    };
    const options = { heartbeatMs, blockTimeoutMs: 200, maxAttempts: 1, concurrency: 2 };
    const first = [track(new Worker(stream, handler, options)), track(new Worker(stream, handler, options))];
    const totalsOf = async (): Promise<unknown> => {
      const t = (await registry.read()).totals.find((row) => row.name === stream.name);
      return t === undefined ? undefined : [t.family, t.completed, t.failed, t.dead];
    };
    await waitFor(async () => JSON.stringify(await totalsOf()) === JSON.stringify(['stream', 3, 2, 2]), 10_000, 'the totals of five jobs');
    const recent = (await registry.read()).workers.flatMap((w) => w.recent.map((r) => `${r.id ?? ''}:${r.outcome}`));
    assert.deepEqual(recent.sort(), ['bad-1:dead', 'bad-2:dead', 'ok-1:completed', 'ok-2:completed', 'ok-3:completed']);
    for (const worker of first) await worker.close();
    await stream.addMany([
      ['ok-4', 'v', 1],
      ['ok-5', 'v', 1],
    ]);
    const again = track(new Worker(stream, handler, options));
    await waitFor(async () => JSON.stringify(await totalsOf()) === JSON.stringify(['stream', 5, 2, 2]), 10_000, 'the totals after a restart');
    await again.close();
    const metrics = new Registry();
    collectMetrics(metrics, { client: redis, prefix });
    const text = await metrics.metrics();
    for (const [outcome, n] of [
      ['completed', 5],
      ['failed', 2],
      ['dead', 2],
    ] as const) {
      assert.ok(
        text.includes(`${OBJECT_JOBS_METRIC}{family="stream",name="${stream.name}",outcome="${outcome}"} ${String(n)}`),
        `${outcome} ${String(n)} in:\n${text}`,
      );
    }
  });

  it('refuses an unknown family or a bad name, writing nothing', async () => {
    const keys = workerRegistryKeys(prefix);
    for (const bad of [{ family: 'nope', name: 'x' }, { family: 'stream', name: '' }, null] as unknown as Parameters<WorkerRegistry['pause']>[0][]) {
      await assert.rejects(
        () => registry.pause(bad),
        (e) => GoodRedisError.is(e, 'InvalidArgument'),
      );
    }
    assert.equal(await redis.exists(keys.paused), 0);
    assert.throws(
      () => new WorkerRegistry(redis, { prefix: '{x}' }),
      (e) => GoodRedisError.is(e, 'InvalidArgument'),
    );
    assert.throws(
      () => new Worker(new PrioritizedStream(redis, 's'), () => undefined, { heartbeatMs: -1, autorun: false }),
      (e) => GoodRedisError.is(e, 'InvalidArgument'),
    );
  });
});

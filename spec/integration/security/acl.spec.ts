/**
 * Least-privilege ACL users, one per role, made from `aclRule()` (the reader's from what
 * `good-redis acl reader` prints) on a server the suite starts
 * (it creates users, so never on a shared one): (a) each role's operations work for every family
 * (the producer adds and sends and waits for results, the worker runs Workers, consumers and
 * task workers, the daemon sweeps, reaps and fires schedules, the reader serves the read-only
 * dashboard, the metrics and the CLI's listings), (b) a write outside the role is refused with
 * a `Permission` error and writes nothing. A failure prints the server's ACL LOG.
 */
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import {
  aclRule,
  Consumer,
  createDashboard,
  Expirer,
  GoodRedisError,
  ListQueueBroker,
  Producer,
  QueueRegistry,
  ResultStore,
  Scheduler,
  StreamBroker,
  StreamRegistry,
  Worker,
  WorkerRegistry,
  type AclRole,
} from '../../../src/index.js';
import { startThrowawayRedis, type ThrowawayRedis } from '../../../scripts/throwaway-redis.js';
import { runCli } from '../cli/cli-support.js';
import { fetchAndAck, waitFor } from '../support.js';

const PREFIX = 'app:';

describe('ACL roles (a server of the suite’s own)', function () {
  this.timeout(60_000);
  let server: ThrowawayRedis;
  let admin: Redis;
  const clients: Redis[] = [];
  const closers: (() => Promise<unknown>)[] = [];

  before(async () => {
    server = await startThrowawayRedis();
    admin = new Redis(server.url);
    for (const role of ['producer', 'worker', 'daemon'] as const) {
      await admin.call('ACL', 'SETUSER', role, 'reset', 'on', `>${role}-secret`, ...aclRule(role, { prefix: PREFIX }));
    }
    // The reader from what `good-redis acl` prints, with a password added.
    const printed = await runCli(['acl', 'reader', '--prefix', PREFIX], { ...process.env });
    assert.equal(printed.code, 0, printed.stderr);
    const [acl, setuser, user, ...rest] = printed.stdout.trim().split(' ');
    assert.deepEqual([acl, setuser, user, rest.slice(0, 2)], ['ACL', 'SETUSER', 'reader', ['reset', 'on']]);
    assert.deepEqual(rest.slice(2), aclRule('reader', { prefix: PREFIX }));
    await admin.call('ACL', 'SETUSER', 'reader', ...rest, '>reader-secret');
  });
  afterEach(async function () {
    for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
    for (const client of clients.splice(0)) client.disconnect();
    if (this.currentTest?.state === 'failed') console.log('ACL LOG:', JSON.stringify(await admin.call('ACL', 'LOG', '20')));
    await admin.call('ACL', 'LOG', 'RESET');
  });
  after(async () => {
    admin.disconnect();
    await server.stop();
  });

  /** A connection as the role's user. */
  const as = (role: AclRole): Redis => {
    const client = new Redis(server.url, { username: role, password: `${role}-secret`, maxRetriesPerRequest: 1 });
    clients.push(client);
    return client;
  };
  const closing = <C extends { close(): Promise<unknown> }>(made: C): C => {
    closers.push(() => made.close());
    return made;
  };
  const denied = (err: unknown): boolean => GoodRedisError.is(err, 'Permission');
  /** No command was refused: the ACL LOG is empty. */
  const nothingRefused = async (): Promise<void> => {
    assert.deepEqual(await admin.call('ACL', 'LOG'), [], 'the ACL LOG');
  };

  it('a producer adds to every family and waits for a result; a worker does the work; a daemon sweeps, reaps and fires', async () => {
    const producer = as('producer');
    const worker = as('worker');
    const daemon = as('daemon');
    // Produce.
    const streams = new StreamRegistry(producer, { prefix: PREFIX });
    await streams.stream('crawl').addMany([
      ['a', 'x', 2],
      ['b', 'y', 1],
    ]);
    await streams.stream('crawl').add('c', 'z', 1, { delayMs: 1 });
    const queues = new QueueRegistry(producer, { prefix: PREFIX });
    await closing(queues.queue('mail')).addItems(['m1', 'm2']);
    await closing(queues.uniqueQueue('once')).addItems(['u1']);
    await queues.pool('feeds').addItems(['f1']);
    await new Producer(producer, 'orders', { prefix: PREFIX, partitions: 2 }).sendMany([0, 1, 2].map((i) => ({ value: String(i), partition: i % 2 })));
    const results = closing(new ResultStore(producer, { prefix: PREFIX }));
    const tasks = closing(new StreamBroker(producer, 'jobs', { prefix: PREFIX, results }));
    const handle = await tasks.task('add', (args: { a: number; b: number }) => args.a + args.b).send({ a: 2, b: 3 });
    await closing(new ListQueueBroker(producer, 'list-jobs', { prefix: PREFIX }))
      .task('noop', () => null)
      .send(null);
    await tasks.schedules.add({ id: 'now', task: 'add', at: 0, args: { a: 1, b: 1 } });
    await nothingRefused();

    // Work: a Worker per family, a consumer group, task workers storing results.
    const seen: string[] = [];
    const workerStreams = new StreamRegistry(worker, { prefix: PREFIX });
    closing(new Worker(workerStreams.stream('crawl'), (job) => void seen.push(`stream:${job.key}`), { blockTimeoutMs: 100 }));
    const workerQueues = new QueueRegistry(worker, { prefix: PREFIX });
    closing(new Worker(closing(workerQueues.queue('mail')), (job) => void seen.push(`queue:${job.value}`), { blockTimeoutMs: 100 }));
    closing(new Worker(workerQueues.pool('feeds'), (job) => void seen.push(`pool:${job.value}`), { blockTimeoutMs: 100 }));
    const consumer = closing(new Consumer<string>(worker, 'orders', { prefix: PREFIX, group: 'billing', heartbeatMs: 50, sessionTimeoutMs: 300 }));
    const workerResults = closing(new ResultStore(worker, { prefix: PREFIX }));
    const workerTasks = closing(new StreamBroker(worker, 'jobs', { prefix: PREFIX, results: workerResults }));
    workerTasks.task('add', (args: { a: number; b: number }) => args.a + args.b);
    closing(workerTasks.worker({ blockTimeoutMs: 100 }));
    assert.equal((await handle.waitResult({ timeoutMs: 10_000 })).returnValue, 5, 'the producer waits for the result the worker stored');
    const orders = await fetchAndAck(consumer, 3);
    assert.deepEqual(orders.sort(), ['0', '1', '2']);
    await waitFor(() => seen.length >= 5, 10_000, `the Workers' jobs (${seen.join(', ')})`);
    assert.deepEqual(seen.filter((s) => !s.startsWith('stream:c')).sort(), ['pool:f1', 'queue:m1', 'queue:m2', 'stream:a', 'stream:b']);

    // Maintain: the Expirer sweeps streams, a queue's reaper runs, the scheduler fires.
    const sweep = await new Expirer(new StreamRegistry(daemon, { prefix: PREFIX })).sweepOnce();
    assert.ok(sweep.streams >= 1, JSON.stringify(sweep));
    assert.equal(await closing(new QueueRegistry(daemon, { prefix: PREFIX }).queue('mail')).reEnqueueTimeoutItems(), 0);
    assert.equal(await new Scheduler(closing(new StreamBroker(daemon, 'jobs', { prefix: PREFIX }))).tick(), 1);
    await nothingRefused();
  });

  it('a reader serves the read-only dashboard, the metrics and the CLI listings', async () => {
    const producer = as('producer');
    await new StreamRegistry(producer, { prefix: PREFIX }).stream('crawl').add('k', 'v', 1);
    await closing(new QueueRegistry(producer, { prefix: PREFIX }).queue('mail')).addItems(['m']);
    await new Producer(producer, 'orders', { prefix: PREFIX }).send({ value: 'o' });
    await closing(new StreamBroker(producer, 'jobs', { prefix: PREFIX }))
      .task('t', () => null)
      .send(null);
    const reader = as('reader');
    const dashboard = createDashboard({ client: reader, prefix: PREFIX, readOnly: true });
    closers.push(() => {
      dashboard.close();
      return Promise.resolve();
    });
    for (const path of [
      '/',
      '/metrics',
      '/workers',
      '/api/objects',
      '/objects/stream/crawl',
      '/objects/queue/mail',
      '/objects/topic/orders',
      '/objects/taskQueue/jobs',
    ]) {
      const response = await dashboard.fetch(new Request(`http://localhost${path}`));
      assert.equal(response.status, 200, `${path}: ${await response.text()}`);
    }
    const env = { ...process.env, REDIS_URL: server.url, REDIS_USERNAME: 'reader', REDIS_PASSWORD: 'reader-secret', GOOD_REDIS_PREFIX: PREFIX };
    for (const command of [['streams'], ['queues'], ['topics'], ['tasks'], ['workers']]) {
      const run = await runCli(command, env);
      assert.equal(run.code, 0, `${command.join(' ')}: ${run.stderr}`);
    }
    await nothingRefused();
  });

  it('a write outside the role is refused with a Permission error and writes nothing', async () => {
    const before = await admin.dbsize();
    // The reader writes nothing at all.
    await assert.rejects(new StreamRegistry(as('reader'), { prefix: PREFIX }).stream('crawl').add('k', 'v', 1), denied);
    await assert.rejects(closing(new QueueRegistry(as('reader'), { prefix: PREFIX }).queue('mail')).addItems(['m']), denied);
    // No role touches another prefix's keys.
    for (const role of ['producer', 'worker', 'daemon'] as const) {
      await assert.rejects(new StreamRegistry(as(role), { prefix: 'other:' }).stream('crawl').add('k', 'v', 1), denied, role);
    }
    // Only workers write the worker registry (a pause is such a write) and task results.
    for (const role of ['producer', 'daemon'] as const) {
      await assert.rejects(new WorkerRegistry(as(role), { prefix: PREFIX }).pause({ family: 'stream', name: 'crawl' }), denied, role);
    }
    await assert.rejects(closing(new ResultStore(as('daemon'), { prefix: PREFIX })).delete('some-task'), denied);
    // Channels: the daemon may publish a pub/sub broker's scheduled tasks, not the results' notices.
    await assert.rejects(as('daemon').publish(`${PREFIX}:tr{some-task}:done`, '1'), /NOPERM/);
    assert.equal(await as('daemon').publish(`${PREFIX}:tq{broadcast}:channel`, '1'), 0);
    assert.equal(await admin.dbsize(), before, 'nothing written');
  });
});

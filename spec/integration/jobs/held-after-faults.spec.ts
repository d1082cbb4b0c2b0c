/**
 * A Worker that is idle holds nothing (issue 28, item 8), for every family, after its
 * connections were killed again and again mid-run (`CLIENT KILL` of every connection but the
 * test's own, on every master): every job runs at least once, and once the Workers are idle
 * nothing stays held, pending or leased. Queue deliveries have no lease, so a queue consumer
 * settles again a settle whose outcome stayed unknown and, at each heartbeat, hands back a
 * delivery Redis holds for it that it no longer runs (an ack a failover lost is shown here by
 * writing the delivery back after its ack). On every topology.
 */
import assert from 'node:assert/strict';
import {
  Consumer,
  Pool,
  PrioritizedStream,
  Producer,
  Queue,
  StreamBroker,
  Topic,
  UniqueQueue,
  Worker,
  type JobSource,
  type RedisClient,
  type SourceJob,
} from '../../../src/index.js';
import { connect, describeEachTopology, masters, uniqueName, waitFor, trackEach } from '../support.js';

/** How many jobs each run moves, and how many times its connections are killed. */
const JOBS = 300;
const KILLS = 6;

describeEachTopology('a Worker that is idle holds nothing, after its connections were killed mid-run (issue 28)', () => {
  let redis: RedisClient;
  let admin: RedisClient;
  const { track } = trackEach();

  beforeEach(() => {
    redis = connect();
    admin = connect();
  });

  /** Kills every normal connection but the admin's, on every master, `KILLS` times while `running()`. */
  async function killWhile(running: () => boolean): Promise<number> {
    let kills = 0;
    while (running() && kills < KILLS) {
      await new Promise((resolve) => setTimeout(resolve, 40));
      for (const node of await masters(admin)) await node.client('KILL', 'TYPE', 'normal', 'SKIPME', 'yes');
      kills += 1;
    }
    return kills;
  }

  /**
   * Runs `JOBS` jobs of `source` through two Workers of 10 slots while the connections are killed,
   * then waits until every job ran and `held()` is 0 with the Workers idle.
   */
  async function runThroughKills<J extends SourceJob>(
    source: { jobSource(): JobSource<J> },
    idOf: (job: J) => string,
    held: () => Promise<number>,
    options: { leaseMs?: number } = {},
  ): Promise<void> {
    const ran = new Set<string>();
    for (let w = 0; w < 2; w++) {
      const worker = track(
        new Worker<unknown, unknown, J>(
          source,
          async (job) => {
            ran.add(idOf(job));
            await new Promise((resolve) => setTimeout(resolve, 20)); // a run long enough for the kills to land mid-run
          },
          { concurrency: 10, leaseMs: options.leaseMs ?? 1000, backoff: 50, heartbeatMs: 0, blockTimeoutMs: 200 },
        ),
      );
      worker.on('error', () => undefined); // the kills make connection errors
    }
    const kills = await killWhile(() => ran.size < JOBS);
    assert.equal(kills, KILLS, 'the connections were killed mid-run');
    await waitFor(() => ran.size === JOBS, 20_000, `every job to run (${String(ran.size)} of ${String(JOBS)}, ${String(kills)} kills)`);
    await waitFor(async () => (await held()) === 0, 10_000, 'nothing held once the Workers are idle');
  }

  const values = (): string[] => Array.from({ length: JOBS }, (_, i) => `v${String(i)}`);

  for (const Kind of [Queue, UniqueQueue]) {
    it(`a ${Kind.name}: every value runs, and nothing is held by the live consumer once its Workers are idle`, async () => {
      const queue = track(new Kind(redis, uniqueName('held'), { heartbeatMs: 200, consumerTimeoutMs: 60_000 }));
      queue.on('error', () => undefined); // the kills make its heartbeats fail now and then
      await queue.addItems(values());
      await runThroughKills(
        queue,
        (job) => job.value,
        async () => (await queue.stats()).processing,
      );
      assert.deepEqual(await queue.stats().then((s) => [s.waiting, s.processing]), [0, 0]);
    });
  }

  it('a Queue: an ack whose connection dropped before it ran is sent again until it answers: the value runs once and nothing stays held', async () => {
    const queue = track(new Queue(redis, uniqueName('held'), { heartbeatMs: 60_000, consumerTimeoutMs: 300_000 }));
    await queue.addItems(['v']);
    const runs: string[] = [];
    let finish!: () => void;
    const finishing = new Promise<void>((resolve) => (finish = resolve));
    const worker = track(
      new Worker(
        queue,
        async (job) => {
          runs.push(job.value);
          await finishing;
        },
        { heartbeatMs: 0 },
      ),
    );
    const errors: unknown[] = [];
    worker.on('error', (err) => errors.push(err));
    await waitFor(() => runs.length === 1, 5000, 'the job to start');
    // Writes wait on every master; the ack goes out and waits; its connection is killed before it runs.
    const nodes = await masters(admin);
    for (const node of nodes) await node.client('PAUSE', 10_000, 'WRITE');
    try {
      finish();
      await waitFor(async () => (await Promise.all(nodes.map((n) => n.client('LIST')))).join('\n').includes('cmd=eval'), 5000, 'the ack to wait');
      for (const node of nodes) await node.client('KILL', 'TYPE', 'normal', 'SKIPME', 'yes');
    } finally {
      for (const node of nodes) await node.client('UNPAUSE');
    }
    await waitFor(() => errors.length > 0, 5000, 'the Connection error of the ack');
    // The heartbeat is a minute away: the ack sent again settles it, not a hand-back.
    await waitFor(async () => (await queue.stats()).processing === 0, 5000, 'nothing held');
    assert.deepEqual(runs, ['v'], 'acked, not run again');
    assert.equal((await queue.stats()).waiting, 0);
  });

  it('a Queue: a delivery Redis still holds after its ack (a failover lost the ack) is handed back at the next heartbeat and runs again', async () => {
    const queue = track(new Queue(redis, uniqueName('held'), { heartbeatMs: 200, consumerTimeoutMs: 60_000 }));
    await queue.addItems(['once']);
    const runs: string[] = [];
    let lost: { member: string; stored: string } | undefined;
    track(
      new Worker(queue, async (job) => {
        runs.push(job.value);
        // What the failed-over master will still hold of this delivery once it is acked.
        const stored = await redis.hget(queue.redisKeys.deliveries, job.id);
        if (lost === undefined && stored !== null) lost = { member: job.id, stored };
      }),
    );
    await waitFor(async () => runs.length === 1 && (await queue.stats()).processing === 0, 5000, 'the run and its ack');
    assert.ok(lost !== undefined);
    await redis.zadd(queue.redisKeys.held, 0, lost.member);
    await redis.hset(queue.redisKeys.deliveries, lost.member, lost.stored);
    await waitFor(() => runs.length === 2, 5000, 'the lost delivery handed back and run again');
    await waitFor(async () => (await queue.stats()).processing === 0, 5000, 'nothing held');
    assert.deepEqual(runs, ['once', 'once']);
  });

  it('a prioritized stream: every item runs, no lease is left once its Workers are idle', async () => {
    const stream = new PrioritizedStream(redis, uniqueName('held'), { cooldownMs: 0 });
    await stream.addMany(values().map((v) => [v, v] as const));
    await runThroughKills(
      stream,
      (job) => job.key,
      async () => (await redis.zcard(stream.redisKeys.leases)) + (await stream.len()),
    );
  });

  it('a pool: every item runs, no lease is left once its Workers are idle', async () => {
    const pool = new Pool(redis, uniqueName('held'), { ackValidForMs: 3_600_000 });
    await pool.addItems(values());
    await runThroughKills(
      pool,
      (job) => job.value,
      async () => (await pool.stats()).leased,
    );
  });

  it('a topic: every message runs, nothing is pending once its Workers are idle', async () => {
    const name = uniqueName('held');
    const topic = new Topic(redis, name);
    await topic.ensure(4);
    await topic.createGroup('g');
    await new Producer(redis, name).sendMany(values().map((value) => ({ key: value, value })));
    const consumer = track(new Consumer<string>(redis, name, { group: 'g', heartbeatMs: 200, sessionTimeoutMs: 5000, leaseMs: 1000, ordering: 'none' }));
    consumer.on('error', () => undefined);
    await runThroughKills(
      consumer,
      (message) => message.value,
      async () => (await topic.describeGroup('g')).partitions.reduce((n, p) => n + p.pending, 0),
    );
  });

  // (A ListQueueBroker takes at most once: what a kill interrupts is lost, as it says; it holds nothing.)
  for (const Broker of [StreamBroker]) {
    it(`a ${Broker.name}: every task runs, nothing is pending once its Workers are idle`, async () => {
      const broker = track(new Broker(redis, uniqueName('held')));
      await broker.task('t', () => undefined).sendMany(values().map((v) => ({ args: v })));
      await runThroughKills(
        broker,
        (job) => String(job.message.args),
        async () => (await broker.stats()).active + (await broker.stats()).waiting,
      );
    });
  }
});

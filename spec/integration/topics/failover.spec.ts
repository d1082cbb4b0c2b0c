/**
 * A topic through a Redis Cluster master killed with SIGKILL (issue 28, item 16), on a private
 * Cluster: producers and two consuming members on 6 partitions spread over the 3 masters; one
 * master is killed, its replica takes over; once the producers stop, each partition is watched
 * for longer than the message lease, and must drain: every message the producers were told was
 * sent is processed (a healthy shard loses none; the killed shard may lose only what its master
 * confirmed before the takeover and never replicated), nothing stays pending, and the reported
 * lag comes back to 0 (a promoted replica's `XINFO GROUPS` lag can stay behind). It found that a
 * fetch failing on the killed shard threw away the units the fetches of the healthy partitions had
 * made in the same call: those entries stayed pending, counted in flight by the consumer, and
 * their partitions were never fetched again.
 */
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { Consumer, Producer, Topic, Worker } from '../../../src/index.js';
import { selectedTopologies } from '../../../scripts/topologies.js';
import { masterOfSlot, ownerOf, privateCluster, slotOf, waitFor } from '../support.js';

/** The message lease of the members: the drain is watched for longer than this. */
const LEASE_MS = 2000;

(selectedTopologies().includes('cluster') ? describe : describe.skip)('topics: a Cluster master killed during produce/consume (issue 28)', () => {
  const cluster = privateCluster();

  it('every partition drains within the lease after the takeover: nothing pending, lag back to 0, no confirmed message lost on a healthy shard', async function () {
    this.timeout(120_000);
    const client = cluster.client();
    const name = 'orders';
    const topic = new Topic(client, name);
    await topic.ensure(6);
    await topic.createGroup('g');
    const shardOf = Array.from({ length: 6 }, (_, p) => masterOfSlot(slotOf(`${name}#${String(p)}`)));
    assert.equal(new Set(shardOf).size, 3, `the partitions spread over the masters: ${shardOf.join(',')}`);

    /** Messages a send confirmed, by value, with their partition; and the takeover's line. */
    const confirmed = new Map<string, number>();
    const processed = new Map<string, number>();
    const consumers = [0, 1].map(
      (i) => new Consumer<string>(client, name, { group: 'g', memberId: `m${String(i)}`, heartbeatMs: 300, sessionTimeoutMs: 3000, leaseMs: LEASE_MS }),
    );
    const workers = consumers.map((c) => {
      c.on('error', () => undefined);
      const w = new Worker(
        c,
        (m) => {
          processed.set(m.value, (processed.get(m.value) ?? 0) + 1);
        },
        { concurrency: 8, blockTimeoutMs: 500, heartbeatMs: 0, leaseMs: LEASE_MS },
      );
      w.on('error', () => undefined);
      return w;
    });
    const producer = new Producer<string>(client, name);
    let stop = false;
    let sent = 0;
    const produce = async (): Promise<void> => {
      while (!stop) {
        const value = `m${String(sent++)}`;
        try {
          const { partition } = await producer.send({ key: value, value });
          confirmed.set(value, partition);
        } catch {
          // unknown outcome (the kill): not counted as confirmed
        }
      }
    };
    const producers = Promise.all([produce(), produce()]);
    await waitFor(() => processed.size >= 300, 20_000, 'the loops to get going');

    const victimIndex = shardOf[0] ?? 0;
    const victim = cluster.topology.nodes[victimIndex];
    assert.ok(victim);
    const victimSlot = slotOf(`${name}#0`);
    await victim.kill();
    const witness = new Redis(cluster.topology.nodes[(victimIndex + 1) % 3]?.port ?? 0, '127.0.0.1', { lazyConnect: true });
    try {
      await waitFor(async () => ownerOf(await witness.cluster('SLOTS'), victimSlot) !== victim.port, 30_000, 'the replica to take over');
    } finally {
      witness.disconnect();
    }
    const confirmedBeforeTakeover = new Set(confirmed.keys());
    const processedAtTakeover = processed.size;
    await waitFor(() => processed.size >= processedAtTakeover + 300, 30_000, 'work after the takeover');
    stop = true;
    await producers;

    // Watched for longer than the message lease: every partition drains.
    const onHealthy = (value: string): boolean => shardOf[confirmed.get(value) ?? 0] !== victimIndex;
    const missing = (): string[] => [...confirmed.keys()].filter((v) => !processed.has(v));
    await waitFor(() => missing().every((v) => !onHealthy(v) && confirmedBeforeTakeover.has(v)), 3 * LEASE_MS + 10_000, 'every confirmed message processed');
    await waitFor(
      async () => (await topic.describeGroup('g')).partitions.every((p) => p.pending === 0 && p.lag === 0),
      3 * LEASE_MS + 10_000,
      'every partition drained: nothing pending, lag 0',
    );
    const lost = missing();
    for (const v of lost) assert.ok(!onHealthy(v) && confirmedBeforeTakeover.has(v), `${v} was lost, not on the killed shard before the takeover`);
    const twice = [...processed.values()].filter((n) => n > 1).length;
    console.log(
      `      master ${String(victim.port)} killed; ${String(confirmed.size)} confirmed sends, ${String(processed.size)} processed (${String(twice)} more than once), ${String(lost.length)} lost on the killed shard`,
    );
    await Promise.all(workers.map((w) => w.close()));
    await Promise.all(consumers.map((c) => c.close()));
  });
});

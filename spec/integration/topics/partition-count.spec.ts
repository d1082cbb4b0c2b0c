/**
 * A topic's partition count is its owner's to choose (issue 28, item 7): a Consumer never
 * creates its topic (it waits for it, says so once, and joins when it appears), a Producer
 * creates a missing topic only when it was given `partitions`, and `ensure(n)` refuses a topic
 * that has fewer than `n` partitions instead of keeping them silently. On every topology.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { Consumer, GoodRedisError, Producer, Topic, Worker, WorkerRegistry, type RedisClient } from '../../../src/index.js';
import { connect, describeEachTopology, keysMatching, uniqueName, waitFor, trackEach } from '../support.js';

describeEachTopology("topics: the partition count is the owner's to choose (issue 28)", () => {
  let redis: RedisClient;
  let name: string;
  const { track } = trackEach();

  beforeEach(() => {
    redis = connect();
    name = uniqueName('topic');
  });

  it('Consumers started before the topic exists wait for it (said once), create nothing, and split its partitions once ensure(4) made it', async () => {
    const warnings: string[] = [];
    const logger = { debug: () => undefined, info: () => undefined, warn: (_f: unknown, m: string) => warnings.push(m), error: () => undefined };
    const members = [0, 1].map((i) =>
      track(new Consumer<string>(redis, name, { group: 'g', memberId: `m${String(i)}`, heartbeatMs: 50, sessionTimeoutMs: 300, logger })),
    );
    const [first] = members;
    assert.ok(first);
    const waiting = once(first, 'waiting');
    const got = new Map<string, Set<number>>();
    const workers = members.map((c) =>
      track(
        new Worker(
          c,
          (m) => {
            const seen = got.get(c.memberId) ?? new Set<number>();
            seen.add(m.partition);
            got.set(c.memberId, seen);
          },
          { heartbeatMs: 100, blockTimeoutMs: 200 },
        ),
      ),
    );
    const [reason] = (await waiting) as [string];
    assert.match(reason, /does not exist yet/);
    // Waiting looks again every heartbeat: it has written nothing of the topic.
    await waitFor(
      async () => (await new WorkerRegistry(redis).read()).workers.filter((w) => w.name === name && w.waiting !== undefined).length === 2,
      5000,
      'both workers shown waiting',
    );
    assert.deepEqual(await keysMatching(redis, `*{${name}*`), [], 'a waiting consumer writes nothing of the topic');
    assert.equal(warnings.filter((w) => w.includes('does not exist yet')).length, 2, 'said once per consumer');

    assert.equal(await new Topic(redis, name).ensure(4), 4);
    await waitFor(() => members.every((c) => c.assignment().length === 2), 5000, 'two partitions each');
    const producer = new Producer<string>(redis, name);
    await producer.sendMany(Array.from({ length: 40 }, (_, i) => ({ key: `k${String(i)}`, value: String(i) })));
    await waitFor(() => [...got.values()].reduce((n, s) => n + s.size, 0) === 4, 5000, 'every partition consumed');
    assert.equal(got.size, 2, 'both members got messages');
    await waitFor(
      async () => (await new WorkerRegistry(redis).read()).workers.filter((w) => w.name === name && w.waiting === undefined).length === 2,
      5000,
      'no worker waiting any more',
    );
    await Promise.all(workers.map((w) => w.close()));
    assert.equal(warnings.length, 2);
  });

  it('a Producer without partitions refuses a missing topic with Configuration (naming ensure) and writes nothing; with them it creates it', async () => {
    const err = await new Producer(redis, name).send({ value: 'v' }).catch((e: unknown) => e);
    assert.ok(GoodRedisError.is(err, 'Configuration'), String(err));
    assert.match(err.message, /does not exist.*ensure\(partitions\).*partitions option/);
    assert.deepEqual(await keysMatching(redis, `*{${name}*`), []);
    assert.equal(await new Topic(redis, name).partitions(), 0);

    await new Producer(redis, name, { partitions: 3 }).send({ value: 'v' });
    assert.equal(await new Topic(redis, name).partitions(), 3);
    // An existing topic keeps its count whatever a later producer was given.
    await new Producer(redis, name, { partitions: 8 }).send({ value: 'w' });
    await new Producer(redis, name).send({ value: 'x' });
    assert.equal(await new Topic(redis, name).partitions(), 3);
  });

  it('ensure(n) on a topic with fewer partitions fails with Configuration naming both counts and increasePartitions, and changes nothing', async () => {
    const topic = new Topic(redis, name);
    assert.equal(await topic.ensure(1), 1);
    const err = await topic.ensure(4).catch((e: unknown) => e);
    assert.ok(GoodRedisError.is(err, 'Configuration'), String(err));
    assert.match(err.message, /has 1 partition, not 4.*increasePartitions\(4\)/);
    assert.equal(await topic.partitions(), 1);
    assert.equal(await topic.ensure(1), 1, 'as many as asked: fine');
    assert.equal(await topic.increasePartitions(4), 4);
    assert.equal(await topic.ensure(2), 4, 'more than asked: fine, never lowered');
  });

  it('a consumer closed while it waits for its topic leaves nothing behind', async () => {
    const c = new Consumer<string>(redis, name, { group: 'g', heartbeatMs: 50, sessionTimeoutMs: 300 });
    const waiting = once(c, 'waiting');
    const joined = c.join().then(
      () => 'joined',
      (e: unknown) => e,
    );
    await waiting;
    await c.close();
    const outcome = await joined;
    assert.ok(GoodRedisError.is(outcome, 'InvalidArgument'), String(outcome));
    assert.deepEqual(await keysMatching(redis, `*{${name}*`), []);
  });
});

/**
 * The metrics of every family on every topology: a known set of objects (a prioritized stream, a
 * queue, a unique queue, a pool, a topic, a task queue) under a prefix of their own, scraped from
 * a prom-client registry and read back with a Prometheus text-format parser, each count exact.
 */
import assert from 'node:assert/strict';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { Registry } from 'prom-client';
import {
  collectMetrics,
  GoodRedisError,
  ITEMS_METRIC,
  OBJECT_ADDED_METRIC,
  OBJECTS_METRIC,
  Producer,
  QueueRegistry,
  StreamBroker,
  StreamRegistry,
  TopicRegistry,
  type RedisClient,
} from '../../../src/index.js';
import { closeAll, connect, describeEachTopology, uniqueName } from '../support.js';

/** The samples of one metric, by their labels joined `family/name/state`. */
function samplesOf(text: string, metric: string): Map<string, number> {
  const families = parsePrometheusTextFormat(text);
  const family = families.find((f) => f.name === metric);
  assert.ok(family, `${metric} is in the scrape`);
  const out = new Map<string, number>();
  for (const sample of family.metrics) out.set(Object.values(sample.labels ?? {}).join('/'), Number(sample.value));
  return out;
}

describeEachTopology('observe: metrics of every family', () => {
  let redis: RedisClient;
  beforeEach(() => {
    redis = connect();
  });
  afterEach(async () => {
    await closeAll();
  });

  it('/metrics carries the exact counts of a known set of objects of every family, and the objects per family', async () => {
    const prefix = `${uniqueName('obs')}:`;
    const stream = new StreamRegistry(redis, { prefix }).stream('crawl');
    await stream.addMany([
      ['a', 'x', 3],
      ['b', 'y', 2],
      ['c', 'z', 1],
    ]);
    assert.equal((await stream.pull({ count: 1 })).length, 1); // one cooling, two waiting
    const queues = new QueueRegistry(redis, { prefix });
    const queue = queues.queue('mail');
    await queue.addItems(['m1', 'm2', 'm3']);
    assert.equal((await queue.getItems(1)).length, 1); // one held by a consumer
    await queues.uniqueQueue('once').addItems(['u1', 'u2']);
    const pool = queues.pool('proxies');
    await pool.addItems(['p1', 'p2', 'p3', 'p4']);
    assert.equal((await pool.getItems(1)).length, 1);
    const topic = new TopicRegistry(redis, { prefix }).topic('orders');
    await topic.ensure(2);
    await topic.createGroup('billing');
    const producer = new Producer(redis, 'orders', { prefix });
    await producer.sendMany(Array.from({ length: 5 }, (_, i) => ({ value: `o${String(i)}`, partition: i % 2 })));
    const broker = new StreamBroker(redis, 'jobs', { prefix });
    await broker.sendMany('t', [{ args: 1 }, { args: 2 }]);
    await broker.sendMany('t', [{ args: 3 }], { delayMs: 3_600_000 });

    const registry = new Registry();
    const inventory = collectMetrics(registry, { client: redis, prefix });
    for (const [family, name] of [
      ['stream', 'crawl'],
      ['queue', 'mail'],
      ['unique', 'once'],
      ['pool', 'proxies'],
      ['topic', 'orders'],
      ['taskQueue', 'jobs'],
    ] as const) {
      assert.equal(await inventory.has({ family, name }), true, `${family} ${name}`);
      assert.equal(await inventory.has({ family, name: 'absent' }), false, `${family} absent`);
    }
    assert.equal(await inventory.has({ family: 'pool', name: 'mail' }), false, 'a queue is no pool');
    const text = await registry.metrics();
    const items = samplesOf(text, ITEMS_METRIC);
    const expected: [string, number][] = [
      ['stream/crawl/waiting', 2],
      ['stream/crawl/cooling', 1],
      ['stream/crawl/leased', 0],
      ['stream/crawl/dead', 0],
      ['queue/mail/waiting', 2],
      ['queue/mail/processing', 1],
      ['queue/mail/consumers', 1],
      ['unique/once/waiting', 2],
      ['pool/proxies/waiting', 3],
      ['pool/proxies/leased', 1],
      ['topic/orders/messages', 5],
      ['topic/orders/partitions', 2],
      ['topic/orders/groups', 1],
      ['topic/orders/pending', 0],
      ['topic/orders/lag', 5],
      ['taskQueue/jobs/waiting', 2],
      ['taskQueue/jobs/delayed', 1],
      ['taskQueue/jobs/active', 0],
    ];
    for (const [labels, value] of expected) assert.equal(items.get(labels), value, labels);
    assert.deepEqual([...samplesOf(text, OBJECTS_METRIC)].sort(), [
      ['pool', 1],
      ['queue', 1],
      ['stream', 1],
      ['taskQueue', 1],
      ['topic', 1],
      ['unique', 1],
    ]);
    // What producers added, counted by the add scripts: every accepted add, delayed sends included.
    assert.deepEqual([...samplesOf(text, OBJECT_ADDED_METRIC)].sort(), [
      ['pool/proxies', 4],
      ['queue/mail', 3],
      ['stream/crawl', 3],
      ['taskQueue/jobs', 3],
      ['topic/orders', 5],
      ['unique/once', 2],
    ]);

    // A second scrape reads again: a value consumed since shows, a deleted object leaves.
    await queue.getItems(1);
    await broker.delete();
    await queue.addItems(['m4']);
    const scraped = await registry.metrics();
    const again = samplesOf(scraped, ITEMS_METRIC);
    assert.equal(again.get('queue/mail/waiting'), 2);
    assert.equal(again.get('queue/mail/processing'), 2);
    assert.equal(again.get('taskQueue/jobs/waiting'), undefined);
    const addedAgain = samplesOf(scraped, OBJECT_ADDED_METRIC);
    assert.equal(addedAgain.get('queue/mail'), 4);
    assert.equal(addedAgain.get('taskQueue/jobs'), undefined, 'deleted with its queue');
    await queue.close();
  });

  it('refuses a second collector on one registry, and bad options', () => {
    const registry = new Registry();
    collectMetrics(registry, { client: redis, prefix: `${uniqueName('obs')}:` });
    assert.throws(
      () => collectMetrics(registry, { client: redis }),
      (e) => GoodRedisError.is(e, 'InvalidArgument'),
    );
    assert.throws(
      () => collectMetrics(new Registry(), { client: redis, prefix: '{x}' }),
      (e) => GoodRedisError.is(e, 'InvalidArgument'),
    );
    assert.throws(
      () => collectMetrics(new Registry(), { client: redis, families: ['streams' as never] }),
      (e) => GoodRedisError.is(e, 'InvalidArgument'),
    );
  });
});

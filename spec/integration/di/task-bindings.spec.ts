/** The module's task bindings on every topology: the shared result store, the broker factory, and unloading closes the workers it made. */
import assert from 'node:assert/strict';
import { Container } from 'inversify';
import {
  GoodRedisError,
  ListQueueBroker,
  PubSubBroker,
  ResultStore,
  StreamBroker,
  TOKENS,
  connectionFromEnv,
  createGoodRedisModule,
} from '../../../src/index.js';
import { closeAll, describeEachTopology, topologyEnv, uniqueName } from '../support.js';

describeEachTopology('createGoodRedisModule: tasks', () => {
  afterEach(closeAll);

  it('binds one result store and a broker factory on the prefix; unloading waits for the tasks in flight', async () => {
    const prefix = uniqueName('dik');
    const container = new Container();
    await container.loadAsync(createGoodRedisModule({ connection: connectionFromEnv(topologyEnv()), registry: { prefix }, results: { ttlSeconds: 60 } }));
    const results = container.get(TOKENS.ResultStore);
    assert.ok(results instanceof ResultStore);
    assert.deepEqual([results.prefix, results.ttlMs], [prefix, 60_000]);
    const brokers = container.get(TOKENS.BrokerFactory);
    assert.ok(brokers('list', 'l') instanceof ListQueueBroker);
    assert.ok(brokers('pubsub', 'p') instanceof PubSubBroker);
    assert.throws(
      () => brokers('nope' as 'stream', 'x'),
      (e) => GoodRedisError.is(e, 'InvalidArgument'),
    );
    const broker = brokers('stream', 'jobs', { maxLength: 100 });
    assert.ok(broker instanceof StreamBroker);
    assert.deepEqual([broker.prefix, broker.results, broker.maxLength], [prefix, results, 100]);
    let started: () => void = () => undefined;
    const running = new Promise<void>((resolve) => (started = resolve));
    let finished = false;
    const slow = broker.task('slow', async () => {
      started();
      await new Promise((resolve) => setTimeout(resolve, 300));
      finished = true;
      return 'late';
    });
    const handle = await slow.send(null);
    broker.worker();
    await running;
    await container.unbindAllAsync();
    assert.equal(finished, true, 'the task in flight finished before the connection closed');
    const after = new ResultStore(results.client.duplicate(), { prefix });
    try {
      assert.equal((await after.get(handle.taskId)).returnValue, 'late', 'and its result was stored');
    } finally {
      after.client.disconnect();
    }
  });
});

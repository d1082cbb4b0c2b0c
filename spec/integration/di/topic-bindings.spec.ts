/** The module's topic bindings on every topology: registry, factories, and unloading closes the consumers it made. */
import assert from 'node:assert/strict';
import { Container } from 'inversify';
import { Consumer, Producer, Topic, TopicRegistry, TOKENS, connectionFromEnv, createGoodRedisModule } from '../../../src/index.js';
import { closeAll, describeEachTopology, topologyEnv, uniqueName, waitFor } from '../support.js';

describeEachTopology('createGoodRedisModule: topics', () => {
  afterEach(closeAll);

  it('binds the registry and the factories on the prefix; unloading closes the consumers it made, which leave their groups', async () => {
    const prefix = uniqueName('dit');
    const container = new Container();
    await container.loadAsync(createGoodRedisModule({ connection: connectionFromEnv(topologyEnv()), registry: { prefix } }));
    const registry = container.get(TOKENS.TopicRegistry);
    assert.ok(registry instanceof TopicRegistry);
    assert.equal(registry.prefix, prefix);
    const topic = container.get(TOKENS.TopicFactory)('events');
    assert.ok(topic instanceof Topic);
    await topic.ensure(2);
    const producer = container.get(TOKENS.ProducerFactory)('events');
    assert.ok(producer instanceof Producer);
    await producer.sendMany([{ value: 'a' }, { value: 'b' }]);
    const consumer = container.get(TOKENS.ConsumerFactory)('events', { group: 'audit' });
    assert.ok(consumer instanceof Consumer);
    const seen: string[] = [];
    container.get(TOKENS.WorkerFactory)(consumer, (message) => {
      seen.push(message.value);
    });
    await waitFor(() => seen.length === 2, 5000, 'both messages');
    assert.deepEqual(seen.sort(), ['a', 'b']);
    assert.deepEqual(await registry.names(), ['events']);
    assert.equal((await topic.describeGroup('audit')).members.length, 1);
    await container.unbindAllAsync();
    const after = new Topic(topic.client.duplicate(), 'events', { prefix });
    try {
      assert.deepEqual((await after.describeGroup('audit')).members, [], 'the consumer left its group on unload');
    } finally {
      after.client.disconnect();
    }
  });
});

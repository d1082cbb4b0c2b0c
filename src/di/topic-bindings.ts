/**
 * The partitioned topics' bindings: the topic registry and the Topic, Producer and Consumer
 * factories.
 *
 * @module
 */
import type { ContainerModuleLoadOptions } from 'inversify';
import type { RedisClient } from '../connection/redis-client.js';
import { Consumer } from '../topics/consumer.js';
import { Producer } from '../topics/producer.js';
import { TopicRegistry } from '../topics/topic-registry.js';
import type { GoodRedisModuleOptions } from './module-options.js';
import type { CoreHandles } from './core-bindings.js';
import { TOKENS, type ConsumerFactory, type ProducerFactory, type TopicFactory } from './tokens.js';

/**
 * Binds {@link TOKENS}.TopicRegistry (on the module's connection and the registry's prefix) and
 * the Topic, Producer and Consumer factories. Every `Consumer` a factory makes is a group member
 * the container owns: unloading the module closes it (its messages in flight settle, its leases
 * go, it leaves the group) before the connection quits, so resolve a consumer once and keep it.
 */
export function bindTopics(bind: ContainerModuleLoadOptions['bind'], options: GoodRedisModuleOptions, core: CoreHandles): void {
  const prefix = options.registry?.prefix;
  bind(TOKENS.TopicRegistry)
    .toResolvedValue((client: RedisClient) => new TopicRegistry(client, { prefix }), [TOKENS.RedisClient])
    .inSingletonScope();
  bind(TOKENS.TopicFactory).toResolvedValue(
    (topics: TopicRegistry): TopicFactory =>
      (topic, topicOptions) =>
        topics.topic(topic, topicOptions),
    [TOKENS.TopicRegistry],
  );
  bind(TOKENS.ProducerFactory).toResolvedValue(
    (client: RedisClient): ProducerFactory =>
      (topic, producerOptions) =>
        new Producer(client, topic, { ...producerOptions, prefix }),
    [TOKENS.RedisClient],
  );
  bind(TOKENS.ConsumerFactory).toResolvedValue(
    (client: RedisClient): ConsumerFactory =>
      (topic, consumerOptions) => {
        const consumer = new Consumer(client, topic, { ...consumerOptions, prefix });
        core.closeables.add(consumer);
        return consumer;
      },
    [TOKENS.RedisClient],
  );
}

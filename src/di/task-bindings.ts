/**
 * The task brokers' bindings: the shared result store and the broker factory.
 *
 * @module
 */
import type { ContainerModuleLoadOptions } from 'inversify';
import type { RedisClient } from '../connection/redis-client.js';
import { invalid } from '../internal/validate.js';
import { ListQueueBroker } from '../tasks/list-queue-broker.js';
import { PubSubBroker } from '../tasks/pubsub-broker.js';
import { ResultStore } from '../tasks/result-store.js';
import { StreamBroker } from '../tasks/stream-broker.js';
import type { TaskBroker } from '../tasks/task-broker.js';
import type { GoodRedisModuleOptions } from './module-options.js';
import type { CoreHandles } from './core-bindings.js';
import { TOKENS, type BrokerFactory } from './tokens.js';

/**
 * Binds {@link TOKENS}.ResultStore (on the module's connection and the registry's prefix, with
 * the module's `results` options) and {@link TOKENS}.BrokerFactory. Every broker a factory makes
 * is owned by the container: unloading the module closes its workers (their tasks in flight
 * finish) and its subscriptions, then the store's subscriber, before the connection quits.
 */
export function bindTasks(bind: ContainerModuleLoadOptions['bind'], options: GoodRedisModuleOptions, core: CoreHandles): void {
  const prefix = options.registry?.prefix;
  bind(TOKENS.ResultStore)
    .toResolvedValue(
      (client: RedisClient) => {
        const store = new ResultStore(client, { ...options.results, prefix });
        core.closeables.add(store);
        return store;
      },
      [TOKENS.RedisClient],
    )
    .inSingletonScope();
  bind(TOKENS.BrokerFactory).toResolvedValue(
    (client: RedisClient, results: ResultStore): BrokerFactory => {
      const make = (kind: string, name: string, brokerOptions: object = {}): TaskBroker => {
        const all = { ...brokerOptions, prefix, results };
        let broker: TaskBroker;
        if (kind === 'stream') broker = new StreamBroker(client, name, all);
        else if (kind === 'list') broker = new ListQueueBroker(client, name, all);
        else if (kind === 'pubsub') broker = new PubSubBroker(client, name, all);
        else throw invalid(`kind must be stream, list or pubsub, got ${JSON.stringify(kind)}`);
        core.closeables.add(broker);
        return broker;
      };
      return make as BrokerFactory;
    },
    [TOKENS.RedisClient, TOKENS.ResultStore],
  );
}

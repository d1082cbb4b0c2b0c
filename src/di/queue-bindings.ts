/**
 * The reliable queues' bindings: the queue registry and the Queue, UniqueQueue and Pool
 * factories.
 *
 * @module
 */
import type { ContainerModuleLoadOptions } from 'inversify';
import type { RedisClient } from '../connection/redis-client.js';
import { QueueRegistry } from '../queues/queue-registry.js';
import type { GoodRedisModuleOptions } from './module-options.js';
import type { CoreHandles } from './core-bindings.js';
import { TOKENS, type PoolFactory, type QueueFactory, type UniqueQueueFactory } from './tokens.js';

/** What the other bindings may use of the queues': the registry, made once. */
export interface QueueHandles {
  /** The module's queue registry, made on first need. */
  registry(): QueueRegistry;
}

/**
 * Binds {@link TOKENS}.QueueRegistry (on the module's connection and the registry's prefix) and
 * the three factories. Every `Queue` and `UniqueQueue` a factory makes is a consumer the
 * container owns: unloading the module closes it (handing back what it holds) before the
 * connection quits, so resolve a factory's queue once and keep it.
 */
export function bindQueues(bind: ContainerModuleLoadOptions['bind'], options: GoodRedisModuleOptions, core: CoreHandles): QueueHandles {
  let registry: QueueRegistry | undefined;
  const getRegistry = (client = core.connection()): QueueRegistry => (registry ??= new QueueRegistry(client, { prefix: options.registry?.prefix }));

  bind(TOKENS.QueueRegistry)
    .toResolvedValue((client: RedisClient) => getRegistry(client), [TOKENS.RedisClient])
    .inSingletonScope();
  /** A queue the container owns: closed (handing back what it holds) before the connection quits. */
  const owned = <Q extends { close(): Promise<void> }>(queue: Q): Q => {
    core.closeables.add(queue);
    return queue;
  };
  bind(TOKENS.QueueFactory).toResolvedValue(
    (queues: QueueRegistry): QueueFactory =>
      (name, queueOptions) =>
        owned(queues.queue(name, queueOptions)),
    [TOKENS.QueueRegistry],
  );
  bind(TOKENS.UniqueQueueFactory).toResolvedValue(
    (queues: QueueRegistry): UniqueQueueFactory =>
      (name, queueOptions) =>
        owned(queues.uniqueQueue(name, queueOptions)),
    [TOKENS.QueueRegistry],
  );
  bind(TOKENS.PoolFactory).toResolvedValue(
    (queues: QueueRegistry): PoolFactory =>
      (name, poolOptions) =>
        queues.pool(name, poolOptions),
    [TOKENS.QueueRegistry],
  );
  return { registry: getRegistry };
}

import { optionsOf } from '../internal/validate.js';
import 'reflect-metadata';
import { ContainerModule } from 'inversify';
import { bindCore } from './core-bindings.js';
import { bindPrioritized } from './prioritized-bindings.js';
import { bindQueues } from './queue-bindings.js';
import { bindTopics } from './topic-bindings.js';
import { bindTasks } from './task-bindings.js';
import type { GoodRedisModuleOptions } from './module-options.js';

/**
 * Builds an inversify `ContainerModule` that binds, as singletons, the core (the connection,
 * {@link TOKENS}.RedisClient, and the {@link Closeables} that must close before it) and the
 * prioritized streams' bindings (the {@link StreamRegistry}, the {@link Expirer}, a
 * {@link StreamFactory} and a {@link WorkerFactory}). Unloading the module (or unbinding the
 * container) closes the workers made by the factory (their jobs in flight finish), stops the
 * Expirer (its sweep in flight finishes), and then quits the connection if the module
 * opened it. Load it with `loadAsync`/`load`; tear down with `unloadAsync`/`unbindAllAsync`.
 *
 * @param options - connection, prefix, expirer settings
 * @returns the module
 * @example
 * ```ts
 * const container = new Container();
 * await container.loadAsync(createGoodRedisModule({ expirer: { autoStart: true } }));
 * const streams = container.get(TOKENS.StreamFactory);
 * await streams('frontier').add('https://example.com/', 'https://example.com/', 5);
 * await container.unbindAllAsync();
 * ```
 */
export function createGoodRedisModule(options: GoodRedisModuleOptions = {}): ContainerModule {
  options = optionsOf(options);
  return new ContainerModule(({ bind }) => {
    const core = bindCore(bind, options);
    const queues = bindQueues(bind, options, core);
    bindPrioritized(bind, options, core, queues);
    bindTopics(bind, options, core);
    bindTasks(bind, options, core);
  });
}

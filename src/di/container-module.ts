import { optionsOf } from '../internal/validate.js';
import 'reflect-metadata';
import { ContainerModule } from 'inversify';
import type { ConnectionOptions } from '../connection/connection-options.js';
import type { RedisClient } from '../connection/redis-client.js';
import type { ExpirerOptions } from '../maintenance/expirer.js';
import type { StreamRegistryOptions } from '../prioritized/stream-registry.js';
import { bindCore } from './core-bindings.js';
import { bindPrioritized } from './prioritized-bindings.js';
import { bindQueues } from './queue-bindings.js';
import { bindTopics } from './topic-bindings.js';
import { bindTasks } from './task-bindings.js';
import type { ResultStoreOptions } from '../tasks/result-store.js';

/** Options of {@link createGoodRedisModule}. */
export interface GoodRedisModuleOptions {
  /**
   * A connection you own. The module uses it and never closes it.
   *
   * @defaultValue none: the module opens one from `connection`
   */
  client?: RedisClient | undefined;
  /**
   * How the module opens its own connection (ignored with `client`); it is closed when the
   * module is unloaded or the container unbinds it.
   *
   * @defaultValue the environment: `REDIS_URL`, else `REDIS_HOST`/`REDIS_PORT`/…
   */
  connection?: ConnectionOptions | undefined;
  /**
   * The environment read when `connection` names none.
   *
   * @defaultValue `process.env`
   */
  env?: NodeJS.ProcessEnv | undefined;
  /** Key prefix (of every stream, queue and pool) and stream defaults of the registry. */
  registry?: StreamRegistryOptions | undefined;
  /** The Expirer's options, plus `autoStart`. */
  expirer?: ExpirerModuleOptions | undefined;
  /** The options of the task brokers' shared {@link ResultStore} (its prefix is the registry's). */
  results?: Omit<ResultStoreOptions, 'prefix'> | undefined;
}

/** Options of the Expirer a {@link createGoodRedisModule} container holds. */
export interface ExpirerModuleOptions extends ExpirerOptions {
  /**
   * Start the Expirer when the module is loaded (it is made then, with the registry and the
   * connection it needs), so it sweeps whether or not anything resolves it.
   *
   * @defaultValue `false`: it starts when you call `start()` on it
   */
  autoStart?: boolean | undefined;
}

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

import 'reflect-metadata';
import { ContainerModule } from 'inversify';
import { closeConnection, createConnection, type ConnectionOptions } from '../connection/connection-options.js';
import type { RedisClient } from '../connection/redis-client.js';
import { Expirer, type ExpirerOptions } from '../prioritized/expirer.js';
import { StreamRegistry, type StreamRegistryOptions } from '../prioritized/stream-registry.js';
import type { PrioritizedStream } from '../prioritized/prioritized-stream.js';
import { Worker, type JobHandler, type WorkerOptions } from '../prioritized/worker.js';
import { TOKENS, type StreamFactory, type WorkerFactory } from './tokens.js';

/** Options of {@link createGoodRedisModule}. */
export interface GoodRedisModuleOptions {
  /**
   * A connection you own. The module uses it and never closes it.
   *
   * @defaultValue none: the module opens one from `connection`
   */
  client?: RedisClient;
  /**
   * How the module opens its own connection (ignored with `client`); it is closed when the
   * module is unloaded or the container unbinds it.
   *
   * @defaultValue the environment: `REDIS_URL`, else `REDIS_HOST`/`REDIS_PORT`/…
   */
  connection?: ConnectionOptions;
  /**
   * The environment read when `connection` names none.
   *
   * @defaultValue `process.env`
   */
  env?: NodeJS.ProcessEnv;
  /** Key prefix and stream defaults of the registry (and so of every stream). */
  registry?: StreamRegistryOptions;
  /** The Expirer's options, plus `autoStart`. */
  expirer?: ExpirerModuleOptions;
}

/** Options of the Expirer a {@link createGoodRedisModule} container holds. */
export interface ExpirerModuleOptions extends ExpirerOptions {
  /**
   * Start the Expirer when it is first resolved.
   *
   * @defaultValue `false`
   */
  autoStart?: boolean;
}

/**
 * Builds an inversify `ContainerModule` that binds, as singletons, the connection
 * ({@link TOKENS}.RedisClient), the {@link StreamRegistry}, the {@link Expirer}, a
 * {@link StreamFactory} and a {@link WorkerFactory}. Unloading the module (or unbinding the
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
  return new ContainerModule(({ bind }) => {
    // What the module made, so that closing its connection first waits for them: inversify
    // starts async deactivations without waiting for one another.
    let workers: WorkerFactory | undefined;
    let sweeper: Expirer | undefined;
    const settle = async (): Promise<void> => {
      await workers?.closeAll();
      await sweeper?.stop();
    };

    bind(TOKENS.WorkerFactory)
      .toResolvedValue(() => (workers = workerFactory()))
      .inSingletonScope()
      .onDeactivation((factory) => factory.closeAll());

    bind(TOKENS.Expirer)
      .toResolvedValue(
        (registry: StreamRegistry) => {
          const expirer = new Expirer(registry, options.expirer ?? {});
          if (options.expirer?.autoStart === true) expirer.start();
          sweeper = expirer;
          return expirer;
        },
        [TOKENS.StreamRegistry],
      )
      .inSingletonScope()
      .onDeactivation((expirer) => expirer.stop());

    bind(TOKENS.StreamFactory).toResolvedValue(
      (registry: StreamRegistry): StreamFactory => (name, streamOptions) => registry.stream(name, streamOptions),
      [TOKENS.StreamRegistry],
    );

    bind(TOKENS.StreamRegistry)
      .toResolvedValue((client: RedisClient) => new StreamRegistry(client, options.registry ?? {}), [TOKENS.RedisClient])
      .inSingletonScope();

    const { client } = options;
    if (client !== undefined) {
      bind(TOKENS.RedisClient).toConstantValue(client);
    } else {
      bind(TOKENS.RedisClient)
        .toDynamicValue(() => createConnection(options.connection ?? {}, options.env ?? process.env))
        .inSingletonScope()
        .onDeactivation(async (connection) => {
          await settle(); // jobs in flight and the sweep in flight still need the connection
          await closeConnection(connection);
        });
    }
  });
}

/** A {@link WorkerFactory} that remembers the workers it made until they close. */
function workerFactory(): WorkerFactory {
  const open = new Set<{ close(): Promise<void> }>();
  function make<T, R>(stream: PrioritizedStream<T>, handler: JobHandler<T, R>, options?: WorkerOptions): Worker<T, R> {
    const worker = new Worker(stream, handler, options);
    open.add(worker);
    worker.once('closed', () => open.delete(worker));
    return worker;
  }
  make.closeAll = async (): Promise<void> => {
    await Promise.all([...open].map((worker) => worker.close()));
  };
  return make;
}

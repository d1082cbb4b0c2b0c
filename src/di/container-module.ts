import { optionsOf } from '../internal/validate.js';
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
  /** Key prefix and stream defaults of the registry (and so of every stream). */
  registry?: StreamRegistryOptions | undefined;
  /** The Expirer's options, plus `autoStart`. */
  expirer?: ExpirerModuleOptions | undefined;
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
  options = optionsOf(options);
  return new ContainerModule(({ bind }) => {
    // The module's singletons, made once on first need (or at load, with autoStart) and shared
    // by the bindings, so that what autoStart made at load is what the container hands out.
    let connection: RedisClient | undefined;
    let registry: StreamRegistry | undefined;
    let workers: WorkerFactory | undefined;
    let sweeper: Expirer | undefined;
    const ownsConnection = options.client === undefined;
    const getConnection = (): RedisClient => (connection ??= options.client ?? createConnection(options.connection ?? {}, options.env ?? process.env));
    const getRegistry = (client = getConnection()): StreamRegistry => (registry ??= new StreamRegistry(client, options.registry ?? {}));
    const getExpirer = (streams = getRegistry()): Expirer => (sweeper ??= new Expirer(streams, options.expirer ?? {}));
    // Each binding depends on the one below it (Expirer → registry → connection), so resolving
    // any of them resolves the connection too, and unbinding then closes it.
    // Closing the connection first waits for what uses it: inversify starts async
    // deactivations without waiting for one another.
    const settle = async (): Promise<void> => {
      await workers?.closeAll();
      await sweeper?.stop();
    };

    bind(TOKENS.WorkerFactory)
      .toResolvedValue(() => (workers = workerFactory()))
      .inSingletonScope()
      .onDeactivation((factory) => factory.closeAll());

    bind(TOKENS.Expirer)
      .toResolvedValue((streams: StreamRegistry) => getExpirer(streams), [TOKENS.StreamRegistry])
      .inSingletonScope()
      .onDeactivation((expirer) => expirer.stop());

    bind(TOKENS.StreamFactory).toResolvedValue(
      (streams: StreamRegistry): StreamFactory =>
        (name, streamOptions) =>
          streams.stream(name, streamOptions),
      [TOKENS.StreamRegistry],
    );

    bind(TOKENS.StreamRegistry)
      .toResolvedValue((client: RedisClient) => getRegistry(client), [TOKENS.RedisClient])
      .inSingletonScope();

    const clientBinding = bind(TOKENS.RedisClient).toDynamicValue(getConnection).inSingletonScope();
    if (ownsConnection) {
      clientBinding.onDeactivation(async (client) => {
        await settle(); // jobs in flight and the sweep in flight still need the connection
        await closeConnection(client);
      });
    }

    if (options.expirer?.autoStart === true) getExpirer().start();
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

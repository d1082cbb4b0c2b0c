/**
 * The prioritized streams' bindings: registry, Expirer, stream and worker factories.
 *
 * @module
 */
import type { ContainerModuleLoadOptions } from 'inversify';
import type { RedisClient } from '../connection/redis-client.js';
import { Expirer } from '../overview/expirer.js';
import { StreamRegistry } from '../prioritized/stream-registry.js';
import type { SourceJob } from '../jobs/job-source.js';
import type { Handler } from '../jobs/worker-options.js';
import { Worker, type JobSourceProvider, type WorkerOptions } from '../jobs/worker.js';
import type { Closeables } from './closeables.js';
import type { GoodRedisModuleOptions } from './module-options.js';
import type { CoreHandles } from './core-bindings.js';
import type { QueueHandles } from './queue-bindings.js';
import { TOKENS, type StreamFactory, type WorkerFactory } from './tokens.js';

/**
 * Binds the {@link StreamRegistry}, the {@link Expirer}, the {@link StreamFactory} and the
 * {@link WorkerFactory} as singletons made once on first need (or at load, with
 * `expirer.autoStart`) and shared by the bindings, so what autoStart made is what the
 * container hands out. The Expirer also reaps the module's queues. The Expirer and the workers
 * join the core's closeables.
 */
export function bindPrioritized(bind: ContainerModuleLoadOptions['bind'], options: GoodRedisModuleOptions, core: CoreHandles, queues: QueueHandles): void {
  let registry: StreamRegistry | undefined;
  let sweeper: Expirer | undefined;
  const getRegistry = (client = core.connection()): StreamRegistry => (registry ??= new StreamRegistry(client, options.registry ?? {}));
  const getExpirer = (streams = getRegistry()): Expirer => {
    if (sweeper === undefined) {
      const expirer = new Expirer(streams, { ...options.expirer, queues: options.expirer?.queues ?? queues.registry() });
      core.closeables.add({ close: () => expirer.stop() });
      sweeper = expirer;
    }
    return sweeper;
  };

  // Each binding depends on the one below it (Expirer → registry → connection), so resolving
  // any of them resolves the connection too, and unbinding then closes it.
  bind(TOKENS.WorkerFactory)
    .toResolvedValue(() => workerFactory(core.closeables))
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

  if (options.expirer?.autoStart === true) getExpirer().start();
}

/** A {@link WorkerFactory} that remembers the workers it made until they close, in its own set and in the closeables. */
function workerFactory(closeables: Closeables): WorkerFactory {
  const open = new Set<{ close(): Promise<void> }>();
  function make<J extends SourceJob, R>(source: JobSourceProvider<J>, handler: Handler<J, R>, options?: WorkerOptions): Worker<string, R, J> {
    const worker = new Worker<string, R, J>(source, handler, options);
    open.add(worker);
    const forget = closeables.add(worker);
    worker.once('closed', () => {
      open.delete(worker);
      forget();
    });
    return worker;
  }
  make.closeAll = async (): Promise<void> => {
    await Promise.all([...open].map((worker) => worker.close()));
  };
  return make;
}

/**
 * The bindings every family builds on: the connection and the {@link Closeables} that its
 * deactivation closes first.
 *
 * @module
 */
import type { ContainerModuleLoadOptions } from 'inversify';
import { closeConnection, createConnection } from '../connection/connection-options.js';
import type { RedisClient } from '../connection/redis-client.js';
import { Closeables } from './closeables.js';
import type { GoodRedisModuleOptions } from './module-options.js';
import { TOKENS } from './tokens.js';

/** What a family's bindings get from the core. */
export interface CoreHandles {
  /** The module's connection, made on first need (or the client passed in). */
  connection(): RedisClient;
  /** Where a family adds what must close before the connection quits. */
  readonly closeables: Closeables;
}

/**
 * Binds {@link TOKENS}.RedisClient and {@link TOKENS}.Closeables. A connection the module
 * opened is closed on deactivation, after everything in the closeables (jobs and sweeps in
 * flight still need it; inversify starts async deactivations without waiting for one another);
 * a client passed in is never closed.
 */
export function bindCore(bind: ContainerModuleLoadOptions['bind'], options: GoodRedisModuleOptions): CoreHandles {
  const closeables = new Closeables();
  let client: RedisClient | undefined;
  const connection = (): RedisClient => (client ??= options.client ?? createConnection(options.connection ?? {}, options.env ?? process.env));
  bind(TOKENS.Closeables).toConstantValue(closeables);
  const binding = bind(TOKENS.RedisClient).toDynamicValue(connection).inSingletonScope();
  if (options.client === undefined) {
    binding.onDeactivation(async (opened) => {
      await closeables.closeAll();
      await closeConnection(opened);
    });
  }
  return { connection, closeables };
}

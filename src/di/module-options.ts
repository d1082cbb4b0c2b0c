/**
 * The options of `createGoodRedisModule`, in a file of their own so each family's
 * bindings read them without importing the module that loads those bindings.
 *
 * @module
 */
import type { ConnectionOptions } from '../connection/connection-options.js';
import type { RedisClient } from '../connection/redis-client.js';
import type { ExpirerOptions } from '../overview/expirer.js';
import type { StreamRegistryOptions } from '../prioritized/stream-registry.js';
import type { ResultStoreOptions } from '../tasks/result-store.js';

/** Options of `createGoodRedisModule`. */
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

/** Options of the Expirer a `createGoodRedisModule` container holds. */
export interface ExpirerModuleOptions extends ExpirerOptions {
  /**
   * Start the Expirer when the module is loaded (it is made then, with the registry and the
   * connection it needs), so it sweeps whether or not anything resolves it.
   *
   * @defaultValue `false`: it starts when you call `start()` on it
   */
  autoStart?: boolean | undefined;
}

import type { ServiceIdentifier } from 'inversify';
import type { RedisClient } from '../connection/redis-client.js';
import type { Expirer } from '../prioritized/expirer.js';
import type { PrioritizedStream } from '../prioritized/prioritized-stream.js';
import type { RegistryStreamOptions, StreamRegistry } from '../prioritized/stream-registry.js';

/** Returns the {@link PrioritizedStream} for a name, on the module's connection and prefix. */
export type StreamFactory = <T = string>(name: string, options?: RegistryStreamOptions<T>) => PrioritizedStream<T>;

/**
 * The service identifiers {@link createGoodRedisModule} binds. They are global symbols, so
 * two copies of the package agree on them.
 */
export const TOKENS = {
  /** The ioredis `Redis` or `Cluster` connection. */
  RedisClient: Symbol.for('good-redis.RedisClient') as ServiceIdentifier<RedisClient>,
  /** The {@link StreamRegistry}. */
  StreamRegistry: Symbol.for('good-redis.StreamRegistry') as ServiceIdentifier<StreamRegistry>,
  /** The {@link Expirer}. */
  Expirer: Symbol.for('good-redis.Expirer') as ServiceIdentifier<Expirer>,
  /** The {@link StreamFactory}. */
  StreamFactory: Symbol.for('good-redis.StreamFactory') as ServiceIdentifier<StreamFactory>,
} as const;

import type { ServiceIdentifier } from 'inversify';
import type { RedisClient } from '../connection/redis-client.js';
import type { Closeables } from './closeables.js';
import type { Expirer } from '../overview/expirer.js';
import type { PrioritizedStream } from '../prioritized/prioritized-stream.js';
import type { RegistryStreamOptions, StreamRegistry } from '../prioritized/stream-registry.js';
import type { SourceJob } from '../jobs/job-source.js';
import type { Handler } from '../jobs/worker-options.js';
import type { JobSourceProvider, Worker, WorkerOptions } from '../jobs/worker.js';
import type { JobHandler } from '../prioritized/worker.js';
import type { Pool, PoolOptions } from '../queues/pool.js';
import type { Queue } from '../queues/queue.js';
import type { QueueRegistry } from '../queues/queue-registry.js';
import type { QueueOptions } from '../queues/types.js';
import type { UniqueQueue } from '../queues/unique-queue.js';
import type { ResultStore } from '../tasks/result-store.js';
import type { ListQueueBroker } from '../tasks/list-queue-broker.js';
import type { PubSubBroker } from '../tasks/pubsub-broker.js';
import type { StreamBroker } from '../tasks/stream-broker.js';
import type { BrokerOptions, ListQueueBrokerOptions, StreamBrokerOptions } from '../tasks/broker-options.js';
import type { Consumer } from '../topics/consumer.js';
import type { Producer } from '../topics/producer.js';
import type { Topic } from '../topics/topic.js';
import type { TopicRegistry } from '../topics/topic-registry.js';
import type { ConsumerOptions, ProducerOptions, TopicObjectOptions } from '../topics/types.js';

/** Returns the {@link PrioritizedStream} for a name, on the module's connection and prefix. */
export type StreamFactory = <T = string>(name: string, options?: RegistryStreamOptions<T>) => PrioritizedStream<T>;

/** Makes {@link Worker}s whose lifetime the container owns: unloading the module closes them. */
export interface WorkerFactory {
  /**
   * A new worker on `stream`; see {@link Worker}.
   *
   * @param stream - the stream to consume
   * @param handler - runs each job
   * @param options - worker options
   * @returns the worker, started unless `autorun: false`
   */
  <T = string, R = unknown>(stream: PrioritizedStream<T>, handler: JobHandler<T, R>, options?: WorkerOptions): Worker<T, R>;
  /**
   * A new worker on a queue, a unique queue or a pool; see {@link Worker}.
   *
   * @param source - what to consume
   * @param handler - runs each job
   * @param options - worker options
   * @returns the worker, started unless `autorun: false`
   */
  <J extends SourceJob, R = unknown>(source: JobSourceProvider<J>, handler: Handler<J, R>, options?: WorkerOptions): Worker<string, R, J>;
  /** Closes every worker made here that is still open, waiting for their jobs in flight. */
  closeAll(): Promise<void>;
}

/** A new {@link Queue} (one consumer) for a name, on the module's connection and prefix; closed when the module unloads. */
export type QueueFactory = <T = string>(name: string, options?: Omit<QueueOptions<T>, 'prefix'>) => Queue<T>;

/** A new {@link UniqueQueue} (one consumer) for a name, on the module's connection and prefix; closed when the module unloads. */
export type UniqueQueueFactory = <T = string>(name: string, options?: Omit<QueueOptions<T>, 'prefix'>) => UniqueQueue<T>;

/** The {@link Pool} for a name, on the module's connection and prefix. */
export type PoolFactory = <T = string>(name: string, options?: Omit<PoolOptions<T>, 'prefix'>) => Pool<T>;

/** A {@link Topic} (for administration) for a name, on the module's connection and prefix. */
export type TopicFactory = <T = string>(topic: string, options?: Omit<TopicObjectOptions<T>, 'prefix'>) => Topic<T>;

/** A new {@link Producer} for a topic, on the module's connection and prefix. */
export type ProducerFactory = <T = string>(topic: string, options?: Omit<ProducerOptions<T>, 'prefix'>) => Producer<T>;

/** A new {@link Consumer} (one group member) for a topic, on the module's connection and prefix; closed when the module unloads. */
export type ConsumerFactory = <T = string>(topic: string, options: Omit<ConsumerOptions<T>, 'prefix'>) => Consumer<T>;

/**
 * A new broker of a kind for a queue name, on the module's connection and prefix, with the
 * module's {@link ResultStore} as its `results`; its workers are closed when the module unloads.
 */
export interface BrokerFactory {
  /** A {@link StreamBroker}: at least once. */
  (kind: 'stream', name: string, options?: Omit<StreamBrokerOptions, 'prefix' | 'results'>): StreamBroker;
  /** A {@link ListQueueBroker}: at most once. */
  (kind: 'list', name: string, options?: Omit<ListQueueBrokerOptions, 'prefix' | 'results'>): ListQueueBroker;
  /** A {@link PubSubBroker}: a broadcast. */
  (kind: 'pubsub', name: string, options?: Omit<BrokerOptions, 'prefix' | 'results'>): PubSubBroker;
}

/**
 * The service identifiers {@link createGoodRedisModule} binds. They are global symbols, so
 * two copies of the package agree on them.
 */
export const TOKENS = {
  /** The ioredis `Redis` or `Cluster` connection. */
  RedisClient: Symbol.for('good-redis.RedisClient') as ServiceIdentifier<RedisClient>,
  /** The {@link Closeables} that the connection's deactivation closes first. */
  Closeables: Symbol.for('good-redis.Closeables') as ServiceIdentifier<Closeables>,
  /** The {@link StreamRegistry}. */
  StreamRegistry: Symbol.for('good-redis.StreamRegistry') as ServiceIdentifier<StreamRegistry>,
  /** The {@link Expirer}. */
  Expirer: Symbol.for('good-redis.Expirer') as ServiceIdentifier<Expirer>,
  /** The {@link StreamFactory}. */
  StreamFactory: Symbol.for('good-redis.StreamFactory') as ServiceIdentifier<StreamFactory>,
  /** The {@link WorkerFactory}. */
  WorkerFactory: Symbol.for('good-redis.WorkerFactory') as ServiceIdentifier<WorkerFactory>,
  /** The {@link QueueRegistry}. */
  QueueRegistry: Symbol.for('good-redis.QueueRegistry') as ServiceIdentifier<QueueRegistry>,
  /** The {@link QueueFactory}. */
  QueueFactory: Symbol.for('good-redis.QueueFactory') as ServiceIdentifier<QueueFactory>,
  /** The {@link UniqueQueueFactory}. */
  UniqueQueueFactory: Symbol.for('good-redis.UniqueQueueFactory') as ServiceIdentifier<UniqueQueueFactory>,
  /** The {@link PoolFactory}. */
  PoolFactory: Symbol.for('good-redis.PoolFactory') as ServiceIdentifier<PoolFactory>,
  /** The {@link TopicRegistry}. */
  TopicRegistry: Symbol.for('good-redis.TopicRegistry') as ServiceIdentifier<TopicRegistry>,
  /** The {@link TopicFactory}. */
  TopicFactory: Symbol.for('good-redis.TopicFactory') as ServiceIdentifier<TopicFactory>,
  /** The {@link ProducerFactory}. */
  ProducerFactory: Symbol.for('good-redis.ProducerFactory') as ServiceIdentifier<ProducerFactory>,
  /** The {@link ConsumerFactory}. */
  ConsumerFactory: Symbol.for('good-redis.ConsumerFactory') as ServiceIdentifier<ConsumerFactory>,
  /** The {@link ResultStore} the module's brokers share. */
  ResultStore: Symbol.for('good-redis.ResultStore') as ServiceIdentifier<ResultStore>,
  /** The {@link BrokerFactory}. */
  BrokerFactory: Symbol.for('good-redis.BrokerFactory') as ServiceIdentifier<BrokerFactory>,
} as const;

/**
 * good-redis: Redis prioritized streams for Node.js.
 *
 * Start with {@link PrioritizedStream}; see the guides in `docs/` for the data model,
 * every operation and the configuration.
 *
 * @packageDocumentation
 */
export { GoodRedisError, type ErrorKind } from './errors.js';
export { stringCodec, bufferCodec, jsonCodec, type Codec } from './codec.js';
export type { RedisClient } from './connection/redis-client.js';
export {
  createConnection,
  connectionFromEnv,
  closeConnection,
  CLUSTER_DEFAULTS,
  type ConnectionOptions,
  type ClusterConnectionOptions,
  type CloseConnectionOptions,
} from './connection/connection-options.js';
export { openConnection, describeConnection, type OpenConnectionOptions } from './connection/open-connection.js';
export { aclRule, ACL_ROLES, type AclRole, type AclRuleOptions } from './security/acl.js';
export { PrioritizedStream } from './prioritized/prioritized-stream.js';
export { StreamRegistry, type StreamRegistryOptions, type RegistryStreamOptions } from './prioritized/stream-registry.js';
export { Expirer, type ExpirerOptions, type ExpirerEvents, type SweepResult, type SweepOptions } from './overview/expirer.js';
export { Queue } from './queues/queue.js';
export { UniqueQueue } from './queues/unique-queue.js';
export { ReliableQueue } from './queues/reliable-queue.js';
export { QueueJob, type DeliverySettler } from './queues/queue-job.js';
export { Pool, type PoolOptions, type PoolAddOptions, type PoolEvents, type PoolEntry } from './queues/pool.js';
export { PoolJob, type PoolLeaseSettler } from './queues/pool-source.js';
export { QueueObject, type QueueObjectOptions } from './queues/queue-object.js';
export { QueueRegistry, type QueueRegistryOptions } from './queues/queue-registry.js';
export { RegistryQueues, type QueueSweepReport } from './queues/queue-sweepable.js';
export type { QueueKind, QueueFamilyKind } from './queues/scripts.js';
export { queueKeys, queueRegistryKey, type QueueKeys } from './queues/queue-keys.js';
export type {
  Delivery,
  DeadLetterQueue,
  QueueOptions,
  GetItemsOptions,
  QueueCloseOptions,
  QueueStats,
  PoolStats,
  PoolLease,
  QueueConsumer,
  QueueEvents,
  QueueRollback,
  RollbackOptions,
} from './queues/types.js';
export {
  Sweeper,
  sweepEach,
  type Sweepable,
  type SweepContext,
  type SweepReport,
  type SweeperOptions,
  type SweeperResult,
  type SweeperEvents,
  type SweepOnceOptions,
} from './maintenance/sweeper.js';
export { Worker, type WorkerOptions, type WorkerEvents, type JobSourceProvider, type FamilyTypes, type DefaultJob, type StreamOf } from './jobs/worker.js';
export type { JobHandler } from './prioritized/worker.js';
export { JobWorker } from './jobs/job-worker.js';
export type { Handler, JobWorkerOptions, JobWorkerEvents, FailureOutcome, CloseOptions } from './jobs/worker-options.js';
export { RetryLater, defaultBackoff, exponentialBackoff, type ExponentialBackoffOptions } from './jobs/backoff.js';
export { consumeSource } from './jobs/consume.js';
export { WorkSignal } from './jobs/work-signal.js';
export type { JobSource, SourceJob, LeaseRequest, LeaseBatch, WorkWaiter, NackOutcome, Settlement, AckSettlement, NackSettlement } from './jobs/job-source.js';
export type { Logger, LogFn } from './internal/logger.js';
export { registerCommands, RAW_COMMAND_NAMES, type RegisterCommandsOptions, type PsPullArgs } from './prioritized/commands.js';
export { streamKeys, registryKey, type StreamKeys } from './prioritized/stream-keys.js';
export {
  DEFAULT_COOLDOWN_MS,
  DEFAULT_CHUNK_SIZE,
  DEFAULT_CHUNK_BYTES,
  DEFAULT_MAX_VALUE_BYTES,
  DEFAULT_LEASE_MS,
  DEFAULT_MAX_ATTEMPTS,
  MAX_PULL_COUNT,
  type AckOptions,
  type ConsumeOptions,
  type DeadLetter,
  type DeadLetterInfo,
  type DecodedDeadLetter,
  type UndecodableDeadLetter,
  type DelayedInfo,
  type LeaseInfo,
  type KeyState,
  type QueuedState,
  type LeasedState,
  type DelayedState,
  type DeadState,
  type GatedState,
  type CoolingState,
  type AbsentState,
  type Job,
  type LeaseOptions,
  type LeaseRef,
  type LeasedItem,
  type NackOptions,
  type NackResult,
  type RecoverResult,
  type AddMode,
  type AddOutcome,
  type Cooldown,
  type RejectReason,
  type StreamStats,
  type AddOptions,
  type DeleteBelowOptions,
  type Item,
  type ItemInput,
  type ItemObject,
  type PrioritizedStreamOptions,
  type PullOptions,
  type RangeOptions,
  type ReplicationOptions,
  type ScanOptions,
} from './prioritized/types.js';
export { createGoodRedisModule } from './di/container-module.js';
export type { GoodRedisModuleOptions, ExpirerModuleOptions } from './di/module-options.js';
export { Closeables, type Closeable } from './di/closeables.js';
export {
  TOKENS,
  type StreamFactory,
  type WorkerFactory,
  type QueueFactory,
  type UniqueQueueFactory,
  type PoolFactory,
  type TopicFactory,
  type ProducerFactory,
  type ConsumerFactory,
  type BrokerFactory,
} from './di/tokens.js';
export { Topic } from './topics/topic.js';
export { Producer } from './topics/producer.js';
export { Consumer } from './topics/consumer.js';
export { MessageBatch, type BatchOptions } from './topics/message-batch.js';
export { TopicMessage, type MessageSettler } from './topics/topic-message.js';
export { TopicSignal, type WaitPosition, type SignalSource } from './topics/topic-signal.js';
export { TopicRegistry, type TopicRegistryOptions } from './topics/topic-registry.js';
export { SetRegistry } from './keyspace/set-registry.js';
export { partitionFor, murmur2 } from './topics/partitioner.js';
export type { Ordering } from './topics/scripts.js';
export {
  topicKeys,
  groupKeys,
  partitionKeys,
  partitionGroupKeys,
  topicRegistryKey,
  MAX_PARTITIONS,
  type TopicKeys,
  type GroupKeys,
  type PartitionKeys,
  type PartitionGroupKeys,
} from './topics/topic-keys.js';
export type {
  TopicObjectOptions,
  Headers,
  TopicDescription,
  TopicStats,
  GroupDescription,
  GroupMemberInfo,
  GroupPartitionInfo,
  DeadLetterRef,
  TopicDeadLetter,
  CreateGroupOptions,
  ProducerOptions,
  ProducerMessage,
  SendResult,
  ConsumerOptions,
  TopicNackOptions,
  ConsumerEvents,
} from './topics/types.js';
export { ResultStore, DEFAULT_RESULT_TTL_MS, type ResultStoreOptions } from './tasks/result-store.js';
export { TaskBroker, DEFAULT_TASK_MAX_ATTEMPTS, type TaskDefinition } from './tasks/task-broker.js';
export { TaskQueueBroker } from './tasks/task-queue-broker.js';
export { DEFAULT_DEAD_LETTER_LIMIT, DEFAULT_DEAD_LETTER_MAX_AGE_MS, type DeadLetterCapOptions } from './jobs/dead-letters.js';
export { StreamBroker, DEFAULT_STREAM_MAX_LENGTH } from './tasks/stream-broker.js';
export { ListQueueBroker } from './tasks/list-queue-broker.js';
export { TaskJob } from './tasks/task-job.js';
export { TaskHandle } from './tasks/task-handle.js';
export { TaskQueueRegistry, type TaskQueueRegistryOptions, type TaskQueueInfo } from './tasks/task-queue-registry.js';
export { taskQueueKeys, taskQueueRegistryKey, taskResultKeys, type TaskQueueKeys, type TaskResultKeys } from './tasks/task-keys.js';
export type {
  Labels,
  TaskMessage,
  TaskError,
  TaskResult,
  TaskProgress,
  TaskContext,
  TaskHandler,
  TaskOptions,
  SendOptions,
  TaskSend,
  TaskWorkerOptions,
  TaskDeadLetter,
  TaskQueueStats,
} from './tasks/types.js';
export type { BrokerOptions, StreamBrokerOptions, ListQueueBrokerOptions } from './tasks/broker-options.js';
export { PubSubBroker } from './tasks/pubsub-broker.js';
export { BroadcastSource } from './tasks/broadcast-source.js';
export {
  ScheduleStore,
  nextDueOf,
  type ScheduleSpec,
  type Schedule,
  type ScheduleInfo,
  type MigrationReport,
  type SkippedKey,
} from './tasks/schedule-store.js';
export { Scheduler, type SchedulerOptions, type SchedulerEvents, type ScheduleFirer, type FiredSchedules, type FiredSchedule } from './tasks/scheduler.js';
export { ObjectInventory, OBJECT_FAMILIES, type ObjectFamily, type ObjectRef, type ObjectCounts, type ObjectInventoryOptions } from './overview/inventory.js';
export { FamilyViews, workOf } from './overview/views.js';
export type {
  FamilyView,
  FamilyKind,
  FamilyViewOf,
  WorkStates,
  ObjectAction,
  ActionParams,
  ActionForm,
  ActionForms,
  FormField,
  Lookup,
  ObjectItem,
  DetailTable,
  DeadRow,
  RowAction,
  FamilyDetails,
  DetailsQuery,
  ItemPage,
} from './observe/family-view.js';
export {
  collectMetrics,
  observeWorker,
  ITEMS_METRIC,
  OBJECTS_METRIC,
  OBJECT_JOBS_METRIC,
  OBJECT_ADDED_METRIC,
  READ_SECONDS_METRIC,
  JOBS_METRIC,
  HANDLER_SECONDS_METRIC,
  HANDLER_SECONDS_BUCKETS,
  type CollectMetricsOptions,
  type ObserveWorkerOptions,
} from './overview/metrics.js';
export { type SourceObject, type MessageTrace, MESSAGING_SYSTEM } from './observe/telemetry.js';
export { ObjectHistory, historyKey, type HistorySample, type ObjectRates, type ObjectHistoryOptions } from './overview/history.js';
export {
  WorkerRegistry,
  workerRegistryKeys,
  type WorkerRegistryKeys,
  type WorkerRegistryOptions,
  type WorkerRegistryState,
  type WorkerInfo,
  type WorkerDescription,
  type RunningJob,
  type PausedObject,
  type FinishedJob,
  type JobOutcome,
  type ObjectTotals,
  JOB_OUTCOMES,
} from './observe/worker-registry.js';
export { createDashboard, type Dashboard, type DashboardOptions } from './dashboard/dashboard.js';
export { type DashboardAuth, type DashboardToken, type DashboardLogin } from './dashboard/security.js';

/**
 * What the task brokers' sources ask of their broker: the queue's scripts, its codec and caps,
 * and the broker's ways of making jobs of messages and reporting what a lease met.
 *
 * @module
 */
import type { Codec } from '../codec.js';
import type { RedisClient } from '../connection/redis-client.js';
import type { GoodRedisError } from '../errors.js';
import type { JobSource, LeaseBatch, LeaseRequest, NackOutcome, WorkWaiter } from '../jobs/job-source.js';
import type { SourceObject } from '../observe/telemetry.js';
import type { TaskQueueCore } from './scripts.js';
import type { TaskJob } from './task-job.js';
import type { TaskMessage } from './types.js';

/** What a stream's or a list's task source asks of its broker (a `StreamBroker` or a `ListQueueBroker` gives it). */
export interface TaskSourceContext {
  /** The broker's connection. */
  readonly client: RedisClient;
  /** The task queue, as the Worker's spans and registry name it. */
  readonly object: SourceObject<TaskJob>;
  /** Runs the queue's scripts. */
  readonly core: TaskQueueCore;
  /** Encodes and decodes the message envelope. */
  readonly codec: Codec<TaskMessage>;
  /** The dead letters' caps as the scripts take them. */
  readonly deadCaps: string;
  /** The most entries a stream keeps (0: none kept once acked). */
  readonly maxLength: number;
  /** Decodes a stored message (a `Codec` error naming the queue when it cannot). */
  decode(raw: string | Buffer, where: string): TaskMessage;
  /** A delivered message as a job. */
  jobOf(message: TaskMessage, attempt: number, maxAttempts: number, encoded: string | Buffer, entryId?: string, deliveries?: number): TaskJob;
  /** A message's max attempts: its own, else its task's, else `fallback`. */
  maxAttemptsOf(message: TaskMessage, fallback: number): number;
  /** The max attempts of the tasks registered with one. */
  taskMaxAttempts(): Map<string, number>;
  /** Stores the failure results of messages that died without a handler's last word (a lease expired on their last delivery). */
  storeDeathResults(dead: readonly { encoded: string | Buffer; attempts: number; error: string }[]): Promise<unknown[]>;
  /** The error reported for what a lease found that no broker wrote, dead-lettered with `reason`. */
  unreadableError(reason: string): GoodRedisError;
  /** The `LeaseLost` error of a job whose lease moved on. */
  lost(job: TaskJob, what: string): GoodRedisError;
  /** A wait on the queue's marker list. */
  openSignal(): WorkWaiter;
}

/** What the stream's and the list's task sources share: their broker, its connection, its object and its idle wait. */
export abstract class BrokerSource implements JobSource<TaskJob> {
  /** @param broker - what it asks of its broker */
  public constructor(protected readonly broker: TaskSourceContext) {}

  /** The broker's connection: the Worker stops when it ends. */
  public get client(): RedisClient {
    return this.broker.client;
  }

  /** The task queue, as the Worker's spans and registry name it. */
  public get object(): SourceObject<TaskJob> {
    return this.broker.object;
  }

  /** A wait on the queue's marker list. */
  public openSignal(): WorkWaiter {
    return this.broker.openSignal();
  }

  public abstract leaseBatch(request: LeaseRequest): Promise<LeaseBatch<TaskJob>>;
  public abstract ack(jobs: readonly TaskJob[]): Promise<(Error | undefined)[]>;
  public abstract nack(jobs: readonly TaskJob[], options: { delayMs: number; error: string }): Promise<(NackOutcome | Error)[]>;
  public abstract extend(jobs: readonly TaskJob[], leaseMs: number): Promise<(Error | undefined)[]>;
  public abstract release(jobs: readonly TaskJob[]): Promise<void>;
}

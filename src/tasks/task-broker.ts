import { randomUUID } from 'node:crypto';
import { Cluster } from 'ioredis';
import { decodeWith, encodeWith, jsonCodec, type Codec } from '../codec.js';
import type { RedisClient } from '../connection/redis-client.js';
import { GoodRedisError } from '../errors.js';
import type { JobSource } from '../jobs/job-source.js';
import { traceSend, type SourceObject } from '../observe/telemetry.js';
import { assertInteger, describe as describeValue, invalid, optionsOf } from '../internal/validate.js';
import { ObjectCore } from '../keyspace/object-core.js';
import { Worker, type JobSourceProvider } from '../jobs/worker.js';
import { replicationOf } from '../scripting/script-set.js';
import { assertTaskId, type ResultStore } from './result-store.js';
import { TASK_QUEUE_SCRIPTS, type TaskQueueCore, type TaskQueueScriptInput } from './scripts.js';
import { TaskHandle } from './task-handle.js';
import { nextDueOf, parseSchedule, ScheduleStore, type ScheduleInfo, type ScheduleSpec } from './schedule-store.js';
import { Scheduler, type FiredSchedules, type ScheduleFirer } from './scheduler.js';
import { TaskJob } from './task-job.js';
import { taskQueueKeys, taskQueueRegistryKey, type TaskQueueKeys } from './task-keys.js';
import type { BrokerOptions } from './broker-options.js';
import type { Labels, SendOptions, TaskContext, TaskError, TaskHandler, TaskMessage, TaskOptions, TaskResult, TaskSend, TaskWorkerOptions } from './types.js';

/** Deliveries before a message goes to the dead letters when neither its task nor its send says: the Worker's default. */
export const DEFAULT_TASK_MAX_ATTEMPTS = 5;

/** The most messages one send script writes (a larger batch goes in several, in order). */
const SEND_CHUNK = 1000;

/**
 * A registered task: its name, and sends typed by its arguments and result.
 *
 * @typeParam A - the arguments
 * @typeParam R - the result
 */
export interface TaskDefinition<A, R> {
  /** The task name. */
  readonly name: string;
  /**
   * Sends the task.
   *
   * @param args - its arguments
   * @param options - delay, labels, task id, max attempts
   * @returns its handle, once the message is written
   */
  send(args: A, options?: SendOptions): Promise<TaskHandle<R>>;
  /**
   * Sends the task once per element, in order, one script per 1,000 (a bad element refuses
   * the whole call before anything is written).
   *
   * @param sends - the arguments and options of each
   * @param options - `delayMs` for all of them
   * @returns their handles
   */
  sendMany(sends: readonly TaskSend<A>[], options?: { delayMs?: number | undefined }): Promise<TaskHandle<R>[]>;
  /**
   * Adds a schedule that sends the task (see {@link ScheduleStore.add}).
   *
   * @param args - the arguments each run is sent with
   * @param options - `id`, exactly one of `cron` (with `tz`), `everyMs`, `at`, and `labels`
   */
  schedule(args: A, options: Omit<ScheduleSpec, 'task' | 'args'>): Promise<ScheduleInfo>;
}

/** Checks a task name: a non-empty string without `{` or `}`. */
function assertTaskName(name: unknown): asserts name is string {
  assertTaskId(name, 'task name');
}

/** Checks labels: a plain object of strings, finite numbers and booleans. */
function assertLabels(labels: unknown): asserts labels is Labels {
  const proto: unknown = typeof labels === 'object' && labels !== null ? Object.getPrototypeOf(labels) : undefined;
  if (proto !== Object.prototype && proto !== null) throw invalid(`labels must be a plain object, got ${describeValue(labels)}`);
  for (const [key, value] of Object.entries(labels as object)) {
    const ok = typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));
    if (!ok) throw invalid(`labels.${key} must be a string, a finite number or a boolean, got ${describeValue(value)}`);
  }
}

/** What a thrown value keeps in a result. */
function taskErrorOf(err: unknown): TaskError {
  if (err instanceof Error) return { name: err.name, message: err.message, stack: err.stack };
  return { name: 'Error', message: String(err) };
}

/**
 * What every broker shares: a queue name and its keys, the message codec, the result store, the
 * tasks registered on it and how a worker runs them, and sends. Each subclass is one delivery
 * behaviour on any topology ({@link StreamBroker}, {@link ListQueueBroker}, {@link PubSubBroker}).
 */
export abstract class TaskBroker implements JobSourceProvider<TaskJob>, ScheduleFirer {
  /** The queue name. */
  public readonly name: string;
  /** The key prefix. */
  public readonly prefix: string;
  /** The connection (never closed by the broker). */
  public readonly client: RedisClient;
  /** The queue's keys. */
  public readonly redisKeys: TaskQueueKeys;
  /** Where results go, if anywhere. */
  public readonly results: ResultStore | undefined;
  /** Deliveries before a message that says none goes to the dead letters (0: no limit). */
  public readonly maxAttempts: number;
  /** Which delivery behaviour this is. */
  public abstract readonly kind: 'stream' | 'list' | 'pubsub';
  /** Encodes and decodes the message envelope. */
  protected readonly codec: Codec<TaskMessage>;
  /** The queue as its scripts see it: keys, connection, codec, replication, registration. */
  protected readonly core: TaskQueueCore;
  private readonly handlers = new Map<string, { handler: TaskHandler<never, unknown>; maxAttempts: number | undefined }>();
  /** The queue's schedules (in its slot), which a {@link Scheduler} fires. */
  public readonly schedules: ScheduleStore;
  /** The Workers made by {@link worker}, closed by {@link close}. */
  private readonly workers = new Set<Worker<unknown, unknown, TaskJob>>();

  /** Checks the name and the shared options; writes nothing. */
  protected constructor(client: RedisClient, name: string, options: BrokerOptions) {
    options = optionsOf(options);
    this.prefix = options.prefix ?? '';
    this.redisKeys = taskQueueKeys(name, this.prefix);
    this.name = name;
    this.client = client;
    this.results = options.results;
    this.codec = options.codec ?? jsonCodec<TaskMessage>();
    this.maxAttempts = options.maxAttempts ?? DEFAULT_TASK_MAX_ATTEMPTS;
    assertInteger(this.maxAttempts, 'maxAttempts', 0);
    this.core = new ObjectCore(client, name, this.prefix, this.redisKeys, TASK_QUEUE_SCRIPTS, this.codec, replicationOf(options.replication), {
      key: taskQueueRegistryKey(this.prefix),
      what: 'task queue',
      then: 'the next send registers it',
    });
    this.schedules = new ScheduleStore(client, this.redisKeys, this.core);
  }

  /**
   * Registers a task's handler on this broker (a name registers once) and returns its typed
   * definition, to send it and (in a worker) to run it.
   *
   * @param name - the task name
   * @param handler - runs the task: its return value is the result, a throw fails the attempt
   * @param options - `maxAttempts` for its messages
   * @throws {@link GoodRedisError} `InvalidArgument` for a bad name, a name taken, a handler that is not a function
   */
  public task<A = unknown, R = unknown>(name: string, handler: TaskHandler<A, R>, options: TaskOptions = {}): TaskDefinition<A, R> {
    assertTaskName(name);
    if (typeof handler !== 'function') throw invalid(`the handler of task ${JSON.stringify(name)} must be a function, got ${describeValue(handler)}`);
    if (this.handlers.has(name)) throw invalid(`task ${JSON.stringify(name)} is already registered on broker ${JSON.stringify(this.name)}`);
    const { maxAttempts } = optionsOf(options);
    if (maxAttempts !== undefined) assertInteger(maxAttempts, 'maxAttempts', 0);
    this.handlers.set(name, { handler, maxAttempts });
    return {
      name,
      send: (args, sendOptions) => this.send<R>(name, args, sendOptions),
      sendMany: (sends, sendOptions) => this.sendMany<R>(name, sends, sendOptions),
      schedule: (args, scheduleOptions) => this.schedules.add({ ...optionsOf(scheduleOptions, 'schedule options'), task: name, args }),
    };
  }

  /** The task names registered on this broker. */
  public taskNames(): string[] {
    return [...this.handlers.keys()];
  }

  /**
   * Sends a task by name, with or without its handler registered here (a producer need not
   * import the task's code).
   *
   * @param name - the task name
   * @param args - its arguments (encoded with the message)
   * @param options - delay, labels, task id, max attempts
   * @returns its handle, once the message is written
   * @throws {@link GoodRedisError} `InvalidArgument` for bad input, `Codec` for arguments that cannot be encoded; nothing is written then
   */
  public async send<R = unknown>(name: string, args: unknown, options: SendOptions = {}): Promise<TaskHandle<R>> {
    const { delayMs, ...rest } = optionsOf(options);
    const [handle] = await this.sendMany<R>(name, [{ args, options: rest }], { delayMs });
    if (handle === undefined) throw new GoodRedisError('Script', 'the send returned no handle');
    return handle;
  }

  /**
   * Sends a task once per element, in order, one script per 1,000; a bad element refuses the
   * whole call before anything is written.
   *
   * @param name - the task name
   * @param sends - the arguments and options of each
   * @param options - `delayMs` for all of them
   * @returns their handles
   */
  public async sendMany<R = unknown>(
    name: string,
    sends: readonly TaskSend<unknown>[],
    options: { delayMs?: number | undefined } = {},
  ): Promise<TaskHandle<R>[]> {
    assertTaskName(name);
    const list: unknown = sends;
    if (!Array.isArray(list)) throw invalid(`sends must be an array, got ${describeValue(sends)}`);
    const { delayMs = 0 } = optionsOf(options);
    this.checkDelay(delayMs);
    const defaultMax = this.handlers.get(name)?.maxAttempts ?? 0;
    const sentAt = Date.now();
    const checked = sends.map((send, i) => {
      const { labels = {}, taskId = randomUUID(), maxAttempts = defaultMax } = optionsOf(send.options ?? {}, `sends[${String(i)}].options`);
      assertTaskId(taskId);
      assertLabels(labels);
      assertInteger(maxAttempts, 'maxAttempts', 0);
      return { id: taskId, task: name, args: send.args, labels, sentAt, maxAttempts, attempt: 0 };
    });
    return traceSend({ family: 'taskQueue', name: this.name }, checked.length, async (headers) => {
      const messages = checked.map((fields) => {
        const message: TaskMessage = headers === undefined ? fields : { ...fields, headers };
        return { message, encoded: encodeWith(this.codec, message) };
      });
      const receivers: number[] = [];
      for (let i = 0; i < messages.length; i += SEND_CHUNK) {
        const written = this.write(messages.slice(i, i + SEND_CHUNK), delayMs);
        receivers.push(...(await (i === 0 ? this.core.registering(written) : written))); // registered once the first write landed
      }
      return messages.map(({ message }, i) => new TaskHandle<R>(message.id, this.results, receivers[i]));
    });
  }

  /** Checks a send's delay: a whole number of ms, 0 or more (a broadcast refuses any). */
  protected checkDelay(delayMs: number): void {
    assertInteger(delayMs, 'delayMs', 0);
  }

  /**
   * Writes encoded messages, all after `delayMs` (one script).
   *
   * @returns per message, how many workers got it (a broadcast), else an empty array
   */
  protected abstract write(messages: readonly { message: TaskMessage; encoded: string | Buffer }[], delayMs: number): Promise<number[]>;

  /** How long the stream is kept by a schedule's send (a stream broker's `maxLength`; 0: no trim). */
  protected trimLength(): number {
    return 0;
  }

  /**
   * Runs a schedule now, once, outside its times: sends its task with its arguments and labels
   * (and the label `scheduleId`), as a firing does, with a new task id; its next run does not move.
   *
   * @param id - the schedule id
   * @returns the task's handle, or null when there is no such schedule
   * @throws {@link GoodRedisError} `InvalidArgument` for a bad id
   */
  public async runScheduleNow<R = unknown>(id: string): Promise<TaskHandle<R> | null> {
    const schedule = await this.schedules.get(id);
    if (schedule === null) return null;
    return this.send<R>(schedule.task, schedule.args, { labels: { ...schedule.labels, scheduleId: id } });
  }

  /**
   * Fires the schedules due now, at most `limit` (what a {@link Scheduler} tick does for this
   * queue): one read-only script reads them with the server's time, their next due times are
   * computed here, and one script sends each task (id `<scheduleId>:<dueMs>`, label
   * `scheduleId`) and moves its due time only while it is still the one read.
   *
   * @param limit - the most to read
   * @returns how many were read due, and those that this call fired
   */
  public async fireDueSchedules(limit = 1000): Promise<FiredSchedules> {
    const { now, due } = await this.core.call('readDue', { limit });
    const fires: TaskQueueScriptInput<'fireSchedules'>['fires'][number][] = [];
    for (const { id, dueMs, body } of due) {
      const schedule = parseSchedule(body);
      if (schedule === undefined) {
        await this.schedules.remove(id); // its body is gone or unreadable: it can never fire
        continue;
      }
      const message: TaskMessage = {
        id: `${id}:${String(dueMs)}`,
        task: schedule.task,
        args: schedule.args,
        labels: { ...schedule.labels, scheduleId: id },
        sentAt: now,
        maxAttempts: 0,
        attempt: 0,
      };
      fires.push({ id, dueMs, nextDueMs: nextDueOf(schedule, now, dueMs), task: schedule.task, encoded: encodeWith(this.codec, message) });
    }
    const read = due.length;
    if (fires.length === 0) return { read, fired: [] };
    const fired = new Set(
      await this.core.call('fireSchedules', {
        kind: this.kind,
        maxLength: this.trimLength(),
        channel: this.redisKeys.channel,
        sharded: this.client instanceof Cluster,
        fires,
      }),
    );
    if (fired.size > 0) await this.core.register();
    return { read, fired: fires.filter((f) => fired.has(f.id)).map((f) => ({ scheduleId: f.id, taskId: `${f.id}:${String(f.dueMs)}` })) };
  }

  /** Decodes a stored message; a value the codec refuses is a `Codec` error naming the queue. */
  protected decode(raw: string | Buffer, where: string): TaskMessage {
    // Whatever the codec decodes (another producer's JSON may be null, an array, a number) is checked before it is read.
    const message: unknown = decodeWith(this.codec, raw, () => `task queue ${JSON.stringify(this.name)}, ${where}`);
    const fields = typeof message === 'object' && message !== null ? (message as Partial<Record<keyof TaskMessage, unknown>>) : undefined;
    if (fields === undefined || typeof fields.id !== 'string' || typeof fields.task !== 'string') {
      throw new GoodRedisError('Codec', `task queue ${JSON.stringify(this.name)}, ${where}: not a task message`);
    }
    return message as TaskMessage;
  }

  /** The max attempts of a message: its own, else its task's as registered here, else `fallback` (the lease's: the broker's). */
  protected maxAttemptsOf(message: TaskMessage, fallback: number): number {
    if (typeof message.maxAttempts === 'number' && message.maxAttempts > 0) return message.maxAttempts;
    return this.handlers.get(message.task)?.maxAttempts ?? fallback;
  }

  /** The max attempts of the tasks registered here with one (for messages that carry none). */
  protected taskMaxAttempts(): Map<string, number> {
    const out = new Map<string, number>();
    for (const [name, { maxAttempts }] of this.handlers) if (maxAttempts !== undefined) out.set(name, maxAttempts);
    return out;
  }

  /** The broker as a {@link JobSource} of task messages for the one Worker. */
  public abstract jobSource(): JobSource<TaskJob>;

  /** What a Worker's spans say of this queue's tasks: the queue, each task's id and the trace context its send wrote. */
  protected sourceObject(): SourceObject<TaskJob> {
    return {
      family: 'taskQueue',
      name: this.name,
      prefix: this.prefix,
      describe: (job) => {
        // A message from another sender may carry anything there.
        const headers: unknown = job.message.headers;
        return { id: job.message.id, headers: typeof headers === 'object' && headers !== null ? (headers as Record<string, string>) : undefined };
      },
    };
  }

  /**
   * A Worker that runs this broker's tasks: each message dispatched by its task name to the
   * handler registered with {@link task} (an unknown name fails like a throwing handler:
   * another worker may know it), its result stored before the ack, and the error stored as the
   * result when the last attempt fails. Options are the Worker's, without `maxAttempts` (each
   * message carries its own, else the broker's).
   *
   * @param options - the Worker's options
   * @returns the Worker, started unless `autorun: false`
   */
  public worker(options: TaskWorkerOptions = {}): Worker<unknown, unknown, TaskJob> {
    const { scheduler = false, ...workerOptions } = optionsOf(options);
    if ('maxAttempts' in workerOptions) throw invalid('maxAttempts is not a worker option here: give it to the broker, the task or the send');
    if (typeof scheduler !== 'boolean') throw invalid(`scheduler must be a boolean, got ${describeValue(scheduler)}`);
    // A handler of one parameter: the Worker makes no AbortSignal per task; ctx.signal makes it when a task reads it.
    const worker: Worker<unknown, unknown, TaskJob> = new Worker<unknown, unknown, TaskJob>(this, (job) => this.runTask(job, () => worker.signalOf(job)), {
      ...workerOptions,
      maxAttempts: this.maxAttempts,
    });
    this.workers.add(worker);
    if (scheduler) {
      const ticks = new Scheduler(this);
      ticks.on('error', (err) => worker.emit('error', err));
      ticks.start();
      worker.once('closed', () => void ticks.stop());
    }
    worker.once('closed', () => this.workers.delete(worker));
    return worker;
  }

  /** Whether a failure of this delivery is the task's last (its error becomes the result). */
  protected isFinal(job: TaskJob): boolean {
    return job.isLastAttempt;
  }

  /** Runs one delivery: dispatch by name, then the result stored (or, on the last attempt, the error). */
  private async runTask(job: TaskJob, signal: () => AbortSignal): Promise<unknown> {
    const { message } = job;
    const started = performance.now();
    job.startedAt = started;
    let value: unknown;
    try {
      const entry = this.handlers.get(message.task);
      if (entry === undefined) throw new Error(`no handler for task ${JSON.stringify(message.task)} on broker ${JSON.stringify(this.name)} in this worker`);
      value = await entry.handler(message.args as never, this.contextOf(job, signal));
    } catch (err) {
      if (this.isFinal(job)) await this.storeResult(message, job.attempt, { isErr: true, returnValue: null, error: taskErrorOf(err) }, started);
      throw err;
    }
    await this.storeResult(message, job.attempt, { isErr: false, returnValue: value ?? null, error: null }, started);
    return value;
  }

  private contextOf(job: TaskJob, signalOf: () => AbortSignal): TaskContext {
    const { message } = job;
    return {
      taskId: message.id,
      taskName: message.task,
      labels: message.labels,
      attempt: job.attempt,
      maxAttempts: job.maxAttempts,
      sentAt: message.sentAt,
      get signal() {
        return signalOf();
      },
      progress: async (state, meta) => {
        if (this.results === undefined) throw new GoodRedisError('Configuration', `broker ${JSON.stringify(this.name)} has no result store for progress`);
        await this.results.setProgress(message.id, state, meta);
      },
    };
  }

  /** Stores a task's result, when the broker has a store. */
  protected async storeResult(
    message: TaskMessage,
    attempts: number,
    outcome: Pick<TaskResult, 'isErr' | 'returnValue' | 'error'>,
    started: number | undefined,
  ): Promise<void> {
    if (this.results === undefined) return;
    const result: TaskResult = {
      taskId: message.id,
      taskName: message.task,
      ...outcome,
      executionMs: started === undefined ? 0 : Math.round(performance.now() - started),
      attempts,
      labels: message.labels,
      finishedAt: Date.now(),
    };
    await this.results.set(message.id, result);
  }

  /** Stores the error results of messages that died without a handler finishing (a crash every time). */
  protected async storeDeathResults(dead: readonly { encoded: string | Buffer; attempts: number; error: string }[]): Promise<unknown[]> {
    const failures: unknown[] = [];
    for (const d of dead) {
      try {
        const message = this.decode(d.encoded, 'a dead letter');
        await this.storeResult(message, d.attempts, { isErr: true, returnValue: null, error: { name: 'Error', message: d.error } }, undefined);
      } catch (err) {
        failures.push(err);
      }
    }
    return failures;
  }

  /** Creates the job of a decoded message. */
  protected jobOf(message: TaskMessage, attempt: number, maxAttempts: number, encoded: string | Buffer, entryId = '', deliveries = 0): TaskJob {
    return new TaskJob(message, attempt, maxAttempts, encoded, entryId, deliveries);
  }

  /**
   * Deletes the queue's keys (messages, delays, leases, dead letters, schedules) and its name
   * from the registry.
   *
   * @returns whether there was data
   */
  public async delete(): Promise<boolean> {
    await this.core.unregister();
    return (await this.core.call('deleteQueue', {})) > 0;
  }

  /** Closes the Workers made by {@link worker} (waiting for their tasks) and what the broker opened; never the client. Idempotent. */
  public async close(): Promise<void> {
    await Promise.all([...this.workers].map((w) => w.close()));
  }

  /** `await using broker = new StreamBroker(…)`: closes it. */
  public async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

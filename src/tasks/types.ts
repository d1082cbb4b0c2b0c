import type { JobWorkerOptions } from '../jobs/worker-options.js';

/** A task's labels: a plain object of strings, numbers and booleans, carried with the message and its result. */
export type Labels = Readonly<Record<string, string | number | boolean>>;

/**
 * One task message, the envelope every broker sends (JSON by default, so any language can send
 * tasks; a broker's `codec` may replace it).
 */
export interface TaskMessage {
  /** The task id (a random UUID unless the sender gave one): its result is stored under it. */
  readonly id: string;
  /** The task name a worker dispatches on. */
  readonly task: string;
  /** The task's arguments, as the handler receives them. */
  readonly args: unknown;
  /** The labels given at send. */
  readonly labels: Labels;
  /** When it was sent, in epoch ms (the sender's clock: informational, nothing is timed by it). */
  readonly sentAt: number;
  /** Deliveries before it goes to the dead letters (0: the broker's `maxAttempts`). */
  readonly maxAttempts: number;
  /** Deliveries already used when it was written (0 when sent; a list broker's retry raises it). */
  readonly attempt: number;
  /**
   * The trace context of the send that wrote it (`traceparent`, `tracestate`), present only
   * when an OpenTelemetry SDK was recording then: the worker's `process` span is its child.
   */
  readonly headers?: Readonly<Record<string, string>> | undefined;
}

/** What a task's handler threw, as its result keeps it. */
export interface TaskError {
  /** The error's name (`Error`, `TypeError`, …). */
  readonly name: string;
  /** Its message. */
  readonly message: string;
  /** Its stack, when it had one. */
  readonly stack?: string | undefined;
}

/**
 * The outcome of one task, as the {@link ResultStore} keeps it: a value it returned, or the error
 * of its last attempt (`isErr: true`). A failed task is a result, not a thrown error.
 *
 * @typeParam R - the type of the value the task returns
 */
export interface TaskResult<R = unknown> {
  /** The task id. */
  readonly taskId: string;
  /** The task name. */
  readonly taskName: string;
  /** Whether the task failed (its last attempt threw, or it died in the dead letters). */
  readonly isErr: boolean;
  /** What the handler returned (`null` when it failed). */
  readonly returnValue: R | null;
  /** What the last attempt threw (`null` when it succeeded). */
  readonly error: TaskError | null;
  /** How long the last attempt ran, in ms (0 when no attempt finished: a crash). */
  readonly executionMs: number;
  /** Deliveries used. */
  readonly attempts: number;
  /** The task's labels. */
  readonly labels: Labels;
  /** When the result was made, in epoch ms (the worker's clock). */
  readonly finishedAt: number;
}

/** A task's last progress report. */
export interface TaskProgress {
  /** What the task said it is doing. */
  readonly state: string;
  /** Anything it added (JSON), or `null`. */
  readonly meta: unknown;
  /** When it said so, in epoch ms (the worker's clock). */
  readonly updatedAt: number;
}

/** What a task's handler gets besides its arguments. */
export interface TaskContext {
  /** The task id. */
  readonly taskId: string;
  /** The task name. */
  readonly taskName: string;
  /** The labels it was sent with. */
  readonly labels: Labels;
  /** Which delivery this is: 1 on the first. */
  readonly attempt: number;
  /** Deliveries before it goes to the dead letters (0: no limit). */
  readonly maxAttempts: number;
  /** When it was sent (epoch ms, the sender's clock). */
  readonly sentAt: number;
  /** Aborts when the task's lease is lost or its worker gave up waiting for it on close. */
  readonly signal: AbortSignal;
  /**
   * Stores a progress report (with the result store's TTL) that `handle.progress()` reads.
   *
   * @param state - what the task is doing
   * @param meta - anything JSON to add
   */
  progress(state: string, meta?: unknown): Promise<void>;
}

/**
 * A task's code: its arguments and context in, its result out (a throw fails the attempt, and
 * the task is retried after the Worker's backoff until its attempts run out).
 *
 * @typeParam A - the arguments
 * @typeParam R - the result
 */
export type TaskHandler<A, R> = (args: A, context: TaskContext) => R | Promise<R>;

/** Options of {@link TaskBroker.task}. */
export interface TaskOptions {
  /**
   * Deliveries before a message of this task goes to the dead letters (0: no limit).
   *
   * @defaultValue the broker's `maxAttempts`
   */
  maxAttempts?: number | undefined;
}

/** Options of a send. */
export interface SendOptions {
  /** Deliver no sooner than this many ms from now (the server's clock); refused by a {@link PubSubBroker}. */
  delayMs?: number | undefined;
  /** Labels carried with the message and its result. */
  labels?: Labels | undefined;
  /** The task id (a random UUID when left out); its result is stored under it. */
  taskId?: string | undefined;
  /**
   * Deliveries before the message goes to the dead letters (0: no limit).
   *
   * @defaultValue the task's `maxAttempts`, else the broker's
   */
  maxAttempts?: number | undefined;
}

/** One task of a batch send. */
export interface TaskSend<A> {
  /** The arguments. */
  readonly args: A;
  /** Its options (`delayMs` applies to the whole batch: give it in the call's options). */
  readonly options?: Omit<SendOptions, 'delayMs'> | undefined;
}

/** Options of {@link TaskBroker.worker}: the Worker's, without `maxAttempts` (each message carries its own). */
export interface TaskWorkerOptions extends Omit<JobWorkerOptions, 'maxAttempts'> {
  /**
   * Also run a {@link Scheduler} of this broker's schedules in the process, stopped with the Worker.
   *
   * @defaultValue `false`
   */
  scheduler?: boolean | undefined;
}

/** One dead letter of a task queue. */
export interface TaskDeadLetter {
  /** The dead letter's id (in the dead-letter stream): what `replayDead` and `purgeDead` take. */
  readonly id: string;
  /** The message, or `undefined` when the codec could not decode it (see `raw`). */
  readonly message: TaskMessage | undefined;
  /** The encoded message, when it could not be decoded. */
  readonly raw?: string | Buffer | undefined;
  /** The last error. */
  readonly error: string;
  /** Deliveries used. */
  readonly attempts: number;
  /** When it died, in epoch ms (server clock). */
  readonly diedAt: number;
}

/** A task queue's counts. */
export interface TaskQueueStats {
  /** Messages not yet delivered. */
  readonly waiting: number;
  /** Messages leased by a worker (always 0 on a list). */
  readonly active: number;
  /** Delayed sends and retries. */
  readonly delayed: number;
  /** Dead letters. */
  readonly dead: number;
  /** The stream's or list's length (`XLEN`, `LLEN`). */
  readonly length: number;
  /** The tasks sent (and fired by schedules) in total, delayed ones when sent; retries and replays are not counted, nor a pub/sub broker's broadcasts. */
  readonly added: number;
}

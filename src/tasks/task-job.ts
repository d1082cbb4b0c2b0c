import type { SourceJob } from '../jobs/job-source.js';
import type { TaskMessage } from './types.js';

/**
 * One delivery of a task message, as a broker's {@link JobSource} hands it to the Worker (the
 * broker's worker runs the task's handler with it; a plain `Worker` over the broker gets it as is).
 */
export class TaskJob implements SourceJob {
  /**
   * @param message - the decoded message
   * @param attempt - which delivery this is (1 on the first)
   * @param maxAttempts - deliveries before it goes to the dead letters (0: no limit)
   * @param encoded - the message as stored
   * @param entryId - its stream entry id (`StreamBroker`), else `''`
   * @param deliveries - the entry's delivery count when leased (`StreamBroker`), else 0
   */
  public constructor(
    public readonly message: TaskMessage,
    public readonly attempt: number,
    public readonly maxAttempts: number,
    public readonly encoded: string | Buffer,
    public readonly entryId = '',
    public readonly deliveries = 0,
  ) {}

  /** When the broker's worker started its handler (`performance.now()`), once it has. */
  public startedAt: number | undefined;

  /** The task id. */
  public get taskId(): string {
    return this.message.id;
  }

  /** The task name. */
  public get taskName(): string {
    return this.message.task;
  }

  /** Whether this is the last delivery: a failure now goes to the dead letters. */
  public get isLastAttempt(): boolean {
    return this.maxAttempts > 0 && this.attempt >= this.maxAttempts;
  }
}

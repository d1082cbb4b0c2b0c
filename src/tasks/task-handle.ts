import { GoodRedisError } from '../errors.js';
import type { ResultStore } from './result-store.js';
import type { TaskProgress, TaskResult } from './types.js';

/**
 * A sent task: its id, and its result and progress as the broker's {@link ResultStore} holds
 * them. Without a store, every read is refused with `Configuration`.
 *
 * @typeParam R - the type of the value the task returns
 */
export class TaskHandle<R = unknown> {
  /**
   * @param taskId - the task id
   * @param results - the broker's result store, if any
   * @param receivers - how many workers got the message (a `PubSubBroker`'s send), else undefined
   */
  public constructor(
    public readonly taskId: string,
    private readonly results: ResultStore | undefined,
    public readonly receivers?: number,
  ) {}

  private store(): ResultStore {
    if (this.results === undefined) {
      throw new GoodRedisError('Configuration', `task ${JSON.stringify(this.taskId)}: its broker has no result store (the results option)`);
    }
    return this.results;
  }

  /**
   * Waits for the result without polling (see {@link ResultStore.wait}). A task that failed
   * resolves too, with `isErr: true`.
   *
   * @param options - `timeoutMs`: the longest wait (default 30 s)
   * @throws {@link GoodRedisError} `Timeout` when none came in time; `Configuration` without a store
   */
  public async waitResult(options: { timeoutMs?: number | undefined } = {}): Promise<TaskResult<R>> {
    return this.store().wait<R>(this.taskId, options);
  }

  /**
   * Reads the result now.
   *
   * @throws {@link GoodRedisError} `ResultMissing` when there is none yet (or it expired)
   */
  public async result(): Promise<TaskResult<R>> {
    return this.store().get<R>(this.taskId);
  }

  /** Whether the result is there. */
  public async isReady(): Promise<boolean> {
    return this.store().has(this.taskId);
  }

  /** The task's last progress, or `null`. */
  public async progress(): Promise<TaskProgress | null> {
    return this.store().getProgress(this.taskId);
  }
}

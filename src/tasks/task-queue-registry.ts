import type { RedisClient } from '../connection/redis-client.js';
import { assertObjectName } from '../internal/validate.js';
import { SetRegistry } from '../keyspace/set-registry.js';
import { TASK_QUEUE_SCRIPTS } from './scripts.js';
import { taskQueueKeys, taskQueueRegistryKey } from './task-keys.js';
import type { TaskQueueStats } from './types.js';

/** Options of {@link TaskQueueRegistry}. */
export interface TaskQueueRegistryOptions {
  /**
   * The key prefix of the registry and its queues.
   *
   * @defaultValue `''`
   */
  prefix?: string | undefined;
}

/** One task queue as the registry describes it. */
export interface TaskQueueInfo extends TaskQueueStats {
  /** The queue name. */
  readonly name: string;
  /** What holds its messages: `stream`, `list`, or `''` when neither exists (a broadcast, or nothing sent yet). */
  readonly kind: 'stream' | 'list' | '';
  /** Its schedules. */
  readonly schedules: number;
}

/**
 * The names of every task queue under one prefix, in the set `P:tq:keys` (apart from the other
 * families' registries): the CLI and the tools find task queues without `SCAN`. A broker's
 * first send (or schedule) registers its queue.
 */
export class TaskQueueRegistry extends SetRegistry {
  /**
   * @param client - the connection
   * @param options - `prefix`
   * @throws {@link GoodRedisError} `InvalidArgument` for a bad prefix
   */
  public constructor(client: RedisClient, options: TaskQueueRegistryOptions = {}) {
    super(client, options, taskQueueRegistryKey, (name) => {
      assertObjectName(name, 'task queue');
    });
  }

  /**
   * A queue's kind and counts, read in one script in its slot (read-only).
   *
   * @param name - the queue name
   */
  public async describe(name: string): Promise<TaskQueueInfo> {
    const keys = taskQueueKeys(name, this.prefix);
    return { name, ...TASK_QUEUE_SCRIPTS.definitions.readStats.decode(await TASK_QUEUE_SCRIPTS.run(this.client, 'readStats', keys, [])) };
  }
}

import type { SourceJob } from '../jobs/job-source.js';
import type { WorkerOptions } from '../jobs/worker.js';
import type { TopicMessage } from './topic-message.js';

/**
 * Consecutive messages of one partition, in log order, handed out together as one unit (see
 * `processBatch`): acked together when the handler returns, nacked together when it throws,
 * except those the handler settled itself.
 *
 * @typeParam T - the type of the values
 */
export class MessageBatch<T> implements SourceJob {
  /**
   * @param partition - the partition
   * @param messages - the messages, in log order
   */
  public constructor(
    public readonly partition: number,
    public readonly messages: readonly TopicMessage<T>[],
  ) {}

  /** The highest delivery count among the messages. */
  public get attempt(): number {
    return Math.max(...this.messages.map((m) => m.attempt));
  }

  /** The messages the handler did not settle itself. */
  public unsettled(): TopicMessage<T>[] {
    return this.messages.filter((m) => m.settlement() === undefined);
  }
}

/** Options of `processBatch`: the Worker's, and the most messages per batch. */
export interface BatchOptions extends WorkerOptions {
  /**
   * The most messages per batch (1 to 10,000).
   *
   * @defaultValue 10
   */
  batchSize?: number | undefined;
}

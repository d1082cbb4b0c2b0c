import { GoodRedisError } from '../errors.js';
import type { NackOutcome, Settlement, SourceJob } from '../jobs/job-source.js';
import { invalid, optionsOf, assertInteger } from '../internal/validate.js';
import { idTime } from './stream-ids.js';
import type { Headers, TopicNackOptions } from './types.js';

/** How a message settles itself through the consumer that fetched it. */
export interface MessageSettler<T> {
  /** Acks messages; one outcome per message. */
  ackMessages(messages: readonly TopicMessage<T>[]): Promise<(Error | undefined)[]>;
  /** Nacks messages; one outcome per message. */
  nackMessages(messages: readonly TopicMessage<T>[], delayMs: number, error: string): Promise<(NackOutcome | Error)[]>;
  /** Extends message leases to `ms` from now; one outcome per message. */
  extendMessages(messages: readonly TopicMessage<T>[], ms: number): Promise<(Error | undefined)[]>;
}

/** Throws an outcome that is an error. */
function check<O>(outcome: O | Error | undefined): O {
  if (outcome instanceof Error) throw outcome;
  return outcome as O;
}

/**
 * One message of a topic as a consumer hands it out: where it is, what it holds, which delivery
 * this is, and how to settle it. `ack`, `nack` and `extend` are fenced: they succeed only while
 * the entry is pending under this consumer (else `LeaseLost`, nothing changed).
 *
 * @typeParam T - the type of the value, fixed by the codec
 */
export class TopicMessage<T> implements SourceJob {
  readonly #settler: MessageSettler<T>;
  #settlement: Settlement | undefined;

  /**
   * @param settler - the consumer that fetched it
   * @param topic - the topic name
   * @param partition - the partition
   * @param id - the entry id in the partition
   * @param key - the message key, or null
   * @param value - the decoded value
   * @param headers - the headers
   * @param attempt - which delivery this is (1 on the first)
   */
  public constructor(
    settler: MessageSettler<T>,
    public readonly topic: string,
    public readonly partition: number,
    public readonly id: string,
    public readonly key: string | null,
    public readonly value: T,
    public readonly headers: Headers,
    public readonly attempt: number,
  ) {
    this.#settler = settler;
  }

  /** When the message was appended (epoch ms, server clock: its id's time). */
  public get timestamp(): number {
    return idTime(this.id);
  }

  /**
   * Acknowledges the message.
   *
   * @throws {@link GoodRedisError} `LeaseLost` when it is no longer pending under this consumer
   */
  public ack(): Promise<void> {
    const done = this.#settler.ackMessages([this]).then(([outcome]) => {
      check(outcome);
    });
    this.#settlement ??= { kind: 'ack', done };
    return done;
  }

  /**
   * Gives the message back after a failure: it is delivered again after `delayMs` (before any
   * later message of its partition under `'partition'` ordering), or, when its next delivery
   * would exceed `maxAttempts`, goes to the group's dead letters with `error`.
   *
   * @param options - `delayMs`, `error`
   * @returns `'retry'` or `'dead'`
   * @throws {@link GoodRedisError} `LeaseLost` when it is no longer pending under this consumer
   */
  public nack(options: TopicNackOptions = {}): Promise<NackOutcome> {
    const { delayMs = 0, error = '' } = optionsOf(options);
    assertInteger(delayMs, 'delayMs', 0);
    if (typeof error !== 'string') throw invalid('error must be a string');
    const done = this.#settler.nackMessages([this], delayMs, error).then(([outcome]) => check(outcome));
    if (this.#settlement === undefined) {
      done.catch(() => undefined); // the caller handles `done`
      this.#settlement = { kind: 'nack', done, delayMs, error: error === '' ? undefined : error };
    }
    return done;
  }

  /**
   * Extends the message's lease to `ms` from now (at most the consumer's `leaseMs`).
   *
   * @param ms - how long from now
   * @throws {@link GoodRedisError} `LeaseLost` when it is no longer pending under this consumer
   */
  public async extend(ms: number): Promise<void> {
    const [outcome] = await this.#settler.extendMessages([this], ms);
    check(outcome);
  }

  /** The first `ack` or `nack` called on this message, if any. */
  public settlement(): Settlement | undefined {
    return this.#settlement;
  }
}

/** The `LeaseLost` error of a message no longer pending under its consumer. */
export function lostMessage(topic: string, partition: number, id: string): GoodRedisError {
  return new GoodRedisError(
    'LeaseLost',
    `topic ${JSON.stringify(topic)}, partition ${String(partition)}: entry ${id} is no longer pending under this consumer`,
  );
}

/**
 * The options of the task brokers, apart from the task types so that the {@link ResultStore}
 * they name and those types do not import each other.
 *
 * @module
 */
import type { Codec } from '../codec.js';
import type { DeadLetterCapOptions } from '../jobs/dead-letters.js';
import type { ReplicationOptions } from '../scripting/script-set.js';
import type { ResultStore } from './result-store.js';
import type { TaskMessage } from './types.js';

/** Options every broker takes. */
export interface BrokerOptions {
  /**
   * The key prefix (`P` in `P:tq{name}:stream`).
   *
   * @defaultValue `''`
   */
  prefix?: string | undefined;
  /**
   * Encodes and decodes the whole message envelope.
   *
   * @defaultValue JSON
   */
  codec?: Codec<TaskMessage> | undefined;
  /** Where workers store results and senders wait for them; without one, `waitResult` is refused. */
  results?: ResultStore | undefined;
  /**
   * Deliveries before a message goes to the dead letters, when neither its task nor its send
   * said (0: no limit).
   *
   * @defaultValue 5
   */
  maxAttempts?: number | undefined;
  /**
   * Confirm every write with replicas (sends, acks, nacks): see the streams' `replication`.
   *
   * @defaultValue none
   */
  replication?: ReplicationOptions | undefined;
}

/** Options of a {@link StreamBroker}. */
export interface StreamBrokerOptions extends BrokerOptions, DeadLetterCapOptions {
  /**
   * The most entries the stream keeps: sends and acks remove the oldest acknowledged entries,
   * exactly, until it holds, and never one that is undelivered or pending (a backlog may exceed
   * it). 0 deletes each entry when it is acked.
   *
   * @defaultValue 10000
   */
  maxLength?: number | undefined;
}

/** Options of a {@link ListQueueBroker}: its dead letters' caps. */
export interface ListQueueBrokerOptions extends BrokerOptions, DeadLetterCapOptions {}

import { randomInt } from 'node:crypto';
import { encodeWith } from '../codec.js';
import type { RedisClient } from '../connection/redis-client.js';
import { GoodRedisError } from '../errors.js';
import { assertBoolean, assertInteger, describe as describeValue, invalid, optionsOf } from '../internal/validate.js';
import { traceSend, type TraceHeaders } from '../observe/telemetry.js';
import { replicationOf } from '../scripting/script-set.js';
import { partitionFor } from './partitioner.js';
import type { EncodedMessage } from './scripts.js';
import { TopicBase, type Confirmation } from './topic-base.js';
import { MAX_PARTITIONS, type PartitionGroupKeys } from './topic-keys.js';
import type { ProducerMessage, ProducerOptions, SendResult } from './types.js';

/** The most messages per atomic script. */
const MAX_CHUNK = 10_000;

/** A message checked, encoded and routed. */
interface Routed extends EncodedMessage {
  readonly partition: number;
}

/**
 * Sends messages to a topic: routed by explicit partition, by key (Kafka's default partitioner,
 * or yours), or round-robin; one atomic script per partition chunk; optional trimming that never
 * drops an entry a group has not acknowledged; optional replication. The first send creates the
 * topic when it does not exist and the producer was given `partitions`; without them it is
 * refused with a `Configuration` error (a topic's partition count is chosen, never defaulted).
 *
 * @typeParam T - the type of message values, fixed by the codec
 * @example
 * ```ts
 * const producer = new Producer(redis, 'orders', { partitions: 6 });
 * await producer.send({ key: 'customer-42', value: 'order placed' });
 * ```
 */
export class Producer<T = string> extends TopicBase<T> {
  private readonly confirm: Confirmation;
  private readonly createWith: number | undefined;
  private readonly maxLen: number;
  private readonly approximate: boolean;
  private readonly partitioner: (key: string, partitions: number) => number;
  private readonly metadataMaxAgeMs: number;
  private readonly chunkSize: number;
  private count = 0;
  private countReadAt = 0;
  private countRead: Promise<number> | undefined;
  private roundRobin = randomInt(0, MAX_PARTITIONS);
  private readonly logKeys: PartitionGroupKeys[] = [];

  /**
   * @param client - the connection
   * @param topic - the topic name
   * @param options - see {@link ProducerOptions}
   * @throws {@link GoodRedisError} `InvalidArgument` for a bad name or option
   */
  public constructor(client: RedisClient, topic: string, options: ProducerOptions<T> = {}) {
    super(client, topic, options);
    options = optionsOf(options);
    this.confirm = replicationOf(options.replication);
    this.createWith = options.partitions;
    if (this.createWith !== undefined) assertInteger(this.createWith, 'partitions', 1, MAX_PARTITIONS);
    this.maxLen = options.maxLen ?? 0;
    assertInteger(this.maxLen, 'maxLen', 0);
    this.approximate = options.approximate ?? true;
    assertBoolean(this.approximate, 'approximate');
    const partitioner = options.partitioner ?? partitionFor;
    if (typeof partitioner !== 'function') throw invalid(`partitioner must be a function (key, partitions) => partition, got ${describeValue(partitioner)}`);
    this.partitioner = partitioner;
    this.metadataMaxAgeMs = options.metadataMaxAgeMs ?? 5000;
    assertInteger(this.metadataMaxAgeMs, 'metadataMaxAgeMs', 0);
    this.chunkSize = options.chunkSize ?? 1000;
    assertInteger(this.chunkSize, 'chunkSize', 1, MAX_CHUNK);
  }

  /**
   * Reads the partition count again now (it is cached for `metadataMaxAgeMs`), creating the
   * topic when it does not exist.
   *
   * @returns the partition count
   */
  public async refreshMetadata(): Promise<number> {
    this.countReadAt = 0;
    return this.partitions();
  }

  /**
   * Sends one message.
   *
   * @param message - `value`, and optionally `key`, `partition`, `headers`
   * @returns its partition and entry id
   * @throws {@link GoodRedisError} `InvalidArgument` or `Codec` for a bad message (nothing written); `Replication` with the `replication` option
   */
  public async send(message: ProducerMessage<T>): Promise<SendResult> {
    const [result] = await this.sendMany([message]);
    if (result === undefined) throw new GoodRedisError('Script', 'the send script returned no id');
    return result;
  }

  /**
   * Sends messages: one atomic script per partition chunk, pipelined; within a partition, input
   * order is log order. One bad message refuses the whole call before anything is written.
   *
   * @param messages - the messages
   * @returns one result per message, in input order
   * @throws {@link GoodRedisError} `InvalidArgument` or `Codec` for a bad message (nothing written);
   *   a write failure fails the call, and its message says how many messages other chunks wrote
   */
  public async sendMany(messages: readonly ProducerMessage<T>[]): Promise<SendResult[]> {
    const given: unknown = messages;
    if (!Array.isArray(given)) throw invalid(`messages must be an array, got ${describeValue(given)}`);
    if (messages.length === 0) return [];
    return traceSend({ family: 'topic', name: this.topic }, messages.length, (trace) => this.checkAndWrite(messages, trace));
  }

  /** Checks, encodes (with the trace context's headers, if any), routes and writes messages. */
  private async checkAndWrite(messages: readonly ProducerMessage<T>[], trace: TraceHeaders | undefined): Promise<SendResult[]> {
    const checked = messages.map((m, i) => this.check(m, i, trace));
    const partitions = await this.partitions();
    let routed: Routed[];
    try {
      routed = checked.map((m) => this.route(m, partitions));
    } catch (err) {
      if (!GoodRedisError.is(err, 'InvalidArgument') || !checked.some((m) => m.partition !== undefined && m.partition >= partitions)) throw err;
      // An explicit partition above a cached count: read the count again before refusing.
      const fresh = await this.refreshMetadata();
      routed = checked.map((m) => this.route(m, fresh));
    }
    return this.write(routed);
  }

  private async write(routed: readonly Routed[]): Promise<SendResult[]> {
    const byPartition = new Map<number, { index: number; message: Routed }[]>();
    routed.forEach((message, index) => {
      const list = byPartition.get(message.partition);
      if (list === undefined) byPartition.set(message.partition, [{ index, message }]);
      else list.push({ index, message });
    });
    const results = new Array<SendResult>(routed.length);
    const writes: Promise<number>[] = [];
    for (const [partition, entries] of byPartition) {
      const keys = this.keysOf(partition);
      for (let start = 0; start < entries.length; start += this.chunkSize) {
        const chunk = entries.slice(start, start + this.chunkSize);
        const request = { maxLen: this.maxLen, approximate: this.approximate, messages: chunk.map((e) => e.message) };
        writes.push(
          this.partitionCore.call('send', request, { keys, replication: this.confirm }).then((ids) => {
            chunk.forEach((e, j) => (results[e.index] = { partition, id: String(ids[j]) }));
            return chunk.length;
          }),
        );
      }
    }
    const settled = await Promise.allSettled(writes);
    const failed = settled.find((s) => s.status === 'rejected');
    if (failed === undefined) return results;
    const written = settled.reduce((n, s) => n + (s.status === 'fulfilled' ? s.value : 0), 0);
    const err: unknown = failed.reason;
    if (!GoodRedisError.is(err) || writes.length === 1) throw err;
    throw new GoodRedisError(err.kind, `${err.message}; ${String(written)} of ${String(routed.length)} message(s), in other chunks, were written`, {
      cause: err,
    });
  }

  /** Checks and encodes one message (nothing is routed yet), with the trace context's headers under its own (its own win). */
  private check(message: ProducerMessage<T>, index: number, trace: TraceHeaders | undefined): EncodedMessage & { partition?: number | undefined } {
    const what = `messages[${String(index)}]`;
    const { value, key, partition, headers } = optionsOf(message, what);
    if (key !== undefined && typeof key !== 'string') throw invalid(`${what}.key must be a string, got ${describeValue(key)}`);
    if (partition !== undefined) assertInteger(partition, `${what}.partition`, 0, MAX_PARTITIONS - 1);
    let encodedHeaders: string | undefined;
    const givenHeaders: unknown = headers;
    if (headers !== undefined) {
      if (typeof givenHeaders !== 'object' || givenHeaders === null || Array.isArray(givenHeaders))
        throw invalid(`${what}.headers must be an object of strings, got ${describeValue(headers)}`);
      const entries = Object.entries(headers);
      for (const [name, v] of entries) {
        if (typeof v !== 'string') throw invalid(`${what}.headers[${JSON.stringify(name)}] must be a string, got ${describeValue(v)}`);
      }
      if (entries.length > 0) encodedHeaders = JSON.stringify(trace === undefined ? headers : { ...trace, ...headers });
    }
    if (encodedHeaders === undefined && trace !== undefined) encodedHeaders = JSON.stringify(trace);
    return { value: encodeWith(this.codec, value), key, partition, headers: encodedHeaders };
  }

  /** Chooses the partition of a checked message. */
  private route(message: EncodedMessage & { partition?: number | undefined }, partitions: number): Routed {
    let partition = message.partition;
    if (partition !== undefined) {
      if (partition >= partitions)
        throw invalid(`partition ${String(partition)} is out of range: topic ${JSON.stringify(this.topic)} has ${String(partitions)}`);
    } else if (message.key !== undefined) {
      partition = this.partitioner(message.key, partitions);
      if (!Number.isInteger(partition) || partition < 0 || partition >= partitions) {
        throw invalid(`the partitioner returned ${describeValue(partition)} for ${String(partitions)} partitions`);
      }
    } else {
      partition = this.roundRobin++ % partitions;
      if (this.roundRobin >= Number.MAX_SAFE_INTEGER) this.roundRobin = 0;
    }
    return { ...message, partition };
  }

  /** The partition count, cached for `metadataMaxAgeMs`; the topic is created when missing. */
  private partitions(): Promise<number> {
    if (this.count > 0 && Date.now() - this.countReadAt < this.metadataMaxAgeMs) return Promise.resolve(this.count);
    this.countRead ??= (async () => {
      try {
        let n = await this.readPartitions();
        if (n === 0) {
          if (this.createWith === undefined) {
            throw new GoodRedisError(
              'Configuration',
              `topic ${JSON.stringify(this.topic)} does not exist: create it with new Topic(client, ${JSON.stringify(this.topic)}).ensure(partitions), or give this Producer the partitions option to create it on its first send`,
            );
          }
          n = await this.ensureTopic(this.createWith);
        }
        this.count = n;
        this.countReadAt = Date.now();
        return n;
      } finally {
        this.countRead = undefined;
      }
    })();
    return this.countRead;
  }

  private keysOf(partition: number): PartitionGroupKeys {
    let keys = this.logKeys[partition];
    if (keys === undefined) this.logKeys[partition] = keys = this.partitionKeysOf(partition);
    return keys;
  }
}

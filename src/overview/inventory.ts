/**
 * Every object of every family under one prefix, found through the families' registries (no
 * `SCAN`), with its counts by state read in one atomic read per object: what the metrics
 * export and the dashboard shows.
 *
 * @module
 */
import type { RedisClient } from '../connection/redis-client.js';
import { assertPrefix, invalid, optionsOf } from '../internal/validate.js';
import { StreamRegistry } from '../prioritized/stream-registry.js';
import { QueueRegistry } from '../queues/queue-registry.js';
import { TaskQueueRegistry } from '../tasks/task-queue-registry.js';
import { TopicRegistry } from '../topics/topic-registry.js';

import { isObjectFamily, OBJECT_FAMILIES, type ObjectFamily, type ObjectRef } from '../observe/families.js';

export { OBJECT_FAMILIES, type ObjectFamily, type ObjectRef } from '../observe/families.js';

/**
 * An object's counts by state, read at one moment (one script for a stream, a queue, a pool or
 * a task queue; a topic's partitions live in several slots, so its counts are read per slot).
 *
 * The states by family:
 * - `stream`: `waiting` (queued items), `gated`, `cooling`, `leased`, `delayed`, `dead`;
 * - `queue`, `unique`: `waiting`, `processing` (held deliveries), `consumers`, `deadConsumers`;
 * - `pool`: `waiting` (items not leased), `due`, `leased`;
 * - `topic`: `messages` (entries kept, all partitions), `partitions`, `groups`, `pending`
 *   (delivered and not acked, all groups), `lag` (entries no group member has read yet, all
 *   groups; groups whose lag Redis cannot tell count 0);
 * - `taskQueue`: `waiting`, `active`, `delayed`, `dead`, `schedules`.
 */
export interface ObjectCounts extends ObjectRef {
  /** The counts by state. */
  readonly states: Readonly<Record<string, number>>;
  /**
   * What producers added to it in total, as its add scripts count it in its own slot: a stream's
   * accepted adds (its count restarts after a day without adds or pulls), a queue's or a pool's
   * values that came to wait, a topic's messages sent, a task queue's tasks sent and fired by
   * schedules (a pub/sub broker's broadcasts are not counted). Retries, replays and deliveries
   * given back are not adds. The dashboard's add rates and the metrics' adds counter read it.
   */
  readonly added: number;
}

/** The states that count as work in the "busiest first" order of the dashboard's overview and `good-redis top`. */
const WORK_STATES = ['waiting', 'messages', 'leased', 'processing', 'active', 'pending', 'delayed', 'dead'];

/** The work an object holds: the sum of its {@link WORK_STATES}. */
export function workOf(states: Readonly<Record<string, number>>): number {
  return WORK_STATES.reduce((sum, state) => sum + (states[state] ?? 0), 0);
}

/** Options of {@link ObjectInventory}. */
export interface ObjectInventoryOptions {
  /**
   * The key prefix of the registries and their objects.
   *
   * @defaultValue `''`
   */
  prefix?: string | undefined;
  /**
   * The families to list.
   *
   * @defaultValue all of {@link OBJECT_FAMILIES}
   */
  families?: readonly ObjectFamily[] | undefined;
}

/**
 * Every object of every family under one prefix, from the families' registries, with its counts
 * by state. Reads only: nothing here writes to Redis.
 *
 * @example
 * ```ts
 * const inventory = new ObjectInventory(redis);
 * for (const { family, name, states } of await inventory.counts()) console.log(family, name, states);
 * ```
 */
export class ObjectInventory {
  /** The connection (never closed by the inventory). */
  public readonly client: RedisClient;
  /** The key prefix. */
  public readonly prefix: string;
  /** The families listed. */
  public readonly families: readonly ObjectFamily[];
  private readonly streams: StreamRegistry;
  private readonly queues: QueueRegistry;
  private readonly topics: TopicRegistry;
  private readonly taskQueues: TaskQueueRegistry;

  /**
   * @param client - the connection (standalone, Sentinel or Cluster)
   * @param options - `prefix`, `families`
   * @throws {@link GoodRedisError} `InvalidArgument` for a bad prefix or an unknown family
   */
  public constructor(client: RedisClient, options: ObjectInventoryOptions = {}) {
    options = optionsOf(options);
    this.prefix = options.prefix ?? '';
    assertPrefix(this.prefix);
    const families: unknown = options.families ?? OBJECT_FAMILIES;
    if (!Array.isArray(families) || families.some((f) => !isObjectFamily(f))) {
      throw invalid(`families must be an array of ${OBJECT_FAMILIES.join(', ')}`);
    }
    this.families = [...(families as ObjectFamily[])];
    this.client = client;
    this.streams = new StreamRegistry(client, { prefix: this.prefix });
    this.queues = new QueueRegistry(client, { prefix: this.prefix });
    this.topics = new TopicRegistry(client, { prefix: this.prefix });
    this.taskQueues = new TaskQueueRegistry(client, { prefix: this.prefix });
  }

  /** The registered objects of the listed families, by family then name (one read per registry). */
  public async list(): Promise<ObjectRef[]> {
    const wants = (family: ObjectFamily): boolean => this.families.includes(family);
    const [streams, queues, topics, taskQueues] = await Promise.all([
      wants('stream') ? this.streams.names() : [],
      wants('queue') || wants('unique') || wants('pool') ? this.queues.entries() : [],
      wants('topic') ? this.topics.names() : [],
      wants('taskQueue') ? this.taskQueues.names() : [],
    ]);
    const refs: ObjectRef[] = streams.map((name) => ({ family: 'stream', name }));
    for (const family of ['queue', 'unique', 'pool'] as const) {
      if (wants(family)) for (const [name, kind] of queues) if (kind === family) refs.push({ family, name });
    }
    for (const name of topics) refs.push({ family: 'topic', name });
    for (const name of taskQueues) refs.push({ family: 'taskQueue', name });
    return refs;
  }

  /**
   * Whether an object is registered: one membership read in its family's registry (no listing).
   *
   * @param ref - the family and name
   * @returns false for a family this inventory does not list
   * @throws {@link GoodRedisError} `InvalidArgument` for a name its family refuses
   */
  public async has({ family, name }: ObjectRef): Promise<boolean> {
    if (!this.families.includes(family)) return false;
    switch (family) {
      case 'stream':
        return this.streams.has(name);
      case 'topic':
        return this.topics.has(name);
      case 'taskQueue':
        return this.taskQueues.has(name);
      case 'queue':
      case 'unique':
      case 'pool':
        return (await this.queues.kindOf(name)) === family;
    }
  }

  /**
   * The counts of every listed object (see {@link ObjectCounts} for the states): the reads of all
   * objects are sent together, not one after the other.
   *
   * @param refs - the objects, from {@link list} (read when left out)
   */
  public async counts(refs?: readonly ObjectRef[]): Promise<ObjectCounts[]> {
    const objects = refs ?? (await this.list());
    return Promise.all(objects.map(async (ref) => ({ ...ref, ...(await this.countsOf(ref)) })));
  }

  /** One object's counts by state, and what was added to it in total. */
  private async countsOf({ family, name }: ObjectRef): Promise<{ states: Record<string, number>; added: number }> {
    switch (family) {
      case 'stream': {
        const { length, gated, cooling, leased, delayed, dead, added } = await this.streams.stream(name).stats();
        return { states: { waiting: length, gated, cooling, leased, delayed, dead }, added };
      }
      case 'queue':
      case 'unique': {
        const queue = this.queues.reliableQueue(name, family);
        const { waiting, processing, consumers, deadConsumers, added } = await queue.stats();
        return { states: { waiting, processing, consumers, deadConsumers }, added };
      }
      case 'pool': {
        const { size, due, leased, added } = await this.queues.pool(name).stats();
        return { states: { waiting: size - leased, due, leased }, added };
      }
      case 'topic': {
        const { messages, partitions, groups, pending, lag, added } = await this.topics.topic(name).stats();
        return { states: { messages, partitions, groups, pending, lag }, added };
      }
      case 'taskQueue': {
        const { waiting, active, delayed, dead, schedules, added } = await this.taskQueues.describe(name);
        return { states: { waiting, active, delayed, dead, schedules }, added };
      }
    }
  }
}

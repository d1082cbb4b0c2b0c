/**
 * The rows of the fault matrix (issue 18): every mutating operation of every family, each with
 * how to set it up, the call itself, and what the docs promise for it. `faults.spec.ts` runs each
 * row under every fault and checks the promise; `renderFaultTable` writes the table that
 * docs/operations.md carries, so a row of the table is a row of the test.
 */
import { Redis, type RedisOptions } from 'ioredis';
import {
  Consumer,
  GoodRedisError,
  ListQueueBroker,
  Pool,
  PrioritizedStream,
  Producer,
  Queue,
  ResultStore,
  StreamBroker,
  Topic,
  UniqueQueue,
  type ErrorKind,
  type JobSource,
  type QueueOptions,
  type SourceJob,
  type TaskResult,
} from '../../../src/index.js';
import { serverNow, waitFor } from '../support.js';

/** One run of a row: the connection its objects use, and what to close after. */
export interface RowRun {
  readonly redis: Redis;
  /** Closed (in reverse) when the run ends, before the next run flushes the server. */
  readonly closers: (() => Promise<unknown>)[];
  /** Strings a run makes at random (consumer ids), replaced by a stable alias in the snapshots. */
  readonly aliases: Map<string, string>;
}

/**
 * Flushes the server `admin` reaches, sets `row` up on a new connection to `port`, runs `body`,
 * then closes what the run opened (the connection too).
 *
 * @param options - the new connection's ioredis options
 */
export async function withRowRun<R>(
  admin: Redis,
  port: number,
  row: Pick<FaultRow, 'arrange'>,
  body: (run: RowRun, call: () => Promise<unknown>) => Promise<R>,
  options: RedisOptions = {},
): Promise<R> {
  await admin.flushall();
  const redis = new Redis(port, '127.0.0.1', options);
  redis.on('error', () => undefined); // faults make it reconnect
  const run: RowRun = { redis, closers: [], aliases: new Map() };
  try {
    const call = await row.arrange(run);
    return await body(run, call);
  } finally {
    for (const close of run.closers.reverse()) await close().catch(() => undefined);
    redis.disconnect();
  }
}

/** What a full server does with the call. */
export type WhenFull = 'refused' | 'runs';

/** One mutating operation. */
export interface FaultRow {
  /** The family as the docs name it. */
  readonly family: string;
  /** The call as the docs name it. */
  readonly operation: string;
  /** Makes the objects and the state the call runs on; returns the call. */
  arrange(run: RowRun): Promise<() => Promise<unknown>>;
  /**
   * What Redis holds once the call ran and its reply was lost, in the docs' words. `handedBack`:
   * the call gives back what it took when it learns the reply was lost (a queue's getItems).
   */
  readonly lost: string;
  /** Whether a lost reply is undone by the SDK (the deliveries handed back) rather than kept. */
  readonly handedBack?: boolean;
  /**
   * Plain commands, no script: ioredis sends them again on the new connection, so the call
   * answers after a dropped connection or a restart (each such operation is idempotent).
   */
  readonly resent?: boolean;
  /** `plain`: the call writes with a plain command first (a registry entry), which ioredis sends again, then its script. */
  readonly firstWrite?: 'plain' | 'script';
  /**
   * A call of several scripts, one per step (per partition, say), for the docs: after a lost
   * reply the steps before it ran and the later ones did not; the call is idempotent, so a retry
   * completes it.
   */
  readonly steps?: string;
  /** `runs`: a script that only removes data or settles work, declared `allow-oom`; `refused`: `OutOfMemory`, nothing written. */
  readonly full: WhenFull;
  /** Whether a second call leaves Redis as one call did (checked). */
  readonly idempotent: boolean;
  /** The error a second call answers with (checked); none when it answers normally. */
  readonly again?: ErrorKind;
  /** What a retry after an unknown outcome does, in the docs' words. */
  readonly retry: string;
}

/** Throws the first error of a per-job settle (JobSource, a Consumer's settles). */
function settled(outcomes: readonly unknown[]): number {
  const error = outcomes.find((o): o is Error => o instanceof Error);
  if (error !== undefined) throw error;
  return outcomes.length;
}

/** A stream with cooldowns off, and three items. */
export async function stream(run: RowRun, items = true): Promise<PrioritizedStream> {
  const s = new PrioritizedStream(run.redis, 'st', { cooldownMs: 0 });
  if (items) {
    await s.addMany([
      ['a', 'A', 3],
      ['b', 'B', 2],
      ['c', 'C', 1],
    ]);
  }
  return s;
}

/** Waits until the server's clock passes `deadline` (ms). */
async function serverPast(redis: Redis, deadline: number): Promise<void> {
  await waitFor(async () => (await serverNow(redis)) > deadline, 5000, 'the server clock');
}

/** A reliable queue (or unique queue) with three values, its consumer id aliased. */
export async function queue(run: RowRun, options: QueueOptions<string> = {}, Kind: typeof Queue | typeof UniqueQueue = Queue): Promise<Queue | UniqueQueue> {
  const q = new Kind(run.redis, 'q', { heartbeatMs: 60_000, consumerTimeoutMs: 300_000, ...options });
  run.aliases.set(q.consumerId, '<consumer>');
  run.closers.push(() => q.close({ handBack: false }));
  await q.addItems(['1', '2', '3']);
  return q;
}

/** A pool with three items. */
export async function pool(run: RowRun): Promise<Pool> {
  const p = new Pool(run.redis, 'pl');
  await p.addItems(['x', 'y', 'z']);
  return p;
}

/** A topic of two partitions with a group `g`, a producer, and three messages sent. */
export async function topic(run: RowRun): Promise<{ topic: Topic; producer: Producer }> {
  const t = new Topic(run.redis, 'tp');
  await t.ensure(2);
  await t.createGroup('g');
  const producer = new Producer<string>(run.redis, 'tp');
  await producer.sendMany([
    { key: 'k1', value: 'm1' },
    { key: 'k2', value: 'm2' },
    { key: 'k1', value: 'm3' },
  ]);
  return { topic: t, producer };
}

/** A member of group `g` of the topic, with a fixed member id and a long heartbeat. */
export async function member(run: RowRun, options: { maxAttempts?: number } = {}): Promise<Consumer> {
  const c = new Consumer<string>(run.redis, 'tp', { group: 'g', memberId: 'm', heartbeatMs: 60_000, sessionTimeoutMs: 300_000, ordering: 'none', ...options });
  run.aliases.set((c as unknown as { incarnation: string }).incarnation, '<incarnation>');
  run.closers.push(() => c.close());
  await c.join();
  return c;
}

/** A stream task broker with three tasks sent (fixed ids), results kept in a result store. */
export async function taskStream(run: RowRun): Promise<{ broker: StreamBroker; results: ResultStore }> {
  const results = new ResultStore(run.redis);
  run.closers.push(() => results.close());
  const broker = new StreamBroker(run.redis, 'tq', { results });
  run.closers.push(() => broker.close());
  await broker.sendMany('t', [
    { args: 1, options: { taskId: 'id-1' } },
    { args: 2, options: { taskId: 'id-2' } },
    { args: 3, options: { taskId: 'id-3' } },
  ]);
  return { broker, results };
}

/** A list task broker with three tasks sent (fixed ids). */
export async function taskList(run: RowRun): Promise<ListQueueBroker> {
  const broker = new ListQueueBroker(run.redis, 'tl');
  run.closers.push(() => broker.close());
  await broker.sendMany('t', [
    { args: 1, options: { taskId: 'id-1' } },
    { args: 2, options: { taskId: 'id-2' } },
    { args: 3, options: { taskId: 'id-3' } },
  ]);
  return broker;
}

/** Leases `count` jobs from a source. */
export async function leased<J extends SourceJob>(source: JobSource<J>, count: number, maxAttempts = 5): Promise<J[]> {
  const { items } = await source.leaseBatch({ count, leaseMs: 60_000, maxAttempts, owner: 'w' });
  if (items.length !== count) throw new Error(`leased ${String(items.length)} of ${String(count)}`);
  return items;
}

/** A task result to store. */
const RESULT: TaskResult = { taskId: 'id-1', taskName: 't', isErr: false, returnValue: 1, error: null, executionMs: 1, attempts: 1, labels: {}, finishedAt: 1 };

const LEASE_RETRY = 'idempotent: the retry answers `LeaseLost`, the job where the first call put it';

/** Every row, in the order of the table. */
export const FAULT_ROWS: readonly FaultRow[] = [
  // Prioritized streams.
  {
    family: 'stream',
    operation: 'add',
    arrange: async (run) => {
      const s = await stream(run);
      return () => s.add('a', 'A', 2);
    },
    lost: 'the item, its priority summed once',
    full: 'refused',
    idempotent: false,
    retry: "sums the priority again (`mode: 'replace'` or `'max'` is idempotent)",
  },
  {
    family: 'stream',
    operation: 'add (`max`)',
    arrange: async (run) => {
      const s = await stream(run);
      return () => s.add('a', 'A', 7, { mode: 'max' });
    },
    lost: 'the item at the higher priority',
    full: 'refused',
    idempotent: true,
    retry: 'idempotent',
  },
  {
    family: 'stream',
    operation: 'addMany',
    arrange: async (run) => {
      const s = await stream(run);
      return () =>
        s.addMany([
          ['a', 'A', 1],
          ['d', 'D', 1],
        ]);
    },
    lost: 'every item, each priority summed once',
    full: 'refused',
    idempotent: false,
    retry: 'sums the priorities again',
  },
  {
    family: 'stream',
    operation: 'pull',
    arrange: async (run) => {
      const s = await stream(run);
      return () => s.pull({ count: 2 });
    },
    lost: 'the items taken out, never seen by the caller (a pull is at-most-once: use `lease`)',
    full: 'refused',
    idempotent: false,
    retry: 'takes the next items',
  },
  {
    family: 'stream',
    operation: 'increment',
    arrange: async (run) => {
      const s = await stream(run);
      return () => s.increment('b', 5);
    },
    lost: 'the priority raised once',
    full: 'refused',
    idempotent: false,
    retry: 'raises it again: read the priority first',
  },
  {
    family: 'stream',
    operation: 'decrementAll',
    arrange: async (run) => {
      const s = await stream(run);
      return () => s.decrementAll(1);
    },
    lost: 'every priority lowered once',
    full: 'refused',
    idempotent: false,
    retry: 'lowers them again',
  },
  {
    family: 'stream',
    operation: 'deleteBelow',
    arrange: async (run) => {
      const s = await stream(run);
      return () => s.deleteBelow(2);
    },
    lost: 'the items below the threshold gone',
    full: 'refused',
    idempotent: true,
    retry: 'idempotent',
  },
  {
    family: 'stream',
    operation: 'remove',
    arrange: async (run) => {
      const s = await stream(run);
      return () => s.remove(['b']);
    },
    lost: 'the items gone',
    full: 'runs',
    idempotent: true,
    retry: 'idempotent',
  },
  {
    family: 'stream',
    operation: 'expire',
    arrange: async (run) => {
      const s = await stream(run);
      await s.pull({ count: 1, cooldownMs: 1 });
      const [cooldown] = await s.cooldowns();
      await serverPast(run.redis, cooldown?.until ?? 0);
      return () => s.expire();
    },
    lost: 'the ended cooldowns gone',
    full: 'runs',
    idempotent: true,
    retry: 'idempotent',
  },
  {
    family: 'stream',
    operation: 'delete',
    firstWrite: 'plain',
    arrange: async (run) => {
      const s = await stream(run);
      return () => s.delete();
    },
    lost: 'the stream gone',
    full: 'runs',
    idempotent: true,
    retry: 'idempotent',
  },
  {
    family: 'stream',
    operation: 'lease',
    arrange: async (run) => {
      const s = await stream(run);
      return () => s.lease({ count: 2, leaseMs: 60_000 });
    },
    lost: 'the jobs leased, back with the attempt counted when `leaseMs` passes',
    full: 'refused',
    idempotent: false,
    retry: 'leases the next jobs',
  },
  {
    family: 'stream',
    operation: 'ack',
    arrange: async (run) => {
      const s = await stream(run);
      const jobs = await s.lease({ count: 2, leaseMs: 60_000 });
      return () => s.ack(jobs);
    },
    lost: 'the jobs finished',
    full: 'runs',
    idempotent: true,
    again: 'LeaseLost',
    retry: LEASE_RETRY,
  },
  {
    family: 'stream',
    operation: 'nack',
    arrange: async (run) => {
      const s = await stream(run);
      const jobs = await s.lease({ count: 2, leaseMs: 60_000 });
      return () => s.nack(jobs, { error: 'no' });
    },
    lost: 'the jobs back in the stream once',
    full: 'refused',
    idempotent: true,
    again: 'LeaseLost',
    retry: LEASE_RETRY,
  },
  {
    family: 'stream',
    operation: 'release',
    arrange: async (run) => {
      const s = await stream(run);
      const jobs = await s.lease({ count: 2, leaseMs: 60_000 });
      return () => s.release(jobs);
    },
    lost: 'the jobs back, their attempt not counted',
    full: 'refused',
    idempotent: true,
    again: 'LeaseLost',
    retry: LEASE_RETRY,
  },
  {
    family: 'stream',
    operation: 'extend',
    arrange: async (run) => {
      const s = await stream(run);
      const jobs = await s.lease({ count: 2, leaseMs: 60_000 });
      return () => s.extend(jobs, 120_000);
    },
    lost: 'the leases extended',
    full: 'refused',
    idempotent: true,
    retry: 'idempotent (the deadline counts from the retry)',
  },
  {
    family: 'stream',
    operation: 'recover',
    arrange: async (run) => {
      const s = await stream(run);
      await s.lease({ count: 2, leaseMs: 1 });
      const leases = await s.leases();
      await serverPast(run.redis, Math.max(...leases.map((l) => l.deadline)));
      return () => s.recover();
    },
    lost: 'the expired leases back in the stream',
    full: 'refused',
    idempotent: true,
    retry: 'idempotent',
  },
  {
    family: 'stream',
    operation: 'replayDead',
    arrange: async (run) => {
      const s = await stream(run);
      const jobs = await s.lease({ count: 2, maxAttempts: 1 });
      await s.nack(jobs);
      return () => s.replayDead();
    },
    lost: 'the dead letters back in the stream',
    full: 'runs',
    idempotent: true,
    retry: 'idempotent',
  },
  {
    family: 'stream',
    operation: 'purgeDead',
    arrange: async (run) => {
      const s = await stream(run);
      const jobs = await s.lease({ count: 2, maxAttempts: 1 });
      await s.nack(jobs);
      return () => s.purgeDead();
    },
    lost: 'the dead letters gone',
    full: 'runs',
    idempotent: true,
    retry: 'idempotent',
  },

  // Reliable queues.
  {
    family: 'queue',
    operation: 'addItems',
    arrange: async (run) => {
      const q = await queue(run);
      return () => q.addItems(['4', '5']);
    },
    lost: 'the values added once',
    full: 'refused',
    idempotent: false,
    retry: 'adds them again (a `UniqueQueue` is idempotent)',
  },
  {
    family: 'queue',
    operation: 'getItems',
    arrange: async (run) => {
      const q = await queue(run);
      await q.ackItems(await q.getItems(1)); // registers the consumer
      await q.addItems(['4', '5']);
      return () => q.getItems(2);
    },
    lost: 'nothing held: the consumer hands the deliveries back to the head, in order',
    handedBack: true,
    full: 'refused',
    idempotent: false,
    retry: 'delivers the next values',
  },
  {
    family: 'queue',
    operation: 'ackItems',
    arrange: async (run) => {
      const q = await queue(run);
      const deliveries = await q.getItems(2);
      return () => q.ackItems(deliveries);
    },
    lost: 'the deliveries finished',
    full: 'runs',
    idempotent: true,
    again: 'LeaseLost',
    retry: LEASE_RETRY,
  },
  {
    family: 'queue',
    operation: 'rejectItems',
    arrange: async (run) => {
      const q = await queue(run);
      const deliveries = await q.getItems(2);
      return () => q.rejectItems(deliveries);
    },
    lost: 'the values back at the head once',
    full: 'refused',
    idempotent: true,
    again: 'LeaseLost',
    retry: LEASE_RETRY,
  },
  {
    family: 'queue',
    operation: 'deleteItems',
    arrange: async (run) => {
      const q = await queue(run);
      return () => q.deleteItems(['2']);
    },
    lost: 'the values gone',
    full: 'runs',
    idempotent: true,
    retry: 'idempotent',
  },
  {
    family: 'queue',
    operation: 'reEnqueueAllItems',
    arrange: async (run) => {
      const q = await queue(run);
      await q.getItems(2);
      return () => q.reEnqueueAllItems();
    },
    lost: 'the held values back in the queue once',
    full: 'refused',
    idempotent: true,
    retry: 'idempotent',
  },
  {
    family: 'queue',
    operation: 'dropAllItems',
    arrange: async (run) => {
      const q = await queue(run);
      await q.getItems(2);
      return () => q.dropAllItems();
    },
    lost: 'the held values gone',
    full: 'refused',
    idempotent: true,
    retry: 'idempotent',
  },
  {
    family: 'queue',
    operation: 'delete',
    firstWrite: 'plain',
    arrange: async (run) => {
      const q = await queue(run);
      return () => q.delete();
    },
    lost: 'the queue gone',
    full: 'runs',
    idempotent: true,
    retry: 'idempotent',
  },
  {
    family: 'unique queue',
    operation: 'addItems',
    arrange: async (run) => {
      const q = await queue(run, {}, UniqueQueue);
      return () => q.addItems(['3', '4']);
    },
    lost: 'the new values added once',
    full: 'refused',
    idempotent: true,
    retry: 'idempotent',
  },

  // Pools.
  {
    family: 'pool',
    operation: 'addItems',
    arrange: async (run) => {
      const p = await pool(run);
      return () => p.addItems(['z', 'w']);
    },
    lost: 'the items in the pool once',
    full: 'refused',
    idempotent: true,
    retry: 'idempotent',
  },
  {
    family: 'pool',
    operation: 'getItems',
    arrange: async (run) => {
      const p = await pool(run);
      return () => p.getItems(2);
    },
    lost: 'the items leased until their ack TTL passes',
    full: 'refused',
    idempotent: false,
    retry: 'leases the next items',
  },
  {
    family: 'pool',
    operation: 'ackItems',
    arrange: async (run) => {
      const p = await pool(run);
      const leases = await p.getItems(2);
      return () => p.ackItems(leases);
    },
    lost: 'the items due again after their interval',
    full: 'runs',
    idempotent: true,
    again: 'LeaseLost',
    retry: LEASE_RETRY,
  },
  {
    family: 'pool',
    operation: 'extendItems',
    arrange: async (run) => {
      const p = await pool(run);
      const leases = await p.getItems(2);
      return () => p.extendItems(leases, 120_000);
    },
    lost: 'the leases extended',
    full: 'runs',
    idempotent: true,
    retry: 'idempotent (the deadline counts from the retry)',
  },
  {
    family: 'pool',
    operation: 'removeItems',
    arrange: async (run) => {
      const p = await pool(run);
      const leases = await p.getItems(2);
      return () => p.removeItems(leases);
    },
    lost: 'the leased items gone',
    full: 'runs',
    idempotent: true,
    again: 'LeaseLost',
    retry: LEASE_RETRY,
  },
  {
    family: 'pool',
    operation: 'deleteItems',
    arrange: async (run) => {
      const p = await pool(run);
      return () => p.deleteItems(['y']);
    },
    lost: 'the items gone',
    full: 'runs',
    idempotent: true,
    retry: 'idempotent',
  },

  // Topics.
  {
    family: 'topic',
    operation: 'ensure',
    steps: 'its script, then the registry entry',
    arrange: (run) => {
      const t = new Topic(run.redis, 'tp');
      return Promise.resolve(() => t.ensure(2));
    },
    lost: 'the topic with its partitions',
    full: 'refused',
    idempotent: true,
    retry: 'idempotent',
  },
  {
    family: 'topic',
    operation: 'increasePartitions',
    steps: 'a script per new partition, then the count',
    arrange: async (run) => {
      const { topic: t } = await topic(run);
      return () => t.increasePartitions(3);
    },
    lost: 'the new partitions, with the groups',
    full: 'refused',
    idempotent: true,
    again: 'InvalidArgument',
    retry: 'completes it, or answers `InvalidArgument` when it had finished',
  },
  {
    family: 'topic',
    operation: 'createGroup',
    steps: 'a script per partition',
    arrange: async (run) => {
      const { topic: t } = await topic(run);
      return () => t.createGroup('h');
    },
    lost: 'the group on every partition',
    full: 'refused',
    idempotent: true,
    retry: 'idempotent',
  },
  {
    family: 'topic',
    operation: 'send',
    arrange: async (run) => {
      const { producer } = await topic(run);
      return () => producer.send({ key: 'k2', value: 'm4' });
    },
    lost: 'the message, once',
    full: 'refused',
    idempotent: false,
    retry: 'sends it again (consumers see it twice)',
  },
  {
    family: 'topic',
    operation: 'sendMany',
    arrange: async (run) => {
      const { producer } = await topic(run);
      return () =>
        producer.sendMany([
          { key: 'k1', value: 'm4' },
          { key: 'k1', value: 'm5' },
        ]);
    },
    lost: 'the messages, once',
    full: 'refused',
    idempotent: false,
    retry: 'sends them again',
  },
  {
    family: 'topic',
    operation: 'join',
    steps: 'a script per partition it takes',
    arrange: async (run) => {
      await topic(run);
      const c = new Consumer<string>(run.redis, 'tp', { group: 'g', memberId: 'm', heartbeatMs: 60_000, sessionTimeoutMs: 300_000 });
      run.aliases.set((c as unknown as { incarnation: string }).incarnation, '<incarnation>');
      run.closers.push(() => c.close());
      return () => c.join();
    },
    lost: 'the member in the group',
    full: 'refused',
    idempotent: true,
    retry: 'idempotent',
  },
  {
    family: 'topic',
    operation: 'fetch',
    arrange: async (run) => {
      await topic(run);
      const c = await member(run);
      return () => c.fetch({ max: 2 });
    },
    lost: 'the messages delivered, back to the group when their lease passes',
    full: 'refused',
    idempotent: false,
    retry: 'fetches the next messages',
  },
  {
    family: 'topic',
    operation: 'ackMessages',
    arrange: async (run) => {
      await topic(run);
      const c = await member(run);
      const messages = await c.fetch({ max: 2 });
      return async () => settled(await c.ackMessages(messages));
    },
    lost: 'the messages acked',
    full: 'runs',
    idempotent: true,
    again: 'LeaseLost',
    retry: LEASE_RETRY,
  },
  {
    family: 'topic',
    operation: 'nackMessages',
    arrange: async (run) => {
      await topic(run);
      const c = await member(run);
      const messages = await c.fetch({ max: 2 });
      return async () => settled(await c.nackMessages(messages, 0, 'no'));
    },
    lost: 'the messages due again once',
    full: 'refused',
    idempotent: true,
    retry: 'idempotent (the messages are still pending under the member)',
  },
  {
    family: 'topic',
    operation: 'extendMessages',
    arrange: async (run) => {
      await topic(run);
      const c = await member(run);
      const messages = await c.fetch({ max: 2 });
      return async () => settled(await c.extendMessages(messages, 20_000));
    },
    lost: 'the leases extended',
    full: 'refused',
    idempotent: true,
    retry: 'idempotent (the deadline counts from the retry)',
  },
  {
    family: 'topic',
    operation: 'replayDead',
    arrange: async (run) => {
      const { topic: t } = await topic(run);
      const c = await member(run, { maxAttempts: 1 });
      settled(await c.nackMessages(await c.fetch({ max: 2 }), 0, 'no'));
      return () => t.replayDead('g');
    },
    lost: 'the dead letters sent again once',
    full: 'refused',
    idempotent: true,
    retry: 'idempotent',
  },
  {
    family: 'topic',
    operation: 'purgeDead',
    arrange: async (run) => {
      const { topic: t } = await topic(run);
      const c = await member(run, { maxAttempts: 1 });
      settled(await c.nackMessages(await c.fetch({ max: 2 }), 0, 'no'));
      return () => t.purgeDead('g');
    },
    lost: 'the dead letters gone',
    full: 'runs',
    idempotent: true,
    retry: 'idempotent',
  },
  {
    family: 'topic',
    operation: 'delete',
    resent: true,
    arrange: async (run) => {
      const { topic: t } = await topic(run);
      return () => t.delete();
    },
    lost: 'the topic gone',
    full: 'runs',
    idempotent: true,
    retry: 'idempotent',
  },

  // Task queues.
  {
    family: 'tasks (stream)',
    operation: 'send',
    arrange: async (run) => {
      const { broker } = await taskStream(run);
      return () => broker.sendMany('t', [{ args: 4, options: { taskId: 'id-4' } }]);
    },
    lost: 'the task, once',
    full: 'refused',
    idempotent: false,
    retry: 'sends it again: a worker runs it twice',
  },
  {
    family: 'tasks (stream)',
    operation: 'leaseBatch',
    arrange: async (run) => {
      const { broker } = await taskStream(run);
      const source = broker.jobSource();
      return () => source.leaseBatch({ count: 2, leaseMs: 60_000, maxAttempts: 5, owner: 'w' });
    },
    lost: 'the tasks leased, delivered again when the lease passes',
    full: 'refused',
    idempotent: false,
    retry: 'leases the next tasks',
  },
  {
    family: 'tasks (stream)',
    operation: 'ack',
    arrange: async (run) => {
      const { broker } = await taskStream(run);
      const source = broker.jobSource();
      const jobs = await leased(source, 2);
      return async () => settled(await source.ack(jobs));
    },
    lost: 'the tasks finished',
    full: 'runs',
    idempotent: true,
    again: 'LeaseLost',
    retry: LEASE_RETRY,
  },
  {
    family: 'tasks (stream)',
    operation: 'nack',
    arrange: async (run) => {
      const { broker } = await taskStream(run);
      const source = broker.jobSource();
      const jobs = await leased(source, 2);
      return async () => settled(await source.nack(jobs, { delayMs: 0, error: 'no' }));
    },
    lost: 'the tasks due again once',
    full: 'refused',
    idempotent: true,
    again: 'LeaseLost',
    retry: LEASE_RETRY,
  },
  {
    family: 'tasks (stream)',
    operation: 'extend',
    arrange: async (run) => {
      const { broker } = await taskStream(run);
      const source = broker.jobSource();
      const jobs = await leased(source, 2);
      return async () => settled(await source.extend(jobs, 120_000));
    },
    lost: 'the leases extended',
    full: 'refused',
    idempotent: true,
    retry: 'idempotent (the deadline counts from the retry)',
  },
  {
    family: 'tasks (stream)',
    operation: 'release',
    arrange: async (run) => {
      const { broker } = await taskStream(run);
      const source = broker.jobSource();
      const jobs = await leased(source, 2);
      return () => source.release(jobs);
    },
    lost: 'the tasks back, their attempt not counted',
    full: 'refused',
    idempotent: true,
    retry: 'idempotent',
  },
  {
    family: 'tasks (stream)',
    operation: 'replayDead',
    arrange: async (run) => {
      const { broker } = await taskStream(run);
      const source = broker.jobSource();
      settled(await source.nack(await leased(source, 2, 1), { delayMs: 0, error: 'no' }));
      return () => broker.replayDead();
    },
    lost: 'the dead letters sent again once',
    full: 'refused',
    idempotent: true,
    retry: 'idempotent',
  },
  {
    family: 'tasks (stream)',
    operation: 'purgeDead',
    arrange: async (run) => {
      const { broker } = await taskStream(run);
      const source = broker.jobSource();
      settled(await source.nack(await leased(source, 2, 1), { delayMs: 0, error: 'no' }));
      return () => broker.purgeDead();
    },
    lost: 'the dead letters gone',
    full: 'runs',
    idempotent: true,
    retry: 'idempotent',
  },
  {
    family: 'tasks (stream)',
    operation: 'schedules.add',
    arrange: async (run) => {
      const { broker } = await taskStream(run);
      return () => broker.schedules.add({ id: 'every-minute', task: 't', args: 9, everyMs: 60_000 });
    },
    lost: 'the schedule',
    full: 'refused',
    idempotent: true,
    retry: 'idempotent (same id)',
  },
  {
    family: 'tasks (stream)',
    operation: 'schedules.remove',
    arrange: async (run) => {
      const { broker } = await taskStream(run);
      await broker.schedules.add({ id: 'every-minute', task: 't', args: 9, everyMs: 60_000 });
      return () => broker.schedules.remove('every-minute');
    },
    lost: 'the schedule gone',
    full: 'runs',
    idempotent: true,
    retry: 'idempotent',
  },
  {
    family: 'tasks (stream)',
    operation: 'fireDueSchedules',
    arrange: async (run) => {
      const { broker } = await taskStream(run);
      await broker.schedules.add({ id: 'now', task: 't', args: 9, at: new Date(0) });
      return () => broker.fireDueSchedules();
    },
    lost: 'the due schedules fired once',
    full: 'refused',
    idempotent: true,
    retry: 'idempotent (a fired one-off is gone; a repeating one is not due again)',
  },
  {
    family: 'tasks (stream)',
    operation: 'delete',
    firstWrite: 'plain',
    arrange: async (run) => {
      const { broker } = await taskStream(run);
      return () => broker.delete();
    },
    lost: 'the queue gone',
    full: 'runs',
    idempotent: true,
    retry: 'idempotent',
  },
  {
    family: 'tasks (list)',
    operation: 'send',
    arrange: async (run) => {
      const broker = await taskList(run);
      return () => broker.sendMany('t', [{ args: 4, options: { taskId: 'id-4' } }]);
    },
    lost: 'the task, once',
    full: 'refused',
    idempotent: false,
    retry: 'sends it again',
  },
  {
    family: 'tasks (list)',
    operation: 'leaseBatch',
    arrange: async (run) => {
      const broker = await taskList(run);
      const source = broker.jobSource();
      return () => source.leaseBatch({ count: 2, leaseMs: 60_000, maxAttempts: 5, owner: 'w' });
    },
    lost: 'the tasks taken, never run (taking is at-most-once: use a stream broker)',
    full: 'refused',
    idempotent: false,
    retry: 'takes the next tasks',
  },
  {
    family: 'tasks (list)',
    operation: 'nack',
    arrange: async (run) => {
      const broker = await taskList(run);
      const source = broker.jobSource();
      const jobs = await leased(source, 2);
      return async () => settled(await source.nack(jobs, { delayMs: 0, error: 'no' }));
    },
    lost: 'the tasks queued again once',
    full: 'refused',
    idempotent: false,
    retry: 'queues them again (a task runs twice)',
  },
  {
    family: 'tasks (list)',
    operation: 'replayDead',
    arrange: async (run) => {
      const broker = await taskList(run);
      const source = broker.jobSource();
      settled(await source.nack(await leased(source, 2, 1), { delayMs: 0, error: 'no' }));
      return () => broker.replayDead();
    },
    lost: 'the dead letters queued again once',
    full: 'refused',
    idempotent: true,
    retry: 'idempotent',
  },

  // Task results.
  {
    family: 'task results',
    operation: 'set',
    arrange: (run) => {
      const results = new ResultStore(run.redis);
      run.closers.push(() => results.close());
      return Promise.resolve(() => results.set('id-1', RESULT));
    },
    lost: 'the result, with its TTL',
    full: 'refused',
    idempotent: true,
    retry: 'idempotent',
  },
  {
    family: 'task results',
    operation: 'delete',
    resent: true,
    arrange: async (run) => {
      const results = new ResultStore(run.redis);
      run.closers.push(() => results.close());
      await results.set('id-1', RESULT);
      return () => results.delete('id-1');
    },
    lost: 'the result gone (the call answers `false` when its first send had deleted it)',
    full: 'runs',
    idempotent: true,
    retry: 'idempotent',
  },
  {
    family: 'task results',
    operation: 'setProgress',
    resent: true,
    arrange: (run) => {
      const results = new ResultStore(run.redis);
      run.closers.push(() => results.close());
      return Promise.resolve(() => results.setProgress('id-1', 'halfway', { done: 50 }));
    },
    lost: 'the progress',
    full: 'refused',
    idempotent: true,
    retry: 'idempotent',
  },
];

/** Whether an error is the `Connection` error of a call whose outcome is unknown, or any `Connection` error. */
export function isConnectionError(err: unknown): boolean {
  return GoodRedisError.is(err, 'Connection');
}

/** A row's name in test titles and the table. */
export const rowName = (row: Pick<FaultRow, 'family' | 'operation'>): string => `${row.family}: ${row.operation}`;

/** The Markdown table of the rows, as docs/operations.md carries it. */
export function renderFaultTable(rows: readonly FaultRow[] = FAULT_ROWS): string {
  const lines = [
    '| family | operation | after a lost reply or a restart (`Connection`), Redis holds | `maxmemory` reached | a retry |',
    '| --- | --- | --- | --- | --- |',
  ];
  for (const row of rows) {
    const full = row.full === 'runs' ? 'runs' : '`OutOfMemory`, nothing written';
    let holds = row.lost;
    if (row.steps !== undefined) holds += `; one step at a time (${row.steps}): those after the lost reply wait for a retry`;
    if (row.resent === true) holds += '; plain commands, sent again: the call answers, no `Connection`';
    lines.push(`| ${row.family} | ${row.operation} | ${holds} | ${full} | ${row.retry} |`);
  }
  return lines.join('\n');
}

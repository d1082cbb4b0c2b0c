/**
 * Calls that are no mutating operation of the fault matrix but meet the same stored data: the
 * sweeps, heartbeats and registrations that run in the background, and the reads the CLI, the
 * dashboard and the metrics make. The garbage matrix runs them too (a read must not stop on
 * garbage either: it would take the dashboard down with it).
 */
import { ObjectHistory, WorkerRegistry, type ObjectCounts, type WorkerDescription } from '../../../src/index.js';
import { leased, member, pool, queue, stream, taskList, taskStream, topic, type FaultRow } from './operations.js';

/** A call the garbage matrix runs: how to set it up, and the call. */
export type GarbageRow = Pick<FaultRow, 'family' | 'operation' | 'arrange' | 'steps' | 'firstWrite'>;

/** Rollback counting, for the calls that count. */
const ROLLBACK = { maxRetry: 3, maxTimeoutMs: 0 };

/** The background calls and the reads, by family. */
export const MAINTENANCE_ROWS: readonly GarbageRow[] = [
  {
    family: 'stream',
    operation: 'reads (stats, state, leases, deadLetters, entries)',
    arrange: async (run) => {
      const s = await stream(run);
      await s.nack(await s.lease({ count: 1, maxAttempts: 1 }), { error: 'no' });
      return () => Promise.all([s.stats(), s.state('a'), s.state('b'), s.leases(), s.deadLetters(), s.entries(), s.cooldowns()]);
    },
  },
  {
    family: 'queue',
    operation: 'reEnqueueTimeoutItems (the reaper: dead consumers)',
    arrange: async (run) => {
      const q = await queue(run);
      await q.getItems(2);
      // Its heartbeat long ago: dead by the timeout it registered.
      await run.redis.zadd(q.redisKeys.consumers, 1, q.consumerId);
      return () => q.reEnqueueTimeoutItems();
    },
  },
  {
    family: 'queue',
    operation: 'canRollbackItem',
    arrange: async (run) => {
      const q = await queue(run, { rollback: ROLLBACK });
      await q.canRollbackItem('1');
      return () => q.canRollbackItem('1');
    },
  },
  {
    family: 'queue',
    operation: 'close (hands back what it holds)',
    arrange: async (run) => {
      const q = await queue(run);
      await q.getItems(2);
      return () => q.close();
    },
  },
  {
    family: 'queue',
    operation: 'reads (stats, consumers, items, rollbacks)',
    arrange: async (run) => {
      const q = await queue(run, { rollback: ROLLBACK });
      await q.getItems(1);
      await q.canRollbackItem('3');
      return () => Promise.all([q.stats(), q.consumers(), q.items(), q.rollbacks()]);
    },
  },
  {
    family: 'pool',
    operation: 'reads (stats)',
    arrange: async (run) => {
      const p = await pool(run);
      await p.getItems(1);
      return () => p.stats();
    },
  },
  {
    family: 'topic',
    operation: 'reads (describe, stats, describeGroup, deadLetters)',
    arrange: async (run) => {
      const { topic: t } = await topic(run);
      const c = await member(run, { maxAttempts: 1 });
      const source = c.jobSource();
      await source.nack(await leased(source, 1, 1), { delayMs: 0, error: 'no' });
      return () => Promise.all([t.describe(), t.stats(), t.describeGroup('g'), t.deadLetters('g')]);
    },
  },
  {
    family: 'tasks (stream)',
    operation: 'reads (stats, deadLetters)',
    arrange: async (run) => {
      const { broker } = await taskStream(run);
      const source = broker.jobSource();
      await source.nack(await leased(source, 1, 1), { delayMs: 0, error: 'no' });
      return () => Promise.all([broker.stats(), broker.deadLetters()]);
    },
  },
  {
    family: 'tasks (list)',
    operation: 'reads (stats, deadLetters)',
    arrange: async (run) => {
      const broker = await taskList(run);
      const source = broker.jobSource();
      await source.nack(await leased(source, 1, 1), { delayMs: 0, error: 'no' });
      return () => Promise.all([broker.stats(), broker.deadLetters()]);
    },
  },
  {
    family: 'workers',
    operation: 'beat, pause, read',
    arrange: async (run) => {
      const registry = new WorkerRegistry(run.redis);
      const description: WorkerDescription = {
        id: 'w1',
        host: 'h',
        pid: 1,
        family: 'queue',
        name: 'q',
        concurrency: 1,
        running: 0,
        jobs: [],
        recent: [],
        paused: false,
        completed: 0,
        failed: 0,
        startedAt: 1,
        heartbeatMs: 60_000,
      };
      await registry.beat(description, { completed: 1, failed: 0, dead: 0 });
      await registry.pause({ family: 'queue', name: 'q' });
      return async () => {
        await registry.beat(description, { completed: 1, failed: 1, dead: 0 });
        await registry.resume({ family: 'queue', name: 'q' });
        return registry.read();
      };
    },
  },
  {
    family: 'history',
    operation: 'record, read',
    arrange: async (run) => {
      const history = new ObjectHistory(run.redis, { intervalMs: 1 });
      const counts: ObjectCounts[] = [{ family: 'queue', name: 'q', states: { waiting: 1, inflight: 0 }, added: 1 }];
      await history.record(counts);
      return async () => {
        await history.record(counts);
        return history.read({ family: 'queue', name: 'q' });
      };
    },
  },
];

/**
 * The task queues as the tools see them (see {@link FamilyView}).
 *
 * @module
 */
import type { RedisClient } from '../connection/redis-client.js';
import { invalid } from '../internal/validate.js';
import { deadLetterActions, isoTime, type DeadRow, type DetailTable, type FamilyKind, type FamilyView } from '../observe/family-view.js';
import type { WorkerInfo } from '../observe/worker-registry.js';
import { ListQueueBroker } from './list-queue-broker.js';
import { ResultStore } from './result-store.js';
import { StreamBroker } from './stream-broker.js';
import type { TaskQueueBroker } from './task-queue-broker.js';
import { TaskQueueRegistry } from './task-queue-registry.js';

/** How many dead letters an object page lists. */
const DEAD_PAGE = 100;
/** How many recent results a task queue's page lists. */
const RECENT_RESULTS = 20;

/** What the tools know of this family without a connection: its families and its work states. */
export const TASK_QUEUE_KIND: FamilyKind = {
  families: ['taskQueue'],
  states: { waiting: ['waiting'], inflight: ['active'], delayed: ['delayed'], dead: ['dead'] },
};

/**
 * The view of the task queues registered under `prefix`. A task queue's items (its waiting,
 * delayed and running tasks) are not listed yet: {@link FamilyView.items} answers undefined.
 *
 * @param client - the connection
 * @param prefix - the key prefix
 * @returns the view
 */
export function taskQueueView(client: RedisClient, prefix: string): FamilyView {
  const taskQueues = new TaskQueueRegistry(client, { prefix });
  const results = new ResultStore(client, { prefix }); // reads only (keepResults: a read never takes a result)

  /** The broker of a task queue that keeps dead letters (a stream or list broker), as its kind says. */
  const brokerOf = async (name: string): Promise<TaskQueueBroker | undefined> => {
    const { kind } = await taskQueues.describe(name);
    if (kind === 'stream') return new StreamBroker(client, name, { prefix });
    if (kind === 'list') return new ListQueueBroker(client, name, { prefix });
    return undefined;
  };
  /** The broker of a task queue whose dead letters an action works on. */
  const deadLettersOf = async (name: string): Promise<TaskQueueBroker> => {
    const broker = await brokerOf(name);
    if (broker === undefined) throw invalid('this task queue keeps no dead letters');
    return broker;
  };

  /** A task queue's recent results: the tasks its Workers finished last (their beats say which), each result read (one read per task). */
  const recentResults = async (mine: readonly WorkerInfo[]): Promise<DetailTable> => {
    const recent = mine
      .flatMap((w) => w.recent)
      .filter((r) => r.id !== undefined)
      .sort((a, b) => b.at - a.at)
      .slice(0, RECENT_RESULTS);
    const found = await Promise.all(recent.map((r) => results.get(r.id ?? '').catch(() => undefined)));
    return {
      id: 'results',
      title: 'Recent results, latest first (the last tasks its live Workers finished)',
      columns: ['task id', 'task', 'outcome', 'finished', 'took', 'result or error'],
      rows: recent.map((r, i) => {
        const result = found[i];
        if (result === undefined) return [r.id ?? '', '', r.outcome, isoTime(r.at), '', '(no result: expired, taken, or not kept)'];
        const shown = result.isErr ? `${result.error?.name ?? 'Error'}: ${result.error?.message ?? ''}` : JSON.stringify(result.returnValue);
        return [
          result.taskId,
          result.taskName,
          r.outcome,
          isoTime(result.finishedAt),
          `${String(result.executionMs)} ms`,
          shown.length > 200 ? `${shown.slice(0, 200)}…` : shown,
        ];
      }),
    };
  };

  return {
    ...TASK_QUEUE_KIND,
    list: async () => (await taskQueues.names()).map((name) => ({ family: 'taskQueue', name })),
    has: ({ name }) => taskQueues.has(name),
    counts: async ({ name }) => {
      const { waiting, active, delayed, dead, schedules, added } = await taskQueues.describe(name);
      return { states: { waiting, active, delayed, dead, schedules }, added };
    },
    details: async ({ name }, { workers }) => {
      const [broker, schedules, recent] = await Promise.all([
        brokerOf(name),
        // Schedules live in the queue's slot whatever its broker kind (or none): any broker's store reads them.
        new StreamBroker(client, name, { prefix }).schedules.list(),
        recentResults(workers),
      ]);
      const sorted = [...schedules].sort((a, b) => (a.nextRunAt ?? Infinity) - (b.nextRunAt ?? Infinity));
      const tables: DetailTable[] = [
        {
          id: 'schedules',
          title: 'Schedules, next run first',
          columns: ['schedule', 'task', 'when', 'next run'],
          // Run now only where this page can tell the queue's broker (the one its workers use).
          rowActions: broker === undefined ? undefined : sorted.map((sc) => [{ action: 'run', label: 'Run now', params: { ref: sc.id } }]),
          rows: sorted.map((sc) => [
            sc.id,
            sc.task,
            sc.cron !== undefined
              ? `cron ${sc.cron}${sc.tz === undefined ? '' : ` (${sc.tz})`}`
              : sc.everyMs !== undefined
                ? `every ${String(sc.everyMs)} ms`
                : `once at ${isoTime(sc.at ?? 0)}`,
            sc.nextRunAt === null ? '' : isoTime(sc.nextRunAt),
          ]),
        },
        recent,
      ];
      if (broker === undefined) return { tables };
      const dead: DeadRow[] = (await broker.deadLetters({ limit: DEAD_PAGE })).map((d) => ({
        ref: d.id,
        cells: [d.id, d.message?.task ?? '(undecodable)', d.message?.id ?? '', String(d.attempts), d.error, isoTime(d.diedAt)],
      }));
      return { deadColumns: ['dead letter', 'task', 'task id', 'attempts', 'error', 'died'], dead, tables };
    },
    items: () => Promise.resolve(undefined),
    actions: {
      ...deadLetterActions(
        async ({ name }, refs) => (await deadLettersOf(name)).replayDead(refs),
        async ({ name }, refs) => (await deadLettersOf(name)).purgeDead(refs),
      ),
      run: {
        params: ['ref'],
        confirm: (name, { ref }) => [
          `Run the schedule ${ref ?? ''} of ${name} now?`,
          'Its task is sent once now, with its arguments and labels; its next run does not move.',
        ],
        run: async ({ name }, { ref }) => {
          // Sent through the queue's own kind of broker: known once something was sent to it (a pub/sub queue keeps none).
          const broker = await brokerOf(name);
          if (broker === undefined)
            throw invalid("this task queue's broker kind is not known here (nothing kept in it yet, or pub/sub): run the schedule from its workers' code");
          return (await broker.runScheduleNow(ref ?? '')) === null ? 0 : 1;
        },
        notice: (n) => (n === 1 ? 'Sent the task of the schedule.' : 'No such schedule.'),
      },
    },
  };
}

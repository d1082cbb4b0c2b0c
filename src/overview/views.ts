/**
 * Every family's view (see {@link FamilyView}), and the actions every object has (pause and
 * resume its consumption): what the inventory, the dashboard and the CLI iterate instead of
 * switching on a family's name.
 *
 * @module
 */
import type { RedisClient } from '../connection/redis-client.js';
import type { FamilyKind, FamilyView, ObjectAction, ObjectCounts } from '../observe/family-view.js';
import type { ObjectFamily } from '../observe/families.js';
import type { WorkerRegistry } from '../observe/worker-registry.js';
import { STREAM_KIND, streamView } from '../prioritized/view.js';
import { QUEUE_KIND, queueView } from '../queues/view.js';
import { TASK_QUEUE_KIND, taskQueueView } from '../tasks/view.js';
import { TOPIC_KIND, topicView } from '../topics/view.js';

/** Each family's work states (waiting, in flight, delayed and dead, in its own words), by family: listed once, not on every call. */
const WORK_STATES: ReadonlyMap<ObjectFamily, readonly string[]> = new Map(
  [STREAM_KIND, QUEUE_KIND, TOPIC_KIND, TASK_QUEUE_KIND].flatMap(({ families, states }: FamilyKind) =>
    families.map((family) => [family, [...states.waiting, ...states.inflight, ...states.delayed, ...states.dead]] as const),
  ),
);

/**
 * The work an object holds: the sum of its waiting, in-flight, delayed and dead states, as its
 * family's view names them (what orders the dashboard's overview and `good-redis top`, busiest first).
 *
 * @param object - the object's counts
 */
export function workOf(object: Pick<ObjectCounts, 'family' | 'states'>): number {
  let work = 0;
  for (const state of WORK_STATES.get(object.family) ?? []) work += object.states[state] ?? 0;
  return work;
}

/** The views of every family, on one connection and prefix, by family. */
export class FamilyViews {
  /** Each view once, in the families' order. */
  public readonly all: readonly FamilyView[];
  private readonly byFamily: ReadonlyMap<ObjectFamily, FamilyView>;

  /**
   * @param client - the connection
   * @param prefix - the key prefix
   */
  public constructor(client: RedisClient, prefix: string) {
    this.all = [streamView(client, prefix), queueView(client, prefix), topicView(client, prefix), taskQueueView(client, prefix)];
    this.byFamily = new Map(this.all.flatMap((view) => view.families.map((family) => [family, view] as const)));
  }

  /**
   * The view of a family.
   *
   * @param family - the family
   */
  public of(family: ObjectFamily): FamilyView {
    const view = this.byFamily.get(family);
    if (view === undefined) throw new Error(`good-redis has no view of the family ${family}`);
    return view;
  }

  /**
   * The actions of an object of `family`: its view's that apply to the family, then pause and resume.
   *
   * @param family - the family
   * @param workers - the worker registry pause and resume write to
   */
  public actionsOf(family: ObjectFamily, workers: WorkerRegistry): Readonly<Record<string, ObjectAction>> {
    const own = Object.entries(this.of(family).actions).filter(([, action]) => action.families?.includes(family) ?? true);
    return { ...Object.fromEntries(own), ...consumptionActions(workers) };
  }
}

/** Pause and resume: every object's, through the worker registry its Workers read. */
function consumptionActions(workers: WorkerRegistry): Record<'pause' | 'resume', ObjectAction> {
  return {
    pause: {
      params: [],
      confirm: (name) => [
        `Pause the consumption of ${name}?`,
        'Every Worker of it stops leasing from its next heartbeat (2 s by default); jobs already running finish. Producers go on adding.',
      ],
      run: async (object) => ((await workers.pause(object)) ? 1 : 0),
      notice: (n) => (n === 1 ? 'Paused: its Workers stop leasing from their next heartbeat.' : 'It was paused already.'),
    },
    resume: {
      params: [],
      confirm: (name) => [`Resume the consumption of ${name}?`, 'Its Workers lease again from their next heartbeat.'],
      run: async (object) => ((await workers.resume(object)) ? 1 : 0),
      notice: (n) => (n === 1 ? 'Resumed: its Workers lease again from their next heartbeat.' : 'It was not paused.'),
    },
  };
}

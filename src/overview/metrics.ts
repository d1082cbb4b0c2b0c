/**
 * Prometheus metrics through `prom-client`: the counts of every object by state, read at each
 * scrape (one read per object, found through the registries, no `SCAN`), and the outcomes and
 * handler durations of the Workers a process runs.
 *
 * @module
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { RedisClient } from '../connection/redis-client.js';
import { describe as describeValue, invalid, optionsOf } from '../internal/validate.js';
import type { SourceJob } from '../jobs/job-source.js';
import type { JobWorker } from '../jobs/job-worker.js';
import { isObjectFamily } from '../observe/families.js';
import { OBJECT_FAMILIES, ObjectInventory, type ObjectCounts, type ObjectFamily, type ObjectInventoryOptions } from './inventory.js';
import { JOB_OUTCOMES, WorkerRegistry, type ObjectTotals } from '../observe/worker-registry.js';

/** The metric of the objects' counts by state: a gauge labelled `family`, `name`, `state`. */
export const ITEMS_METRIC = 'good_redis_items';
/** The metric of how many objects each family has: a gauge labelled `family`. */
export const OBJECTS_METRIC = 'good_redis_objects';
/** The metric of how long the last read of the counts took, in seconds. */
export const READ_SECONDS_METRIC = 'good_redis_inventory_read_seconds';
/** The name of the counter of the jobs each object's Workers finished, by outcome (kept in Redis by their heartbeats). */
export const OBJECT_JOBS_METRIC = 'good_redis_object_jobs_total';
/** The name of the counter of what producers added to each object, in total (kept in Redis by the add scripts). */
export const OBJECT_ADDED_METRIC = 'good_redis_object_added_total';
/** The metric of the jobs a Worker settled: a counter labelled `family`, `name`, `outcome`. */
export const JOBS_METRIC = 'good_redis_jobs_total';
/** The metric of the handlers' durations, in seconds: a histogram labelled `family`, `name`, `outcome`. */
export const HANDLER_SECONDS_METRIC = 'good_redis_handler_duration_seconds';

/** The buckets of {@link HANDLER_SECONDS_METRIC}, in seconds: from a millisecond to a minute. */
export const HANDLER_SECONDS_BUCKETS: readonly number[] = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** Options of {@link collectMetrics}: the connection, and the inventory's `prefix` and `families`. */
export interface CollectMetricsOptions extends ObjectInventoryOptions {
  /** The connection the counts are read on (never closed). */
  client: RedisClient;
}

/** A metric registered once per registry: found there again by a second caller instead of registered twice. */
function singleMetric<M>(registry: Registry, name: string, make: () => M): M {
  return (registry.getSingleMetric(name) as M | undefined) ?? make();
}

/**
 * Registers on `registry` the gauges of every object's counts by state
 * ({@link ITEMS_METRIC}, see `ObjectCounts` for the states of each family), of the number of
 * objects per family ({@link OBJECTS_METRIC}) and of how long reading them took
 * ({@link READ_SECONDS_METRIC}), and the counters of what producers added to each object
 * ({@link OBJECT_ADDED_METRIC}) and what its Workers finished ({@link OBJECT_JOBS_METRIC}),
 * both kept in Redis. Nothing is read until a scrape: each `registry.metrics()`
 * lists the objects through the registries and reads each one once, all of them together.
 * An object that went away between scrapes leaves the gauges.
 *
 * @param registry - a `prom-client` registry (the user's, or `register`, the default one)
 * @param options - the connection, `prefix`, `families`
 * @returns the inventory the gauges read
 * @throws {@link GoodRedisError} `InvalidArgument` for a bad prefix or family, or when the registry has these metrics already
 * @example
 * ```ts
 * import { Registry } from 'prom-client';
 * const registry = new Registry();
 * collectMetrics(registry, { client: redis });
 * console.log(await registry.metrics());
 * ```
 */
export function collectMetrics(registry: Registry, options: CollectMetricsOptions): ObjectInventory {
  const { client, ...inventoryOptions } = optionsOf(options, 'metrics options');
  const inventory = new ObjectInventory(client, inventoryOptions);
  const workers = new WorkerRegistry(client, { prefix: inventory.prefix });
  for (const name of [ITEMS_METRIC, OBJECTS_METRIC, READ_SECONDS_METRIC, OBJECT_JOBS_METRIC, OBJECT_ADDED_METRIC]) {
    if (registry.getSingleMetric(name) !== undefined) throw invalid(`the registry has ${name} already: collect the metrics of one inventory per registry`);
  }
  // One read per scrape, shared by the metrics (prom-client collects them together): the counts, and the Workers' totals.
  let reading: Promise<{ counts: ObjectCounts[]; totals: ObjectTotals[]; seconds: number }> | undefined;
  const read = (): Promise<{ counts: ObjectCounts[]; totals: ObjectTotals[]; seconds: number }> => {
    reading ??= (async () => {
      const started = performance.now();
      try {
        const [counts, registered] = await Promise.all([inventory.counts(), workers.read()]);
        const totals = registered.totals.filter((t) => inventory.families.includes(t.family));
        return { counts, totals, seconds: (performance.now() - started) / 1000 };
      } finally {
        reading = undefined;
      }
    })();
    return reading;
  };
  const items = new Gauge({
    name: ITEMS_METRIC,
    help: 'Items of each good-redis object, by state (see the observability guide for the states of each family).',
    labelNames: ['family', 'name', 'state'],
    registers: [],
    async collect() {
      const { counts } = await read();
      this.reset();
      for (const { family, name, states } of counts) for (const [state, value] of Object.entries(states)) this.set({ family, name, state }, value);
    },
  });
  const objects = new Gauge({
    name: OBJECTS_METRIC,
    help: 'Registered good-redis objects, by family.',
    labelNames: ['family'],
    registers: [],
    async collect() {
      const { counts } = await read();
      const perFamily = new Map<ObjectFamily, number>(inventory.families.map((f) => [f, 0]));
      for (const { family } of counts) perFamily.set(family, (perFamily.get(family) ?? 0) + 1);
      this.reset();
      for (const [family, n] of perFamily) this.set({ family }, n);
    },
  });
  const readSeconds = new Gauge({
    name: READ_SECONDS_METRIC,
    help: 'How long the read of every object count took at the last scrape, in seconds.',
    registers: [],
    async collect() {
      this.set((await read()).seconds);
    },
  });
  const finished = new Counter({
    name: OBJECT_JOBS_METRIC,
    help: "Jobs each good-redis object's Workers finished, by outcome (completed, failed: each failed delivery, dead: dead-lettered), as their heartbeats add them up in Redis.",
    labelNames: ['family', 'name', 'outcome'],
    registers: [],
    async collect() {
      const { totals } = await read();
      this.reset();
      for (const t of totals) for (const outcome of JOB_OUTCOMES) this.inc({ family: t.family, name: t.name, outcome }, t[outcome]);
    },
  });
  const added = new Counter({
    name: OBJECT_ADDED_METRIC,
    help: 'Items producers added to each good-redis object, in total, as its add scripts count them in Redis (see the observability guide for what each family counts).',
    labelNames: ['family', 'name'],
    registers: [],
    async collect() {
      const { counts } = await read();
      this.reset();
      for (const { family, name, added: n } of counts) this.inc({ family, name }, n);
    },
  });
  registry.registerMetric(items);
  registry.registerMetric(objects);
  registry.registerMetric(readSeconds);
  registry.registerMetric(finished);
  registry.registerMetric(added);
  return inventory;
}

/** Options of {@link observeWorker}. */
export interface ObserveWorkerOptions {
  /** The `prom-client` registry the Worker metrics go to (shared by every Worker observed into it). */
  registry: Registry;
  /** The `family` label: the family of the object the Worker consumes. */
  family: ObjectFamily;
  /** The `name` label: the object's name. */
  name: string;
}

/**
 * Counts a Worker's settled jobs by outcome in {@link JOBS_METRIC} (`completed`, `failed`: a
 * failure that will be retried or not, `dead`: a failure that went to the dead letters, after
 * its `failed`, `lost`: a lease lost under a running handler) and times its handlers in
 * {@link HANDLER_SECONDS_METRIC} (`completed` and `failed`), from the Worker's events. Several
 * Workers may be observed into one registry.
 *
 * @param worker - the Worker (of any family)
 * @param options - the registry and the `family` and `name` labels
 * @returns a function that stops observing the Worker
 * @throws {@link GoodRedisError} `InvalidArgument` for an unknown family or a name that is not a string
 * @example
 * ```ts
 * const worker = broker.worker({ concurrency: 8 });
 * observeWorker(worker, { registry, family: 'taskQueue', name: broker.name });
 * ```
 */
export function observeWorker<J extends SourceJob, R>(worker: JobWorker<J, R>, options: ObserveWorkerOptions): () => void {
  const { registry, family, name } = optionsOf(options, 'observe options');
  if (!isObjectFamily(family)) throw invalid(`family must be one of ${OBJECT_FAMILIES.join(', ')}, got ${describeValue(family)}`);
  if (typeof name !== 'string') throw invalid(`name must be a string, got ${describeValue(name)}`);
  const jobs = singleMetric(
    registry,
    JOBS_METRIC,
    () =>
      new Counter({
        name: JOBS_METRIC,
        help: 'Jobs good-redis Workers settled, by outcome.',
        labelNames: ['family', 'name', 'outcome'],
        registers: [registry],
      }),
  );
  const durations = singleMetric(
    registry,
    HANDLER_SECONDS_METRIC,
    () =>
      new Histogram({
        name: HANDLER_SECONDS_METRIC,
        help: 'How long good-redis Worker handlers ran, in seconds, by outcome.',
        labelNames: ['family', 'name', 'outcome'],
        buckets: [...HANDLER_SECONDS_BUCKETS],
        registers: [registry],
      }),
  );
  const startedAt = new WeakMap<J, number>();
  const settled = (job: J, outcome: 'completed' | 'failed'): void => {
    jobs.inc({ family, name, outcome });
    const started = startedAt.get(job);
    if (started !== undefined) durations.observe({ family, name, outcome }, (performance.now() - started) / 1000);
  };
  const onActive = (job: J): void => {
    startedAt.set(job, performance.now());
  };
  const onCompleted = (job: J): void => {
    settled(job, 'completed');
  };
  const onFailed = (job: J): void => {
    settled(job, 'failed');
  };
  const onDead = (): void => {
    jobs.inc({ family, name, outcome: 'dead' });
  };
  const onLost = (): void => {
    jobs.inc({ family, name, outcome: 'lost' });
  };
  worker.on('active', onActive);
  worker.on('completed', onCompleted);
  worker.on('failed', onFailed);
  worker.on('dead', onDead);
  worker.on('lost', onLost);
  return () => {
    worker.off('active', onActive);
    worker.off('completed', onCompleted);
    worker.off('failed', onFailed);
    worker.off('dead', onDead);
    worker.off('lost', onLost);
  };
}

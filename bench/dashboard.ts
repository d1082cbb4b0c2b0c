/**
 * The dashboard's bench row: with many registered objects (an equal share of prioritized streams,
 * queues, pools, topics of two partitions with a group, and task queues), how long the overview
 * page and `/metrics` take to answer (in the dashboard's process, Redis round trips included: the
 * time a browser or Prometheus waits, less the network), and how many commands each sends per
 * object (counted on the dashboard's own connection).
 */
import type { Redis } from 'ioredis';
import { createDashboard, ObjectHistory, ObjectInventory, QueueRegistry, WorkerRegistry, StreamBroker, StreamRegistry, TopicRegistry } from '../src/index.js';
import { inParallel } from './data.js';
import { quantile } from './timing.js';

/** What one dashboard run measured. */
export interface DashboardTiming {
  /** Registered objects. */
  objects: number;
  /** The overview page, median of the timed requests, in ms. */
  overviewMs: number;
  /** `/metrics`, median of the timed requests, in ms. */
  metricsMs: number;
  /** Commands sent per object by one overview request, and by one scrape. */
  commandsPerObject: { overview: number; metrics: number };
  /** One history sample of every object (what a dashboard records every 10 s: the counts read, then one script per object), median, in ms. */
  historyMs: number;
}

/** Makes `perFamily` objects of each of five families under `prefix`. */
export async function populate(redis: Redis, prefix: string, perFamily: number): Promise<number> {
  const streams = new StreamRegistry(redis, { prefix });
  const queues = new QueueRegistry(redis, { prefix });
  const topics = new TopicRegistry(redis, { prefix });
  const indexes = Array.from({ length: perFamily }, (_, i) => i);
  await inParallel(indexes, 50, async (i) => {
    await streams.stream(`stream-${String(i)}`).add('k', 'v', i);
    await queues.queue(`queue-${String(i)}`).addItem('v');
    await queues.pool(`pool-${String(i)}`).addItem('v');
    const topic = topics.topic(`topic-${String(i)}`);
    await topic.ensure(2);
    await topic.createGroup('g');
    await new StreamBroker(redis, `tasks-${String(i)}`, { prefix }).send('t', i);
  });
  return perFamily * 5;
}

/**
 * Times the overview and `/metrics` with `perFamily` objects of each of five families.
 *
 * @param redis - a connection to the bench's server
 * @param perFamily - objects per family
 * @param rounds - timed requests of each (after one untimed)
 */
export async function dashboardTimings(redis: Redis, perFamily: number, rounds = 5): Promise<DashboardTiming> {
  const prefix = `bench-dash-${String(Date.now())}:`;
  const objects = await populate(redis, prefix, perFamily);
  const client = redis.duplicate();
  let sent = 0;
  const send = client.sendCommand.bind(client);
  client.sendCommand = (...args: Parameters<typeof send>) => {
    sent += 1;
    return send(...args);
  };
  try {
    // The history's sampling is timed apart (below), not left to run under the timed requests.
    const dashboard = createDashboard({ client, prefix, history: false });
    const request = async (path: string): Promise<number> => {
      const started = performance.now();
      const response = await dashboard.fetch(new Request(`http://localhost${path}`));
      await response.text();
      if (response.status !== 200) throw new Error(`${path} answered ${String(response.status)}`);
      return performance.now() - started;
    };
    const timed = async (path: string): Promise<{ ms: number; commands: number }> => {
      await request(path); // untimed: JIT, the scripts loaded on the connection
      sent = 0;
      const samples: number[] = [await request(path)];
      const commands = sent;
      for (let i = 1; i < rounds; i++) samples.push(await request(path));
      return { ms: quantile(samples, 0.5), commands };
    };
    const overview = await timed('/');
    const metrics = await timed('/metrics');
    const inventory = new ObjectInventory(client, { prefix });
    const workers = new WorkerRegistry(client, { prefix });
    // A 1 ms interval: every round appends (the half-interval rule never skips one).
    const history = new ObjectHistory(client, { prefix, intervalMs: 1, samples: 10 });
    const samples: number[] = [];
    for (let i = 0; i <= rounds; i++) {
      const started = performance.now();
      await history.sample(inventory, workers);
      if (i > 0) samples.push(performance.now() - started); // the first untimed
    }
    return {
      objects,
      overviewMs: overview.ms,
      metricsMs: metrics.ms,
      commandsPerObject: { overview: overview.commands / objects, metrics: metrics.commands / objects },
      historyMs: quantile(samples, 0.5),
    };
  } finally {
    client.disconnect();
  }
}

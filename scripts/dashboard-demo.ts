/**
 * `npm run dashboard`: the web dashboard on the demo's data, on a Redis of its own.
 *
 *   npm ci && npm run dashboard              then open http://127.0.0.1:3000/
 *   npm run dashboard -- --cluster           the same on a throwaway 3-master Redis Cluster
 *   npm run dashboard -- --port 8080         another port (0: any free one)
 *
 * Uses the Redis the environment names (REDIS_URL, REDIS_CLUSTER_NODES, or REDIS_SENTINELS with
 * REDIS_SENTINEL_MASTER) under the prefix `demo:`, else starts a throwaway one (a Cluster with
 * --cluster). Seeds one object of each family the way the demo and the examples use them (a
 * crawl frontier with pages crawled, cooling and dead; a mail queue with deliveries held; a
 * proxy pool; an orders topic with a group part-way through; an email task queue with a dead
 * letter and a schedule), then serves the dashboard on loopback until Ctrl-C, and stops what it
 * started.
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  closeConnection,
  Consumer,
  createConnection,
  createDashboard,
  Producer,
  QueueRegistry,
  ResultStore,
  StreamBroker,
  StreamRegistry,
  TopicRegistry,
  type RedisClient,
} from '../src/index.js';
import { redisForRun, startTopology, type RunTarget } from './topologies.js';

const PREFIX = 'demo:';

/** The port from `--port N` (3000 by default). */
function portOf(argv: readonly string[]): number {
  const at = argv.indexOf('--port');
  if (at < 0) return 3000;
  const port = Number(argv[at + 1]);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`--port must be a port number, got ${String(argv[at + 1])}`);
  return port;
}

/** One object of each family, with a little of every state. */
async function seed(redis: RedisClient): Promise<void> {
  const streams = new StreamRegistry(redis, { prefix: PREFIX });
  const frontier = streams.stream('crawl-frontier');
  await frontier.addMany(
    Array.from({ length: 2000 }, (_, i) => [`https://site-${String(i % 50)}.example/page/${String(i)}`, `{"depth":${String(i % 7)}}`, i % 100] as const),
  );
  await frontier.pull({ count: 300 }); // crawled: cooling down for 24 h
  const failing = await frontier.lease({ count: 1, leaseMs: 60_000, maxAttempts: 1 });
  await frontier.nack(failing, { error: 'fetch failed: 503 Service Unavailable' }); // one attempt: a dead letter

  const queues = new QueueRegistry(redis, { prefix: PREFIX });
  const mail = queues.queue('outgoing-mail');
  await mail.addItems(Array.from({ length: 120 }, (_, i) => `mail-${String(i)}`));
  await mail.getItems(5); // held by this process's consumer
  await queues.pool('proxies').addItems(Array.from({ length: 40 }, (_, i) => `10.0.0.${String(i + 1)}:3128`));

  const topic = new TopicRegistry(redis, { prefix: PREFIX }).topic('orders');
  await topic.ensure(4);
  await topic.createGroup('billing');
  await new Producer(redis, 'orders', { prefix: PREFIX }).sendMany(
    Array.from({ length: 400 }, (_, i) => ({ key: `customer-${String(i % 37)}`, value: `order-${String(i)}` })),
  );
  const billing = new Consumer(redis, 'orders', { prefix: PREFIX, group: 'billing', memberId: 'demo-billing' });
  let read = 0;
  for (let round = 0; round < 200 && read < 150; round++) {
    const batch = await billing.fetch({ max: 50 });
    await billing.ackMessages(batch);
    read += batch.length;
  }
  await billing.close();

  const results = new ResultStore(redis, { prefix: PREFIX });
  const emails = new StreamBroker(redis, 'emails', { prefix: PREFIX, results, maxAttempts: 1 });
  emails.task('send-email', (args: { to: string }) => {
    if (args.to.endsWith('.invalid')) throw new Error(`SMTP 550: no mailbox ${args.to}`);
    return { sent: args.to };
  });
  await emails.sendMany('send-email', [{ args: { to: 'ada@example.com' } }, { args: { to: 'bob@nowhere.invalid' } }]);
  const worker = emails.worker({ concurrency: 2 });
  worker.on('error', () => undefined);
  for (let i = 0; i < 100 && (await emails.stats()).dead < 1; i++) await new Promise((resolve) => setTimeout(resolve, 50));
  await worker.close();
  await emails.sendMany(
    'send-email',
    Array.from({ length: 25 }, (_, i) => ({ args: { to: `user-${String(i)}@example.com` } })),
  );
  await emails.schedules.add({ id: 'daily-digest', task: 'send-email', args: { to: 'digest@example.com' }, cron: '0 8 * * *' });
  await results.close();
}

async function main(): Promise<void> {
  const cluster = process.argv.includes('--cluster');
  const port = portOf(process.argv);
  let target: RunTarget;
  if (cluster) {
    const started = await startTopology('cluster');
    target = { env: started.env, throwaway: true, description: 'Started a throwaway 3-master Redis Cluster', stop: () => started.stop() };
  } else {
    target = await redisForRun();
  }
  console.log(target.description);
  const redis = createConnection({}, target.env);
  try {
    console.log('Seeding one object of each family under the prefix "demo:" ...');
    await seed(redis);
    const dashboard = createDashboard({ client: redis, prefix: PREFIX });
    const server = createServer(dashboard.listener);
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
    console.log(`good-redis dashboard on http://127.0.0.1:${String((server.address() as AddressInfo).port)}/ (Ctrl-C stops it)`);
    await Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')]);
    server.closeAllConnections();
    server.close();
  } finally {
    await closeConnection(redis);
    await target.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});

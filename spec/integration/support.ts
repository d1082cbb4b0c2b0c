/**
 * Shared helpers of the integration suite: the topologies it runs on (started by
 * spec/hooks.ts), connections to the current one, per-node server introspection, unique
 * stream names spread over every cluster master.
 */
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import assert from 'node:assert/strict';
import { Cluster, Redis } from 'ioredis';
import { closeConnection, connectionFromEnv, PrioritizedStream, type ItemInput, type RedisClient } from '../../src/index.js';
import { isClusterKind, selectedTopologies, startThrowawayCluster, SUITE_KINDS, type ThrowawayCluster, type TopologyKind } from '../../scripts/topologies.js';

export type { TopologyKind };

/** The variables that point the SDK at a topology, by kind, as spec/hooks.ts left them. */
function topologies(): Partial<Record<TopologyKind, Record<string, string>>> {
  const raw = process.env.GOOD_REDIS_TEST_TOPOLOGIES;
  if (raw === undefined) throw new Error('GOOD_REDIS_TEST_TOPOLOGIES is not set: run the suite through mocha (spec/hooks.ts)');
  return JSON.parse(raw) as Partial<Record<TopologyKind, Record<string, string>>>;
}

/** The port of the master serving `slot` in a `CLUSTER SLOTS` reply. */
export function ownerOf(slots: unknown, slot: number): number | undefined {
  for (const range of slots as [number, number, [string, number, ...unknown[]], ...unknown[]][]) {
    if (slot >= range[0] && slot <= range[1]) return range[2][1];
  }
  return undefined;
}

/** The Redis Cluster slot of a key without a hash tag: CRC16 (XMODEM) of the key, mod 16384. */
export function slotOf(key: string): number {
  let crc = 0;
  for (const byte of Buffer.from(key)) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit += 1) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc % 16384;
}

let current: TopologyKind | undefined;
const opened: RedisClient[] = [];

/** The topology the running test is on. */
export function currentTopology(): TopologyKind {
  if (current === undefined) throw new Error('no topology selected: wrap the suite in describeEachTopology');
  return current;
}

/**
 * The environment variables of the current topology (`REDIS_URL`, `REDIS_CLUSTER_NODES`, or
 * `REDIS_SENTINELS` with `REDIS_SENTINEL_MASTER`), as a user would set them.
 */
export function topologyEnv(): Record<string, string> {
  const env = topologies()[currentTopology()];
  if (env === undefined) throw new Error(`topology ${currentTopology()} is not running`);
  return env;
}

/**
 * The environment of a child process on the current topology: this process's, without any
 * connection variable of its own, plus the topology's.
 */
export function childEnv(): NodeJS.ProcessEnv {
  const own = new Set(['REDIS_URL', 'REDIS_CLUSTER_NODES', 'REDIS_SENTINELS', 'REDIS_SENTINEL_MASTER']);
  return { ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !own.has(name))), ...topologyEnv() };
}

/**
 * Declares `title` once per running topology (`title [standalone]`, `title [cluster]`,
 * `title [sentinel]`), so the same tests run on each. Inside, {@link connect} reaches the
 * suite's topology. On a cluster the suite ends by checking that no master ever answered
 * CROSSSLOT.
 *
 * @param title - the suite's title
 * @param body - the suite, as for `describe`
 * @param only - the topologies to run on (of those running): by default the plain three, not the TLS ones
 */
export function describeEachTopology(title: string, body: (this: Mocha.Suite, kind: TopologyKind) => void, only: readonly TopologyKind[] = SUITE_KINDS): void {
  for (const kind of selectedTopologies()) {
    if (!only.includes(kind)) continue;
    describe(`${title} [${kind}]`, function () {
      before(() => {
        current = kind;
      });
      body.call(this, kind);
      if (isClusterKind(kind)) {
        after(async () => {
          current = kind;
          const redis = connect();
          try {
            assert.deepEqual(await errorCounts(redis, 'CROSSSLOT'), 0, 'a cluster master answered CROSSSLOT');
          } finally {
            await closeOne(redis);
          }
        });
      }
    });
  }
}

/** A new connection to the current topology, made from its variables by the SDK's own `connectionFromEnv`; closed by {@link closeAll}. */
export function connect(options: { enableAutoPipelining?: boolean } = {}): RedisClient {
  const resolved = connectionFromEnv(topologyEnv());
  let client: RedisClient;
  if (resolved.cluster !== undefined) {
    const clusterOptions = resolved.cluster.options ?? {};
    client = new Cluster(resolved.cluster.nodes, {
      ...clusterOptions,
      ...options,
      redisOptions: { ...clusterOptions.redisOptions, maxRetriesPerRequest: 1 },
    });
  } else if (resolved.url !== undefined) {
    client = new Redis(resolved.url, { ...resolved.redis, maxRetriesPerRequest: 1, ...options });
  } else {
    client = new Redis({ ...resolved.redis, maxRetriesPerRequest: 1, ...options });
  }
  opened.push(client);
  return client;
}

async function closeOne(client: RedisClient): Promise<void> {
  await closeConnection(client).catch(() => {
    client.disconnect();
  });
}

/** Closes every connection {@link connect} opened. */
export async function closeAll(): Promise<void> {
  await Promise.all(opened.splice(0).map(closeOne));
}

async function ready(client: RedisClient): Promise<void> {
  if (client.status !== 'ready') await once(client, 'ready');
}

/** The servers behind a client: a cluster's masters (or all its nodes), else the client itself. */
async function nodesOf(client: RedisClient, role: 'master' | 'all'): Promise<Redis[]> {
  if (!(client instanceof Cluster)) return [client];
  await ready(client);
  return client.nodes(role);
}

/** The data servers behind a client: every master of a cluster, else the client itself. */
export function masters(client: RedisClient): Promise<Redis[]> {
  return nodesOf(client, 'master');
}

/** Sums `INFO commandstats` calls per command over every master. */
export async function commandStats(client: RedisClient): Promise<Map<string, number>> {
  const calls = new Map<string, number>();
  for (const node of await masters(client)) {
    for (const m of (await node.info('commandstats')).matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
      calls.set(m[1] ?? '', (calls.get(m[1] ?? '') ?? 0) + Number(m[2]));
    }
  }
  return calls;
}

/**
 * Commands a test sends to look, and that sentinels, replicas and cluster clients send in the
 * background: not part of what an operation costs.
 */
const BACKGROUND = new Set(['info', 'evalsha', 'eval', 'script', 'ping', 'publish', 'replconf', 'cluster', 'client', 'role', 'command', 'hello', 'select']);

/**
 * Sums `INFO commandstats` calls over every master, leaving out the background (above) and
 * the script calls themselves (the commands a script runs are counted on their own).
 */
export async function foregroundCalls(client: RedisClient): Promise<number> {
  let total = 0;
  for (const [name, calls] of await commandStats(client)) if (!BACKGROUND.has(name.split('|')[0] ?? '')) total += calls;
  return total;
}

/** Sums one numeric `INFO stats` field over every master. */
export async function statSum(client: RedisClient, field: string): Promise<number> {
  let sum = 0;
  for (const node of await masters(client)) {
    sum += Number(new RegExp(`^${field}:(\\d+)`, 'm').exec(await node.info('stats'))?.[1] ?? 0);
  }
  return sum;
}

/** How many errors of one kind (`CROSSSLOT`, `MOVED`, …) every master has answered, from `INFO errorstats`. */
export async function errorCounts(client: RedisClient, kind: string): Promise<number> {
  let sum = 0;
  for (const node of await masters(client)) {
    sum += Number(new RegExp(`^errorstat_${kind}:count=(\\d+)`, 'm').exec(await node.info('errorstats'))?.[1] ?? 0);
  }
  return sum;
}

/** `CLIENT LIST` of every node, one line per client. */
export async function clientList(client: RedisClient): Promise<string> {
  const lists = await Promise.all((await nodesOf(client, 'all')).map(async (node) => (await node.client('LIST')) as string));
  return lists.join('');
}

/** Every key matching `pattern` on every master (KEYS: tests only). */
export async function keysMatching(client: RedisClient, pattern: string): Promise<string[]> {
  const keys: string[] = [];
  for (const node of await masters(client)) keys.push(...(await node.keys(pattern)));
  return keys.sort();
}

/**
 * The master that serves a stream's slot, as `host:port` (on a standalone or Sentinel
 * topology, the one server).
 */
export async function masterOf(client: RedisClient, name: string): Promise<string> {
  if (!(client instanceof Cluster)) return 'the server';
  await ready(client);
  const slot = slotOf(name); // the slot of the hash tag {name}, so of every key of the stream
  const [first] = client.slots[slot] ?? [];
  if (first === undefined) throw new Error(`no node serves slot ${String(slot)}`);
  return first;
}

let spread = 0;

/**
 * A stream name no other test uses, so tests never need FLUSHALL. On a cluster, successive
 * names land on successive masters (slot ranges as `redis-cli --cluster create` splits them
 * into thirds), so every suite spreads its streams over all of them.
 */
export function uniqueName(label = 'stream'): string {
  if (current === undefined || !isClusterKind(current)) return `${label}-${randomUUID()}`;
  spread += 1;
  return nameOnMaster(label, (spread - 1) % 3);
}

/**
 * A new stream name, `label-<uuid>`, whose slot is served by master `index` (0 to 2) of a
 * 3-master cluster made by `redis-cli --cluster create`, which gives each master a third of
 * the slots in order: 0-5460, 5461-10922, 10923-16383.
 *
 * @param label - the start of the name
 * @param index - which master
 */
export function nameOnMaster(label: string, index: number): string {
  for (;;) {
    const name = `${label}-${randomUUID()}`;
    if (masterOfSlot(slotOf(name)) === index) return name;
  }
}

/**
 * The index (0 to 2) of the master that serves `slot` in a 3-master cluster made by
 * `redis-cli --cluster create` (0-5460, 5461-10922, 10923-16383), as it starts.
 */
export function masterOfSlot(slot: number): number {
  return slot < 5461 ? 0 : slot < 10923 ? 1 : 2;
}

/**
 * A new Cluster client of a private cluster (a failover test's own), as the suite's environment
 * names it; its errors are expected (a master gets killed) and not logged.
 */
export function privateClusterClient(env: NodeJS.ProcessEnv): Cluster {
  const options = connectionFromEnv(env);
  assert.ok(options.cluster, 'the environment names no cluster');
  const client = new Cluster(options.cluster.nodes, options.cluster.options);
  client.on('error', () => undefined);
  return client;
}

/** A private cluster of a suite's own, and its Cluster client (made on first use). */
export interface PrivateCluster {
  /** The cluster (started before the suite's tests). */
  readonly topology: ThrowawayCluster;
  /** The suite's client of it (made on first call, closed after the suite). */
  client(): Cluster;
}

/**
 * Starts a private cluster before the current suite and stops it (closing its client) after: for
 * the tests that kill or move what the shared topologies keep.
 *
 * @returns the cluster and its client, once the suite's `before` ran
 */
export function privateCluster(): PrivateCluster {
  let topology: ThrowawayCluster | undefined;
  let client: Cluster | undefined;
  before(async function () {
    this.timeout(60_000);
    topology = await startThrowawayCluster();
  });
  after(async () => {
    if (client !== undefined) await closeConnection(client);
    await topology?.stop();
  });
  return {
    get topology(): ThrowawayCluster {
      assert.ok(topology, 'the private cluster starts before the suite');
      return topology;
    },
    client(): Cluster {
      client ??= privateClusterClient(this.topology.env);
      return client;
    },
  };
}

/**
 * A new connection and a new stream on it (a unique name), holding `items` when given: what most
 * stream suites make before each test (`closeAll` closes the connection after it).
 *
 * @param items - the items it starts with
 */
export async function newStream(items: readonly ItemInput<string>[] = []): Promise<{ redis: RedisClient; stream: PrioritizedStream }> {
  const redis = connect();
  const stream = new PrioritizedStream(redis, uniqueName());
  if (items.length > 0) await stream.addMany(items);
  return { redis, stream };
}

/**
 * Collects the complete lines a child process writes, as they come.
 *
 * @param output - the child's stdout (or stderr)
 * @returns the array the lines are pushed to
 */
export function linesOf(output: NodeJS.ReadableStream): string[] {
  const lines: string[] = [];
  let partial = '';
  output.on('data', (chunk: Buffer) => {
    const parts = (partial + chunk.toString()).split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts);
  });
  return lines;
}

/** Waits until `check` returns true, polling every few ms, or fails after `timeoutMs`. */
export async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${String(timeoutMs)} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** The Redis server's clock in epoch ms (any node: they share this machine's clock). */
export async function serverNow(redis: RedisClient): Promise<number> {
  const [seconds, micros] = await redis.time();
  return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
}

/** Something a test starts and must close, such as a Worker. */
export interface Closable {
  close(): Promise<void>;
}

/**
 * Remembers what a suite starts (workers) so that its afterEach closes them all: `track(x)`
 * returns `x`; `closeTracked()` closes and forgets everything tracked so far.
 */
export function tracker(): { track: <W extends Closable>(item: W) => W; closeTracked: () => Promise<void> } {
  const open: Closable[] = [];
  return {
    track: (item) => {
      open.push(item);
      return item;
    },
    closeTracked: async () => {
      await Promise.all(open.splice(0).map((item) => item.close()));
    },
  };
}

/**
 * A {@link tracker} whose objects close after each test of the current suite, and then every
 * connection of the test ({@link closeAll}).
 */
export function trackEach(): { track: <W extends Closable>(item: W) => W } {
  const { track, closeTracked } = tracker();
  afterEach(async () => {
    await closeTracked();
    await closeAll();
  });
  return { track };
}

/** How many scripts (EVAL and EVALSHA) the servers of `redis` ran so far, from INFO commandstats. */
export async function scriptCalls(redis: RedisClient): Promise<number> {
  const calls = await commandStats(redis);
  return (calls.get('eval') ?? 0) + (calls.get('evalsha') ?? 0);
}

/**
 * Fetches from a topic consumer and acks until `count` messages came.
 *
 * @param consumer - a consumer group member
 * @param count - how many messages to wait for
 * @returns their values, in fetch order
 */
export async function fetchAndAck<T>(
  consumer: { fetch(options: { max: number }): Promise<{ value: T; ack(): Promise<unknown> }[]> },
  count: number,
): Promise<T[]> {
  const got: T[] = [];
  await waitFor(
    async () => {
      const batch = await consumer.fetch({ max: 100 });
      await Promise.all(batch.map((m) => m.ack()));
      got.push(...batch.map((m) => m.value));
      return got.length >= count;
    },
    10_000,
    `${String(count)} messages`,
  );
  return got;
}

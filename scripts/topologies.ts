/**
 * Throwaway Redis topologies on loopback ports, for the tests, the examples and anyone trying
 * good-redis out: a standalone server, a Redis Cluster (3 masters with 1 replica each, made
 * with `redis-cli --cluster create`) and a Sentinel set-up (1 master, 1 replica, 3
 * sentinels), and the first two served over TLS only (certificates made with `openssl` as they
 * start, clients asked for one). Each keeps its files in a temporary folder removed by
 * `stop()`, and dies with this process.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { freePort, serverArgs, spawnRedis, startThrowawayRedis, type RedisProcess } from './throwaway-redis.js';
import { connectionFromEnv } from '../src/connection/connection-options.js';
import { makeTlsFiles, tlsCliArgs, tlsEnv, tlsServerArgs, type TlsFiles } from './tls.js';

const run = promisify(execFile);

/** The three ways good-redis connects, and the first two over TLS. */
export type TopologyKind = 'standalone' | 'cluster' | 'sentinel' | 'tls' | 'tls-cluster';

/** Every topology kind, in the order the test suite runs them. */
export const TOPOLOGY_KINDS: readonly TopologyKind[] = ['standalone', 'cluster', 'sentinel', 'tls', 'tls-cluster'];

/** The kinds a suite runs on unless it names its own: the TLS ones carry a smoke subset only. */
export const SUITE_KINDS: readonly TopologyKind[] = ['standalone', 'cluster', 'sentinel'];

/**
 * Tells whether a kind is a Redis Cluster (plain or TLS).
 *
 * @param kind - the topology kind
 */
export function isClusterKind(kind: TopologyKind): boolean {
  return kind === 'cluster' || kind === 'tls-cluster';
}

/**
 * Tells whether a string names a topology kind.
 *
 * @param value - the string
 */
export function isTopologyKind(value: string): value is TopologyKind {
  return (TOPOLOGY_KINDS as readonly string[]).includes(value);
}

/**
 * The topologies a test run covers: `GOOD_REDIS_TOPOLOGIES` (comma-separated kinds), or all.
 *
 * @param env - the environment to read
 * @throws Error for an unknown kind
 */
export function selectedTopologies(env: NodeJS.ProcessEnv = process.env): TopologyKind[] {
  const raw = env.GOOD_REDIS_TOPOLOGIES;
  if (raw === undefined || raw.trim() === '') return [...TOPOLOGY_KINDS];
  return raw.split(',').map((k) => {
    const kind = k.trim();
    if (!isTopologyKind(kind)) throw new Error(`GOOD_REDIS_TOPOLOGIES: unknown topology ${JSON.stringify(kind)}; use ${TOPOLOGY_KINDS.join(', ')}`);
    return kind;
  });
}

/** A running topology. */
export interface Topology {
  readonly kind: TopologyKind;
  /** The environment variables that point `connectionFromEnv` (and so the SDK) at it. */
  readonly env: Readonly<Record<string, string>>;
  /** Stops every process and removes the files. */
  stop(): Promise<void>;
}

/** A throwaway Redis Cluster. */
export interface ThrowawayCluster extends Topology {
  readonly kind: 'cluster' | 'tls-cluster';
  /** Every node, masters first as `redis-cli --cluster create` assigned them. */
  readonly nodes: readonly RedisProcess[];
}

/** A throwaway Sentinel set-up. */
export interface ThrowawaySentinel extends Topology {
  readonly kind: 'sentinel';
  /** The name the sentinels monitor the master under. */
  readonly masterName: string;
  /** The two data nodes: the first starts as master, the second as its replica. */
  readonly servers: readonly RedisProcess[];
  /** The three sentinels. */
  readonly sentinels: readonly RedisProcess[];
  /**
   * Asks a sentinel for a failover (`SENTINEL FAILOVER`) and waits until every sentinel
   * names the new master and the old one replicates from it.
   *
   * @returns the new master's port
   */
  failover(): Promise<number>;
}

const HOST = '127.0.0.1';

async function withConnection<R>(port: number, use: (redis: Redis) => Promise<R>, tls?: TlsFiles): Promise<R> {
  const redis = new Redis({
    host: HOST,
    port,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    // The client side of a TLS topology, read from its variables as the SDK reads them.
    ...(tls === undefined ? {} : connectionFromEnv(tlsEnv(tls)).redis),
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return await use(redis);
  } finally {
    redis.disconnect();
  }
}

/** Polls `check` every 50 ms until it holds, or fails after `timeoutMs` saying `what`. */
async function until(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${String(timeoutMs)} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function field(info: string, name: string): string | undefined {
  return new RegExp(`^${name}:(.*?)\\r?$`, 'm').exec(info)?.[1];
}

/** Waits until the server on `port` is a replica whose link to its master is up. */
function replicaInSync(port: number, tls?: TlsFiles): Promise<void> {
  return until(`the replica on port ${String(port)} to sync`, () =>
    withConnection(
      port,
      async (r) => {
        const info = await r.info('replication');
        return field(info, 'role') === 'slave' && field(info, 'master_link_status') === 'up';
      },
      tls,
    ),
  );
}

async function stopAll(processes: readonly RedisProcess[], dir: string): Promise<void> {
  await Promise.all(processes.map((p) => p.stop()));
  await rm(dir, { recursive: true, force: true });
}

/**
 * Starts a Redis Cluster of `masters` masters with one replica each, and waits until every
 * node sees every slot covered and every replica in sync.
 *
 * @param masters - how many masters (at least 3, as Redis Cluster requires)
 * @param options - `tls`: serve it over TLS only (clients, the cluster bus and replication), with certificates made now
 */
export async function startThrowawayCluster(masters = 3, options: { tls?: boolean } = {}): Promise<ThrowawayCluster> {
  const dir = await mkdtemp(join(tmpdir(), 'good-redis-cluster-'));
  const tls = options.tls === true ? await makeTlsFiles(dir) : undefined;
  const dataArgs = (port: number): string[] =>
    tls === undefined ? serverArgs(port) : [...tlsServerArgs(port, tls), '--tls-cluster', 'yes', '--tls-replication', 'yes'];
  const nodes = await Promise.all(
    Array.from({ length: masters * 2 }, () =>
      spawnRedis(async (port) => [
        ...dataArgs(port),
        '--dir',
        dir,
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        `nodes-${String(port)}.conf`,
        '--cluster-node-timeout',
        '1000',
        // The bus port defaults to port + 10000, which may be taken or above 65535.
        '--cluster-port',
        String(await freePort()),
      ]),
    ),
  );
  try {
    await run('redis-cli', [
      ...(tls === undefined ? [] : tlsCliArgs(tls)),
      '--cluster',
      'create',
      ...nodes.map((n) => `${HOST}:${String(n.port)}`),
      '--cluster-replicas',
      '1',
      '--cluster-yes',
    ]);
    for (const node of nodes) {
      await until(`node ${String(node.port)} to see the whole cluster`, () =>
        withConnection(
          node.port,
          async (r) => {
            const info = await r.cluster('INFO');
            return (
              field(info, 'cluster_state') === 'ok' &&
              field(info, 'cluster_known_nodes') === String(nodes.length) &&
              field(info, 'cluster_slots_ok') === '16384'
            );
          },
          tls,
        ),
      );
    }
    for (const node of nodes.slice(masters)) await replicaInSync(node.port, tls);
  } catch (err) {
    await stopAll(nodes, dir);
    throw err;
  }
  return {
    kind: tls === undefined ? 'cluster' : 'tls-cluster',
    nodes,
    env: {
      REDIS_CLUSTER_NODES: nodes
        .slice(0, masters)
        .map((n) => `${HOST}:${String(n.port)}`)
        .join(','),
      ...(tls === undefined ? {} : tlsEnv(tls)),
    },
    stop: () => stopAll(nodes, dir),
  };
}

/**
 * Starts a master, its replica and three sentinels monitoring them (quorum 2, a server is
 * down after 1 s), and waits until every sentinel knows the replica and the other sentinels.
 *
 * @param masterName - the name the sentinels monitor the master under
 */
export async function startThrowawaySentinel(masterName = 'good-redis'): Promise<ThrowawaySentinel> {
  const dir = await mkdtemp(join(tmpdir(), 'good-redis-sentinel-'));
  const started: RedisProcess[] = [];
  const dataArgs = (port: number): string[] => [...serverArgs(port), '--dir', dir];
  try {
    const master = await spawnRedis(dataArgs);
    started.push(master);
    const replica = await spawnRedis((port) => [...dataArgs(port), '--replicaof', HOST, String(master.port)]);
    started.push(replica);
    await replicaInSync(replica.port);
    const sentinels: RedisProcess[] = [];
    for (let i = 0; i < 3; i += 1) {
      const conf = join(dir, `sentinel-${String(i)}.conf`);
      await writeFile(
        conf,
        [
          `sentinel monitor ${masterName} ${HOST} ${String(master.port)} 2`,
          `sentinel down-after-milliseconds ${masterName} 1000`,
          `sentinel failover-timeout ${masterName} 5000`,
          `sentinel parallel-syncs ${masterName} 1`,
          '',
        ].join('\n'),
      );
      const sentinel = await spawnRedis((port) => [conf, '--sentinel', '--port', String(port), '--bind', HOST], '+monitor master');
      sentinels.push(sentinel);
      started.push(sentinel);
    }
    await Promise.all(sentinels.map((s) => sentinelReady(s.port, masterName, 1, sentinels.length - 1)));
    const topology: ThrowawaySentinel = {
      kind: 'sentinel',
      masterName,
      servers: [master, replica],
      sentinels,
      env: { REDIS_SENTINELS: sentinels.map((s) => `${HOST}:${String(s.port)}`).join(','), REDIS_SENTINEL_MASTER: masterName },
      stop: () => stopAll(started, dir),
      failover: async () => {
        const asked = sentinels[0]?.port ?? 0;
        const before = await masterPort(asked, masterName);
        await withConnection(asked, (r) => r.call('SENTINEL', 'FAILOVER', masterName));
        let after = before;
        for (const s of sentinels) {
          await until(`sentinel ${String(s.port)} to name a new master`, async () => {
            after = await masterPort(s.port, masterName);
            return after !== before;
          });
        }
        await replicaInSync(before);
        await Promise.all(sentinels.map((s) => sentinelReady(s.port, masterName, 1, sentinels.length - 1)));
        return after;
      },
    };
    return topology;
  } catch (err) {
    await stopAll(started, dir);
    throw err;
  }
}

async function masterPort(sentinelPort: number, masterName: string): Promise<number> {
  const addr = await withConnection(sentinelPort, (r) => r.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', masterName));
  return Number((addr as string[])[1]);
}

function sentinelReady(port: number, masterName: string, replicas: number, peers: number): Promise<void> {
  const healthy = (entry: unknown): boolean => {
    const flat = entry as string[];
    const flags = flat[flat.indexOf('flags') + 1] ?? '';
    return !flags.includes('down') && !flags.includes('disconnected');
  };
  return until(`sentinel ${String(port)} to know ${String(replicas)} replica(s) and ${String(peers)} peer(s)`, () =>
    withConnection(port, async (r) => {
      const known = (await r.call('SENTINEL', 'REPLICAS', masterName)) as unknown[];
      const others = (await r.call('SENTINEL', 'SENTINELS', masterName)) as unknown[];
      return known.filter(healthy).length >= replicas && others.filter(healthy).length >= peers;
    }),
  );
}

/**
 * Starts a throwaway topology of the given kind.
 *
 * @param kind - standalone, cluster or sentinel
 */
export async function startTopology(kind: TopologyKind): Promise<Topology> {
  switch (kind) {
    case 'standalone': {
      const server = await startThrowawayRedis();
      return { kind, env: { REDIS_URL: server.url }, stop: () => server.stop() };
    }
    case 'cluster':
      return startThrowawayCluster();
    case 'sentinel':
      return startThrowawaySentinel();
    case 'tls':
      return startThrowawayTlsRedis();
    case 'tls-cluster':
      return startThrowawayCluster(3, { tls: true });
  }
}

/**
 * Starts a standalone server that listens with TLS only and asks clients for a certificate,
 * with certificates made now; its variables name the server with a `rediss://` URL and give the
 * CA, a client certificate and the servers' name.
 */
export async function startThrowawayTlsRedis(): Promise<Topology> {
  const dir = await mkdtemp(join(tmpdir(), 'good-redis-tls-'));
  try {
    const tls = await makeTlsFiles(dir);
    const server = await spawnRedis((port) => tlsServerArgs(port, tls));
    return { kind: 'tls', env: { REDIS_URL: `rediss://${HOST}:${String(server.port)}`, ...tlsEnv(tls) }, stop: () => stopAll([server], dir) };
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

/**
 * The environment variables that already name a topology of this kind, if any:
 * `REDIS_URL`, `REDIS_CLUSTER_NODES`, or `REDIS_SENTINELS` with `REDIS_SENTINEL_MASTER`.
 *
 * @param kind - the topology kind
 * @param env - the environment to look in
 */
export function topologyFromEnv(kind: TopologyKind, env: NodeJS.ProcessEnv = process.env): Record<string, string> | undefined {
  const pick = (...names: string[]): Record<string, string> | undefined => {
    const out: Record<string, string> = {};
    for (const name of names) {
      const value = env[name];
      if (value === undefined || value === '') return undefined;
      out[name] = value;
    }
    return out;
  };
  switch (kind) {
    case 'standalone':
      return pick('REDIS_URL');
    case 'cluster':
      return pick('REDIS_CLUSTER_NODES');
    case 'sentinel':
      return pick('REDIS_SENTINELS', 'REDIS_SENTINEL_MASTER');
    case 'tls':
    case 'tls-cluster':
      return undefined; // always private: the tests make their certificates
  }
}

/** The Redis a demo or an example runs on; see {@link redisForRun}. */
export interface RunTarget {
  /** The variables that name it, for `createConnection({}, env)`. */
  readonly env: Readonly<Record<string, string>>;
  /** Whether it was started for this run (and is stopped by `stop()`). */
  readonly throwaway: boolean;
  /** One line saying what it is. */
  readonly description: string;
  /** Stops it if it was started for this run. */
  stop(): Promise<void>;
}

/**
 * The Redis to run on: the one the environment names (`REDIS_URL`, `REDIS_CLUSTER_NODES`, or
 * `REDIS_SENTINELS` with `REDIS_SENTINEL_MASTER`), else a throwaway standalone server.
 *
 * @param env - the environment to look in
 */
export async function redisForRun(env: NodeJS.ProcessEnv = process.env): Promise<RunTarget> {
  for (const kind of TOPOLOGY_KINDS) {
    const given = topologyFromEnv(kind, env);
    if (given !== undefined) {
      const description = `Using the ${kind} at ${Object.entries(given)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')}`;
      return { env: given, throwaway: false, description, stop: () => Promise.resolve() };
    }
  }
  const server = await startThrowawayRedis();
  return { env: { REDIS_URL: server.url }, throwaway: true, description: `Started a throwaway redis-server at ${server.url}`, stop: () => server.stop() };
}

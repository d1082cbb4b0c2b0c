/**
 * The topologies spec/integration runs on, each started privately on loopback ports before
 * the run and stopped after it: standalone (or the server at REDIS_URL), cluster (or the one at
 * REDIS_CLUSTER_NODES) and sentinel (or REDIS_SENTINELS with REDIS_SENTINEL_MASTER);
 * GOOD_REDIS_TOPOLOGIES=standalone,cluster picks some of them. Required by `npm test` and
 * `npm run test:integration`, not by `npm run test:unit`, which starts no server.
 */
import { selectedTopologies, startTopology, topologyFromEnv, TOPOLOGY_KINDS, type Topology, type TopologyKind } from '../../scripts/topologies.js';

const started: Topology[] = [];

export async function mochaGlobalSetup(): Promise<void> {
  const envs: Partial<Record<TopologyKind, Record<string, string>>> = {};
  const starting = selectedTopologies().map(async (kind) => {
    const given = topologyFromEnv(kind);
    if (given !== undefined) {
      envs[kind] = given;
      return;
    }
    const topology = await startTopology(kind);
    started.push(topology);
    envs[kind] = { ...topology.env };
  });
  const results = await Promise.allSettled(starting);
  const failure = results.find((r) => r.status === 'rejected');
  if (failure !== undefined) {
    await Promise.all(started.splice(0).map((t) => t.stop()));
    throw failure.reason;
  }
  // In TOPOLOGY_KINDS order, whatever order they started in.
  const ordered = Object.fromEntries(TOPOLOGY_KINDS.filter((k) => envs[k] !== undefined).map((k) => [k, envs[k]]));
  process.env.GOOD_REDIS_TEST_TOPOLOGIES = JSON.stringify(ordered);
}

export async function mochaGlobalTeardown(): Promise<void> {
  await Promise.all(started.splice(0).map((t) => t.stop()));
}

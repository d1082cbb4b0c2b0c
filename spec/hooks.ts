/**
 * Mocha root hooks and global fixtures for the whole suite:
 * - the topologies spec/integration runs on, each started privately on loopback ports and
 *   stopped after the run: standalone (or the server at REDIS_URL), cluster (or the one at
 *   REDIS_CLUSTER_NODES) and sentinel (or REDIS_SENTINELS with REDIS_SENTINEL_MASTER);
 *   GOOD_REDIS_TOPOLOGIES=standalone,cluster picks some of them;
 * - sinon restored after every test;
 * - an unhandled promise rejection fails the run instead of passing silently.
 */
import sinon from 'sinon';
import { selectedTopologies, startTopology, topologyFromEnv, TOPOLOGY_KINDS, type Topology, type TopologyKind } from '../scripts/topologies.js';

const started: Topology[] = [];

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => {
  unhandled.push(reason);
};

export async function mochaGlobalSetup(): Promise<void> {
  process.on('unhandledRejection', onUnhandled);
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
  process.off('unhandledRejection', onUnhandled);
  await Promise.all(started.splice(0).map((t) => t.stop()));
}

export const mochaHooks = {
  afterEach(): void {
    sinon.restore();
    if (unhandled.length > 0) {
      const reasons = unhandled.splice(0);
      throw new Error(`unhandled promise rejection(s) during the test: ${reasons.map(String).join('; ')}`);
    }
  },
};

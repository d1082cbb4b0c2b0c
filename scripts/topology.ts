/**
 * Starts a throwaway topology on loopback ports and tears it down again.
 *
 *   npm run topology -- cluster                 # start, print its variables, stop on Ctrl-C
 *   npm run topology -- sentinel -- npm run demo   # start, run the command against it, stop
 *
 * The kinds are standalone, cluster (3 masters, 1 replica each), sentinel (1 master,
 * 1 replica, 3 sentinels), and tls and tls-cluster (the first two served over TLS only, with
 * certificates made by openssl). The variables printed (REDIS_URL, REDIS_CLUSTER_NODES, or
 * REDIS_SENTINELS with REDIS_SENTINEL_MASTER, and the REDIS_TLS_* files) are the ones
 * good-redis reads.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { isTopologyKind, startTopology, TOPOLOGY_KINDS } from './topologies.js';

const [kind, ...rest] = process.argv.slice(2);
if (kind === undefined || !isTopologyKind(kind)) {
  process.stderr.write(`usage: npm run topology -- <${TOPOLOGY_KINDS.join('|')}> [-- command [args...]]\n`);
  process.exit(2);
}
const command = rest[0] === '--' ? rest.slice(1) : rest;

const topology = await startTopology(kind);
for (const [name, value] of Object.entries(topology.env)) process.stdout.write(`export ${name}=${value}\n`);

let status = 0;
if (command.length > 0) {
  const [file = '', ...args] = command;
  const child = spawn(file, args, { stdio: 'inherit', env: { ...process.env, ...topology.env } });
  const forward = (signal: NodeJS.Signals): void => {
    child.kill(signal);
  };
  process.on('SIGINT', forward).on('SIGTERM', forward);
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  status = code ?? (signal === null ? 1 : 128);
} else {
  process.stdout.write(`${kind} is up; Ctrl-C (or SIGTERM) stops it\n`);
  await Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')]);
}
await topology.stop();
process.exit(status);

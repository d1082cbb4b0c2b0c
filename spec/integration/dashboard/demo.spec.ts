/**
 * `npm run dashboard` (scripts/dashboard-demo.ts) as a real process: on a throwaway server, and
 * on a throwaway Redis Cluster with --cluster, it seeds one object of each family, serves the
 * dashboard on the port it prints, and stops (with what it started) on SIGINT with exit code 0.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { linesOf, waitFor } from '../support.js';

const SCRIPT = fileURLToPath(new URL('../../../scripts/dashboard-demo.js', import.meta.url));

/** The environment without the variables that name a Redis: the script starts its own. */
function ownRedisEnv(): NodeJS.ProcessEnv {
  const named = new Set(['REDIS_URL', 'REDIS_CLUSTER_NODES', 'REDIS_SENTINELS', 'REDIS_SENTINEL_MASTER']);
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !named.has(name)));
}

describe('npm run dashboard: the dashboard on the demo data', () => {
  for (const args of [[], ['--cluster']]) {
    it(`serves one object of each family${args.length > 0 ? ' on a Cluster' : ''}, and stops on SIGINT with 0`, async () => {
      const child = spawn(process.execPath, [SCRIPT, '--port', '0', ...args], { env: ownRedisEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const lines = linesOf(child.stdout);
      const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
      try {
        await waitFor(() => lines.some((l) => l.startsWith('good-redis dashboard on ')), 60_000, `the dashboard line (stderr: ${stderr})`);
        const url = /(http:\S+)/.exec(lines.find((l) => l.startsWith('good-redis dashboard on ')) ?? '')?.[1] ?? '';
        const body = (await (await fetch(`${url}api/objects`)).json()) as { objects: { family: string; name: string; states: Record<string, number> }[] };
        assert.deepEqual(
          body.objects.map((o) => `${o.family}:${o.name}`),
          ['stream:crawl-frontier', 'queue:outgoing-mail', 'pool:proxies', 'topic:orders', 'taskQueue:emails'],
        );
        assert.equal(body.objects.find((o) => o.family === 'stream')?.states.dead, 1);
        assert.equal(body.objects.find((o) => o.family === 'taskQueue')?.states.dead, 1);
        assert.equal((await fetch(url)).status, 200);
        child.kill('SIGINT');
        assert.equal(await exited, 0, stderr);
      } finally {
        if (child.exitCode === null) child.kill('SIGKILL');
      }
    }).timeout(120_000);
  }
});

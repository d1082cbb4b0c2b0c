/**
 * `good-redis dashboard` as a real process on every topology: it serves on a free loopback port,
 * asks for the token the environment names, shows the objects under the prefix, and stops on
 * SIGTERM with exit code 0; a bad option or credential is a usage error (exit 2) before it
 * listens.
 */
import assert from 'node:assert/strict';
import { get } from 'node:http';
import { QueueRegistry, type RedisClient } from '../../../src/index.js';
import { childEnv, closeAll, connect, describeEachTopology, uniqueName, waitFor } from '../support.js';
import { oneLine, runCli, startCli, type CliProcess } from './cli-support.js';

describeEachTopology('good-redis dashboard', () => {
  let redis: RedisClient;
  let prefix: string;
  let env: NodeJS.ProcessEnv;
  const running: CliProcess[] = [];
  beforeEach(() => {
    redis = connect();
    prefix = `${uniqueName('dcli')}:`;
    env = { ...childEnv(), GOOD_REDIS_PREFIX: prefix };
  });
  afterEach(async () => {
    for (const p of running.splice(0)) if (p.process.exitCode === null) p.process.kill('SIGKILL');
    await closeAll();
  });

  it('serves the objects behind the token on a free loopback port and stops on SIGTERM with 0', async () => {
    await new QueueRegistry(redis, { prefix }).queue('mail').addItems(['a', 'b']);
    const daemon = startCli(['dashboard', '--port', '0'], { ...env, GOOD_REDIS_DASHBOARD_TOKEN: 'tok' });
    running.push(daemon);
    await waitFor(() => daemon.lines.some((l) => l.startsWith('good-redis dashboard on ')), 15_000, `the listening line (stderr: ${daemon.stderr()})`);
    const line = daemon.lines.find((l) => l.startsWith('good-redis dashboard on ')) ?? '';
    // It names the Redis it reads (issue 28, item 14), never a password.
    assert.match(line, /^good-redis dashboard on http:\/\/127\.0\.0\.1:\d+\/ for Redis at \S+( \S+)* \(a bearer token asked\)$/);
    assert.match(line, /for Redis at (\d+\.\d+\.\d+\.\d+:\d+|the cluster at |master )/);
    const url = /(http:\S+)/.exec(line)?.[1] ?? '';
    assert.equal((await fetch(url)).status, 401);
    const page = await fetch(`${url}api/objects`, { headers: { authorization: 'Bearer tok' } });
    const body = (await page.json()) as { objects: { name: string; states: Record<string, number> }[] };
    assert.deepEqual(
      body.objects.map((o) => [o.name, o.states.waiting]),
      [['mail', 2]],
    );
    daemon.process.kill('SIGTERM');
    assert.equal((await daemon.exited).code, 0);
  });

  it('answers only for loopback and --allowed-host names: another Host gets 403 (DNS rebinding, issue 28)', async () => {
    const daemon = startCli(['dashboard', '--port', '0', '--allowed-host', 'dash.example'], env);
    running.push(daemon);
    await waitFor(() => daemon.lines.some((l) => l.startsWith('good-redis dashboard on ')), 15_000, `the listening line (stderr: ${daemon.stderr()})`);
    const port = Number(/:(\d+)\//.exec(daemon.lines.find((l) => l.startsWith('good-redis dashboard on ')) ?? '')?.[1]);
    const statusFor = (host: string): Promise<number> =>
      new Promise((resolve, reject) => {
        get({ host: '127.0.0.1', port, path: '/api/objects', headers: { host } }, (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        }).on('error', reject);
      });
    assert.equal(await statusFor(`127.0.0.1:${String(port)}`), 200);
    assert.equal(await statusFor(`localhost:${String(port)}`), 200);
    assert.equal(await statusFor('dash.example'), 200);
    assert.equal(await statusFor('rebind.example'), 403);
    daemon.process.kill('SIGTERM');
    assert.equal((await daemon.exited).code, 0);
  });

  it('refuses a bad base path or a half credential with exit code 2', async () => {
    const badPath = await runCli(['dashboard', '--port', '0', '--base-path', 'ops'], env);
    assert.equal(badPath.code, 2, badPath.stderr);
    assert.match(oneLine(badPath.stderr), /basePath must start and end with "\/"/);
    const half = await runCli(['dashboard', '--port', '0'], { ...env, GOOD_REDIS_DASHBOARD_USER: 'ops' });
    assert.equal(half.code, 2, half.stderr);
    assert.match(oneLine(half.stderr), /GOOD_REDIS_DASHBOARD_PASSWORD/);
  });
});

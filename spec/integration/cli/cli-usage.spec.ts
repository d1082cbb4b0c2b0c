import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { freePort } from '../../../scripts/throwaway-redis.js';
import { oneLine, runCli } from './cli-support.js';

/** The environment of a run with no Redis settings of its own. */
function bareEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('REDIS_') && name !== 'GOOD_REDIS_PREFIX'));
  return { ...env, ...extra };
}

const COMMANDS = [
  'streams',
  'stream',
  'inspect',
  'add',
  'pull',
  'increment',
  'decrement-all',
  'delete-below',
  'dead',
  'replay',
  'purge-dead',
  'leases',
  'state',
  'delete',
  'import',
  'queues',
  'queue',
  'topics',
  'topic',
  'tasks',
  'task',
  'expire',
  'expirer',
  'top',
  'worker',
  'scheduler',
  'workers',
  'pause',
  'resume',
  'dashboard',
  'acl',
];

describe('good-redis CLI: help, usage errors, unreachable Redis', () => {
  it('should list every command in --help and print the package version', async () => {
    const help = await runCli(['--help'], bareEnv());
    assert.equal(help.code, 0);
    const listed = [...help.stdout.matchAll(/^ {2}([a-z-]+)(?= )/gm)].map((m) => m[1]).filter((c) => c !== undefined && !c.startsWith('-'));
    assert.deepEqual(listed, COMMANDS);
    const version = await runCli(['--version'], bareEnv());
    const pkg = JSON.parse(readFileSync(new URL('../../../../package.json', import.meta.url), 'utf8')) as { version: string };
    assert.deepEqual([version.code, version.stdout], [0, `${pkg.version}\n`]);
  });

  it('should show in docs/cli.md exactly the help that good-redis --help and every command --help print', async () => {
    const doc = readFileSync(new URL('../../../../docs/cli.md', import.meta.url), 'utf8');
    const commands = ['', ...COMMANDS, 'queue inspect', 'queue reenqueue', 'queue drop', 'queue purge'];
    // Four processes at a time: some forty of them, each loading the CLI.
    for (let i = 0; i < commands.length; i += 4) {
      await Promise.all(
        commands.slice(i, i + 4).map(async (command) => {
          const args = command === '' ? ['--help'] : [...command.split(' '), '--help'];
          const run = await runCli(args, bareEnv());
          assert.equal(run.code, 0);
          const block = `$ good-redis ${args.join(' ')}\n${run.stdout}`;
          assert.ok(doc.includes(block), `docs/cli.md must contain:\n${block}`);
        }),
      );
    }
  }).timeout(120_000);

  const usageErrors: [string[], RegExp][] = [
    [
      ['pull', 's', '--cooldown', '10x'],
      /^good-redis: --cooldown: bad duration "10x"; use a number and a unit \(ms, s, m, h, d\), e\.g\. 500ms, 30s, 10m, 1h30m$/,
    ],
    [['pull', 's', '--cooldown', '600'], /^good-redis: --cooldown: bad duration "600"/],
    [['expirer', '--interval', 'soon'], /^good-redis: --interval: bad duration "soon"/],
    [['pull', 's', '--count', '0'], /^good-redis: --count must be an integer from 1 to 10000, got "0"$/],
    [['add', 's', 'k', 'v', '--priority', 'high'], /^good-redis: --priority must be a finite number, got "high"$/],
    [['add', 's', 'k', 'v', '--mode', 'avg'], /^good-redis: option '--mode <mode>' argument 'avg' is invalid\. Allowed choices are sum, replace, max\.$/],
    [['add', 's', 'k'], /^good-redis: missing required argument 'value'$/],
    [['add', 's', '', 'v'], /^good-redis: key must be a non-empty string$/],
    [['increment', 's', '', '2'], /^good-redis: key must be a non-empty string$/],
    [['add', 'bad{name}', 'k', 'v'], /^good-redis: stream name must not contain "\{" or "\}", got "bad\{name\}"$/],
    [['import', 's', 'items.txt'], /^good-redis: cannot tell the format of "items\.txt": name it \.jsonl or \.csv, or pass --format jsonl\|csv$/],
    [['pul', 's'], /^good-redis: unknown command 'pul'/],
    [['streams', '--prefix', '{x}'], /^good-redis: prefix must be a string without "\{" or "\}"/],
  ];
  for (const [args, message] of usageErrors) {
    it(`should refuse "${args.join(' ')}" in one line with exit code 2, before connecting`, async () => {
      // REDIS_URL points nowhere: a usage error must be found before any connection.
      const run = await runCli(args, bareEnv({ REDIS_URL: 'redis://127.0.0.1:1' }));
      assert.equal(run.code, 2, run.stderr);
      assert.equal(run.stdout, '');
      assert.match(oneLine(run.stderr), message);
    });
  }

  it('should refuse contradictory connection variables in one line with exit code 2', async () => {
    const run = await runCli(['streams'], bareEnv({ REDIS_URL: 'redis://127.0.0.1:1', REDIS_CLUSTER_NODES: '127.0.0.1:2' }));
    assert.equal(run.code, 2);
    assert.equal(oneLine(run.stderr), 'good-redis: set only one of REDIS_URL, REDIS_CLUSTER_NODES, REDIS_SENTINELS; found REDIS_URL and REDIS_CLUSTER_NODES');
  });

  it('should say in one line that Redis is unreachable, with exit code 1, for a URL, a cluster and sentinels', async () => {
    const port = await freePort();
    const cases: [string[], Record<string, string>, string][] = [
      [
        ['--url', `redis://127.0.0.1:${String(port)}`, 'streams'],
        {},
        `good-redis: cannot connect to Redis at 127.0.0.1:${String(port)}: connect ECONNREFUSED 127.0.0.1:${String(port)}`,
      ],
      [
        ['streams'],
        { REDIS_URL: `redis://127.0.0.1:${String(port)}` },
        `good-redis: cannot connect to Redis at 127.0.0.1:${String(port)}: connect ECONNREFUSED 127.0.0.1:${String(port)}`,
      ],
      [['streams'], { REDIS_CLUSTER_NODES: `127.0.0.1:${String(port)}` }, `good-redis: cannot connect to Redis at the cluster at 127.0.0.1:${String(port)}: `],
      [
        ['streams'],
        { REDIS_SENTINELS: `127.0.0.1:${String(port)}`, REDIS_SENTINEL_MASTER: 'mymaster' },
        `good-redis: cannot connect to Redis at master mymaster through the sentinels at 127.0.0.1:${String(port)}: `,
      ],
      [
        ['expirer'],
        { REDIS_URL: `redis://127.0.0.1:${String(port)}` },
        `good-redis: cannot connect to Redis at 127.0.0.1:${String(port)}: connect ECONNREFUSED`,
      ],
    ];
    for (const [args, extra, start] of cases) {
      const run = await runCli(args, bareEnv(extra));
      assert.equal(run.code, 1, `${args.join(' ')}: ${run.stderr}`);
      assert.equal(run.stdout, '');
      assert.ok(oneLine(run.stderr).startsWith(start), run.stderr);
    }
  });
});

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PrioritizedStream, Queue, StreamRegistry, Worker, jsonCodec, type RedisClient } from '../../../src/index.js';
import { childEnv, closeAll, connect, describeEachTopology, scriptCalls, serverNow, uniqueName, waitFor } from '../support.js';
import { oneLine, runCli, runCliOnTerminal, startCli, type CliProcess } from './cli-support.js';

describeEachTopology('good-redis CLI', () => {
  let redis: RedisClient;
  let prefix: string;
  let env: NodeJS.ProcessEnv;
  let dir: string;
  const running: CliProcess[] = [];

  /** A stream under this test's prefix, as the SDK sees it. */
  const sdkStream = (name: string): PrioritizedStream => new PrioritizedStream(redis, name, { prefix });
  const gr = (...args: string[]): ReturnType<typeof runCli> => runCli(args, env);
  const grJson = async <T>(...args: string[]): Promise<T> => {
    const run = await gr(...args, '--json');
    assert.equal(run.code, 0, run.stderr);
    return JSON.parse(run.stdout) as T;
  };

  beforeEach(() => {
    redis = connect();
    // Each test has its own key prefix, so `streams` lists only its streams.
    prefix = `cli-${randomUUID().slice(0, 8)}:`;
    env = { ...childEnv(), GOOD_REDIS_PREFIX: prefix };
    dir = mkdtempSync(join(tmpdir(), 'good-redis-cli-'));
  });
  afterEach(async () => {
    for (const child of running.splice(0)) if (child.process.exitCode === null) child.process.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    await closeAll();
  });

  describe('streams', () => {
    it('should say so when there is no stream, and list each stream with its counts', async () => {
      const empty = await gr('streams');
      assert.equal(empty.code, 0);
      assert.match(empty.stdout, /^No registered streams under prefix "cli-[0-9a-f]{8}:"\.\n$/);

      const a = sdkStream(uniqueName('a'));
      const b = sdkStream(uniqueName('b'));
      await a.addMany([
        ['g', 'v', 5],
        ['c', 'v', 4],
        ['l', 'v', 3],
        ['d', 'v', 2],
        ['q', 'v', 1],
      ]);
      await a.pull({ gate: true, cooldownMs: 0 }); // g gated
      await a.pull({ cooldownMs: 60_000 }); // c cooling
      const [leased] = await a.lease({ count: 2 }); // l, d
      assert.ok(leased);
      await a.nack([leased], { delayMs: 60_000 }); // l delayed
      await b.add('x', 'v');
      const run = await gr('streams');
      assert.equal(run.code, 0, run.stderr);
      const [header, ...rows] = run.stdout.trimEnd().split('\n');
      assert.match(header ?? '', /^NAME\s+LENGTH\s+GATED\s+COOLING\s+LEASED\s+DELAYED\s+DEAD$/);
      assert.deepEqual(
        rows.map((r) => r.split(/\s+/)),
        [
          [a.name, '1', '1', '1', '1', '1', '0'],
          [b.name, '1', '0', '0', '0', '0', '0'],
        ].sort((x, y) => ((x[0] ?? '') < (y[0] ?? '') ? -1 : 1)),
      );
    });

    it('should print the documented JSON shape with --json', async () => {
      const a = sdkStream(uniqueName('a'));
      await a.addMany([
        ['k1', 'v', 1],
        ['k2', 'v', 2],
      ]);
      await a.pull();
      assert.deepEqual(await grJson('streams'), {
        prefix,
        streams: [{ name: a.name, length: 1, gated: 0, cooling: 1, cooldownsDue: 0, leased: 0, delayed: 0, dead: 0, added: 2, pulled: 1 }],
      });
    });
  });

  describe('inspect', () => {
    it('should show the counts, the top items with shortened values, and the cooldowns that end soonest', async () => {
      const s = sdkStream(uniqueName('inspect'));
      const long = `https://example.com/${'x'.repeat(200)}`;
      await s.addMany([
        ['low', 'small', 1],
        ['high', long, 9],
        ['mid', 'line\nbreak', 5],
        ['c1', 'v', 20],
        ['c2', 'v', 19],
      ]);
      const now = await serverNow(redis);
      await s.pull({ expireAt: now + 3_600_000 }); // c1, ends last
      await s.pull({ expireAt: now + 600_000 }); // c2, ends first
      const run = await gr('inspect', s.name, '--top', '2', '--width', '30');
      assert.equal(run.code, 0, run.stderr);
      const lines = run.stdout.split('\n');
      assert.equal(lines[0], `Stream "${s.name}"`);
      assert.match(lines[1] ?? '', /length 3 {2}gated 0 {2}cooling 2 {2}due for sweep 0 {2}leased 0 {2}delayed 0 {2}dead 0/);
      const top = lines.indexOf('Top 2 of 3 item(s)');
      assert.ok(top > 0, run.stdout);
      assert.deepEqual(
        lines.slice(top + 1, top + 4).map((l) => l.trim().split(/\s+/)),
        [
          ['PRIORITY', 'KEY', 'VALUE'],
          ['9', 'high', `${long.slice(0, 29)}…`],
          ['5', 'mid', 'line\\nbreak'],
        ],
      );
      const cooldowns = lines.indexOf('Cooldowns ending soonest (2 of 2)');
      assert.ok(cooldowns > top, run.stdout);
      assert.match(lines[cooldowns + 2] ?? '', /^ {2}c2 +in 9m 5\ds +\S+Z$/);
      assert.match(lines[cooldowns + 3] ?? '', /^ {2}c1 +in 59m 5\ds +\S+Z$/);
    });

    it('should print the documented JSON shape, values in full', async () => {
      const s = sdkStream(uniqueName('inspect'));
      const long = 'y'.repeat(500);
      await s.addMany([
        ['a', long, 2],
        ['b', 'B', 1],
      ]);
      await s.pull({ expireAt: 1 }); // a: an ended cooldown, due for the sweep
      const shown = await grJson<Record<string, unknown>>('inspect', s.name, '--top', '5');
      const now = shown.now as number;
      assert.ok(Math.abs(now - (await serverNow(redis))) < 10_000);
      assert.deepEqual(shown, {
        name: s.name,
        registered: true,
        now,
        stats: { length: 1, gated: 0, cooling: 0, cooldownsDue: 1, leased: 0, delayed: 0, dead: 0, added: 2, pulled: 1 },
        top: [{ key: 'b', value: 'B', priority: 1 }],
        cooldowns: [{ key: 'a', until: 1, endsInMs: 1 - now }],
        delayed: [],
        dead: [],
      });
    });

    it('should show delayed jobs and dead letters (issue 11, item 15)', async () => {
      const s = sdkStream(uniqueName('inspect'));
      await s.add('later', 'L', 3, { delayMs: 600_000 });
      await s.add('dies', 'D', 2);
      const [job] = await s.lease({ maxAttempts: 1 });
      assert.ok(job);
      await s.nack([job], { error: 'smtp 550' });
      const shown = await grJson<{ now: number; delayed: unknown[]; dead: { diedAt: number }[] }>('inspect', s.name);
      const due = (await s.delayed())[0]?.due ?? 0;
      assert.deepEqual(shown.delayed, [{ key: 'later', due, priority: 3, attempts: 0, dueInMs: due - shown.now }]);
      assert.deepEqual(shown.dead, [{ key: 'dies', value: 'D', priority: 2, attempts: 1, error: 'smtp 550', diedAt: shown.dead[0]?.diedAt }]);
      const text = (await gr('inspect', s.name)).stdout.split('\n');
      const delayed = text.indexOf('Delayed, due soonest (1 of 1)');
      assert.ok(delayed > 0, text.join('\n'));
      assert.match(text[delayed + 2] ?? '', /^ +3 +later +in 9m 5\ds +0$/);
      const dead = text.indexOf('Dead letters, oldest first (1 of 1)');
      assert.ok(dead > delayed, text.join('\n'));
      assert.match(text[dead + 2] ?? '', /^ {2}dies +1 +\S+ ago +smtp 550 +D$/);
    });
  });

  describe('dead, replay, purge-dead, leases, state (issue 11, item 15)', () => {
    it('should list dead letters, replay one by name, and purge the rest with --all --yes', async () => {
      const s = sdkStream(uniqueName('dead'));
      await s.addMany([
        ['a', 'A', 3],
        ['b', 'B', 2],
        ['c', 'C', 1],
      ]);
      for (const error of ['e-a', 'e-b', 'e-c']) {
        const [job] = await s.lease({ maxAttempts: 1 });
        assert.ok(job);
        await s.nack([job], { error });
      }
      const listed = await grJson<{ total: number; dead: { key: string; error: string }[] }>('dead', s.name, '--limit', '2');
      assert.equal(listed.total, 3);
      assert.deepEqual(
        listed.dead.map((d) => [d.key, d.error]),
        [
          ['a', 'e-a'],
          ['b', 'e-b'],
        ],
      );
      const text = await gr('dead', s.name);
      assert.equal(text.code, 0, text.stderr);
      assert.match(text.stdout, new RegExp(`^Dead letters of "${s.name}": 3 of 3, oldest first\nKEY +ATTEMPTS +DIED +ERROR +VALUE\na +1 +\\S+ ago +e-a +A\n`));

      const replayed = await gr('replay', s.name, 'b', 'nope');
      assert.equal(replayed.code, 3, 'one key was not a dead letter');
      assert.equal(replayed.stdout, `replayed 1 dead letter(s) into "${s.name}"\n`);
      assert.equal(oneLine(replayed.stderr), `good-redis: not dead letters of "${s.name}": "nope"`);
      assert.deepEqual(await s.state('b'), { state: 'queued', priority: 2, attempts: 0 });

      const refused = await gr('purge-dead', s.name, '--all');
      assert.equal(refused.code, 2, 'no terminal to ask on');
      assert.deepEqual(await grJson('purge-dead', s.name, '--all', '--yes'), { purged: ['a', 'c'] });
      assert.deepEqual(await s.deadLetters(), []);
      assert.equal((await gr('replay', s.name)).code, 2, 'neither keys nor --all');
    });

    it("should list leases with their owner and tell a key's state", async () => {
      const s = sdkStream(uniqueName('leases'));
      await s.addMany([
        ['job', 'v', 5],
        ['wait', 'v', 1],
      ]);
      const [job] = await s.lease({ owner: 'host-a:42:cafe', leaseMs: 600_000 });
      assert.ok(job);
      const leases = await grJson<{ total: number; leases: { key: string; owner: string; attempt: number }[] }>('leases', s.name);
      assert.equal(leases.total, 1);
      assert.deepEqual(
        leases.leases.map((l) => [l.key, l.owner, l.attempt]),
        [['job', 'host-a:42:cafe', 1]],
      );
      const text = await gr('leases', s.name);
      assert.match(text.stdout.split('\n')[2] ?? '', /^job +1 +host-a:42:cafe +in 9m 5\ds$/);

      assert.match(
        (await gr('state', s.name, 'job')).stdout,
        new RegExp(`^"job" in "${s.name}": leased \\(attempt 1\\) by host-a:42:cafe, lease ends in 9m 5\\ds\\n$`),
      );
      assert.deepEqual(await grJson('state', s.name, 'wait'), { key: 'wait', state: 'queued', priority: 1, attempts: 0 });
      assert.equal((await gr('state', s.name, 'ghost')).stdout, `"ghost" in "${s.name}": absent: an add would queue it\n`);
      // The same commands in the stream group, as good-redis stream <command>.
      assert.deepEqual(await grJson('stream', 'state', s.name, 'wait'), { key: 'wait', state: 'queued', priority: 1, attempts: 0 });
      assert.equal((await gr('stream', 'leases', s.name, '--json')).code, 0);
    });
  });

  describe('a malformed name in the registry (issue 12, item 14)', () => {
    it('should skip it with a warning in streams and top, and list the others', async () => {
      const s = sdkStream(uniqueName('fine'));
      await s.add('k', 'v');
      await redis.sadd(`${prefix}:ps:keys`, 'bad{name}');
      const listed = await gr('streams', '--json');
      assert.equal(listed.code, 0, listed.stderr);
      assert.deepEqual(
        (JSON.parse(listed.stdout) as { streams: { name: string }[] }).streams.map((x) => x.name),
        [s.name],
      );
      assert.match(listed.stderr, /"bad\{name\}", which is no stream name; it is skipped/);
      const top = await gr('top', '-n', '1', '--json');
      assert.equal(top.code, 0, top.stderr);
    });
  });

  describe('terminal escapes (issue 12, item 10)', () => {
    it('should print keys, values, owners and errors with their control characters escaped', async () => {
      const s = sdkStream(uniqueName('escape'));
      const evil = 'k\x1b[2J\x9b31m\x7f';
      await s.add(evil, 'v\x1b]0;title\x07', 2);
      await s.add('held', 'v', 1);
      const [job] = await s.lease({ owner: 'o\x1b[1m' });
      assert.equal(job?.key, evil);
      await s.add('dies', 'v', 0);
      const runs = [
        await gr('inspect', s.name),
        await gr('leases', s.name),
        await gr('state', s.name, evil),
        await gr('streams'),
        await gr('replay', s.name, evil),
      ];
      for (const run of runs) {
        // eslint-disable-next-line no-control-regex -- the point: no raw control character reaches the terminal
        assert.doesNotMatch(run.stdout + run.stderr, /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/, JSON.stringify(run.stdout + run.stderr));
      }
      assert.ok(runs[1]?.stdout.includes('k\\u001b[2J\\u009b31m\\u007f'), runs[1]?.stdout);
      assert.ok(runs[1]?.stdout.includes('o\\u001b[1m'), runs[1]?.stdout);
    });
  });

  describe('--codec json (issue 11, item 1)', () => {
    it('should store add and import values as JSON text that a jsonCodec reader decodes, and refuse text that is not JSON', async () => {
      const name = uniqueName('codec');
      assert.equal((await gr('add', name, 'a', '{"url":"https://a.example/"}', '--codec', 'json')).code, 0);
      const bad = await gr('add', name, 'b', 'https://not-json.example/', '--codec', 'json');
      assert.equal(bad.code, 2);
      assert.match(oneLine(bad.stderr), /^good-redis: the value is not valid JSON \(--codec json\)/);
      const file = join(dir, 'values.jsonl');
      writeFileSync(file, ['{"key":"s","value":"plain text"}', '{"key":"o","value":{"n":1}}'].join('\n'));
      assert.equal((await gr('import', name, file, '--codec', 'json')).code, 0);
      const csv = join(dir, 'values.csv');
      writeFileSync(csv, ['c,"{""n"":2}",1', 'd,not json,1'].join('\n'));
      const csvRun = await gr('import', name, csv, '--codec', 'json', '--json');
      assert.equal(csvRun.code, 3);
      assert.deepEqual(
        (JSON.parse(csvRun.stdout) as { badLines: { line: number }[] }).badLines.map((b) => b.line),
        [2],
      );
      const reader = new PrioritizedStream(redis, name, { prefix, codec: jsonCodec<unknown>() });
      assert.deepEqual((await reader.pull({ count: 10 })).map((i) => [i.key, i.value]).sort(), [
        ['a', { url: 'https://a.example/' }],
        ['c', { n: 2 }],
        ['o', { n: 1 }],
        ['s', 'plain text'],
      ]);
      assert.deepEqual(await reader.deadLetters(), [], 'every value decoded');
    });
  });

  describe('add', () => {
    it('should add, sum, refuse a gated key with exit code 3, and add it with --readd', async () => {
      const name = uniqueName('add');
      const first = await gr('add', name, 'page-1', 'https://example.com/1', '--priority', '5');
      assert.deepEqual([first.code, first.stdout], [0, `"page-1" is queued in "${name}" with priority 5\n`]);
      assert.equal((await gr('add', name, 'page-1', 'v2', '-p', '2.5')).stdout, `"page-1" is queued in "${name}" with priority 7.5\n`);
      assert.deepEqual(await sdkStream(name).entries(), [{ key: 'page-1', value: 'v2', priority: 7.5 }]);

      await sdkStream(name).pull({ gate: true });
      const refused = await gr('add', name, 'page-1', 'v3');
      assert.equal(refused.code, 3);
      assert.equal(refused.stdout, '');
      assert.equal(oneLine(refused.stderr), `good-redis: "page-1" was not added to "${name}": the key is gated (--readd adds it anyway)`);
      assert.equal(await sdkStream(name).len(), 0);

      assert.equal((await gr('add', name, 'page-1', 'v3', '--readd')).code, 0);
      assert.equal(await sdkStream(name).get('page-1'), 'v3');
    });

    it('should take negative priorities and --mode, and print JSON for both outcomes', async () => {
      const name = uniqueName('add');
      assert.deepEqual(await grJson('add', name, 'k', 'v', '-p', '-3'), { key: 'k', added: true, priority: -3, merged: false });
      assert.deepEqual(await grJson('add', name, 'k', 'v', '-p', '10', '--mode', 'replace'), { key: 'k', added: true, priority: 10, merged: true });
      await sdkStream(name).pull({ cooldownMs: 60_000 });
      const refused = await gr('add', name, 'k', 'v', '--json');
      assert.equal(refused.code, 3);
      assert.deepEqual(JSON.parse(refused.stdout), { key: 'k', added: false, reason: 'cooling' });
    });
  });

  describe('pull', () => {
    it('should print the pulled items, gate them, and leave the rest', async () => {
      const s = sdkStream(uniqueName('pull'));
      await s.addMany([
        ['a', 'A', 3],
        ['b', 'B b', 2],
        ['c', 'C', 1],
      ]);
      const run = await gr('pull', s.name, '--count', '2', '--gate');
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(
        run.stdout
          .trimEnd()
          .split('\n')
          .map((l) => l.trim()),
        ['PRIORITY  KEY  VALUE', '3  a    A', '2  b    B b'],
      );
      assert.deepEqual(await s.keys(), ['c']);
      assert.equal((await s.stats()).gated, 2);
    });

    it('should give the cooldown --cooldown asks for, on the server clock', async () => {
      const s = sdkStream(uniqueName('pull'));
      await s.add('a', 'A');
      const before = await serverNow(redis);
      assert.equal((await gr('pull', s.name, '--cooldown', '10m')).code, 0);
      const [cooldown] = await s.cooldowns();
      assert.ok(cooldown !== undefined && cooldown.until >= before + 600_000 && cooldown.until <= (await serverNow(redis)) + 600_000, JSON.stringify(cooldown));
    });

    it('should keep the items with --no-purge, print JSON, and say when the stream is empty', async () => {
      const s = sdkStream(uniqueName('pull'));
      await s.addMany([['a', 'A', 3]]);
      assert.deepEqual(await grJson('pull', s.name, '--no-purge', '--decrease-by', '2', '--cooldown', '0'), { items: [{ key: 'a', value: 'A', priority: 3 }] });
      assert.deepEqual(await s.entries(), [{ key: 'a', value: 'A', priority: 1 }]);
      await s.pull({ cooldownMs: 0 });
      const empty = await gr('pull', s.name);
      assert.deepEqual([empty.code, empty.stdout, oneLine(empty.stderr)], [0, '', `"${s.name}" is empty: nothing pulled`]);
      assert.deepEqual(await grJson('pull', s.name), { items: [] });
    });

    it('should refuse --gate with --no-purge before touching the stream', async () => {
      const s = sdkStream(uniqueName('pull'));
      await s.add('a', 'A');
      const run = await gr('pull', s.name, '--gate', '--no-purge');
      assert.equal(run.code, 2);
      assert.match(oneLine(run.stderr), /^good-redis: --gate needs the items to leave the stream/);
      assert.equal(await s.len(), 1);
    });
  });

  describe('increment, decrement-all, delete-below', () => {
    it('should change priorities and remove items below a threshold', async () => {
      const s = sdkStream(uniqueName('prio'));
      await s.addMany([
        ['a', 'A', 5],
        ['b', 'B', 1],
        ['c', 'C', 0],
      ]);
      assert.equal((await gr('increment', s.name, 'b', '-0.5')).stdout, '"b" now has priority 0.5\n');
      assert.deepEqual(await grJson('increment', s.name, 'a'), { key: 'a', priority: 6 });
      const missing = await gr('increment', s.name, 'zz', '2');
      assert.deepEqual([missing.code, oneLine(missing.stderr)], [3, `good-redis: "zz" is not queued in "${s.name}"`]);

      assert.equal((await gr('decrement-all', s.name, '1')).stdout, `lowered the priority of 3 item(s) in "${s.name}" by 1\n`);
      assert.deepEqual(await grJson('decrement-all', s.name), { affected: 3, by: 1 });
      assert.deepEqual(await s.entries(), [
        { key: 'a', value: 'A', priority: 4 },
        { key: 'b', value: 'B', priority: -1.5 },
        { key: 'c', value: 'C', priority: -2 },
      ]);

      assert.deepEqual(await grJson('delete-below', s.name, '-1.5', '--gate'), { removed: 1, keys: ['c'] });
      assert.equal((await gr('delete-below', s.name, '5')).stdout, `removed 2 item(s) below 5 from "${s.name}"\n`);
      assert.equal(await s.len(), 0);
      assert.equal((await s.stats()).gated, 1);
    });
  });

  describe('delete', () => {
    it('should refuse without --yes when there is no terminal, and delete with --yes', async () => {
      const s = sdkStream(uniqueName('del'));
      await s.add('a', 'A');
      const refused = await gr('delete', s.name);
      assert.deepEqual(
        [refused.code, oneLine(refused.stderr)],
        [2, `good-redis: refusing to delete "${s.name}" without --yes: there is no terminal to ask on`],
      );
      assert.equal(await s.len(), 1);
      assert.deepEqual(await grJson('delete', s.name, '--yes'), { deleted: true });
      assert.equal(await s.len(), 0);
      assert.equal(await new StreamRegistry(redis, { prefix }).has(s.name), false);
    });

    it('should ask on a terminal, and delete only on yes', async () => {
      const s = sdkStream(uniqueName('del'));
      await s.addMany([
        ['a', 'A'],
        ['b', 'B'],
      ]);
      const declined = await runCliOnTerminal(['delete', s.name], env, 'n\n');
      assert.equal(declined.code, 1, declined.stdout);
      assert.match(
        declined.stdout,
        new RegExp(`Delete stream "${s.name}" \\(2 items, 0 gated, 0 cooling, 0 leased, 0 dead\\)\\? This cannot be undone\\. \\[y/N\\]`),
      );
      assert.match(declined.stdout, /"[^"]+" was not deleted/);
      assert.equal(await s.len(), 2);
      const accepted = await runCliOnTerminal(['delete', s.name], env, 'y\n');
      assert.equal(accepted.code, 0, accepted.stdout);
      assert.match(accepted.stdout, new RegExp(`deleted "${s.name}"`));
      assert.equal(await s.len(), 0);
    });
  });

  describe('import', () => {
    it('should import 100,000 JSON lines with 1% bad ones: every good line in, every bad line reported with its number, in batches', async function () {
      this.timeout(60_000);
      const s = sdkStream(uniqueName('import'));
      // Keys the import will meet gated (10) or cooling down (5).
      await s.addMany(Array.from({ length: 15 }, (_, i) => [`k${String(i * 1000 + 1)}`, 'old'] as const));
      await s.pull({ count: 10, gate: true });
      await s.pull({ count: 5, cooldownMs: 3_600_000 });
      const bad = [
        '{"key": broken',
        '{"value": "no key", "priority": 1}',
        '{"key": "k", "value": "v", "priority": "high"}',
        '[1, 2, 3]',
        '{"key": "", "value": "v"}',
      ];
      const lines: string[] = [];
      const expectedBad: { line: number; reason: string }[] = [];
      const reasons = [
        'not valid JSON',
        'key must be a non-empty string',
        'priority must be a finite number',
        'not a JSON object',
        'key must be a non-empty string',
      ];
      for (let i = 0; i < 100_000; i += 1) {
        if (i % 100 === 50) {
          const kind = (i / 100) % bad.length;
          lines.push(bad[Math.floor(kind)] ?? '');
          expectedBad.push({ line: i + 1, reason: reasons[Math.floor(kind)] ?? '' });
        } else {
          lines.push(
            JSON.stringify({ key: `k${String(i)}`, value: i % 7 === 0 ? { url: `https://example.com/${String(i)}` } : `v${String(i)}`, priority: i % 100 }),
          );
        }
      }
      const file = join(dir, 'items.jsonl');
      writeFileSync(file, `${lines.join('\n')}\n`);
      const scriptsBefore = await scriptCalls(redis);

      const run = await gr('import', s.name, file, '--json');
      assert.equal(run.code, 3, run.stderr); // done, with bad and refused lines
      const summary = JSON.parse(run.stdout) as Record<string, unknown>;
      assert.ok((summary.itemsPerSecond as number) > 0 && (summary.durationMs as number) >= 0);
      assert.deepEqual(
        { ...summary, itemsPerSecond: 0, durationMs: 0 },
        {
          stream: s.name,
          format: 'jsonl',
          lines: 100_000,
          added: 98_985,
          merged: 0,
          rejected: { gated: 10, cooling: 5, inFlight: 0, dead: 0 },
          badLines: expectedBad,
          itemsPerSecond: 0,
          durationMs: 0,
        },
      );
      // 99,000 good lines in batches of 1000: 99 scripts, not one per line.
      const scripts = (await scriptCalls(redis)) - scriptsBefore;
      assert.ok(scripts >= 99 && scripts <= 102, `${String(scripts)} script calls`);
      assert.equal(await s.len(), 98_985);
      assert.equal(await s.get('k7'), '{"url":"https://example.com/7"}');
      assert.deepEqual(await s.keys({ limit: 1 }), ['k10099']); // priority 99; ties in byte order of the key
      assert.equal(await s.get('k1001'), null); // gated, refused
      assert.equal(await s.get('k'), null); // from a bad line: never written
    });

    it('should read CSV with quotes and a header, and print a summary with the bad line numbers', async () => {
      const s = sdkStream(uniqueName('import'));
      const file = join(dir, 'items.csv');
      writeFileSync(
        file,
        ['\uFEFFkey,value,priority', 'a,"hello, world",3', 'b,"say ""hi""",', 'c,x,high', '"d,x', 'more of d",2', '', 'e,only', 'f,1,2,3'].join('\r\n'),
      );
      const run = await gr('import', s.name, file);
      assert.equal(run.code, 3, run.stderr);
      const lines = run.stdout.trimEnd().split('\n');
      assert.match(lines[0] ?? '', new RegExp(`^Imported ".*items\\.csv" \\(csv\\) into "${s.name}" in \\S+, \\d+ items/s$`));
      assert.deepEqual(
        lines.slice(1).map((l) => l.trim()),
        [
          'lines      9',
          'added      3 new key(s)',
          "merged     0 key(s) already queued: value replaced, priority summed with the file's",
          'rejected   0 (gated 0, cooling 0, in flight 0, dead 0)',
          'bad lines  4',
          'line 4: priority must be a finite number, got "high"',
          'line 5: unterminated quoted field',
          'line 6: continuation of the quoted field opened on line 5 (fields spanning lines are not supported)',
          'line 9: expected key,value[,priority], got 4 field(s)',
        ],
      );
      assert.deepEqual(await s.entries(), [
        { key: 'a', value: 'hello, world', priority: 3 },
        { key: 'b', value: 'say "hi"', priority: 1 },
        { key: 'e', value: 'only', priority: 1 },
      ]);
    });

    it('should draw a progress bar on a terminal, then clear it for the summary', async () => {
      const s = sdkStream(uniqueName('import'));
      const file = join(dir, 'items.jsonl');
      writeFileSync(file, Array.from({ length: 20_000 }, (_, i) => JSON.stringify({ key: `k${String(i)}`, value: 'v' })).join('\n'));
      const run = await runCliOnTerminal(['import', s.name, file], env);
      assert.equal(run.code, 0, run.stdout);
      // Progress and summary share the terminal: the bar's last drawing is wiped before the summary.
      assert.match(run.stdout, /\r\[[#·]{24}\] +\d+% {2}\d+ lines {2}\d+ items\/s/);
      assert.ok(run.stdout.includes(`\r\x1b[KImported "${file}" (jsonl) into "${s.name}"`), JSON.stringify(run.stdout.slice(-300)));
      assert.equal(await s.len(), 20_000);
    });

    it('should report a line longer than the limit as a bad line and import the others (issue 12, item 7)', async () => {
      const s = sdkStream(uniqueName('import'));
      const file = join(dir, 'long.jsonl');
      const huge = JSON.stringify({ key: 'huge', value: 'h'.repeat(40 * 1024 * 1024) });
      writeFileSync(file, ['{"key":"a","value":"A"}', huge, '{"key":"b","value":"B"}'].join('\n'));
      const run = await gr('import', s.name, file, '--json');
      assert.equal(run.code, 3, run.stderr);
      const summary = JSON.parse(run.stdout) as { added: number; badLines: { line: number; reason: string }[] };
      assert.equal(summary.added, 2);
      assert.deepEqual(
        summary.badLines.map((b) => b.line),
        [2],
      );
      assert.match(summary.badLines[0]?.reason ?? '', /^line of \d+ bytes is longer than 33554432$/);
      assert.deepEqual((await s.keys()).sort(), ['a', 'b']);
    });

    it('should keep the first line of a JSON-lines file that starts with a byte-order mark (issue 12, item 11)', async () => {
      const s = sdkStream(uniqueName('import'));
      const file = join(dir, 'bom.jsonl');
      writeFileSync(file, '\uFEFF{"key":"a","value":"A"}\n{"key":"b","value":"B"}\n');
      const run = await gr('import', s.name, file, '--json');
      assert.equal(run.code, 0, run.stdout);
      assert.deepEqual((await s.keys()).sort(), ['a', 'b']);
    });

    it('should report a re-run as merged, not added, with a hint about --mode (issue 11, item 10)', async () => {
      const s = sdkStream(uniqueName('import'));
      const file = join(dir, 'rerun.jsonl');
      writeFileSync(file, ['{"key":"a","value":"A","priority":2}', '{"key":"b","value":"B","priority":5}'].join('\n'));
      const first = JSON.parse((await gr('import', s.name, file, '--json')).stdout) as { added: number; merged: number };
      assert.deepEqual([first.added, first.merged], [2, 0]);
      const again = await gr('import', s.name, file);
      assert.equal(again.code, 0, again.stderr);
      const lines = again.stdout
        .trimEnd()
        .split('\n')
        .map((l) => l.trim());
      assert.ok(lines.includes('added      0 new key(s)'), again.stdout);
      assert.ok(lines.includes("merged     2 key(s) already queued: value replaced, priority summed with the file's"), again.stdout);
      assert.ok(
        lines.includes("hint: running the import again sums these priorities again; --mode replace (or max) keeps the file's priorities"),
        again.stdout,
      );
      assert.deepEqual(await s.entries(), [
        { key: 'b', value: 'B', priority: 10 },
        { key: 'a', value: 'A', priority: 4 },
      ]);
      const replaced = await gr('import', s.name, file, '--mode', 'replace');
      assert.ok(!replaced.stdout.includes('hint:'), replaced.stdout);
      assert.deepEqual(await s.entries(), [
        { key: 'b', value: 'B', priority: 5 },
        { key: 'a', value: 'A', priority: 2 },
      ]);
    });

    it('should read standard input with --format, and exit 0 when every line went in', async () => {
      const s = sdkStream(uniqueName('import'));
      const run = await runCli(['import', s.name, '-', '--format', 'jsonl', '--json'], env, '{"key":"a","value":"A","priority":2}\n{"key":"b","value":"B"}\n');
      assert.equal(run.code, 0, run.stderr);
      assert.equal((JSON.parse(run.stdout) as { added: number }).added, 2);
      assert.deepEqual(await s.keys(), ['a', 'b']);
    });
  });

  describe('expire', () => {
    it('should sweep every stream once, or one stream, and report what it did', async () => {
      const a = sdkStream(uniqueName('exp'));
      const b = sdkStream(uniqueName('exp'));
      await a.addMany([
        ['a1', 'v'],
        ['a2', 'v'],
      ]);
      await b.addMany([
        ['b1', 'v'],
        ['b2', 'v'],
      ]);
      await a.pull({ count: 2, expireAt: 1 });
      await b.pull({ expireAt: 1 });
      await b.lease({ leaseMs: 1 });
      const leaseEnds = Number(await redis.zscore(b.redisKeys.leases, 'b2'));
      await waitFor(async () => (await serverNow(redis)) > leaseEnds, 5000, 'the lease to expire');

      const one = await grJson<Record<string, number>>('expire', a.name);
      assert.deepEqual({ ...one, durationMs: 0 }, { streams: 1, expired: 2, returned: 0, deadLettered: 0, promoted: 0, failed: 0, durationMs: 0 });
      const all = await gr('expire');
      assert.equal(all.code, 0, all.stderr);
      assert.match(
        all.stdout,
        /^swept 2 stream\(s\) in \S+: 1 cooldown\(s\) ended, 1 expired lease\(s\) returned, 0 dead-lettered, 0 delayed job\(s\) back\n$/,
      );
      assert.equal((await b.stats()).cooldownsDue, 0);
      assert.deepEqual(await b.keys(), ['b2']);
    });

    it('should sweep the other streams and exit 1 when one stream cannot be swept', async () => {
      const good = sdkStream(uniqueName('exp'));
      const broken = sdkStream(uniqueName('exp'));
      await good.add('g', 'v');
      await good.pull({ expireAt: 1 });
      await broken.add('b', 'v');
      await redis.set(broken.redisKeys.cooldowns, 'not a sorted set'); // the sweep meets WRONGTYPE
      const run = await gr('expire', '--json');
      assert.equal(run.code, 1, run.stderr);
      assert.match(oneLine(run.stderr), new RegExp(`^good-redis: sweeping "${broken.name}" failed: WRONGTYPE`));
      const report = JSON.parse(run.stdout) as Record<string, number>;
      assert.deepEqual({ streams: report.streams, expired: report.expired, failed: report.failed }, { streams: 1, expired: 1, failed: 1 });
      assert.equal((await good.stats()).cooldownsDue, 0);
      const text = await gr('expire');
      assert.equal(text.code, 1, text.stderr);
      assert.match(text.stdout, /^swept 1 stream\(s\) in \S+: 0 cooldown\(s\) ended, .*; 1 stream\(s\) failed\n$/);
    });
  });

  describe('expirer', () => {
    it('should finish the sweep in flight when SIGTERM arrives mid-sweep, then stop', async function () {
      this.timeout(60_000);
      // 40 streams × 500 ended cooldowns, swept 5 per script: thousands of scripts, so the
      // signal sent on "sweep started" arrives while the sweep runs.
      const names = Array.from({ length: 40 }, () => uniqueName('sweep'));
      for (const name of names) {
        const k = sdkStream(name).redisKeys;
        await redis.zadd(k.cooldowns, ...Array.from({ length: 500 }, (_, i) => [1, `key-${String(i)}`]).flat());
        await redis.sadd(`${prefix}:ps:keys`, name);
      }
      const daemon = startCli(['expirer', '--batch', '5', '--interval', '1h', '--verbose'], env);
      running.push(daemon);
      await waitFor(() => daemon.lines.some((l) => l.includes('"sweep started"')), 15_000, 'the first sweep to start');
      daemon.process.kill('SIGTERM');
      const end = await daemon.exited;
      assert.equal(end.code, 0, end.stderr);
      const logs = daemon.lines.filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
      for (const entry of logs)
        assert.ok(typeof entry.time === 'string' && typeof entry.level === 'string' && typeof entry.msg === 'string', JSON.stringify(entry));
      assert.deepEqual(
        logs.map((l) => l.msg),
        ['expirer started', 'sweep started', 'stopping', 'sweep finished', 'expirer stopped'],
      );
      const byMsg = (msg: string): Record<string, unknown> => logs.find((l) => l.msg === msg) ?? {};
      assert.deepEqual({ signal: byMsg('stopping').signal, sweepInFlight: byMsg('stopping').sweepInFlight }, { signal: 'SIGTERM', sweepInFlight: true });
      assert.deepEqual(
        { streams: byMsg('sweep finished').streams, expired: byMsg('sweep finished').expired, failed: byMsg('sweep finished').failed },
        { streams: 40, expired: 20_000, failed: 0 },
      );
      assert.equal(byMsg('expirer stopped').sweeps, 1);
      for (const name of names) assert.equal(await redis.zcard(sdkStream(name).redisKeys.cooldowns), 0, name);
    });

    it('should stop at once on SIGINT between sweeps, and write text lines with --log-format text', async () => {
      const s = sdkStream(uniqueName('sweep'));
      await s.add('a', 'A');
      await s.pull({ expireAt: 1 });
      const daemon = startCli(['expirer', '--interval', '1h', '--log-format', 'text'], env);
      running.push(daemon);
      await waitFor(() => daemon.lines.some((l) => l.includes(' sweep finished ')), 15_000, 'the first sweep');
      daemon.process.kill('SIGINT');
      const end = await daemon.exited;
      assert.equal(end.code, 0, end.stderr);
      const text = daemon.lines.join('\n');
      assert.match(text, /^\S+Z INFO {2}expirer started redis=(\S+|"[^"]+") prefix=cli-[0-9a-f]{8}: intervalMs=3600000 batchSize=1000 pid=\d+$/m);
      assert.match(
        text,
        /^\S+Z INFO {2}sweep finished sweep=1 streams=1 expired=1 returned=0 deadLettered=0 promoted=0 queues=0 reEnqueued=0 failed=0 durationMs=\d+$/m,
      );
      assert.match(text, /^\S+Z INFO {2}stopping signal=SIGINT sweepInFlight=false$/m);
      assert.match(text, /^\S+Z INFO {2}expirer stopped sweeps=1$/m);
    });
  });

  describe('top', () => {
    it('should show every family with its counts, and add and completion rates between refreshes, as JSON lines; stop on SIGINT', async function () {
      this.timeout(30_000);
      const s = sdkStream(uniqueName('top'));
      await s.add('seed', 'v');
      const queue = new Queue(redis, uniqueName('top'), { prefix });
      await queue.addItems(['a']);
      const top = startCli(['top', '--json', '--interval', '300ms'], env);
      running.push(top);
      const frames = (): Frame[] => top.lines.filter((l) => l !== '').map((l) => JSON.parse(l) as Frame);
      const rowOf = (f: Frame | undefined, family: string, name: string): Frame['objects'][number] | undefined =>
        f?.objects.find((o) => o.family === family && o.name === name);
      await waitFor(() => frames().length >= 1, 15_000, 'the first frame');
      const first = frames()[0];
      assert.deepEqual(
        [rowOf(first, 'stream', s.name), rowOf(first, 'queue', queue.name)].map((r) => r && [r.added, r.addRate, r.states.waiting]),
        [
          [1, null, 1],
          [1, null, 1],
        ],
      );

      await s.addMany(Array.from({ length: 30 }, (_, i) => [`k${String(i)}`, 'v'] as const));
      await queue.addItems(Array.from({ length: 9 }, (_, i) => String(i)));
      const worker = new Worker(queue, () => undefined, { heartbeatMs: 100 });
      // A refresh may fall between the adds and the Workers' totals: wait for the frame that shows both, and
      // check each rate against what changed since the frame before it.
      const done = (f: Frame): boolean => rowOf(f, 'stream', s.name)?.added === 31 && rowOf(f, 'queue', queue.name)?.completed === 10;
      await waitFor(() => frames().some(done), 15_000, 'a frame with the adds and the completions');
      await worker.close();
      await queue.close();
      const all = frames();
      const at = all.findIndex(done);
      const seconds = (Date.parse(all[at]?.time ?? '') - Date.parse(all[at - 1]?.time ?? '')) / 1000;
      const [before, after] = [rowOf(all[at - 1], 'stream', s.name), rowOf(all[at], 'stream', s.name)];
      const [qBefore, qAfter] = [rowOf(all[at - 1], 'queue', queue.name), rowOf(all[at], 'queue', queue.name)];
      assert.ok(before && after && qBefore && qAfter);
      assert.ok(after.addRate !== null && qAfter.completedRate !== null, JSON.stringify([after, qAfter]));
      const [addedBetween, completedBetween] = [31 - before.added, 10 - qBefore.completed];
      assert.ok(addedBetween + completedBetween > 0, 'the frame before shows less');
      assert.ok(Math.abs(after.addRate * seconds - addedBetween) < addedBetween * 0.2 + 1, `addRate ${String(after.addRate)} over ${String(seconds)} s`);
      assert.ok(
        Math.abs(qAfter.completedRate * seconds - completedBetween) < completedBetween * 0.2 + 1,
        `completedRate ${String(qAfter.completedRate)} over ${String(seconds)} s`,
      );
      assert.equal(after.states.waiting, 31);

      top.process.kill('SIGINT');
      assert.equal((await top.exited).code, 0);
    });

    it('should print text frames one after another when not on a terminal', async () => {
      const s = sdkStream(uniqueName('top'));
      await s.add('a', 'A');
      const run = await gr('top', '-n', '2', '--interval', '100ms');
      assert.equal(run.code, 0, run.stderr);
      const frames = run.stdout.split(/\n(?=good-redis top)/);
      assert.equal(frames.length, 2);
      for (const frame of frames) {
        assert.match(frame, /^good-redis top {2}\d+ object\(s\) at .+ {2}every 100ms {2}\S+Z\n\nFAMILY +NAME +ADD\/S +DONE\/S +COUNTS\n/);
        assert.ok(!frame.includes('\x1b'), 'no control sequences when piped');
      }
      assert.match(frames[0] ?? '', new RegExp(`stream +${s.name} +- +- +waiting 1, gated 0, cooling 0, leased 0, delayed 0, dead 0`));
      assert.match(frames[1] ?? '', new RegExp(`stream +${s.name} +0\\.0 +0\\.0 +waiting 1`));
    });

    it('should redraw in place on a terminal and restore it when done', async () => {
      await sdkStream(uniqueName('top')).add('a', 'A');
      const run = await runCliOnTerminal(['top', '-n', '3', '--interval', '100ms'], env);
      assert.equal(run.code, 0, run.stdout);
      assert.ok(run.stdout.startsWith('\x1b[?1049h\x1b[?25l'), JSON.stringify(run.stdout.slice(0, 40)));
      assert.equal(run.stdout.split('\x1b[H').length - 1, 3); // three frames, each from the top-left corner
      assert.ok(run.stdout.trimEnd().endsWith('\x1b[?25h\x1b[?1049l'), JSON.stringify(run.stdout.slice(-40)));
    });
  });

  describe('errors', () => {
    it('should answer an unknown stream in one line with exit code 1, for every command that needs one', async () => {
      const name = uniqueName('missing');
      for (const args of [
        ['inspect', name],
        ['pull', name],
        ['increment', name, 'k'],
        ['decrement-all', name],
        ['delete-below', name, '0'],
        ['delete', name, '--yes'],
        ['expire', name],
      ]) {
        const run = await gr(...args);
        assert.equal(run.code, 1, args.join(' '));
        assert.equal(run.stdout, '');
        assert.equal(
          oneLine(run.stderr),
          `good-redis: unknown stream "${name}": it is not registered and holds nothing (good-redis streams lists the streams)`,
        );
      }
    });
  });
});

/** One refresh of `top --json`. */
interface Frame {
  time: string;
  objects: {
    family: string;
    name: string;
    states: Record<string, number>;
    added: number;
    completed: number;
    addRate: number | null;
    completedRate: number | null;
  }[];
}

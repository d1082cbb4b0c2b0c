/**
 * Crash and concurrency claims of topics with real processes, on every topology: a SIGKILLed
 * member's partitions and pending messages move to the survivors within the session timeout
 * plus a heartbeat; with no crash every message is processed exactly once; members joining and
 * leaving never run two units of one partition at once, and leases only ever name live members;
 * a partition increase in the middle of a run loses nothing.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { Producer, Topic, type RedisClient } from '../../../src/index.js';
import { childEnv, closeAll, connect, describeEachTopology, linesOf, uniqueName, waitFor } from '../support.js';

const fixture = fileURLToPath(new URL('./fixtures/topic-process.js', import.meta.url));
const SESSION_MS = 1000;
const HEARTBEAT_MS = 100;

interface Child {
  process: ChildProcess;
  output: string[];
}

describeEachTopology('topics (real processes)', () => {
  const children: Child[] = [];
  let redis: RedisClient;
  let name: string;
  const start = (...args: string[]): Child => {
    const child = spawn(process.execPath, [fixture, name, ...args], { stdio: ['ignore', 'pipe', 'inherit'], env: childEnv() });
    const started = { process: child, output: linesOf(child.stdout) };
    children.push(started);
    return started;
  };
  const member = (id: string, handlerMs = 1): Child => start('consume', id, String(handlerMs));
  /** The partitions a member process holds now, from its ASSIGNED, REVOKED and LOST lines. */
  const held = (child: Child): Set<number> => {
    const now = new Set<number>();
    for (const line of child.output) {
      const [event, list = ''] = line.split(' ');
      const partitions = list === '' ? [] : list.split(',').map(Number);
      if (event === 'ASSIGNED') for (const p of partitions) now.add(p);
      if (event === 'REVOKED' || event === 'LOST') for (const p of partitions) now.delete(p);
    }
    return now;
  };
  const seen = async (): Promise<Map<string, number>> => new Map(Object.entries(await redis.hgetall(`{${name}}:seen`)).map(([k, v]) => [k, Number(v)]));
  const stop = async (child: Child): Promise<void> => {
    child.process.kill('SIGTERM');
    await once(child.process, 'exit');
  };

  beforeEach(() => {
    redis = connect();
    name = uniqueName('topic');
  });
  afterEach(async () => {
    for (const child of children.splice(0)) if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill('SIGKILL');
    await closeAll();
  });

  it('3 members on 6 partitions, one SIGKILLed: the survivors take its partitions within the session timeout plus a heartbeat; every message is processed', async function () {
    this.timeout(60_000);
    await new Topic(redis, name).ensure(6);
    const total = 3000;
    await new Producer(redis, name).sendMany(Array.from({ length: total }, (_, i) => ({ key: `k${String(i % 97)}`, value: `m${String(i)}` })));
    const members = ['a', 'b', 'c'].map((id) => member(id, 3));
    await waitFor(() => members.every((m) => held(m).size === 2), 15_000, 'two partitions each');
    await waitFor(async () => (await redis.hlen(`{${name}}:seen`)) >= 300, 15_000, 'some progress');
    const [victim, ...survivors] = members as [Child, Child, Child];
    const orphaned = [...held(victim)];
    victim.process.kill('SIGKILL');
    await once(victim.process, 'exit');
    const killedAt = Date.now();
    await waitFor(() => orphaned.every((p) => survivors.some((s) => held(s).has(p))), 10_000, 'the survivors to take its partitions');
    const movedInMs = Date.now() - killedAt;
    await waitFor(async () => (await redis.hlen(`{${name}}:seen`)) === total, 30_000, 'every message');
    const counts = await seen();
    const repeats = [...counts.values()].filter((n) => n > 1).length;
    console.log(
      `      partitions ${orphaned.join(',')} moved ${String(movedInMs)} ms after the kill; ${String(repeats)} message(s) processed twice (in flight at the kill)`,
    );
    assert.ok(
      movedInMs <= SESSION_MS + HEARTBEAT_MS + 1000,
      `moved after ${String(movedInMs)} ms (session ${String(SESSION_MS)} + heartbeat ${String(HEARTBEAT_MS)}, with 1 s of slack for the load)`,
    );
    assert.equal(counts.size, total, 'at least once');
    assert.ok(repeats <= 2 * 4, `only units in flight at the kill come back (${String(repeats)})`);
    // (No overlap check here: the killed process never decremented its in-flight counters.)
    for (const s of survivors) await stop(s);
  });

  it('members joining and leaving: every message exactly once, never two units of one partition at once, leases only on live members', async function () {
    this.timeout(60_000);
    const topic = new Topic(redis, name);
    await topic.ensure(6);
    const total = 4000;
    const producer = start('produce', '0', String(total), '50', '5');
    const live = new Map<string, Child>([['a', member('a', 2)]]);
    const sampling = { on: true, left: new Set<string>() };
    const violations: string[] = [];
    // A member that left released its leases: no sample after that may name it.
    const sampler = (async () => {
      while (sampling.on) {
        const left = new Set(sampling.left);
        const owners = await Promise.all(Array.from({ length: 6 }, (_, p) => redis.hget(`:tp{${name}#${String(p)}}:own:g`, 'member')));
        for (const [p, owner] of owners.entries()) {
          if (owner !== null && left.has(owner)) violations.push(`partition ${String(p)} still leased to ${owner}, which left`);
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();
    await waitFor(async () => (await redis.hlen(`{${name}}:seen`)) >= 500, 15_000, 'a to get going');
    live.set('b', member('b', 2));
    await waitFor(async () => (await redis.hlen(`{${name}}:seen`)) >= 1500, 15_000, 'a and b');
    live.set('c', member('c', 2));
    await waitFor(async () => (await redis.hlen(`{${name}}:seen`)) >= 2200, 15_000, 'three members');
    const first = live.get('a');
    assert.ok(first);
    await stop(first); // leaves: settles, releases, others take over
    sampling.left.add('a');
    live.delete('a');
    live.set('d', member('d', 2));
    await waitFor(() => producer.output.includes('DONE'), 30_000, 'the producer');
    await waitFor(async () => (await redis.hlen(`{${name}}:seen`)) === total, 30_000, 'every message');
    sampling.on = false;
    await sampler;
    const counts = await seen();
    assert.equal(counts.size, total);
    assert.deepEqual(
      [...counts].filter(([, n]) => n !== 1),
      [],
      'exactly once without a crash',
    );
    assert.equal(Number(await redis.get(`{${name}}:overlaps`)), 0, 'two units of one partition ran at once');
    assert.deepEqual(violations, []);
    for (const child of live.values()) await stop(child);
  });

  it('a partition increase in the middle of a produce/consume run loses nothing', async function () {
    this.timeout(60_000);
    const topic = new Topic(redis, name);
    await topic.ensure(3);
    const total = 4000;
    // Slow producers (10 messages every 10 ms), so the increase lands in the middle of their run.
    const producers = [start('produce', '0', String(total / 2), '10', '10'), start('produce', String(total / 2), String(total), '10', '10')];
    const members = [member('a', 1), member('b', 1)];
    await waitFor(async () => (await redis.hlen(`{${name}}:seen`)) >= 400, 15_000, 'the run to get going');
    assert.equal(await topic.increasePartitions(7), 7);
    assert.ok(!producers.some((p) => p.output.includes('DONE')), 'the producers were still sending');
    await waitFor(() => producers.every((p) => p.output.includes('DONE')), 30_000, 'the producers');
    await waitFor(async () => (await redis.hlen(`{${name}}:seen`)) === total, 30_000, 'every message');
    const counts = await seen();
    assert.deepEqual(
      [...counts].filter(([, n]) => n !== 1),
      [],
    );
    const described = await topic.describe();
    assert.ok(
      described.lengths.slice(3).some((n) => n > 0),
      'sends after the increase reached the new partitions',
    );
    await waitFor(() => members.reduce((n, m) => n + held(m).size, 0) === 7, 5000, 'the members to share all 7 partitions');
    for (const m of members) await stop(m);
  });
});

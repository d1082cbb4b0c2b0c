/** `good-redis queues` and `good-redis queue …` as a child process, on every topology. */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Pool, Queue, type RedisClient } from '../../../src/index.js';
import { childEnv, closeAll, connect, describeEachTopology, serverNow } from '../support.js';
import { runCli } from './cli-support.js';

describeEachTopology('good-redis queue commands', () => {
  let redis: RedisClient;
  let prefix: string;
  let env: NodeJS.ProcessEnv;
  const open: Queue[] = [];
  const gr = (...args: string[]): ReturnType<typeof runCli> => runCli(args, env);
  const grJson = async <T>(...args: string[]): Promise<T> => {
    const run = await gr(...args, '--json');
    assert.equal(run.code, 0, run.stderr);
    return JSON.parse(run.stdout) as T;
  };
  const queue = (name: string): Queue => {
    const q = new Queue(redis, name, { prefix });
    open.push(q);
    return q;
  };

  beforeEach(() => {
    redis = connect();
    prefix = `cliq-${randomUUID().slice(0, 8)}:`;
    env = { ...childEnv(), GOOD_REDIS_PREFIX: prefix };
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((q) => q.close({ handBack: false })));
    await closeAll();
  });

  it('queues lists every queue and pool with its counts; an empty prefix says so', async () => {
    const empty = await gr('queues');
    assert.equal(empty.code, 0, empty.stderr);
    assert.match(empty.stdout, /No registered queues under prefix/);
    const q = queue('jobs');
    await q.addItems(['a', 'b', 'c']);
    await q.getItems(1);
    await new Pool(redis, 'feeds', { prefix }).addItems(['f1', 'f2']);
    const listed = await grJson<{ queues: Record<string, unknown>[] }>('queues');
    assert.deepEqual(listed.queues, [
      { name: 'feeds', kind: 'pool', size: 2, due: 2, leased: 0 },
      { name: 'jobs', kind: 'queue', waiting: 2, processing: 1, consumers: 1, deadConsumers: 0 },
    ]);
    const text = await gr('queues');
    assert.match(text.stdout, /^jobs\s+queue\s+2\s+1\s+1\s+0$/m);
  });

  it('queue inspect shows the next values and the consumers; a pool its soonest items', async () => {
    const q = queue('jobs');
    await q.addItems(['first', 'second']);
    await q.getItems(1);
    const shown = await grJson<{ next: string[]; consumers: { id: string; held: number }[] }>('queue', 'inspect', 'jobs');
    assert.deepEqual(shown.next, ['second']);
    assert.deepEqual(
      shown.consumers.map((c) => [c.id, c.held]),
      [[q.consumerId, 1]],
    );
    const text = await gr('queue', 'inspect', 'jobs');
    assert.match(text.stdout, /Next to hand out \(1 of 1\)\n\s+1\s+second/);
    await new Pool(redis, 'feeds', { prefix }).addItem('f1');
    assert.match((await gr('queue', 'inspect', 'feeds')).stdout, /f1\s+due \S+ ago|f1\s+due in/);
    const unknown = await gr('queue', 'inspect', 'nothing');
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /unknown queue "nothing"/);
  });

  it('queue reenqueue gives a silent consumer back; drop deletes; purge deletes the queue', async () => {
    const q = queue('jobs');
    await q.addItems(['1', '2', '3']);
    await q.getItems(2);
    await redis.zadd(`${prefix}:q{jobs}:consumers`, (await serverNow(redis)) - 120_000, q.consumerId);
    assert.deepEqual(await grJson('queue', 'reenqueue', 'jobs'), { reEnqueued: 2 }, 'dead by its own 60 s timeout');
    await q.getItems(1);
    const refused = await gr('queue', 'drop', 'jobs', '--all');
    assert.equal(refused.code, 2, 'no terminal to ask on: --yes is needed');
    assert.deepEqual(await grJson('queue', 'drop', 'jobs', '--all', '--yes'), { dropped: 1 });
    assert.equal(await redis.llen(`${prefix}:q{jobs}:list`), 2);
    assert.deepEqual(await grJson('queue', 'purge', 'jobs', '--yes'), { deleted: true });
    assert.equal(await redis.exists(`${prefix}:q{jobs}:list`), 0);
    assert.equal((await gr('queue', 'reenqueue', 'jobs')).code, 1, 'unknown once purged');
    const both = await gr('queue', 'reenqueue', 'x', '--all', '--timeout', '1s');
    assert.equal(both.code, 2);
  });
});

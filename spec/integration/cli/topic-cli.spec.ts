/** `good-redis topics` and `good-redis topic …` as a child process, on every topology. */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Consumer, Producer, Topic, partitionFor, type RedisClient } from '../../../src/index.js';
import { childEnv, closeAll, connect, describeEachTopology } from '../support.js';
import { runCli } from './cli-support.js';

describeEachTopology('good-redis topic commands', () => {
  let redis: RedisClient;
  let prefix: string;
  let env: NodeJS.ProcessEnv;
  const open: Consumer[] = [];
  const gr = (...args: string[]): ReturnType<typeof runCli> => runCli(args, env);
  const grJson = async <T>(...args: string[]): Promise<T> => {
    const run = await gr(...args, '--json');
    assert.equal(run.code, 0, run.stderr);
    return JSON.parse(run.stdout) as T;
  };
  /** A topic of 2 partitions with a group `g` whose one message died. */
  const withDeadLetter = async (): Promise<Topic> => {
    const topic = new Topic(redis, 'events', { prefix });
    await topic.ensure(2);
    await topic.createGroup('g');
    await new Producer(redis, 'events', { prefix }).send({ value: 'poison', partition: 1, key: 'k' });
    const c = new Consumer(redis, 'events', { prefix, group: 'g', maxAttempts: 1 });
    open.push(c);
    const [m] = await c.fetch();
    assert.ok(m);
    assert.equal(await m.nack({ error: 'boom' }), 'dead');
    return topic;
  };

  beforeEach(() => {
    redis = connect();
    prefix = `clit-${randomUUID().slice(0, 8)}:`;
    env = { ...childEnv(), GOOD_REDIS_PREFIX: prefix };
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((c) => c.close()));
    await closeAll();
  });

  it('topics lists every topic with partitions, length, dead letters and groups; an empty prefix says so', async () => {
    assert.match((await gr('topics')).stdout, /No registered topics under prefix/);
    await withDeadLetter();
    const listed = await grJson<{ topics: unknown[] }>('topics');
    assert.deepEqual(listed.topics, [{ name: 'events', partitions: 2, length: 1, groups: ['g'], dead: 1 }]);
    assert.match((await gr('topics')).stdout, /^events\s+2\s+1\s+1\s+g$/m);
  });

  it('topic send routes by key and creates the topic; topic describe and topic group show it; unknown names exit 1', async () => {
    const sent = await grJson<{ partition: number; id: string }>(
      'topic',
      'send',
      'orders',
      'v1',
      '--key',
      'customer-7',
      '--partitions',
      '4',
      '--header',
      'trace=abc',
    );
    assert.equal(sent.partition, partitionFor('customer-7', 4));
    const topic = new Topic(redis, 'orders', { prefix });
    assert.equal(await topic.partitions(), 4);
    await topic.createGroup('billing');
    const c = new Consumer(redis, 'orders', { prefix, group: 'billing', memberId: 'member-1' });
    open.push(c);
    const [m] = await c.fetch();
    assert.deepEqual([m?.value, m?.key, m?.headers], ['v1', 'customer-7', { trace: 'abc' }]);
    const described = await grJson<{ partitions: number; groupDetails: { group: string; partitions: { owner: string | null; pending: number }[] }[] }>(
      'topic',
      'describe',
      'orders',
    );
    assert.equal(described.partitions, 4);
    const row = described.groupDetails.at(0)?.partitions.at(sent.partition);
    assert.equal(row?.pending, 1);
    assert.equal(row.owner, 'member-1');
    assert.match((await gr('topic', 'describe', 'orders')).stdout, /billing/);
    const group = await grJson<{ generation: number; members: { id: string; partitions: number[] }[] }>('topic', 'group', 'orders', 'billing');
    assert.deepEqual(
      group.members.map((mm) => [mm.id, mm.partitions]),
      [['member-1', [0, 1, 2, 3]]],
    );
    assert.match((await gr('topic', 'group', 'orders', 'billing')).stdout, /member-1\s+0, 1, 2, 3/);
    const unknown = await gr('topic', 'describe', 'nothing');
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /unknown topic "nothing"/);
    const unknownGroup = await gr('topic', 'group', 'orders', 'nobody');
    assert.equal(unknownGroup.code, 1);
    assert.match(unknownGroup.stderr, /unknown group "nobody"/);
    const bad = await gr('topic', 'describe', 'a#b');
    assert.equal(bad.code, 2);
  });

  it('topic dead lists dead letters; replay sends one back to its group; purge-dead asks for --yes without a terminal', async () => {
    const topic = await withDeadLetter();
    const dead = await grJson<{ partition: number; deadId: string; value: string; error: string; attempts: number }[]>('topic', 'dead', 'events', 'g');
    assert.deepEqual(
      dead.map((d) => [d.partition, d.value, d.error, d.attempts]),
      [[1, 'poison', 'boom', 1]],
    );
    assert.match((await gr('topic', 'dead', 'events', 'g')).stdout, /1:\d+-\d+\s+k\s+poison\s+1\s+\S+ ago\s+boom/);
    const [first] = dead;
    assert.ok(first);
    const ref = `${String(first.partition)}:${first.deadId}`;
    assert.deepEqual(await grJson('topic', 'replay', 'events', 'g', ref), { replayed: 1 });
    assert.deepEqual(await topic.deadLetters('g'), []);
    assert.equal(await redis.xlen(`${prefix}:tp{events#1}:log`), 2, 'appended again to its partition');
    const badRef = await gr('topic', 'replay', 'events', 'g', 'nope');
    assert.equal(badRef.code, 2);
    // A second death to purge.
    const [consumer] = open;
    assert.ok(consumer);
    const [again] = await consumer.fetch();
    assert.ok(again);
    assert.equal(await again.nack({ error: 'boom' }), 'dead');
    const refused = await gr('topic', 'purge-dead', 'events', 'g');
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /without --yes/);
    assert.deepEqual(await grJson('topic', 'purge-dead', 'events', 'g', '--yes'), { purged: 1 });
  });

  it('topic partitions raises the count and refuses to lower it', async () => {
    await new Topic(redis, 'events', { prefix }).ensure(2);
    assert.deepEqual(await grJson('topic', 'partitions', 'events', '5'), { before: 2, partitions: 5 });
    const lower = await gr('topic', 'partitions', 'events', '3');
    assert.notEqual(lower.code, 0);
    assert.match(lower.stderr, /must ask for more/);
  });
});

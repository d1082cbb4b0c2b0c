/**
 * Topics and producers on every topology: Kafka's routing, sends in order, safe trimming,
 * atomic partition increases, the registry, describe, delete, and bad input refused before
 * anything is written.
 */
import assert from 'node:assert/strict';
import { type Cluster } from 'ioredis';
import { Consumer, GoodRedisError, Producer, Topic, TopicRegistry, jsonCodec, partitionFor, type RedisClient } from '../../../src/index.js';
import { closeAll, connect, describeEachTopology, masters, slotOf, uniqueName } from '../support.js';

describeEachTopology('topics: Topic and Producer', (kind) => {
  let redis: RedisClient;
  let name: string;
  const consumers: Consumer<unknown>[] = [];
  const log = (p: number): string => `:tp{${name}#${String(p)}}:log`;
  /** Every entry of a partition: [id, fields as an object]. */
  const entries = async (p: number): Promise<[string, Record<string, string>][]> =>
    (await redis.xrange(log(p), '-', '+')).map(([id, fields]) => [
      id,
      Object.fromEntries(Array.from({ length: fields.length / 2 }, (_, i) => [fields[2 * i], fields[2 * i + 1]])),
    ]);

  beforeEach(() => {
    redis = connect();
    name = uniqueName('topic');
  });
  afterEach(async () => {
    await Promise.all(consumers.splice(0).map((c) => c.close()));
    await closeAll();
  });

  describe('routing', () => {
    it("sends a keyed message to Kafka's partition for its key, always the same one", async () => {
      const producer = new Producer(redis, name, { partitions: 6 });
      const keys = ['21', 'foobar', 'a-little-bit-long-string', 'abc', 'customer-42', 'ключ'];
      for (const key of keys) {
        const first = await producer.send({ key, value: `${key}:1` });
        const second = await producer.send({ key, value: `${key}:2` });
        assert.equal(first.partition, partitionFor(key, 6));
        assert.equal(second.partition, first.partition, `${key} changed partition`);
      }
      // What is stored: value, key, and no headers field when there are none.
      const [, fields] = (await entries(partitionFor('abc', 6))).find(([, f]) => f.k === 'abc') ?? [];
      assert.deepEqual(fields, { v: 'abc:1', k: 'abc' });
    });

    it('spreads keyless messages round-robin, evenly', async () => {
      const producer = new Producer(redis, name, { partitions: 4 });
      const sent = await producer.sendMany(Array.from({ length: 400 }, (_, i) => ({ value: String(i) })));
      const counts = [0, 0, 0, 0];
      for (const r of sent) counts[r.partition] = (counts[r.partition] ?? 0) + 1;
      assert.deepEqual(counts, [100, 100, 100, 100]);
      // Consecutive keyless sends take consecutive partitions.
      assert.equal(((sent[1]?.partition ?? 0) - (sent[0]?.partition ?? 0) + 4) % 4, 1);
    });

    it('honours an explicit partition and a custom partitioner', async () => {
      const producer = new Producer(redis, name, { partitions: 3, partitioner: (key) => (key === 'vip' ? 2 : 0) });
      assert.equal((await producer.send({ value: 'x', partition: 1, key: 'vip' })).partition, 1);
      assert.equal((await producer.send({ value: 'y', key: 'vip' })).partition, 2);
      assert.equal((await producer.send({ value: 'z', key: 'other' })).partition, 0);
    });

    it('keeps input order within a partition and returns results in input order', async () => {
      const producer = new Producer(redis, name, { partitions: 3, chunkSize: 7 });
      const messages = Array.from({ length: 60 }, (_, i) => ({ key: `k${String(i % 5)}`, value: String(i), headers: { n: String(i) } }));
      const results = await producer.sendMany(messages);
      results.forEach((r, i) => {
        assert.equal(r.partition, partitionFor(`k${String(i % 5)}`, 3));
      });
      for (let p = 0; p < 3; p++) {
        const stored = await entries(p);
        const values = stored.map(([, f]) => Number(f.v));
        assert.deepEqual(
          values,
          [...values].sort((a, b) => a - b),
          `partition ${String(p)} in input order`,
        );
        for (const [id, f] of stored) {
          assert.equal(results[Number(f.v)]?.id, id);
          assert.deepEqual(JSON.parse(f.h ?? '{}'), { n: f.v });
        }
      }
    });
  });

  describe('the topic', () => {
    it("is created by the first send with the producer's partition count, registered, and ensure never changes it", async () => {
      const topic = new Topic(redis, name);
      assert.equal(await topic.partitions(), 0);
      await new Producer(redis, name, { partitions: 5 }).send({ value: 'v' });
      assert.equal(await topic.partitions(), 5);
      assert.equal(await topic.ensure(2), 5);
      assert.ok(await new TopicRegistry(redis).has(name));
      assert.ok((await new TopicRegistry(redis).names()).includes(name));
    });

    it('describes partitions, lengths and groups, counts what was sent; delete removes every key and the registration', async () => {
      const topic = new Topic(redis, name);
      await topic.ensure(3);
      await topic.createGroup('b');
      await topic.createGroup('a', { from: 'end' });
      await new Producer(redis, name, { partitions: 1 }).sendMany([0, 1, 2, 3].map((i) => ({ value: String(i), partition: i % 3 })));
      assert.deepEqual(await topic.describe(), { name, partitions: 3, lengths: [2, 1, 1], groups: ['a', 'b'] });
      await new Producer(redis, name, { partitions: 1 }).send({ value: '4', partition: 2 });
      assert.deepEqual(await topic.stats(), { partitions: 3, messages: 5, added: 5, groups: 2, pending: 0, lag: 10 });
      assert.deepEqual(await redis.hgetall(`:tp{${name}#2}:stats`), { added: '2' }, 'each partition counts its own sends');
      assert.equal(await topic.delete(), true);
      assert.equal(await topic.partitions(), 0);
      for (let p = 0; p < 3; p++) assert.equal(await redis.exists(log(p), `:tp{${name}#${String(p)}}:stats`), 0);
      assert.equal(await redis.exists(`:tp{${name}}:groups`), 0);
      assert.equal(await new TopicRegistry(redis).has(name), false);
      assert.equal(await topic.delete(), false);
    });

    it('prunes registered names whose topic is gone', async () => {
      const registry = new TopicRegistry(redis);
      await new Topic(redis, name).ensure();
      await redis.sadd(registry.key, `${name}-gone`);
      assert.deepEqual(await registry.prune(), [`${name}-gone`]);
      assert.ok(await registry.has(name));
    });

    it('creates a group from the start of history, or from the end', async () => {
      const producer = new Producer(redis, name, { partitions: 1 });
      await producer.sendMany([{ value: 'old' }]);
      const topic = new Topic(redis, name);
      await topic.createGroup('from-start');
      await topic.createGroup('from-end', { from: 'end' });
      await topic.createGroup('from-start', { from: 'end' }); // idempotent: from applies at creation only
      await producer.send({ value: 'new' });
      const read = async (group: string): Promise<string[]> => {
        const c = new Consumer(redis, name, { group });
        consumers.push(c as Consumer<unknown>);
        return (await c.fetch({ max: 10 })).map((m) => m.value);
      };
      assert.deepEqual(await read('from-start'), ['old']); // one unit at a time under 'partition' ordering
      assert.deepEqual(await read('from-end'), ['new']);
    });
  });

  describe('partition increase', () => {
    it('raises the count atomically, with every group on the new partitions, and refuses to lower it', async () => {
      const topic = new Topic(redis, name);
      await topic.ensure(2);
      await topic.createGroup('g1');
      await topic.createGroup('g2');
      assert.equal(await topic.increasePartitions(4), 4);
      for (const p of [2, 3]) {
        const groups = ((await redis.xinfo('GROUPS', log(p))) as unknown[][]).map((g) => String(g[1])).sort();
        assert.deepEqual(groups, ['g1', 'g2'], `partition ${String(p)} carries every group`);
      }
      await assert.rejects(topic.increasePartitions(4), (e) => GoodRedisError.is(e, 'InvalidArgument') && e.message.includes('must ask for more'));
      await assert.rejects(topic.increasePartitions(3), (e) => GoodRedisError.is(e, 'InvalidArgument'));
      await assert.rejects(
        new Topic(redis, `${name}-none`).increasePartitions(3),
        (e) => GoodRedisError.is(e, 'InvalidArgument') && e.message.includes('does not exist'),
      );
      assert.equal(await topic.partitions(), 4);
    });

    it('two racing increases never lower the count, and a group created meanwhile is on every partition', async () => {
      const topic = new Topic(redis, name);
      await topic.ensure(2);
      const outcomes = await Promise.allSettled([topic.increasePartitions(6), topic.increasePartitions(4), topic.createGroup('late')]);
      assert.equal(outcomes[2].status, 'fulfilled');
      assert.equal(await topic.partitions(), 6);
      for (let p = 0; p < 6; p++) {
        const groups = ((await redis.xinfo('GROUPS', log(p))) as unknown[][]).map((g) => String(g[1]));
        assert.deepEqual(groups, ['late'], `partition ${String(p)} carries the group`);
      }
    });

    it('routes by the new count after the producer refreshes; a stale producer keeps writing to partitions that exist', async () => {
      const topic = new Topic(redis, name);
      await topic.ensure(2);
      const stale = new Producer(redis, name, { partitions: 1, metadataMaxAgeMs: 60_000 });
      await stale.send({ value: 'warm' });
      await topic.increasePartitions(8);
      const keys = Array.from({ length: 50 }, (_, i) => `key-${String(i)}`);
      for (const key of keys) assert.ok((await stale.send({ key, value: key })).partition < 2);
      await stale.refreshMetadata();
      for (const key of keys) assert.equal((await stale.send({ key, value: key })).partition, partitionFor(key, 8));
      // An explicit partition above the cached count makes the producer look again before refusing.
      const other = new Producer(redis, name, { partitions: 1, metadataMaxAgeMs: 60_000 });
      await other.send({ value: 'x', partition: 7 });
      await topic.increasePartitions(9);
      assert.equal((await other.send({ value: 'y', partition: 8 })).partition, 8);
    });
  });

  describe('trimming with maxLen', () => {
    it('applies maxLen as given when no group exists', async () => {
      const producer = new Producer(redis, name, { partitions: 1, maxLen: 5, approximate: false });
      for (let i = 0; i < 20; i++) await producer.send({ value: String(i) });
      assert.deepEqual(
        (await entries(0)).map(([, f]) => f.v),
        ['15', '16', '17', '18', '19'],
      );
    });

    it('never removes an entry a group has not acknowledged (redisaq lost 15 of 20)', async () => {
      const topic = new Topic(redis, name);
      await topic.ensure(1);
      await topic.createGroup('slow');
      const producer = new Producer(redis, name, { partitions: 1, maxLen: 5, approximate: false });
      for (let i = 0; i < 20; i++) await producer.send({ value: String(i) });
      assert.equal(await redis.xlen(log(0)), 20, 'nothing delivered yet: nothing trimmed');
      const consumer = new Consumer(redis, name, { group: 'slow', ordering: 'none' });
      consumers.push(consumer as Consumer<unknown>);
      const first = await consumer.fetch({ max: 8 });
      await Promise.all(first.slice(0, 4).map((m) => m.ack())); // 0-3 acked, 4-7 pending
      await producer.send({ value: '20' });
      assert.deepEqual((await entries(0)).map(([, f]) => f.v)[0], '4', 'trimmed up to the oldest pending entry, not past it');
      await Promise.all(first.slice(4).map((m) => m.ack()));
      const rest = await consumer.fetch({ max: 100 });
      await Promise.all(rest.map((m) => m.ack()));
      assert.deepEqual(
        [...first, ...rest].map((m) => m.value),
        Array.from({ length: 21 }, (_, i) => String(i)),
        'the group received every message',
      );
      await producer.send({ value: '21' });
      assert.deepEqual(
        (await entries(0)).map(([, f]) => f.v),
        ['17', '18', '19', '20', '21'],
      );
    });

    it('keeps what the slowest of two groups has not read', async () => {
      const topic = new Topic(redis, name);
      await topic.ensure(1);
      await topic.createGroup('fast');
      await topic.createGroup('idle');
      const producer = new Producer(redis, name, { partitions: 1, maxLen: 3, approximate: false });
      const fast = new Consumer(redis, name, { group: 'fast', ordering: 'none' });
      consumers.push(fast as Consumer<unknown>);
      for (let i = 0; i < 10; i++) {
        await producer.send({ value: String(i) });
        for (const m of await fast.fetch({ max: 10 })) await m.ack();
      }
      assert.equal(await redis.xlen(log(0)), 10, "the idle group's unread entries stay");
    });

    it('trims approximately in whole macro nodes, never past the safe floor', async () => {
      const producer = new Producer(redis, name, { partitions: 1, maxLen: 10 });
      await producer.sendMany(Array.from({ length: 1000 }, (_, i) => ({ value: String(i) })));
      await producer.send({ value: 'last' });
      const length = await redis.xlen(log(0));
      assert.ok(length >= 10 && length < 1001, `about maxLen kept, got ${String(length)}`);
    });
  });

  describe('bad input is refused with a typed error and writes nothing', () => {
    const refused = async (call: () => unknown, pattern: RegExp): Promise<void> => {
      await assert.rejects(
        (async () => {
          await call();
        })(),
        (e) => GoodRedisError.is(e, 'InvalidArgument') && pattern.test(e.message),
      );
    };

    it('refuses bad names, counts and options', async () => {
      for (const bad of ['', 'a{b', 'a}b', 'a#b'])
        assert.throws(
          () => new Topic(redis, bad),
          (e) => GoodRedisError.is(e, 'InvalidArgument'),
        );
      assert.throws(
        () => new Producer(redis, name, { partitions: 0 }),
        (e) => GoodRedisError.is(e, 'InvalidArgument'),
      );
      assert.throws(
        () => new Producer(redis, name, { partitions: 1025 }),
        (e) => GoodRedisError.is(e, 'InvalidArgument'),
      );
      assert.throws(
        () => new Producer(redis, name, { partitions: 1, maxLen: -1 }),
        (e) => GoodRedisError.is(e, 'InvalidArgument'),
      );
      assert.throws(
        () => new Consumer(redis, name, {} as never),
        (e) => GoodRedisError.is(e, 'InvalidArgument') && e.message.includes('group'),
      );
      assert.throws(
        () => new Consumer(redis, name, { group: 'g{' }),
        (e) => GoodRedisError.is(e, 'InvalidArgument'),
      );
      assert.throws(
        () => new Consumer(redis, name, { group: 'g', heartbeatMs: 1000, sessionTimeoutMs: 2999 }),
        (e) => GoodRedisError.is(e, 'InvalidArgument') && e.message.includes('3 ×'),
      );
      const topic = new Topic(redis, name);
      await refused(() => topic.ensure(0), /partitions/);
      await refused(() => topic.ensure(1.5), /partitions/);
      await refused(() => topic.createGroup('x'), /does not exist/);
      await refused(() => topic.createGroup('x}'), /group/);
      assert.equal(await redis.exists(`:tp{${name}}:topic`), 0);
    });

    it('refuses a bad message anywhere in a batch before writing any', async () => {
      const producer = new Producer(redis, name, { partitions: 2, codec: jsonCodec<unknown>() });
      await producer.send({ value: 1 });
      const before = (await redis.xlen(log(0))) + (await redis.xlen(log(1)));
      const good = { value: 'fine' };
      await refused(() => producer.sendMany([good, { value: 'x', partition: 2 }]), /out of range/);
      await refused(() => producer.sendMany([good, { value: 'x', partition: -1 }]), /partition/);
      await refused(() => producer.sendMany([good, { value: 'x', key: 5 as never }]), /key/);
      await refused(() => producer.sendMany([good, { value: 'x', headers: { a: 1 as never } }]), /headers/);
      await refused(() => producer.sendMany([good, null as never]), /messages\[1\]/);
      await assert.rejects(producer.sendMany([good, { value: 10n }]), (e) => GoodRedisError.is(e, 'Codec'));
      assert.equal((await redis.xlen(log(0))) + (await redis.xlen(log(1))), before);
    });
  });

  if (kind === 'cluster') {
    it('spreads one topic over every master', async () => {
      await new Topic(redis, name).ensure(12);
      const cluster = redis as Cluster;
      const owners = new Set<string>();
      for (let p = 0; p < 12; p++) owners.add(String(cluster.slots[slotOf(`${name}#${String(p)}`)]?.[0]));
      assert.equal(owners.size, (await masters(redis)).length);
    });
  }
});

/**
 * Consumers on every topology: one member's fetch, acks, retries and dead letters, the order a
 * partition is delivered in, message leases, groups that each see every message, membership
 * with sticky balanced targets, the lease fence, handover and leaving.
 */
import assert from 'node:assert/strict';
import {
  Consumer,
  GoodRedisError,
  Producer,
  Topic,
  Worker,
  jsonCodec,
  partitionGroupKeys,
  type ConsumerOptions,
  type RedisClient,
  type TopicMessage,
} from '../../../src/index.js';
import { closeAll, connect, describeEachTopology, serverNow, uniqueName, waitFor } from '../support.js';

describeEachTopology('topics: Consumer', () => {
  let redis: RedisClient;
  let name: string;
  const open: Consumer<unknown>[] = [];
  const consumer = <T = string>(options: Partial<ConsumerOptions<T>> = {}): Consumer<T> => {
    const c = new Consumer<T>(redis, name, { group: 'g', heartbeatMs: 50, sessionTimeoutMs: 300, ...options });
    open.push(c as Consumer<unknown>);
    return c;
  };
  /** Fetches and acks until `count` messages came, returning them in fetch order. */
  const drain = async (c: Consumer, count: number, max = 100): Promise<TopicMessage<string>[]> => {
    const got: TopicMessage<string>[] = [];
    await waitFor(
      async () => {
        const batch = await c.fetch({ max });
        await Promise.all(batch.map((m) => m.ack()));
        got.push(...batch);
        return got.length >= count;
      },
      10_000,
      `${String(count)} messages`,
    );
    return got;
  };

  beforeEach(() => {
    redis = connect();
    name = uniqueName('topic');
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((c) => c.close()));
    await closeAll();
  });

  it("reports lag 0 when nothing is unread, whatever Redis's counter of entries read says (a promoted replica's can stay behind: issue 28)", async () => {
    const topic = new Topic(redis, name);
    await topic.ensure(1);
    await topic.createGroup('g');
    await new Producer(redis, name, { partitions: 1 }).sendMany(['a', 'b', 'c'].map((value) => ({ value })));
    const c = consumer();
    const got = await drain(c, 3);
    assert.equal(got.length, 3);
    const log = partitionGroupKeys(name, 0, 'g').log;
    // As a failover can leave it: the group has read everything, its entries-read counter says none.
    const [last] = (await redis.xrevrange(log, '+', '-', 'COUNT', 1)) as [string, string[]][];
    await redis.call('XGROUP', 'SETID', log, 'g', last?.[0] ?? '0-0', 'ENTRIESREAD', '0');
    const raw = ((await redis.xinfo('GROUPS', log)) as unknown[][])[0] ?? [];
    assert.equal(raw[raw.indexOf('lag') + 1], 3, "Redis's own figure is off");
    const [p] = (await topic.describeGroup('g')).partitions;
    assert.deepEqual([p?.pending, p?.lag], [0, 0]);
    assert.equal((await topic.stats()).lag, 0);
    // With an entry unread, the figure is Redis's.
    await new Producer(redis, name).send({ value: 'd' });
    assert.notEqual((await topic.describeGroup('g')).partitions[0]?.lag, 0);
  });

  describe('one member', () => {
    it('takes every partition and receives each partition in log order', async () => {
      const producer = new Producer(redis, name, { partitions: 4 });
      await producer.sendMany(Array.from({ length: 200 }, (_, i) => ({ key: `k${String(i % 13)}`, value: String(i) })));
      const c = consumer();
      const got = await drain(c, 200);
      assert.deepEqual(c.assignment(), [0, 1, 2, 3]);
      for (let p = 0; p < 4; p++) {
        const values = got.filter((m) => m.partition === p).map((m) => Number(m.value));
        assert.deepEqual(
          values,
          [...values].sort((a, b) => a - b),
          `partition ${String(p)} in order`,
        );
      }
      assert.equal(new Set(got.map((m) => m.value)).size, 200);
      assert.ok(got.every((m) => m.attempt === 1 && m.topic === name && m.key !== null && m.timestamp > 0));
    });

    it("under 'partition' ordering hands out one message per partition until it settles", async () => {
      await new Producer(redis, name, { partitions: 2 }).sendMany(Array.from({ length: 6 }, (_, i) => ({ value: String(i), partition: i % 2 })));
      const c = consumer();
      const first = await c.fetch({ max: 10 });
      assert.deepEqual(first.map((m) => m.value).sort(), ['0', '1']);
      assert.deepEqual(await c.fetch({ max: 10 }), [], 'both partitions have a message in flight');
      await first.find((m) => m.partition === 0)?.ack();
      assert.deepEqual(
        (await c.fetch({ max: 10 })).map((m) => m.value),
        ['2'],
      );
    });

    it('two groups each receive every message, each partition in log order', async () => {
      await new Producer(redis, name, { partitions: 3 }).sendMany(Array.from({ length: 90 }, (_, i) => ({ value: String(i) })));
      for (const group of ['a', 'b']) {
        const got = await drain(consumer({ group }), 90);
        assert.equal(new Set(got.map((m) => m.value)).size, 90, `${group} got every message`);
        for (let p = 0; p < 3; p++) {
          const values = got.filter((m) => m.partition === p).map((m) => Number(m.value));
          assert.deepEqual(
            values,
            [...values].sort((a, b) => a - b),
          );
        }
      }
    });

    it("a nacked message comes back before any later message of its partition, after its delay ('partition' ordering)", async () => {
      await new Producer(redis, name, { partitions: 1 }).sendMany(['a', 'b', 'c'].map((value) => ({ value })));
      const c = consumer();
      const [a] = await c.fetch();
      assert.equal(a?.value, 'a');
      const nackedAt = Date.now();
      assert.equal(await a.nack({ delayMs: 300 }), 'retry');
      assert.deepEqual(await c.fetch(), [], 'the partition waits out the delay');
      let again: TopicMessage<string>[] = [];
      await waitFor(async () => (again = await c.fetch()).length > 0, 5000, 'the retry');
      assert.ok(Date.now() - nackedAt >= 250, 'not before its delay');
      assert.deepEqual(
        again.map((m) => [m.value, m.attempt]),
        [['a', 2]],
      );
      await again[0]?.ack();
      assert.deepEqual(
        (await drain(c, 2)).map((m) => m.value),
        ['b', 'c'],
      );
    });

    it("under 'none' ordering a retry comes back when due, after later messages", async () => {
      await new Producer(redis, name, { partitions: 1 }).sendMany(['a', 'b', 'c'].map((value) => ({ value })));
      const c = consumer({ ordering: 'none' });
      const [a, ...rest] = await c.fetch({ max: 1 }).then(async (first) => [...first, ...(await c.fetch({ max: 10 }))]);
      assert.equal(await a?.nack({ delayMs: 100 }), 'retry');
      assert.deepEqual(
        rest.map((m) => m.value),
        ['b', 'c'],
      );
      await Promise.all(rest.map((m) => m.ack()));
      const retried = await drain(c, 1);
      assert.deepEqual(
        retried.map((m) => [m.value, m.attempt]),
        [['a', 2]],
      );
    });

    it('dead-letters a poison message after maxAttempts, and its partition goes on', async () => {
      const producer = new Producer(redis, name, { partitions: 1 });
      await producer.sendMany([{ value: 'poison', key: 'p', headers: { trace: 't1' } }, { value: 'next' }]);
      const c = consumer({ maxAttempts: 3 });
      const outcomes: string[] = [];
      for (let attempt = 1; attempt <= 3; attempt++) {
        let got: TopicMessage<string>[] = [];
        await waitFor(async () => (got = await c.fetch()).length > 0, 5000, `attempt ${String(attempt)}`);
        assert.deepEqual(
          got.map((m) => [m.value, m.attempt]),
          [['poison', attempt]],
        );
        const [delivered] = got;
        assert.ok(delivered);
        outcomes.push(await delivered.nack({ error: `boom ${String(attempt)}` }));
      }
      assert.deepEqual(outcomes, ['retry', 'retry', 'dead']);
      assert.deepEqual(
        (await drain(c, 1)).map((m) => m.value),
        ['next'],
      );
      const [dead, ...none] = await new Topic(redis, name).deadLetters('g');
      assert.deepEqual(none, []);
      assert.ok(dead);
      assert.equal(dead.value, 'poison');
      assert.equal(dead.key, 'p');
      assert.deepEqual(dead.headers, { trace: 't1' });
      assert.equal(dead.attempts, 3);
      assert.equal(dead.error, 'boom 3');
      assert.equal(dead.partition, 0);
      const pending = (await redis.xpending(`:tp{${name}#0}:log`, 'g')) as [number, ...unknown[]];
      assert.equal(pending[0], 0, 'the dead letter was acked');
    });

    it('dead-letters a message whose deliveries were never settled (a crash every time), at claim time', async () => {
      await new Producer(redis, name, { partitions: 1 }).send({ value: 'crasher' });
      const c = consumer({ maxAttempts: 2, leaseMs: 100 });
      for (let attempt = 1; attempt <= 2; attempt++) {
        await waitFor(async () => (await c.fetch()).length > 0, 5000, `delivery ${String(attempt)}`);
        // Never settled: "the process died". The consumer forgets it, as a new process would.
        const owned = (c as unknown as { membership: { owned: Map<number, { inFlight: number }> } }).membership.owned.get(0);
        assert.ok(owned);
        owned.inFlight = 0;
      }
      // The next claim would be delivery 3: the fetch dead-letters it instead of handing it out.
      await waitFor(
        async () => {
          assert.deepEqual(await c.fetch(), []);
          return (await new Topic(redis, name).deadLetters('g')).length === 1;
        },
        5000,
        'the dead letter',
      );
      const [dead] = await new Topic(redis, name).deadLetters('g');
      assert.ok(dead);
      assert.equal(dead.attempts, 2);
      assert.match(dead.error, /without being settled/);
    });

    it('dead-letters an undecodable entry at once without a handler, reports it, and goes on', async () => {
      const producer = new Producer(redis, name, { partitions: 1 });
      await producer.send({ value: '{not json' });
      await producer.send({ value: '{"ok":true}' });
      const c = consumer<{ ok: boolean }>({ codec: jsonCodec() });
      const errors: unknown[] = [];
      c.on('error', (e) => errors.push(e));
      let got: TopicMessage<{ ok: boolean }>[] = [];
      await waitFor(async () => (got = await c.fetch()).length > 0, 5000, 'the good message');
      assert.deepEqual(
        got.map((m) => m.value),
        [{ ok: true }],
      );
      assert.ok(errors.length === 1 && GoodRedisError.is(errors[0], 'Codec'));
      const [dead] = await new Topic(redis, name, { codec: jsonCodec() }).deadLetters('g');
      assert.equal(dead?.value, undefined);
      assert.equal(String(dead?.raw), '{not json');
      assert.equal(dead?.attempts, 1);
    });

    it('replays a dead letter to its own group only; the other group skips it unseen', async () => {
      await new Producer(redis, name, { partitions: 1 }).send({ value: 'once' });
      const a = consumer({ group: 'a', maxAttempts: 1 });
      const b = consumer({ group: 'b' });
      const [m] = await a.fetch();
      assert.equal(await m?.nack({ error: 'no' }), 'dead');
      await drain(b, 1);
      const topic = new Topic(redis, name);
      const [dead] = await topic.deadLetters('a');
      assert.equal(await topic.replayDead('a', [{ partition: 0, deadId: dead?.deadId ?? '' }]), 1);
      assert.deepEqual(await topic.deadLetters('a'), []);
      assert.equal((await topic.stats()).added, 1, 'a replay is no send');
      const replayed = await drain(a, 1);
      assert.deepEqual(
        replayed.map((r) => [r.value, r.attempt]),
        [['once', 1]],
      );
      assert.deepEqual(await b.fetch(), [], 'group b skipped the replay');
      const pendingB = (await redis.xpending(`:tp{${name}#0}:log`, 'b')) as [number, ...unknown[]];
      assert.equal(pendingB[0], 0, 'and acked it');
    });

    it("keeps a group's dead letters within their caps: the newest deadLetterLimit per partition, none older than deadLetterMaxAgeMs", async () => {
      const producer = new Producer(redis, name, { partitions: 1 });
      await producer.sendMany(['a', 'b', 'c'].map((value) => ({ value, partition: 0 })));
      const c = consumer({ maxAttempts: 1, ordering: 'none', deadLetterLimit: 2, deadLetterMaxAgeMs: 300 });
      for (const m of await c.fetch({ max: 10 })) assert.equal(await m.nack({ error: `no ${m.value}` }), 'dead');
      const topic = new Topic(redis, name);
      const kept = await topic.deadLetters('g');
      assert.deepEqual(
        kept.map((d) => d.value),
        ['b', 'c'],
        'three died in order, the limit kept the newest two',
      );
      const newest = Math.max(...kept.map((d) => d.diedAt));
      await waitFor(async () => (await serverNow(redis)) > newest + 300, 5000, 'the age to pass');
      await producer.send({ value: 'd', partition: 0 });
      await waitFor(
        async () => {
          for (const m of await c.fetch({ max: 10 })) await m.nack({ error: 'no d' });
          return (await topic.deadLetters('g')).length > 0 && (await topic.deadLetters('g')).every((d) => d.value === 'd');
        },
        5000,
        'the fourth, alone',
      );
      assert.throws(
        () => consumer({ deadLetterMaxAgeMs: -1 }),
        (err: unknown) => GoodRedisError.is(err, 'InvalidArgument'),
      );
    });

    it('purges dead letters, named or all', async () => {
      const producer = new Producer(redis, name, { partitions: 2 });
      await producer.sendMany([0, 1, 2, 3].map((i) => ({ value: String(i), partition: i % 2 })));
      const c = consumer({ maxAttempts: 1, ordering: 'none' });
      for (const m of await c.fetch({ max: 10 })) await m.nack();
      const topic = new Topic(redis, name);
      const dead = await topic.deadLetters('g');
      assert.equal(dead.length, 4);
      assert.equal(await topic.purgeDead('g', [{ partition: dead[0]?.partition ?? 0, deadId: dead[0]?.deadId ?? '' }]), 1);
      assert.equal(await topic.purgeDead('g'), 3);
      assert.deepEqual(await topic.deadLetters('g'), []);
      await assert.rejects(topic.purgeDead('g', [{ partition: 0, deadId: 'nope' }]), (e) => GoodRedisError.is(e, 'InvalidArgument'));
    });

    it('redelivers a message whose lease ran out, unless it was extended', async () => {
      await new Producer(redis, name, { partitions: 2 }).sendMany([
        { value: 'left', partition: 0 },
        { value: 'kept', partition: 1 },
      ]);
      const c = consumer({ leaseMs: 300, ordering: 'none' });
      const first = await c.fetch({ max: 10 });
      const kept = first.find((m) => m.value === 'kept');
      assert.ok(kept);
      const extender = setInterval(() => void kept.extend(300).catch(() => undefined), 100);
      try {
        let again: TopicMessage<string>[] = [];
        await waitFor(async () => (again = await c.fetch({ max: 10 })).length > 0, 5000, 'the expired message');
        assert.deepEqual(
          again.map((m) => [m.value, m.attempt]),
          [['left', 2]],
        );
        await kept.ack();
      } finally {
        clearInterval(extender);
      }
      await assert.rejects(kept.extend(301), (e) => GoodRedisError.is(e, 'InvalidArgument'));
    });
  });

  describe('acking a whole batch', () => {
    // The consumers' leaseMs too: a shorter lease than the consumer's goes through the fetch script.
    const lease = { count: 1, leaseMs: 300, maxAttempts: 0, owner: 'w' };
    const pending = async (): Promise<number> => ((await redis.xpending(`:tp{${name}#0}:log`, 'g')) as [number])[0];

    it('acks a batch read whole; a stale copy of a redelivered batch is refused, though its entries are pending under the same member id', async () => {
      await new Producer(redis, name, { partitions: 1 }).sendMany(Array.from({ length: 10 }, (_, i) => ({ value: String(i) })));
      const first = consumer({ memberId: 'static', leaseMs: 300 });
      const source = first.batches({ batchSize: 5 }).jobSource();
      const [a] = (await source.leaseBatch(lease)).items;
      assert.deepEqual(
        a?.messages.map((m) => m.value),
        ['0', '1', '2', '3', '4'],
      );
      assert.deepEqual(await source.ack([a]), [undefined]);
      assert.equal(await pending(), 0);
      const topic = new Topic(redis, name);
      assert.deepEqual(await topic.stats(), { partitions: 1, messages: 10, added: 10, groups: 1, pending: 0, lag: 5 }, 'five read and acked');
      const [stale] = (await source.leaseBatch(lease)).items;
      assert.ok(stale);
      assert.deepEqual(await topic.stats(), { partitions: 1, messages: 10, added: 10, groups: 1, pending: 5, lag: 0 }, 'five more read, not acked');
      // A restart of the static member (same id, new incarnation) takes the partition over and,
      // once the batch's lease ran out, gets it again: delivery 2 of the same entries, pending
      // under the same member id as before ('none' ordering: through the fetch script alone).
      const second = consumer({ memberId: 'static', leaseMs: 300, ordering: 'none' });
      const again = second.batches({ batchSize: 5 }).jobSource();
      // Its five entries come back, each at delivery 2 (a loaded machine may hand them out over
      // more than one lease, as each one's lease is seen to have run out).
      const got: (typeof stale)[] = [];
      await waitFor(
        async () => {
          got.push(...(await again.leaseBatch(lease)).items);
          return got.flatMap((b) => b.messages).length >= 5;
        },
        5000,
        'the redelivered batch',
      );
      assert.deepEqual(
        got.flatMap((b) => b.messages.map((m) => [m.value, m.attempt])),
        ['5', '6', '7', '8', '9'].map((v) => [v, 2]),
      );
      const [outcome] = await source.ack([stale]);
      assert.ok(GoodRedisError.is(outcome, 'LeaseLost'), 'the stale copy is not the delivery pending now');
      assert.equal(await pending(), 5, 'nothing was acked');
      assert.deepEqual(
        await again.ack(got),
        got.map(() => undefined),
      );
      assert.equal(await pending(), 0);
    });

    it('acks the rest of a batch a handler settled in part, and one settled meanwhile elsewhere counts as lost', async () => {
      await new Producer(redis, name, { partitions: 1 }).sendMany(Array.from({ length: 5 }, (_, i) => ({ value: String(i) })));
      const c = consumer({ leaseMs: 300 }); // the fast read: the Worker's lease is the consumer's
      const source = c.batches({ batchSize: 5 }).jobSource();
      const [batch] = (await source.leaseBatch(lease)).items;
      assert.ok(batch);
      await batch.messages[0]?.ack();
      assert.deepEqual(await source.ack([batch]), [undefined]);
      assert.equal(await pending(), 0);

      await new Producer(redis, name, { partitions: 1 }).sendMany(Array.from({ length: 5 }, (_, i) => ({ value: String(5 + i) })));
      const [next] = (await source.leaseBatch(lease)).items;
      assert.ok(next);
      const [, , third] = next.messages;
      assert.ok(third && next.messages.length === 5);
      // Acked behind the consumer's back: the batch, named whole, is no longer all pending.
      await redis.xack(`:tp{${name}#0}:log`, 'g', third.id);
      const [outcome] = await source.ack([next]);
      assert.ok(GoodRedisError.is(outcome, 'LeaseLost'));
      assert.equal(await pending(), 0, 'the four still pending were acked');
    });

    it('a released lease keeps the partition read epoch', async () => {
      await new Producer(redis, name, { partitions: 1 }).send({ value: 'x' });
      const c = consumer();
      await drain(c, 1);
      await c.close();
      const own = await redis.hgetall(`:tp{${name}#0}:own:g`);
      assert.equal(own.member, undefined, 'released');
      assert.ok(Number(own.epoch) > 0, 'an ack naming an older read can never match a later one');
    });
  });

  describe('membership', () => {
    it('balances partitions over members, sticky, and moves them when a member leaves', async () => {
      await new Topic(redis, name).ensure(6);
      const a = consumer({ memberId: 'a' });
      await a.join();
      assert.deepEqual(a.assignment(), [0, 1, 2, 3, 4, 5]);
      const b = consumer({ memberId: 'b' });
      await b.join();
      await waitFor(() => a.assignment().length === 3 && b.assignment().length === 3, 5000, 'a balanced split');
      assert.deepEqual([...a.assignment(), ...b.assignment()].sort(), [0, 1, 2, 3, 4, 5]);
      const kept = a.assignment();
      const c = consumer({ memberId: 'c' });
      await c.join();
      await waitFor(() => [a, b, c].every((m) => m.assignment().length === 2), 5000, 'three members with two each');
      assert.ok(
        a.assignment().every((p) => kept.includes(p)),
        'a kept partitions it had (sticky)',
      );
      const description = await new Topic(redis, name).describeGroup('g');
      assert.deepEqual(description.members.map((m) => [m.id, m.partitions.length]).sort(), [
        ['a', 2],
        ['b', 2],
        ['c', 2],
      ]);
      assert.ok(description.partitions.every((p) => p.owner !== null));
      const generation = c.generation;
      await b.close();
      await waitFor(() => a.assignment().length === 3 && c.assignment().length === 3, 5000, 'b left: a and c take over');
      assert.ok(c.generation > generation);
    });

    it('a group with more members than partitions gives the extra members none, and goes on', async () => {
      await new Producer(redis, name, { partitions: 2 }).sendMany([
        { value: 'x', partition: 0 },
        { value: 'y', partition: 1 },
      ]);
      const members = ['m1', 'm2', 'm3', 'm4'].map((memberId) => consumer({ memberId }));
      await Promise.all(members.map((m) => m.join()));
      await waitFor(() => members.reduce((n, m) => n + m.assignment().length, 0) === 2 && members.every((m) => m.assignment().length <= 1), 5000, 'two owners');
      const got = (await Promise.all(members.map((m) => m.fetch()))).flat();
      assert.deepEqual(got.map((m) => m.value).sort(), ['x', 'y']);
    });

    it("a crashed member's partitions and pending messages move to the others within the session timeout", async () => {
      await new Producer(redis, name, { partitions: 2 }).sendMany([
        { value: 'x', partition: 0 },
        { value: 'y', partition: 1 },
      ]);
      const crashed = consumer({ memberId: 'crashed' });
      const held = await crashed.fetch({ max: 10 });
      assert.equal(held.length, 2);
      // The process "dies": its timers stop, nothing is released.
      (crashed as unknown as { membership: { stop(): void } }).membership.stop();
      (crashed as unknown as { closing: Promise<void> }).closing = Promise.resolve();
      const survivor = consumer({ memberId: 'survivor' });
      const started = Date.now();
      const got = await drain(survivor, 2);
      assert.ok(Date.now() - started < 300 + 50 + 1000, 'within the session timeout plus a heartbeat (and slack)');
      assert.deepEqual(got.map((m) => [m.value, m.attempt]).sort(), [
        ['x', 2],
        ['y', 2],
      ]);
      // The fence: the crashed member's acks no longer land.
      const outcomes = await Promise.allSettled(held.map((m) => m.ack()));
      assert.ok(outcomes.every((o) => o.status === 'rejected' && GoodRedisError.is(o.reason, 'LeaseLost')));
    });

    it('a member whose lease was taken stops fetching the partition and says so', async () => {
      await new Topic(redis, name).ensure(1);
      const a = consumer({ memberId: 'a' });
      await a.join();
      const lost: number[][] = [];
      a.on('lost', (p) => lost.push(p));
      // Someone else holds the lease now (as after a pause longer than the session).
      await redis.hset(`:tp{${name}#0}:own:g`, 'member', 'intruder', 'incarnation', 'x', 'until', String(Date.now() + 60_000));
      assert.deepEqual(await a.fetch(), []);
      assert.deepEqual(lost, [[0]]);
      assert.deepEqual(a.assignment(), []);
    });

    it('close() releases the leases and leaves; the others take over at their next heartbeat', async () => {
      await new Topic(redis, name).ensure(2);
      const a = consumer({ memberId: 'a' });
      const b = consumer({ memberId: 'b' });
      await a.join();
      await b.join();
      await waitFor(() => a.assignment().length === 1 && b.assignment().length === 1, 5000, 'a split');
      const revoked: number[][] = [];
      a.on('revoked', (p) => revoked.push(p));
      await a.close();
      assert.equal(revoked.length, 1);
      await waitFor(() => b.assignment().length === 2, 2000, 'b to take both');
      const group = await new Topic(redis, name).describeGroup('g');
      assert.deepEqual(
        group.members.map((m) => m.id),
        ['b'],
      );
      await a.close(); // idempotent
      await assert.rejects(a.fetch(), (e) => GoodRedisError.is(e, 'InvalidArgument') && e.message.includes('closed'));
    });
  });

  describe('consuming', () => {
    it('for await yields every message; leaving the loop leaves the group', async () => {
      await new Producer(redis, name, { partitions: 2 }).sendMany(Array.from({ length: 10 }, (_, i) => ({ value: String(i) })));
      const c = consumer();
      const seen: string[] = [];
      for await (const m of c) {
        seen.push(m.value);
        await m.ack();
        if (seen.length === 10) break;
      }
      assert.equal(new Set(seen).size, 10);
      assert.deepEqual((await new Topic(redis, name).describeGroup('g')).members, []);
      assert.throws(
        () => c.consume(),
        (e) => GoodRedisError.is(e, 'InvalidArgument'),
      );
    });

    it('an idle iterator wakes on a send without polling', async () => {
      await new Topic(redis, name).ensure(1);
      const c = consumer({ blockTimeoutMs: 10_000 });
      await c.join();
      const iterator = c.consume();
      const next = iterator.next();
      await new Promise((resolve) => setTimeout(resolve, 100));
      const sentAt = Date.now();
      await new Producer(redis, name, { partitions: 1 }).send({ value: 'wake' });
      const got = await next;
      assert.equal(got.done, false);
      assert.ok(Date.now() - sentAt < 1000, 'woken by the send, not by the timeout');
      await got.value.ack();
      await iterator.return(undefined);
    });

    it('processBatch() hands consecutive messages of one partition in order, acks them together, and nacks them together on a throw', async () => {
      await new Producer(redis, name, { partitions: 2 }).sendMany(Array.from({ length: 40 }, (_, i) => ({ value: String(i), partition: i % 2 })));
      const c = consumer({ maxAttempts: 3 });
      const batches: [number, string[], number][] = [];
      let failedOnce = false;
      const worker = c.processBatch(
        async (batch) => {
          batches.push([batch.partition, batch.messages.map((m) => m.value), batch.attempt]);
          if (batch.messages.some((m) => m.value === '4') && !failedOnce) {
            failedOnce = true;
            // The handler settles one message itself; the rest of the batch is nacked by the throw.
            await (batch.messages.find((m) => m.value === '0') ?? batch.messages[0])?.ack();
            throw new Error('batch failed');
          }
        },
        { batchSize: 5, concurrency: 4, backoff: 0 },
      );
      // 40 first deliveries and the 4 retried (at least); then nothing is left pending.
      const pending = async (p: number): Promise<number> => ((await redis.xpending(`:tp{${name}#${String(p)}}:log`, 'g')) as [number])[0];
      await waitFor(async () => batches.flatMap((b) => b[1]).length >= 44 && (await pending(0)) + (await pending(1)) === 0, 10_000, 'every batch');
      await worker.close();
      for (const [partition, values] of batches) {
        assert.ok(values.length <= 5);
        assert.ok(
          values.every((v) => Number(v) % 2 === partition),
          'one partition per batch',
        );
        assert.deepEqual(
          values.map(Number),
          values.map(Number).sort((a, b) => a - b),
          'in log order',
        );
      }
      const retried = batches.filter(([, , attempt]) => attempt === 2);
      assert.equal(retried.length, 1, 'the failed batch came back once');
      // The first batch of partition 0 was 0, 2, 4, 6, 8: the handler acked 0 itself, the throw
      // nacked the rest, which came back together, in order, before anything later.
      assert.deepEqual(batches[batches.findIndex(([p]) => p === 0)]?.[1], ['0', '2', '4', '6', '8']);
      // (Later messages may join the retried batch: it is the next consecutive run of the partition.)
      assert.deepEqual(retried[0]?.[1].slice(0, 4), ['2', '4', '6', '8'], 'the rest, attempt 2, without the message acked by the handler');
      const delivered = new Set(batches.flatMap((b) => b[1]));
      assert.equal(delivered.size, 40);
    });

    it('a member closing mid-stream: the next one gets every other message once, in log order, attempt 1', async () => {
      await new Producer(redis, name, { partitions: 1 }).sendMany(Array.from({ length: 300 }, (_, i) => ({ value: String(i) })));
      const first = consumer({ memberId: 'first' });
      const seen: string[] = [];
      first.processBatch(
        (batch) => {
          seen.push(...batch.messages.map((m) => m.value));
        },
        { batchSize: 10 },
      );
      await waitFor(() => seen.length >= 100, 5000, 'a hundred messages');
      await first.close();
      const handled = seen.length;
      const second = consumer({ memberId: 'second' });
      const rest = await drain(second, 300 - handled);
      assert.deepEqual(
        [...seen, ...rest.map((m) => m.value)].map(Number),
        Array.from({ length: 300 }, (_, i) => i),
        'each message once, in log order',
      );
      assert.ok(
        rest.every((m) => m.attempt === 1),
        'no delivery counted for what the first member held',
      );
    });

    it('consumer.batches() is a source the WorkerFactory-style Worker takes', async () => {
      await new Producer(redis, name, { partitions: 1 }).sendMany(Array.from({ length: 12 }, (_, i) => ({ value: String(i) })));
      const c = consumer({ ordering: 'none' });
      const sizes: number[] = [];
      const worker = new Worker(c.batches({ batchSize: 5 }), (batch) => {
        sizes.push(batch.messages.length);
      });
      await waitFor(() => sizes.reduce((a, b) => a + b, 0) === 12, 5000, 'twelve messages');
      await worker.close();
      assert.ok(sizes.every((n) => n <= 5));
      assert.throws(
        () => c.batches({ batchSize: 0 }),
        (e) => GoodRedisError.is(e, 'InvalidArgument'),
      );
    });

    it('process() runs a Worker over the consumer and refuses a second consumption', async () => {
      await new Producer(redis, name, { partitions: 3 }).sendMany(Array.from({ length: 60 }, (_, i) => ({ value: String(i), key: `k${String(i % 7)}` })));
      const c = consumer();
      const handled: string[] = [];
      const worker = c.process(
        (m) => {
          handled.push(m.value);
        },
        { concurrency: 2 },
      );
      await waitFor(() => handled.length >= 60, 10_000, 'every message');
      assert.throws(
        () => c.process(() => undefined),
        (e) => GoodRedisError.is(e, 'InvalidArgument') && e.message.includes('already consumes'),
      );
      await c.close();
      assert.equal(worker.running, false);
      assert.equal(new Set(handled).size, 60);
    });
  });
});

/**
 * Queue and UniqueQueue on every topology: aio-py-rq's orderings element for element, delivery
 * identity, heartbeats and the reaper, blocking gets, rollback counters, bad input.
 */
import assert from 'node:assert/strict';
import { GoodRedisError, JobWorker, Pool, Queue, UniqueQueue, Worker, type Delivery, type QueueOptions, type RedisClient } from '../../../src/index.js';
import { clientList, closeAll, commandStats, connect, describeEachTopology, serverNow, uniqueName, waitFor } from '../support.js';

describeEachTopology('Queue and UniqueQueue', () => {
  let redis: RedisClient;
  let name: string;
  const open: (Queue | UniqueQueue)[] = [];
  /** A consumer of the test's queue (closed after the test without handing back). */
  const queue = (options: QueueOptions<string> = {}): Queue => {
    const q = new Queue(redis, name, options);
    open.push(q);
    return q;
  };
  const unique = (options: QueueOptions<string> = {}): UniqueQueue => {
    const q = new UniqueQueue(redis, name, options);
    open.push(q);
    return q;
  };
  /** The waiting list, left to right, as aio-py-rq's suite reads it (`LRANGE 0 -1`). */
  const listed = async (): Promise<string[]> => redis.lrange(`:q{${name}}:list`, 0, -1);

  beforeEach(() => {
    redis = connect();
    name = uniqueName('queue');
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((q) => q.close({ handBack: false })));
    await closeAll();
  });

  describe("aio-py-rq's orderings", () => {
    it('adds push on the left and getItems takes from the right, in the order added', async () => {
      const q = queue();
      for (const v of ['3', '5', '3', '1']) await q.addItem(v);
      assert.deepEqual(await listed(), ['1', '3', '5', '3']);
      assert.deepEqual(
        (await q.getItems(3)).map((d) => d.value),
        ['3', '5', '3'],
      );
      assert.equal(await q.getCount(), 1);
    });

    it('deleteItem removes every copy, or the most recently added with count 1', async () => {
      const q = queue();
      await q.addItems(['3', '5', '6', '3', '1', '4']);
      assert.deepEqual(await listed(), ['4', '1', '3', '6', '5', '3']);
      assert.equal(await q.deleteItem('3', 1), 1);
      assert.deepEqual(await listed(), ['4', '1', '6', '5', '3']);
      assert.equal(await q.deleteItem('3'), 1);
      assert.deepEqual(await listed(), ['4', '1', '6', '5']);
    });

    it('rejects put deliveries back at the head, the first of a batch next', async () => {
      const q = queue();
      await q.addItems(['1', '5', '5', '3', '6', '7']);
      const d = await q.getItems(6);
      assert.deepEqual(
        d.map((x) => x.value),
        ['1', '5', '5', '3', '6', '7'],
      );
      await q.rejectItems([d[0], d[1]] as Delivery<string>[]);
      assert.deepEqual(await listed(), ['5', '1']);
      await q.rejectItems([d[2]] as Delivery<string>[]);
      assert.deepEqual(await listed(), ['5', '1', '5']);
      await q.rejectItems([d[3], d[4], d[5]] as Delivery<string>[]);
      assert.deepEqual(await listed(), ['5', '1', '5', '7', '6', '3']);
      assert.deepEqual(
        (await q.getItems(2)).map((x) => x.value),
        ['3', '6'],
      );
    });

    it('reEnqueueTimeoutItems brings the longest-silent consumer back first, each in the order it took', async () => {
      const [a, b, c] = [queue(), queue(), queue()];
      await a.addItems(['1', '5', '3']);
      await a.getItems(3);
      await b.addItems(['1', '4', '6']);
      await b.getItems(3);
      await c.addItems(['4', '7', '8']);
      await c.getItems(3);
      const now = await serverNow(redis);
      const consumers = `:q{${name}}:consumers`;
      await redis.zadd(consumers, now - 15_000, a.consumerId, now - 10_000, b.consumerId, now - 5_000, c.consumerId);
      assert.equal(await a.reEnqueueTimeoutItems(7000), 6);
      assert.deepEqual(await listed(), ['6', '4', '1', '3', '5', '1']);
      assert.equal(await a.reEnqueueTimeoutItems(0), 3);
      assert.deepEqual(await listed(), ['6', '4', '1', '3', '5', '1', '8', '7', '4']);
      assert.deepEqual(await a.consumers(), [], 'emptied consumers are removed');
    });
  });

  describe('deliveries are identities', () => {
    it('a stale ack of an equal value fails with LeaseLost and leaves the new delivery held', async () => {
      const q = queue();
      await q.addItem('same');
      const [first] = await q.getItems();
      assert.ok(first);
      await q.rejectItem(first);
      const [second] = await q.getItems();
      assert.ok(second);
      assert.equal(second.value, first.value);
      await assert.rejects(q.ackItem(first), (err: unknown) => GoodRedisError.is(err, 'LeaseLost'));
      assert.equal((await q.stats()).processing, 1, 'the second delivery is still held');
      await q.ackItem(second);
      assert.equal((await q.stats()).processing, 0);
    });

    it('acks all or nothing: one delivery no longer held refuses the batch', async () => {
      const q = queue();
      await q.addItems(['a', 'b']);
      const [a, b] = await q.getItems(2);
      assert.ok(a && b);
      await q.ackItem(a);
      await assert.rejects(q.ackItems([a, b]), (err: unknown) => GoodRedisError.is(err, 'LeaseLost'));
      assert.equal((await q.stats()).processing, 1);
      await assert.rejects(q.rejectItems([b, a]), (err: unknown) => GoodRedisError.is(err, 'LeaseLost'));
      assert.deepEqual(await listed(), [], 'the refused reject wrote nothing');
    });

    it('after reEnqueueAllItems, the old holder cannot ack; the value runs again', async () => {
      const q = queue();
      await q.addItem('v');
      const [d] = await q.getItems();
      assert.ok(d);
      assert.equal(await q.reEnqueueAllItems(), 1);
      await assert.rejects(q.ackItem(d), (err: unknown) => GoodRedisError.is(err, 'LeaseLost'));
      assert.deepEqual(
        (await queue().getItems()).map((x) => x.value),
        ['v'],
      );
    });

    it('dropAllItems deletes what consumers hold', async () => {
      const q = queue();
      await q.addItems(['a', 'b', 'c']);
      await q.getItems(2);
      assert.equal(await q.dropAllItems(), 2);
      assert.deepEqual(await q.stats().then((s) => [s.waiting, s.processing, s.consumers]), [1, 0, 0]);
    });
  });

  describe('heartbeats and the reaper', () => {
    it('a busy consumer that heartbeats keeps its deliveries past its timeout, and its acks succeed', async () => {
      const busy = queue({ heartbeatMs: 200, consumerTimeoutMs: 1000 });
      await busy.addItems(['x', 'y']);
      const held = await busy.getItems(2);
      const other = queue({ heartbeatMs: 200, consumerTimeoutMs: 1000 });
      const start = Date.now();
      await waitFor(async () => {
        assert.deepEqual(await other.getItems(1), [], 'a live consumer was reaped');
        return Date.now() - start > 3000; // three times its timeout
      }, 10_000);
      assert.equal(await busy.ackItems(held), 2);
    });

    it("a dead consumer's deliveries come back once, in the order it took them, at another's getItems", async () => {
      const dead = queue({ heartbeatMs: 200, consumerTimeoutMs: 1000 });
      await dead.addItems(['1', '2', '3']);
      const held = await dead.getItems(3);
      await dead.close({ handBack: false }); // its heartbeat stops: it dies
      const other = queue();
      let got: Delivery<string>[] = [];
      await waitFor(async () => (got = await other.getItems(10)).length > 0, 5000, 'the reaper');
      assert.deepEqual(
        got.map((d) => d.value),
        ['1', '2', '3'],
      );
      await assert.rejects(dead.ackItems(held), (err: unknown) => GoodRedisError.is(err, 'LeaseLost'));
      assert.equal(await other.reEnqueueTimeoutItems(), 0, 'nothing comes back twice');
    });

    it('a consumer removed while alive emits lost at its next heartbeat, and registers again', async () => {
      const q = queue({ heartbeatMs: 100, consumerTimeoutMs: 1000 });
      await q.addItem('v');
      await q.getItems();
      const lost = new Promise<void>((resolve) => q.once('lost', resolve));
      await q.reEnqueueAllItems();
      await lost;
      await waitFor(async () => (await q.consumers()).some((c) => c.id === q.consumerId), 2000, 're-registration');
    });

    it('close() hands back what the consumer holds, to the head, in order', async () => {
      const q = new Queue(redis, name);
      await q.addItems(['a', 'b', 'c']);
      await q.getItems(2);
      await q.close();
      assert.deepEqual(await listed(), ['c', 'b', 'a']);
      assert.deepEqual(await q.consumers(), []);
      await assert.rejects(q.getItems(), /closed/);
    });
  });

  describe('blocking getItems', () => {
    it('wakes soon after an add, and returns [] after blockMs when nothing comes', async () => {
      const q = queue();
      const started = Date.now();
      assert.deepEqual(await q.getItems(1, { blockMs: 300 }), []);
      assert.ok(Date.now() - started >= 290);
      const waiting = q.getItems(1, { blockMs: 10_000 });
      await new Promise((resolve) => setTimeout(resolve, 100));
      const added = Date.now();
      await queue().addItem('wake');
      const [got] = await waiting;
      assert.equal(got?.value, 'wake');
      assert.ok(Date.now() - added < 1000, `woke after ${String(Date.now() - added)} ms`);
    });
  });

  describe('idle consumers send nothing but their blocking wait', () => {
    const counts = async (): Promise<{ scripts: number; blpop: number }> => {
      const stats = await commandStats(redis);
      return { scripts: (stats.get('evalsha') ?? 0) + (stats.get('eval') ?? 0), blpop: stats.get('blpop') ?? 0 };
    };

    it('an idle getItems({ blockMs }) runs its script once before and once after one BLPOP', async () => {
      const q = queue();
      const before = await counts();
      assert.deepEqual(await q.getItems(1, { blockMs: 1500 }), []);
      const after = await counts();
      assert.deepEqual({ scripts: after.scripts - before.scripts, blpop: after.blpop - before.blpop }, { scripts: 2, blpop: 1 }, 'no polling');
    });

    it('an idle JobWorker sends no command while it waits, and wakes soon after an add', async () => {
      const q = queue();
      const seen: string[] = [];
      const worker = new JobWorker(
        q.jobSource(),
        (job) => {
          seen.push(job.value);
        },
        { blockTimeoutMs: 60_000 },
      );
      try {
        // A blocked BLPOP is counted in commandstats only when it returns: look for it in CLIENT LIST.
        await waitFor(async () => (await clientList(redis)).includes(`cmd=blpop`), 5000, 'the worker to block');
        const before = await counts();
        await new Promise((resolve) => setTimeout(resolve, 1000));
        assert.deepEqual(await counts(), before, 'nothing sent while idle');
        const added = Date.now();
        await queue().addItem('wake');
        await waitFor(() => seen.length === 1, 5000, 'the worker to wake');
        assert.ok(Date.now() - added < 1000, `woke after ${String(Date.now() - added)} ms`);
      } finally {
        await worker.close();
      }
    });
  });

  describe('UniqueQueue', () => {
    it('lets a value wait once; a value handed out may be added again', async () => {
      const q = unique();
      assert.deepEqual(await q.addItems(['a', 'b', 'a']), [true, true, false]);
      assert.equal(await q.addItem('b'), false);
      assert.deepEqual(await listed(), ['b', 'a']);
      const [d] = await q.getItems();
      assert.equal(d?.value, 'a');
      assert.equal(await q.addItem('a'), true, 'a value being processed may wait again');
      assert.ok(d);
      await q.rejectItem(d);
      assert.deepEqual(await listed(), ['a', 'b'], 'a reject does not double a waiting value');
      assert.equal(await q.deleteItem('b'), 1);
      assert.equal(await q.addItem('b'), true);
      assert.equal((await q.stats()).added, 4, 'the adds that made a value wait (a, b, a again, b again), not the refused ones nor the reject');
    });

    it('a re-enqueue moves a value already waiting to the head instead of doubling it, one LREM per step', async () => {
      const q = unique();
      await q.addItems(['a', 'b', 'c']);
      await q.getItems(3);
      assert.equal(await q.addItem('b'), true, 'b waits again while its delivery is held');
      assert.equal(await q.reEnqueueAllItems(), 3);
      assert.deepEqual(await listed(), ['c', 'b', 'a'], 'b once; the head is what was taken first');
      assert.equal((await q.stats()).added, 4, 'a re-enqueue is no add');
      assert.deepEqual(
        (await q.getItems(3)).map((d) => d.value),
        ['a', 'b', 'c'],
      );
    });

    it('a value held twice and given back in one call waits once, where its first copy goes (found by the model-based test)', async () => {
      const q = unique();
      await q.addItems(['z', 'x']);
      const [z1, x] = await q.getItems(2);
      await q.addItem('z');
      const [z2] = await q.getItems(1);
      assert.deepEqual([z1?.value, x?.value, z2?.value], ['z', 'x', 'z']);
      assert.equal(await q.rejectItems([z2, x, z1] as Delivery<string>[]), 3);
      assert.deepEqual(await q.items(), ['z', 'x'], 'z once, first of the batch next');
      // The same through a re-enqueue, which moves a waiting value to the head instead of leaving it.
      const held = await q.getItems(2);
      await q.addItem('z');
      const again = await q.getItems(1);
      assert.deepEqual(
        [...held, ...again].map((d) => d.value),
        ['z', 'x', 'z'],
      );
      await q.addItem('x');
      assert.equal(await q.reEnqueueAllItems(), 3);
      assert.deepEqual(await q.items(), ['z', 'x'], 'never twice');
    });

    it('refuses a name another class wrote first, writing nothing', async () => {
      await queue().addItem('x');
      await assert.rejects(unique().addItem('y'), (err: unknown) => GoodRedisError.is(err, 'InvalidArgument') && String(err).includes('holds a queue'));
      assert.deepEqual(await listed(), ['x']);
    });
  });

  describe('rollback counters', () => {
    it('count rollbacks, refuse past maxRetry once the window passed, and reset on resetBlockedItem and ack', async () => {
      await assert.rejects(queue().canRollbackItem('v'), (err: unknown) => GoodRedisError.is(err, 'InvalidArgument'));
      const q = queue({ rollback: { maxRetry: 2, maxTimeoutMs: 0 } });
      assert.deepEqual([await q.canRollbackItem('v'), await q.canRollbackItem('v'), await q.canRollbackItem('v')], [true, true, false]);
      await q.resetBlockedItem('v');
      assert.equal(await q.canRollbackItem('v'), true);
      await q.addItem('v');
      const [d] = await q.getItems();
      assert.ok(d);
      await q.ackItem(d);
      assert.equal(await redis.hexists(`:q{${name}}:rollbacks`, 'v'), 0, 'an ack clears the counter');
      const pruned = queue({ rollback: { maxRetry: 5, maxTimeoutMs: 0 }, rollbackTtlMs: 100 });
      await pruned.canRollbackItem('old');
      await new Promise((resolve) => setTimeout(resolve, 250));
      await pruned.getItems(); // the reaper's chunk prunes counters past their time to live
      assert.equal(await redis.hexists(`:q{${name}}:rollbacks`, 'old'), 0, 'counters expire (aio-py-rq kept them forever)');
      const windowed = queue({ rollback: { maxRetry: 0, maxTimeoutMs: 60_000 } });
      assert.deepEqual([await windowed.canRollbackItem('w'), await windowed.canRollbackItem('w')], [true, true], 'inside the window');
    });
  });

  describe('under the Worker', () => {
    it('closing the Worker gives back at once a value still waiting out its retry delay', async () => {
      const q = queue();
      await q.addItem('later');
      const worker = new JobWorker(
        q.jobSource(),
        () => {
          throw new Error('not yet');
        },
        { maxAttempts: 0, backoff: 60_000 },
      );
      worker.on('error', () => undefined);
      await new Promise<void>((resolve) =>
        worker.once('failed', () => {
          resolve();
        }),
      );
      assert.deepEqual(await listed(), [], 'held while it waits out the delay');
      await worker.close();
      assert.deepEqual(await listed(), ['later']);
      assert.equal((await q.stats()).processing, 0);
    });

    it('a value redelivered after its consumer died is a new attempt (issue 28, item 13), and counts toward maxAttempts', async () => {
      const crashed = queue({ heartbeatMs: 100, consumerTimeoutMs: 1000 });
      await crashed.addItem('v');
      assert.equal((await crashed.getItems(1)).length, 1);
      // The consumer dies holding it: its heartbeat is long past; the reaper gives the value back.
      await redis.zadd(`:q{${name}}:consumers`, 1, crashed.consumerId);
      const alive = queue();
      assert.equal(await alive.reEnqueueTimeoutItems(), 1);
      const attempts: number[] = [];
      const worker = new Worker(alive, (job) => {
        attempts.push(job.attempt);
      });
      await waitFor(() => attempts.length === 1, 5000, 'the redelivery');
      await worker.close();
      assert.deepEqual(attempts, [2]);
      assert.equal((await alive.stats()).processing, 0);
    });

    it('runs under the one Worker class: new Worker(queue, handler) and new Worker(pool, handler)', async () => {
      const q = queue();
      await q.addItems(['a', 'b', 'c']);
      const seen: string[] = [];
      const worker = new Worker(q, (job) => {
        seen.push(job.value);
      });
      assert.equal(worker.consumes, q);
      assert.throws(
        () => worker.stream,
        (err: unknown) => GoodRedisError.is(err, 'InvalidArgument'),
      );
      await new Promise<void>((resolve) => worker.once('drained', resolve));
      await worker.close();
      assert.deepEqual(seen, ['a', 'b', 'c']);
      const pool = new Pool(redis, `${name}-pool`);
      await pool.addItems(['p1', 'p2']);
      const leased: string[] = [];
      const poolWorker = new Worker(pool, (job) => {
        leased.push(job.value);
      });
      await waitFor(() => leased.length === 2, 5000, 'the pool worker');
      await poolWorker.close();
      assert.deepEqual(leased.sort(), ['p1', 'p2']);
      assert.equal(await pool.getCountToProcess(), 0, 'acked: due again in 36 h');
      assert.throws(
        () => new Worker({} as unknown as Queue, () => undefined),
        (err: unknown) => GoodRedisError.is(err, 'InvalidArgument'),
      );
    });

    it('retries a failing value with its attempt raised, then puts it in the deadLetterQueue and acks it away', async () => {
      const dead = new Queue(redis, `${name}-dead`);
      open.push(dead);
      const q = queue({ deadLetterQueue: dead });
      await q.addItem('poison');
      const attempts: number[] = [];
      const worker = new JobWorker(
        q.jobSource(),
        (job) => {
          attempts.push(job.attempt);
          throw new Error('bad');
        },
        { maxAttempts: 2, backoff: 0 },
      );
      worker.on('error', () => undefined);
      const died = new Promise<void>((resolve) =>
        worker.once('dead', () => {
          resolve();
        }),
      );
      await died;
      await worker.close();
      assert.deepEqual(attempts, [1, 2]);
      assert.deepEqual(await dead.items(), ['poison']);
      assert.deepEqual([await q.getCount(), (await q.stats()).processing], [0, 0]);
      assert.equal(await redis.hexists(`:q{${name}}:rollbacks`, 'poison'), 0, 'its ack cleared the counter');
    });
  });

  describe('bad input', () => {
    it('is refused with a typed error before anything is written', async () => {
      const q = queue();
      for (const count of [0, -5, 10_001, 1.5]) await assert.rejects(q.getItems(count), (err: unknown) => GoodRedisError.is(err, 'InvalidArgument'));
      await assert.rejects(q.getItems(1, { blockMs: -1 }), (err: unknown) => GoodRedisError.is(err, 'InvalidArgument'));
      await assert.rejects(q.ackItem({ id: 'forged', value: 'x' }), (err: unknown) => GoodRedisError.is(err, 'InvalidArgument'));
      await assert.rejects(q.deleteItem('x', 0.5), (err: unknown) => GoodRedisError.is(err, 'InvalidArgument'));
      await assert.rejects(q.reEnqueueTimeoutItems(-1), (err: unknown) => GoodRedisError.is(err, 'InvalidArgument'));
      await assert.rejects(q.addItems(['ok', 42 as unknown as string]), (err: unknown) => GoodRedisError.is(err, 'Codec'));
      assert.throws(
        () => new Queue(redis, 'a{b}'),
        (err: unknown) => GoodRedisError.is(err, 'InvalidArgument'),
      );
      assert.throws(() => new Queue(redis, name, { heartbeatMs: 1000, consumerTimeoutMs: 1500 }), /consumerTimeoutMs/);
      assert.deepEqual(await listed(), []);
      assert.deepEqual(await q.consumers(), [], 'no refused call registered the consumer');
    });
  });

  it('stats, consumers, items and delete', async () => {
    const q = queue();
    await q.addItems(['a', 'b', 'c', 'd']);
    const [given] = await q.getItems(1);
    assert.ok(given);
    await q.rejectItem(given);
    await q.getItems(1);
    assert.deepEqual(await q.items(), ['b', 'c', 'd']);
    assert.deepEqual(await q.items({ offset: 1, limit: 1 }), ['c']);
    const s = await q.stats();
    assert.deepEqual([s.waiting, s.processing, s.consumers, s.deadConsumers, s.added], [3, 1, 1, 0, 4], 'a delivery given back is no add');
    const [me] = await q.consumers();
    assert.equal(me?.id, q.consumerId);
    assert.equal(me.held, 1);
    assert.ok(me.oldestHeldAt !== null && Math.abs(me.oldestHeldAt - s.now) < 5000);
    assert.equal(await redis.hget(':q:keys', name), 'queue');
    assert.equal(await q.delete(), true);
    assert.equal(await redis.hget(':q:keys', name), null);
    assert.deepEqual(await listed(), []);
  });
});

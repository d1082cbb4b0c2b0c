/** Pool on every topology: aio-py-rq's real-use case, leases by identity, and the defects it fixes. */
import assert from 'node:assert/strict';
import { GoodRedisError, Pool, Queue, type PoolOptions, type RedisClient } from '../../../src/index.js';
import { closeAll, connect, describeEachTopology, serverNow, uniqueName } from '../support.js';

const HOUR = 3_600_000;

describeEachTopology('Pool', () => {
  let redis: RedisClient;
  let name: string;
  const pool = (options: PoolOptions<string> = {}): Pool => new Pool(redis, name, options);
  const near = (actual: number | null, expected: number, what: string): void => {
    assert.ok(actual !== null && Math.abs(actual - expected) < 3000, `${what}: ${String(actual)} is not near ${String(expected)}`);
  };

  beforeEach(() => {
    redis = connect();
    name = uniqueName('pool');
  });
  afterEach(closeAll);

  it("aio-py-rq's real-use case: acked items rest 36 h, a leased one holds 600 s, a future one waits", async () => {
    const p = pool();
    const t = await serverNow(redis);
    assert.deepEqual(await p.addItems(['1', '2', '3', '4', '5', '6']), [true, true, true, true, true, true]);
    assert.equal(await p.addItem('7', { dueAt: t + 5000 }), true);
    const first = await p.getItems(3);
    assert.deepEqual(
      first.map((l) => l.value),
      ['1', '2', '3'],
    );
    await p.ackItems(first.filter((l) => l.value !== '2'));
    const second = await p.getItems(3);
    assert.deepEqual(
      second.map((l) => l.value),
      ['4', '5', '6'],
    );
    await p.ackItems([...first.filter((l) => l.value === '2'), ...second.filter((l) => l.value !== '6')]);
    for (const item of ['1', '2', '3', '4', '5']) near(await p.dueAt(item), t + 36 * HOUR, item);
    near(await p.dueAt('6'), t + 600_000, '6 (leased)');
    near(await p.dueAt('7'), t + 5000, '7');
    assert.equal(await p.getCount(), 7);
    assert.equal(await p.getCountToProcess(), 0);
    assert.deepEqual(await p.getItems(3), []);
  });

  it('never leases an item twice at once, however long ago it fell due (aio-py-rq leased it twice in a row)', async () => {
    const p = pool();
    await p.addItem('old', { dueAt: (await serverNow(redis)) - 2_000_000 });
    assert.equal((await p.getItems()).length, 1);
    assert.deepEqual(await p.getItems(), []);
  });

  it('keeps the lease of a re-added item; its ack works and makes it due at once (aio-py-rq dropped the lease)', async () => {
    const p = pool();
    await p.addItem('x');
    const [lease] = await p.getItems();
    assert.ok(lease);
    assert.equal(await p.addItem('x'), false);
    assert.deepEqual(await pool().getItems(), [], 'another consumer must not get it while leased');
    assert.equal((await p.stats()).added, 1, 'a re-add of an item in the pool is not counted');
    await p.ackItem(lease);
    assert.deepEqual(
      (await pool().getItems()).map((l) => l.value),
      ['x'],
      're-added during the lease: due at once',
    );
  });

  it('fences by lease id: a holder whose lease ran out cannot ack, extend or remove the next lease', async () => {
    const p = pool({ ackTtlMs: 150 });
    await p.addItem('x');
    const [stale] = await p.getItems();
    assert.ok(stale);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const [fresh] = await p.getItems();
    assert.ok(fresh);
    assert.notEqual(fresh.id, stale.id);
    for (const call of [() => p.ackItem(stale), () => p.extendItems([stale]), () => p.removeItem(stale)]) {
      await assert.rejects(call(), (err: unknown) => GoodRedisError.is(err, 'LeaseLost'));
    }
    await p.extendItems([fresh], 60_000);
    await p.removeItem(fresh);
    assert.equal(await p.isInPool('x'), false);
    await assert.rejects(
      p.ackItem(fresh),
      (err: unknown) => GoodRedisError.is(err, 'LeaseLost'),
      'an ack of an item not leased is an error, not a silent no-op',
    );
  });

  it('deleteItems removes leased or not; clear empties in chunks', async () => {
    const p = pool({ chunkSize: 2 });
    await p.addItems(['a', 'b', 'c', 'd', 'e']);
    const [lease] = await p.getItems();
    assert.ok(lease);
    assert.equal(await p.deleteItems(['a', 'b', 'zz']), 2);
    await assert.rejects(p.ackItem(lease), (err: unknown) => GoodRedisError.is(err, 'LeaseLost'));
    assert.equal(await p.clear(), 3);
    assert.equal(await p.getCount(), 0);
    assert.equal(await p.delete(), true, 'the emptied pool still has its meta');
    assert.equal(await p.delete(), false);
  });

  it('getAllItems leases everything due, in chunks', async () => {
    const p = pool({ chunkSize: 3 });
    await p.addItems(['a', 'b', 'c', 'd', 'e', 'f', 'g']);
    assert.equal((await p.getAllItems()).length, 7);
    assert.equal(await p.getCountToProcess(), 0);
  });

  it('refuses bad input and another class on its name, writing nothing', async () => {
    const p = pool();
    for (const count of [0, 10_001, 2.5]) await assert.rejects(p.getItems(count), (err: unknown) => GoodRedisError.is(err, 'InvalidArgument'));
    await assert.rejects(p.addItem('x', { dueAt: Number.NaN }), (err: unknown) => GoodRedisError.is(err, 'InvalidArgument'));
    await assert.rejects(p.addItem(''), (err: unknown) => GoodRedisError.is(err, 'InvalidArgument'));
    await assert.rejects(p.ackItem({ id: 'forged', value: 'x' }), (err: unknown) => GoodRedisError.is(err, 'InvalidArgument'));
    await assert.rejects(p.extendItems([], -1), (err: unknown) => GoodRedisError.is(err, 'InvalidArgument'));
    assert.equal(await p.getCount(), 0);
    await new Queue(redis, name).addItem('q');
    await assert.rejects(p.addItem('x'), (err: unknown) => GoodRedisError.is(err, 'InvalidArgument') && String(err).includes('holds a queue'));
    assert.equal(await p.getCount(), 0);
    assert.equal(await redis.hget(':q:keys', name), 'queue');
  });
});

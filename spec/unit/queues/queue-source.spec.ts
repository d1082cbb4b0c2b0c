/**
 * The queue's and the pool's sources for the Worker, without a server: over a fake queue and a
 * fake pool that record what the source asks of them.
 */
import assert from 'node:assert/strict';
import sinon from 'sinon';
import { GoodRedisError, type RedisClient } from '../../../src/index.js';
import { QueueSource, type QueueSourceContext } from '../../../src/queues/queue-source.js';
import { PoolSource, type PoolSourceContext } from '../../../src/queues/pool-source.js';

/** A fake queue: `taken` is what the next take hands out; rollbacks are counted against `budget`. */
function fakeQueue(budget = Infinity): QueueSourceContext<string> & { calls: string[]; held: Set<string> } {
  const calls: string[] = [];
  const held = new Set<string>();
  let used = 0;
  return {
    calls,
    held,
    client: {} as RedisClient,
    kind: 'queue',
    name: 'q',
    prefix: 'P',
    marker: 'P:q{q}:marker',
    rollback: undefined,
    take: (count) => {
      calls.push(`take ${String(count)}`);
      const taken = [
        { id: 'd1', value: 'a', rollbacks: 0 },
        { id: 'd2', value: 'b', rollbacks: 2 },
      ].slice(0, count);
      for (const t of taken) held.add(t.id);
      return Promise.resolve({ taken, errors: [] });
    },
    ackItem: () => Promise.resolve(),
    rejectItem: () => Promise.resolve(),
    ackItems: (jobs) => {
      calls.push(`ack ${jobs.map((j) => j.id).join(',')}`);
      if (jobs.length > 1 && jobs.some((j) => !held.has(j.id))) return Promise.reject(new GoodRedisError('LeaseLost', 'one is gone'));
      if (!jobs.every((j) => held.has(j.id))) return Promise.reject(new GoodRedisError('LeaseLost', `${jobs[0]?.id ?? ''} is gone`));
      for (const j of jobs) held.delete(j.id);
      return Promise.resolve(jobs.length);
    },
    rejectItems: (jobs) => {
      calls.push(`reject ${jobs.map((j) => j.id).join(',')}`);
      return Promise.resolve(jobs.length);
    },
    countRollback: (value) => {
      calls.push(`rollback ${value}`);
      used += 1;
      return Promise.resolve(used <= budget);
    },
    bury: (value) => {
      calls.push(`bury ${value}`);
      return Promise.resolve();
    },
    holds: (ids) => Promise.resolve(ids.map((id) => held.has(id))),
    report: (err) => {
      calls.push(`report ${String(err)}`);
    },
  };
}

describe('QueueSource (unit)', () => {
  afterEach(() => {
    sinon.restore();
  });

  it('names its queue, and makes a job of each delivery taken, its attempt one more than its rollbacks', async () => {
    const queue = fakeQueue();
    const source = new QueueSource(queue);
    assert.deepEqual([source.object.family, source.object.name, source.object.prefix], ['queue', 'q', 'P']);
    const { items, wakeInMs } = await source.leaseBatch({ count: 2, leaseMs: 1000, maxAttempts: 5, owner: '' });
    assert.deepEqual(
      items.map((j) => [j.id, j.value, j.attempt]),
      [
        ['d1', 'a', 1],
        ['d2', 'b', 3],
      ],
    );
    assert.equal(wakeInMs, -1);
    const job = items[0];
    assert.ok(job);
    assert.deepEqual(source.object.describe?.(job), { id: 'd1' });
  });

  it('acks all at once, and one by one when the batch was refused for one lost delivery', async () => {
    const queue = fakeQueue();
    const source = new QueueSource(queue);
    const { items } = await source.leaseBatch({ count: 2, leaseMs: 1000, maxAttempts: 5, owner: '' });
    queue.held.delete('d2'); // a reaper took it
    const outcomes = await source.ack(items);
    assert.equal(outcomes[0], undefined);
    assert.ok(GoodRedisError.is(outcomes[1], 'LeaseLost'));
    assert.deepEqual(queue.calls.slice(1), ['ack d1,d2', 'ack d1', 'ack d2']);
  });

  it('answers an extend by whether each delivery is still held', async () => {
    const queue = fakeQueue();
    const source = new QueueSource(queue);
    const { items } = await source.leaseBatch({ count: 2, leaseMs: 1000, maxAttempts: 5, owner: '' });
    queue.held.delete('d1');
    const [lost, kept] = await source.extend(items);
    assert.ok(GoodRedisError.is(lost, 'LeaseLost'));
    assert.equal(kept, undefined);
  });

  it("counts a nack's rollback against the Worker's maxAttempts, and buries and acks a value out of attempts", async () => {
    const queue = fakeQueue(1);
    const source = new QueueSource(queue);
    const { items } = await source.leaseBatch({ count: 2, leaseMs: 1000, maxAttempts: 2, owner: '' });
    const outcomes = await source.nack(items, { delayMs: 0, error: 'boom' });
    assert.deepEqual(outcomes, ['retry', 'dead']);
    assert.deepEqual(queue.calls.slice(1), ['rollback a', 'rollback b', 'reject d1', 'bury b', 'ack d2']);
  });

  it('holds a delayed nack here until its delay ran out, and gives the waiting ones back at close', async () => {
    const clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const queue = fakeQueue();
    const source = new QueueSource(queue);
    const { items } = await source.leaseBatch({ count: 2, leaseMs: 1000, maxAttempts: 0, owner: '' });
    assert.deepEqual(await source.nack(items, { delayMs: 5000, error: 'later' }), ['retry', 'retry']);
    assert.deepEqual(queue.calls.slice(1), [], 'no attempts limit: no rollback counted; nothing given back yet');
    await clock.tickAsync(5000);
    assert.deepEqual(queue.calls.slice(1), ['reject d1', 'reject d2']);
    const again = await source.leaseBatch({ count: 1, leaseMs: 1000, maxAttempts: 0, owner: '' });
    await source.nack(again.items, { delayMs: 60_000, error: 'later' });
    await source.close();
    assert.deepEqual(queue.calls.slice(-1), ['reject d1'], 'given back at once by close()');
    await clock.tickAsync(60_000);
    assert.deepEqual(queue.calls.slice(-1), ['reject d1'], 'and not again when its timer would have run');
  });
});

describe('PoolSource (unit)', () => {
  const fakePool = (): PoolSourceContext<string> & { calls: string[] } => {
    const calls: string[] = [];
    return {
      calls,
      client: {} as RedisClient,
      name: 'p',
      prefix: '',
      marker: ':q{p}:pool-marker',
      lease: (count, ttlMs) => {
        calls.push(`lease ${String(count)} ${String(ttlMs)}`);
        return Promise.resolve({ leases: [{ id: 'l1', value: 'x' }], wakeInMs: 250, errors: [] });
      },
      ackItem: () => Promise.resolve(),
      ackItems: (leases) => {
        calls.push(`ack ${leases.map((l) => l.id).join(',')}`);
        return Promise.resolve(leases.length);
      },
      extendItems: (leases, ttlMs) => {
        calls.push(`extend ${leases.map((l) => l.id).join(',')} ${String(ttlMs)}`);
        return Promise.resolve(leases.length);
      },
    };
  };

  it('leases for the Worker, acks, extends, makes a nacked item due after its delay and a released one at once', async () => {
    const pool = fakePool();
    const source = new PoolSource(pool);
    assert.deepEqual([source.object.family, source.object.name], ['pool', 'p']);
    const { items, wakeInMs } = await source.leaseBatch({ count: 3, leaseMs: 9000, maxAttempts: 5, owner: '' });
    assert.deepEqual(
      items.map((j) => [j.id, j.value, j.attempt]),
      [['l1', 'x', 1]],
    );
    assert.equal(wakeInMs, 250);
    assert.deepEqual(await source.ack(items), [undefined]);
    assert.deepEqual(await source.extend(items, 5000), [undefined]);
    assert.deepEqual(await source.nack(items, { delayMs: 700, error: 'x' }), ['retry']);
    await source.release(items);
    assert.deepEqual(pool.calls, ['lease 3 9000', 'ack l1', 'extend l1 5000', 'extend l1 700', 'extend l1 0']);
  });
});

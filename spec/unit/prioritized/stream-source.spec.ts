/** The stream's source for the Worker, without a server: over a fake stream that records what the source asks of it. */
import assert from 'node:assert/strict';
import { GoodRedisError, type RedisClient } from '../../../src/index.js';
import { StreamSource, type StreamSourceContext } from '../../../src/prioritized/stream-source.js';
import type { LeaseRef } from '../../../src/prioritized/types.js';

function fakeStream(lost = new Set<string>()): StreamSourceContext<string> & { calls: string[] } {
  const calls: string[] = [];
  const keys = (leases: readonly LeaseRef[]): string => leases.map((l) => l.key).join(',');
  const settle = (what: string, leases: readonly LeaseRef[]): Promise<number> => {
    calls.push(`${what} ${keys(leases)}`);
    // All or nothing, as the scripts are: one lost lease refuses the batch.
    if (leases.some((l) => lost.has(l.key))) return Promise.reject(new GoodRedisError('LeaseLost', `${keys(leases)}: a lease is gone`));
    return Promise.resolve(leases.length);
  };
  return {
    calls,
    client: {} as RedisClient,
    name: 's',
    prefix: 'P',
    marker: 'P{s}:marker',
    lease: (request) => {
      calls.push(`lease ${String(request.count)}`);
      return Promise.resolve({
        items: [
          { key: 'a', value: 'A', priority: 2, attempt: 1, leaseId: 'L1' },
          { key: 'b', value: 'B', priority: 1, attempt: 3, leaseId: 'L2' },
        ],
        wakeInMs: 40,
        undecodable: ['a codec error'],
      });
    },
    ack: (leases, options) => settle(`ack${options?.gate === true ? ' gated' : ''}`, leases),
    extend: (leases) => settle('extend', leases),
    nack: (leases) => {
      calls.push(`nack ${keys(leases)}`);
      return Promise.resolve({ requeued: 0, delayed: leases[0]?.key === 'a' ? 1 : 0, dead: leases[0]?.key === 'b' ? 1 : 0 });
    },
    release: (leases) => settle('release', leases),
  };
}

describe('StreamSource (unit)', () => {
  it('names its stream and each job by its key, and makes jobs of what it leased (with the errors of what did not decode)', async () => {
    const stream = fakeStream();
    const source = new StreamSource(stream, {});
    const { items, wakeInMs, errors } = await source.leaseBatch({ count: 2, leaseMs: 1000, maxAttempts: 5, owner: 'w' });
    assert.deepEqual(
      items.map((j) => [j.key, j.value, j.priority, j.attempt, j.leaseId]),
      [
        ['a', 'A', 2, 1, 'L1'],
        ['b', 'B', 1, 3, 'L2'],
      ],
    );
    assert.equal(wakeInMs, 40);
    assert.deepEqual(errors, ['a codec error']);
    assert.deepEqual([source.object.family, source.object.name, source.object.prefix], ['stream', 's', 'P']);
    const job = items[1];
    assert.ok(job);
    assert.deepEqual(source.object.describe?.(job), { id: 'b' });
  });

  it('acks with its ack options, one by one when one lease of the batch was lost', async () => {
    const stream = fakeStream(new Set(['b']));
    const source = new StreamSource(stream, { gate: true });
    const { items } = await source.leaseBatch({ count: 2, leaseMs: 1000, maxAttempts: 5, owner: 'w' });
    const outcomes = await source.ack(items);
    assert.equal(outcomes[0], undefined);
    assert.ok(GoodRedisError.is(outcomes[1], 'LeaseLost'));
    assert.deepEqual(stream.calls.slice(1), ['ack gated a,b', 'ack gated a', 'ack gated b']);
  });

  it('nacks each job on its own and says which died; extends and releases', async () => {
    const stream = fakeStream();
    const source = new StreamSource(stream, {});
    const { items } = await source.leaseBatch({ count: 2, leaseMs: 1000, maxAttempts: 5, owner: 'w' });
    assert.deepEqual(await source.nack(items, { delayMs: 10, error: 'x' }), ['retry', 'dead']);
    assert.deepEqual(await source.extend(items, 500), [undefined, undefined]);
    await source.release(items);
    assert.deepEqual(stream.calls.slice(1), ['nack a', 'nack b', 'extend a,b', 'release a,b']);
  });
});

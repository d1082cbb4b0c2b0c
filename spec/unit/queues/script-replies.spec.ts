/** Every queue script's reply decoder, without a server. */
import assert from 'node:assert/strict';
import { QUEUE_SCRIPTS_TABLE as Q } from '../../../src/queues/scripts.js';

describe('queue script replies (unit)', () => {
  it('reads a get: each delivery with its stored value and rollbacks', () => {
    const raw = Buffer.from('v2');
    assert.deepEqual(Q.getItems.decode(['d1', 'v1', 0, 'd2', raw, '3']), [
      { id: 'd1', raw: 'v1', rollbacks: 0 },
      { id: 'd2', raw, rollbacks: 3 },
    ]);
    assert.deepEqual(Q.getItems.decode([]), []);
  });

  it('reads counts as numbers, and a pool add as one flag per item', () => {
    for (const name of ['ackItems', 'rejectItems', 'deleteItem', 'rollback', 'releaseItems', 'poolSettle', 'poolDelete', 'deleteQueue'] as const) {
      assert.equal(Q[name].decode(2), 2, name);
    }
    assert.deepEqual(Q.poolAdd.decode([1, 0, 1]), [true, false, true]);
  });

  it("reads an add: a queue's length, or whether each value was new to a unique queue", () => {
    assert.deepEqual(Q.addItems.decode(12), { length: 12 });
    assert.deepEqual(Q.addItems.decode([1, 0]), { added: [true, false] });
    assert.deepEqual(Q.addItems.decode([]), { added: [] });
  });

  it('reads a heartbeat: whether the consumer was still known, and what Redis holds for it', () => {
    assert.deepEqual(Q.heartbeat.decode([1, 7]), { known: true, held: 7 });
    assert.deepEqual(Q.heartbeat.decode([0, 0]), { known: false, held: 0 });
  });

  it('reads a reap: what moved and whether anything is left', () => {
    assert.deepEqual(Q.reapItems.decode([5, 0]), { moved: 5, left: 0 });
  });

  it('reads the stats of a queue and of a pool', () => {
    assert.deepEqual(Q.readStats.decode([1, 2, 3, 4, 5, 6]), { waiting: 1, processing: 2, consumers: 3, deadConsumers: 4, added: 5, now: 6 });
    assert.deepEqual(Q.poolStats.decode([1, 2, 3, 4, 5]), { size: 1, due: 2, leased: 3, added: 4, now: 5 });
  });

  it('reads the consumers, with their timeout from their info (60 s when it is unreadable)', () => {
    const reply = [2, 'c1', 1000, 1, 3, 900, '{"t":5000}', 'c2', 2000, 0, 0, -1, 'garbage'];
    assert.deepEqual(Q.readConsumers.decode(reply), [
      { id: 'c1', lastHeartbeatAt: 1000, alive: true, held: 3, oldestHeldAt: 900, consumerTimeoutMs: 5000 },
      { id: 'c2', lastHeartbeatAt: 2000, alive: false, held: 0, oldestHeldAt: null, consumerTimeoutMs: 60_000 },
    ]);
  });

  it('reads a pool lease: each item with its stored value, and when to look again', () => {
    assert.deepEqual(Q.poolGet.decode([['i1', 'v1', 'i2', 'v2'], 30]), {
      leased: [
        { id: 'i1', raw: 'v1' },
        { id: 'i2', raw: 'v2' },
      ],
      wakeInMs: 30,
    });
  });
});

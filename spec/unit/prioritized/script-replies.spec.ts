/**
 * Every stream script's reply decoder, without a server: the reply as Redis hands it over (numbers
 * as integers, priorities and keys as strings or Buffers) becomes the typed result the classes use.
 */
import assert from 'node:assert/strict';
import { SCRIPTS } from '../../../src/prioritized/scripts.js';

describe('stream script replies (unit)', () => {
  it('reads a priority as an exact number, or null', () => {
    assert.equal(SCRIPTS.addItem.decode('2.5'), 2.5);
    assert.equal(SCRIPTS.addItem.decode(Buffer.from('-3')), -3);
    assert.equal(SCRIPTS.addItem.decode(null), null);
    assert.equal(SCRIPTS.incrementItem.decode('7'), 7);
  });

  it('reads counts as numbers', () => {
    assert.equal(SCRIPTS.decrementAll.decode(4), 4);
    assert.equal(SCRIPTS.countItems.decode(12), 12);
    assert.equal(SCRIPTS.ackItems.decode(3), 3);
    assert.equal(SCRIPTS.extendLeases.decode(2), 2);
    assert.equal(SCRIPTS.deleteStream.decode(0), 0);
  });

  it('reads a pull: nothing, or the offset, the keys with their scores and the raw values', () => {
    assert.equal(SCRIPTS.pullItems.decode([]), undefined);
    const value = Buffer.from('v');
    assert.deepEqual(SCRIPTS.pullItems.decode(['10', ['a', '7', 'b', '8'], ['A', value]]), { offset: 10, range: ['a', '7', 'b', '8'], values: ['A', value] });
  });

  it('reads a lease: each item with its priority, attempt and lease id, and when to look again', () => {
    const reply = [[Buffer.from('k1'), 'v1', '5', 2, 'L1', 'k2', Buffer.from('v2'), '-1', 1, Buffer.from('L2'), 'cut'], -1];
    assert.deepEqual(SCRIPTS.leaseItems.decode(reply), {
      leased: [
        { key: 'k1', value: 'v1', priority: 5, attempt: 2, leaseId: 'L1' },
        { key: 'k2', value: Buffer.from('v2'), priority: -1, attempt: 1, leaseId: 'L2' },
      ],
      wakeInMs: -1,
    });
    assert.deepEqual(SCRIPTS.leaseItems.decode([[], 250]), { leased: [], wakeInMs: 250 });
  });

  it('reads what a nack, a recovery and an expiry did', () => {
    assert.deepEqual(SCRIPTS.nackItems.decode([1, 2, 3]), { requeued: 1, delayed: 2, dead: 3 });
    assert.deepEqual(SCRIPTS.recoverItems.decode([4, 5, 6]), { returned: 4, died: 5, promoted: 6 });
    assert.deepEqual(SCRIPTS.expireItems.decode([7, 8]), { expired: 7, removed: 8 });
    assert.deepEqual(SCRIPTS.recoverItems.decode([]), { returned: 0, died: 0, promoted: 0 }, 'a short reply counts as none');
  });

  it('reads keys as strings, Buffers included', () => {
    assert.deepEqual(SCRIPTS.deleteBelow.decode(['a', Buffer.from('b')]), ['a', 'b']);
    assert.deepEqual(SCRIPTS.removeItems.decode([Buffer.from('x')]), ['x']);
    assert.deepEqual(SCRIPTS.reviveDead.decode(['k']), ['k']);
  });

  it('reads a scan page, a job state and the stats', () => {
    assert.deepEqual(SCRIPTS.scanItems.decode([Buffer.from('17'), ['k', 'v', '1']]), { cursor: '17', flat: ['k', 'v', '1'] });
    assert.equal(SCRIPTS.readState.decode(Buffer.from('{"s":"queued"}')), '{"s":"queued"}');
    assert.deepEqual(SCRIPTS.readStats.decode([1, 2, 3, 4, 5, 6, 7, 8, 9, 1_700_000_000_000]), {
      length: 1,
      gated: 2,
      cooling: 3,
      cooldownsDue: 4,
      leased: 5,
      delayed: 6,
      dead: 7,
      added: 8,
      pulled: 9,
      now: 1_700_000_000_000,
    });
  });

  it('hands lists the caller reads by position over as they are', () => {
    const flat = ['k', 'v', '1'];
    assert.equal(SCRIPTS.readItems.decode(flat), flat);
    assert.equal(SCRIPTS.readJobs.decode(flat), flat);
  });
});

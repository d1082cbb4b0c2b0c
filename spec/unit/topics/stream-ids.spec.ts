/** Stream id order, exact past 2^53. */
import assert from 'node:assert/strict';
import { compareIds, idTime } from '../../../src/topics/stream-ids.js';

describe('stream ids (unit)', () => {
  it('orders by milliseconds, then sequence, as numbers (not as strings)', () => {
    const ids = ['10-0', '9-5', '9-10', '1700000000000-18446744073709551615', '1700000000000-9007199254740993', '1700000000000-9007199254740992', '0-0'];
    assert.deepEqual([...ids].sort(compareIds), [
      '0-0',
      '9-5',
      '9-10',
      '10-0',
      '1700000000000-9007199254740992',
      '1700000000000-9007199254740993',
      '1700000000000-18446744073709551615',
    ]);
    assert.equal(compareIds('5-1', '5-1'), 0);
  });

  it('reads the time of an id', () => {
    assert.equal(idTime('1700000000123-7'), 1700000000123);
  });
});

/** The topic scripts' argument encoders: layouts and defaults, without a server. */
import assert from 'node:assert/strict';
import { PARTITION_SCRIPTS_TABLE, TOPIC_SCRIPTS_TABLE } from '../../../src/topics/scripts.js';

describe('topic script encoders (unit)', () => {
  it('send: maxLen, approximate (default on), then value, "=key" or "", headers or "" per message', () => {
    assert.deepEqual(
      PARTITION_SCRIPTS_TABLE.send.encode({
        messages: [{ value: 'a' }, { value: 'b', key: '', headers: '{"x":"1"}' }, { value: 'c', key: 'k' }],
      }),
      [0, '1', 'a', '', '', 'b', '=', '{"x":"1"}', 'c', '=k', ''],
    );
    assert.deepEqual(PARTITION_SCRIPTS_TABLE.send.encode({ maxLen: 10, approximate: false, messages: [] }), [10, '0']);
  });

  it('fetch: a delivery lease defaults to, and is capped at, the member lease', () => {
    const base = { group: 'g', member: 'm', incarnation: 'i', count: 5, leaseMs: 1000, maxAttempts: 3, ordering: 'none' as const, deadCaps: '10:0' };
    assert.deepEqual(PARTITION_SCRIPTS_TABLE.fetch.encode(base), ['g', 'm', 'i', 5, 1000, 3, 'none', 1000, '10:0']);
    assert.deepEqual(PARTITION_SCRIPTS_TABLE.fetch.encode({ ...base, lease: 200 }), ['g', 'm', 'i', 5, 1000, 3, 'none', 200, '10:0']);
    assert.deepEqual(PARTITION_SCRIPTS_TABLE.fetch.encode({ ...base, lease: 5000 }), ['g', 'm', 'i', 5, 1000, 3, 'none', 1000, '10:0']);
  });

  it('settle scripts send each delivery with its id and attempt', () => {
    const deliveries = [
      { id: '1-0', attempt: 1 },
      { id: '2-0', attempt: 3 },
    ];
    // ack: the lowest and highest id, the read epoch or '', the counts as one list, then the ids.
    assert.deepEqual(PARTITION_SCRIPTS_TABLE.ack.encode({ group: 'g', member: 'm', deliveries: [...deliveries].reverse() }), [
      'g',
      'm',
      '1-0',
      '2-0',
      '',
      '3,1',
      '2-0',
      '1-0',
    ]);
    // With a read epoch, the first and last named are the unit's lowest and highest (not compared).
    assert.deepEqual(PARTITION_SCRIPTS_TABLE.ack.encode({ group: 'g', member: 'm', deliveries, epoch: '7' }).slice(2, 6), ['1-0', '2-0', '7', '1,3']);
    assert.deepEqual(PARTITION_SCRIPTS_TABLE.nack.encode({ group: 'g', member: 'm', delayMs: 5, maxAttempts: 2, error: 'e', deadCaps: '10:0', deliveries }), [
      'g',
      'm',
      5,
      2,
      'e',
      '10:0',
      '1-0',
      1,
      '2-0',
      3,
    ]);
    assert.deepEqual(PARTITION_SCRIPTS_TABLE.release.encode({ group: 'g', member: 'm', deliveries: [] }), ['g', 'm']);
  });

  it("createGroups starts a group at 0 or $; heartbeat's leave flag defaults to staying", () => {
    assert.deepEqual(PARTITION_SCRIPTS_TABLE.createGroups.encode({ from: 'start', groups: ['a', 'b'] }), ['0', 'a', 'b']);
    assert.deepEqual(PARTITION_SCRIPTS_TABLE.createGroups.encode({ from: 'end', groups: ['a'] }), ['$', 'a']);
    assert.deepEqual(TOPIC_SCRIPTS_TABLE.heartbeat.encode({ member: 'm', sessionMs: 300 }), ['m', 300, '0']);
    assert.deepEqual(TOPIC_SCRIPTS_TABLE.heartbeat.encode({ member: 'm', sessionMs: 300, leave: true }), ['m', 300, '1']);
  });
});

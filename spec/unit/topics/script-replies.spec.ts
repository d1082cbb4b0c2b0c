/** Every topic script's reply decoder, without a server. */
import assert from 'node:assert/strict';
import { PARTITION_SCRIPTS_TABLE as P, TOPIC_SCRIPTS_TABLE as T } from '../../../src/topics/scripts.js';

describe('topic script replies (unit)', () => {
  it('reads a fetch: lost, or new entries (delivery 1) then claimed ones with their counts', () => {
    assert.deepEqual(P.fetch.decode(['lost']), { lost: true });
    const fields = ['v', 'x'];
    const reply = ['ok', 120, 0, '5-0', [['4-0', fields]], '1-0', 3, fields, '2-0', '2', fields];
    assert.deepEqual(P.fetch.decode(reply), {
      lost: false,
      wakeInMs: 120,
      lastSeen: '5-0',
      entries: [
        ['4-0', 1, fields],
        ['1-0', 3, fields],
        ['2-0', 2, fields],
      ],
    });
    assert.deepEqual(P.fetch.decode(['ok', -1, 0, '', null]), { lost: false, wakeInMs: -1, lastSeen: '', entries: [] }, 'no new entries');
  });

  it('reads an ack: all by the fast check, or one 1 or 0 per delivery', () => {
    assert.equal(P.ack.decode(3), 'all');
    assert.deepEqual(P.ack.decode([1, 0, '1']), [1, 0, 1]);
  });

  it('reads the settles, a send, a lease and the dead-letter steps', () => {
    assert.deepEqual(P.nack.decode(['retry', 'dead', Buffer.from('lost')]), ['retry', 'dead', 'lost']);
    assert.deepEqual(P.extend.decode([1, 0]), [1, 0]);
    assert.deepEqual(P.send.decode(['1-0', Buffer.from('1-1')]), ['1-0', '1-1']);
    assert.equal(P.lease.decode(1), true);
    assert.equal(P.lease.decode(0), false);
    assert.equal(P.replayDead.decode(4), 4);
    assert.equal(P.purgeDead.decode(2), 2);
  });

  it('reads the coordination: a heartbeat, the topic and the counts', () => {
    assert.deepEqual(T.heartbeat.decode([7, 'x', 'y', 'm1', '', Buffer.from('m2')]), { generation: 7, target: ['m1', '', 'm2'] });
    assert.deepEqual(T.readTopic.decode([4, 2, 'billing', Buffer.from('audit')]), { partitions: 4, version: 2, groups: ['billing', 'audit'] });
    assert.equal(T.ensureTopic.decode(4), 4);
    assert.equal(T.addGroup.decode(4), 4);
    assert.equal(T.raisePartitions.decode(-1), -1);
  });
});

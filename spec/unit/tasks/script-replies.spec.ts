/** Every task script's reply decoder, without a server. */
import assert from 'node:assert/strict';
import { TASK_QUEUE_SCRIPTS_TABLE as Q } from '../../../src/tasks/scripts.js';

describe('task script replies (unit)', () => {
  it('reads a stream lease: the deaths, the unreadable entries and the leased messages', () => {
    const reply = [150, 1, 'd-1', 'dead-msg', 5, 1, 'u-1', 'no task field', 'e-1', 1, 1, 'msg-1', 'e-2', 2, 3, Buffer.from('msg-2')];
    assert.deepEqual(Q.leaseTasks.decode(reply), {
      wakeInMs: 150,
      died: [{ entryId: 'd-1', encoded: 'dead-msg', attempts: 5 }],
      unreadable: [{ entryId: 'u-1', reason: 'no task field' }],
      leased: [
        { entryId: 'e-1', attempt: 1, deliveries: 1, encoded: 'msg-1' },
        { entryId: 'e-2', attempt: 2, deliveries: 3, encoded: Buffer.from('msg-2') },
      ],
    });
  });

  it('reads a list lease: why each unreadable delay member died, then the messages taken', () => {
    assert.deepEqual(Q.leaseList.decode([-1, 1, 'not a message', 'm1', 'm2']), { wakeInMs: -1, unreadable: ['not a message'], taken: ['m1', 'm2'] });
  });

  it('reads the settles and counts', () => {
    assert.deepEqual(Q.ackTasks.decode([1, 0]), [1, 0]);
    assert.deepEqual(Q.extendTasks.decode(['1']), [1]);
    assert.deepEqual(Q.nackTasks.decode(['retry', 'dead']), ['retry', 'dead']);
    assert.deepEqual(Q.nackList.decode(['dead']), ['dead']);
    for (const name of ['replayStream', 'replayList', 'purgeDead', 'removeSchedule', 'deleteQueue'] as const) assert.equal(Q[name].decode(3), 3, name);
  });

  it('reads the stats, the due schedules and what fired', () => {
    assert.deepEqual(Q.readStats.decode([1, 2, 3, 4, 5, 'stream', 6, 7]), {
      waiting: 1,
      active: 2,
      delayed: 3,
      dead: 4,
      length: 5,
      added: 7,
      kind: 'stream',
      schedules: 6,
    });
    assert.equal(Q.readStats.decode([0, 0, 0, 0, 0, 'zset', 0, 0]).kind, '', 'what holds no messages is no kind');
    assert.deepEqual(Q.readDue.decode([1000, 's1', 900, '{"task":"t"}', 's2', 950, null]), {
      now: 1000,
      due: [
        { id: 's1', dueMs: 900, body: '{"task":"t"}' },
        { id: 's2', dueMs: 950, body: null },
      ],
    });
    assert.deepEqual(Q.fireSchedules.decode(['s1', Buffer.from('s2')]), ['s1', 's2']);
  });
});

/** The worker registry's and the history's reply decoders, without a server. */
import assert from 'node:assert/strict';
import { decodeBeat, decodeWorkers, WORKER_SCRIPTS } from '../../../src/observe/worker-registry.js';
import { HISTORY_SCRIPTS } from '../../../src/overview/history.js';

describe('worker registry and history replies (unit)', () => {
  it('reads a beat: whether the object is paused, and refuses a reply that is no array', () => {
    assert.equal(decodeBeat([1, 1]), true);
    assert.equal(decodeBeat([1, 0]), false);
    assert.throws(() => decodeBeat('OK'), /answered no array/);
  });

  it('reads the registry: live workers first, paused objects and totals, skipping unreadable descriptions', () => {
    // What the registry needs to keep a description: its family, name and heartbeat (its id comes per row).
    const description = { family: 'stream', name: 's', heartbeatMs: 100 };
    const reply = [
      10_000,
      [
        'w-old',
        JSON.stringify({ ...description, id: 'w-old' }),
        1000,
        'w-new',
        JSON.stringify({ ...description, id: 'w-new' }),
        9950,
        'w-bad',
        'not json',
        9990,
      ],
      ['queue/q', 5000, 'nofamily/x', 6000],
      ['completed|stream/s', 4, 'failed|stream/s', 1],
    ];
    const state = decodeWorkers(reply);
    assert.equal(state.now, 10_000);
    assert.deepEqual(
      state.workers.map((w) => [w.id, w.alive, w.lastBeatAt]),
      [
        ['w-new', true, 9950],
        ['w-old', false, 1000],
      ],
    );
    assert.deepEqual(state.paused, [{ family: 'queue', name: 'q', pausedAt: 5000 }]);
    assert.deepEqual(state.totals, [{ family: 'stream', name: 's', completed: 4, failed: 1, dead: 0 }]);
  });

  it('reads a pause or resume, and an append', () => {
    assert.equal(WORKER_SCRIPTS.definitions.setPaused.decode(1), true);
    assert.equal(WORKER_SCRIPTS.definitions.setPaused.decode(0), false);
    assert.equal(HISTORY_SCRIPTS.definitions.historyAppend.decode(1), true);
    assert.equal(HISTORY_SCRIPTS.definitions.historyAppend.decode(0), false);
  });
});

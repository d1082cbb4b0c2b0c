import assert from 'node:assert/strict';
import { Closeables } from '../../../src/index.js';

describe('Closeables (unit)', () => {
  it('should close everything added, at once, and forget what was forgotten', async () => {
    const closeables = new Closeables();
    const closed: string[] = [];
    let release!: () => void;
    const slow = new Promise<void>((resolve) => (release = resolve));
    closeables.add({ close: () => slow.then(() => void closed.push('slow')) });
    closeables.add({
      close: () => {
        closed.push('fast');
        return Promise.resolve();
      },
    });
    const forget = closeables.add({
      close: () => {
        closed.push('forgotten');
        return Promise.resolve();
      },
    });
    forget();
    assert.equal(closeables.size, 2);
    let done = false;
    const closing = closeables.closeAll().then(() => (done = true));
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(closed, ['fast'], 'all start at once; the slow one still runs');
    assert.equal(done, false);
    release();
    await closing;
    assert.deepEqual(closed, ['fast', 'slow']);
    assert.equal(closeables.size, 0);
    await closeables.closeAll(); // nothing left: closes nothing twice
    assert.deepEqual(closed, ['fast', 'slow']);
  });
});

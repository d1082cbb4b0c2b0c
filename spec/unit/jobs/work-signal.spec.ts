import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import sinon from 'sinon';
import { WorkSignal } from '../../../src/jobs/work-signal.js';
import type { RedisClient } from '../../../src/index.js';

/** The blocking connection a WorkSignal duplicates: each BLPOP waits until the test answers it. */
class BlockingConnection extends EventEmitter {
  public readonly pops: { timeoutSeconds: number; answer: (marker: string | null) => void }[] = [];
  public disconnected = false;
  public blpop(_key: string, timeoutSeconds: number): Promise<[string, string] | null> {
    return new Promise((resolve) => {
      this.pops.push({
        timeoutSeconds,
        answer: (marker) => {
          resolve(marker === null ? null : [_key, marker]);
        },
      });
    });
  }
  public disconnect(): void {
    this.disconnected = true;
  }
  /** What each MULTI ran, as `command key args`. */
  public readonly pushed: string[] = [];
  public multi(): { lpush: (...a: string[]) => unknown; ltrim: (...a: (string | number)[]) => unknown; exec: () => Promise<unknown> } {
    const commands: string[] = [];
    const chain = {
      lpush: (...a: string[]) => (commands.push(['lpush', ...a].join(' ')), chain),
      ltrim: (...a: (string | number)[]) => (commands.push(['ltrim', ...a].join(' ')), chain),
      exec: () => {
        this.pushed.push(commands.join('; '));
        return Promise.resolve([]);
      },
    };
    return chain;
  }
}

function signalOver(): { signal: WorkSignal; connection: BlockingConnection } {
  const connection = new BlockingConnection();
  const client = { duplicate: () => connection } as unknown as RedisClient;
  return { signal: new WorkSignal(client, 'P{s}:marker'), connection };
}

describe('WorkSignal (unit)', () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => {
    clock = sinon.useFakeTimers();
  });
  afterEach(() => {
    clock.restore();
  });

  it('should wake at wakeInMs by its own timer, not at the BLPOP timeout (Redis keeps that to 100 ms)', async () => {
    const { signal, connection } = signalOver();
    let woke: boolean | undefined;
    void signal.waitForWork(300, 5000).then((w) => (woke = w));
    await clock.tickAsync(299);
    assert.equal(woke, undefined);
    await clock.tickAsync(1);
    assert.equal(woke, false, 'woken by the timer at 300 ms');
    assert.equal(connection.pops.length, 1);
    assert.equal(connection.pops[0]?.timeoutSeconds, 5, 'the BLPOP blocks for the idle wait');
  });

  it('should keep a BLPOP the timer outran and wait on it again, not queue another behind it', async () => {
    const { signal, connection } = signalOver();
    void signal.waitForWork(100, 5000);
    await clock.tickAsync(100);
    let woke: boolean | undefined;
    void signal.waitForWork(-1, 5000).then((w) => (woke = w));
    await clock.tickAsync(10);
    assert.equal(connection.pops.length, 1, 'one BLPOP on the connection');
    connection.pops[0]?.answer('1');
    await clock.tickAsync(0);
    assert.equal(woke, true, 'the kept BLPOP took the marker');
    void signal.waitForWork(-1, 5000);
    await clock.tickAsync(0);
    assert.equal(connection.pops.length, 2, 'a new BLPOP once the last one answered');
  });

  it('should push the marker back when a kept BLPOP takes it while no wait is on it (its worker is busy: another idle one takes it)', async () => {
    const { signal, connection } = signalOver();
    void signal.waitForWork(100, 5000);
    await clock.tickAsync(100);
    connection.pops[0]?.answer('1');
    await clock.tickAsync(0);
    assert.deepEqual(connection.pushed, ['lpush P{s}:marker 1; ltrim P{s}:marker 0 0']);
    // A BLPOP answered while a wait is on it keeps what it took.
    void signal.waitForWork(-1, 5000);
    await clock.tickAsync(0);
    connection.pops[1]?.answer('1');
    await clock.tickAsync(0);
    assert.deepEqual(connection.pushed, ['lpush P{s}:marker 1; ltrim P{s}:marker 0 0']);
  });

  it('should bound a kept BLPOP by the wait that reuses it', async () => {
    const { signal } = signalOver();
    void signal.waitForWork(100, 60_000);
    await clock.tickAsync(100);
    let woke: boolean | undefined;
    void signal.waitForWork(-1, 1000).then((w) => (woke = w));
    await clock.tickAsync(1000);
    assert.equal(woke, false, 'this wait ends at its own timeout');
  });

  it('should end a wait at once when closed, and close its connection', async () => {
    const { signal, connection } = signalOver();
    let woke: boolean | undefined;
    void signal.waitForWork(-1, 5000).then((w) => (woke = w));
    signal.close();
    await clock.tickAsync(0);
    assert.equal(woke, false);
    assert.equal(connection.disconnected, true);
    assert.equal(await signal.waitForWork(10, 5000), false);
  });
});

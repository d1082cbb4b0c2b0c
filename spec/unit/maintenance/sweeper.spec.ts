import assert from 'node:assert/strict';
import sinon from 'sinon';
import { GoodRedisError, Sweeper, type Logger, type RedisClient, type Sweepable, type SweepContext, type SweepReport } from '../../../src/index.js';

/** A sweepable that records its sweeps and answers with `report` (or runs `body`). */
function fakeSweepable(
  name: string,
  order: string[],
  body: (context: SweepContext) => Promise<SweepReport> = () => Promise.resolve({ objects: 1, failed: 0, counts: { done: 1 } }),
): Sweepable & { client: { status: string } } {
  return {
    object: name,
    objects: `${name}s`,
    source: `${name} registry`,
    client: { status: 'ready' } as unknown as RedisClient & { status: string },
    sweep: (context) => {
      order.push(name);
      return body(context);
    },
  };
}

function recordingLogger(): { logger: Logger; lines: [string, Record<string, unknown>, string][] } {
  const lines: [string, Record<string, unknown>, string][] = [];
  const log = (level: string) => (fields: Record<string, unknown>, message: string) => lines.push([level, fields, message]);
  return { logger: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') }, lines };
}

describe('Sweeper (unit)', () => {
  it('should refuse no sweepables and a bad interval', () => {
    assert.throws(
      () => new Sweeper([]),
      (err) => GoodRedisError.is(err, 'InvalidArgument'),
    );
    assert.throws(() => new Sweeper([fakeSweepable('a', [])], { intervalMs: 0 }), /intervalMs/);
  });

  it('should run every sweepable in order, sum their counts in the log, and emit each report', async () => {
    const order: string[] = [];
    const { logger, lines } = recordingLogger();
    const quiet = fakeSweepable('queue', order, () => Promise.resolve({ objects: 2, failed: 0, counts: { done: 0, reaped: 0 } }));
    const sweeper = new Sweeper([fakeSweepable('stream', order), quiet, fakeSweepable('stream', order)], { logger });
    const emitted: unknown[] = [];
    sweeper.on('sweep', (result) => emitted.push(result));
    const result = await sweeper.sweepOnce();
    assert.deepEqual(order, ['stream', 'queue', 'stream']);
    assert.deepEqual(
      result.reports.map((r) => r?.objects),
      [1, 2, 1],
    );
    assert.deepEqual(emitted, [result]);
    const [level, fields, message] = lines[0] ?? [];
    assert.equal(message, 'sweep finished');
    assert.equal(level, 'info', 'a count above 0 is a change');
    assert.deepEqual({ ...fields, durationMs: 0 }, { streams: 2, queues: 2, done: 2, reaped: 0, failed: 0, durationMs: 0 });
  });

  it('should log a sweep that changed nothing at debug', async () => {
    const { logger, lines } = recordingLogger();
    const sweeper = new Sweeper([fakeSweepable('queue', [], () => Promise.resolve({ objects: 3, failed: 0, counts: { reaped: 0 } }))], { logger });
    await sweeper.sweepOnce();
    assert.equal(lines[0]?.[0], 'debug');
  });

  it('should report an object that failed and a sweepable that threw, and go on with the next', async () => {
    const order: string[] = [];
    const failing = fakeSweepable('queue', order, ({ report }) => {
      report(new Error('boom'), 'orders');
      return Promise.resolve({ objects: 0, failed: 1, counts: {} });
    });
    const throwing = fakeSweepable('topic', order, () => Promise.reject(new Error('list unreadable')));
    const sweeper = new Sweeper([failing, throwing, fakeSweepable('stream', order)], { name: 'Maintenance' });
    const errors: [string, string | undefined][] = [];
    sweeper.on('error', (err, object) => errors.push([err.message, object]));
    const result = await sweeper.sweepOnce();
    assert.deepEqual(order, ['queue', 'topic', 'stream']);
    assert.deepEqual(errors, [
      ['boom', 'orders'],
      ['list unreadable', undefined],
    ]);
    assert.equal(result.failed, 2);
    assert.equal(result.reports[1], undefined);
    assert.equal(result.reports[2]?.objects, 1);
  });

  it('should warn, naming the object, when nobody listens for errors', async () => {
    const warn = sinon.stub(process, 'emitWarning');
    const sweeper = new Sweeper(
      [
        fakeSweepable('queue', [], ({ report }) => {
          report(new Error('boom'), 'orders');
          return Promise.resolve({ objects: 0, failed: 1, counts: {} });
        }),
      ],
      { name: 'Maintenance' },
    );
    await sweeper.sweepOnce();
    assert.equal(warn.firstCall.args[0], 'good-redis Maintenance: queue orders: boom');
  });

  it('should stop before the next sweepable once its signal is aborted', async () => {
    const order: string[] = [];
    const controller = new AbortController();
    const first = fakeSweepable('stream', order, () => {
      controller.abort();
      return Promise.resolve({ objects: 1, failed: 0, counts: {} });
    });
    const result = await new Sweeper([first, fakeSweepable('queue', order)]).sweepOnce({ signal: controller.signal });
    assert.deepEqual(order, ['stream']);
    assert.equal(result.reports.length, 1);
    assert.throws(() => new Sweeper([first]).sweepOnce({ signal: 'no' as unknown as AbortSignal }), /signal must be an AbortSignal/);
  });

  describe('on a timer', () => {
    let clock: sinon.SinonFakeTimers;
    beforeEach(() => {
      clock = sinon.useFakeTimers();
    });

    it("should stop with one error once a sweepable's connection has ended", async () => {
      const order: string[] = [];
      const ending = fakeSweepable('queue', order);
      const sweeper = new Sweeper([fakeSweepable('stream', order), ending], { intervalMs: 100 });
      const errors: string[] = [];
      sweeper.on('error', (err) => errors.push(err.message));
      sweeper.start();
      await clock.tickAsync(100);
      assert.deepEqual(order, ['stream', 'queue']);
      ending.client.status = 'end';
      await clock.tickAsync(1000);
      assert.deepEqual(order, ['stream', 'queue'], 'no sweep after the connection ended');
      assert.equal(sweeper.running, false);
      assert.deepEqual(errors, ["the queue registry's connection was closed; the Sweeper stops"]);
    });

    it('should never overlap two sweeps, and wait in stop() for the one in flight', async () => {
      let release!: () => void;
      let running = 0;
      let most = 0;
      const slow = fakeSweepable('stream', [], async () => {
        running += 1;
        most = Math.max(most, running);
        await new Promise<void>((resolve) => {
          release = resolve;
        });
        running -= 1;
        return { objects: 1, failed: 0, counts: {} };
      });
      const sweeper = new Sweeper([slow], { intervalMs: 10 });
      sweeper.start();
      await clock.tickAsync(100);
      assert.equal(running, 1);
      let stopped = false;
      const stopping = sweeper.stop().then(() => {
        stopped = true;
      });
      await clock.tickAsync(100);
      assert.equal(stopped, false, 'stop() waits for the sweep in flight');
      release();
      await stopping;
      assert.equal(most, 1);
    });
  });
});

import assert from 'node:assert/strict';
import sinon from 'sinon';
import { Expirer, GoodRedisError, type StreamRegistry, type SweepResult } from '../../../src/index.js';

/** A registry whose streams' expire() are sinon stubs. */
function fakeRegistry(names: string[]): {
  registry: StreamRegistry;
  expire: Map<string, sinon.SinonStub>;
  recover: Map<string, sinon.SinonStub>;
  namesStub: sinon.SinonStub;
} {
  const expire = new Map(names.map((n) => [n, sinon.stub().resolves(1)]));
  const recover = new Map(names.map((n) => [n, sinon.stub().resolves({ returned: 0, died: 0, promoted: 0 })]));
  const namesStub = sinon.stub().resolves(names);
  const registry = {
    client: { status: 'ready' }, // the Expirer stops once its registry's connection has ended
    names: namesStub,
    stream: (name: string) => ({ expire: expire.get(name), recover: recover.get(name) }),
  } as unknown as StreamRegistry;
  return { registry, expire, recover, namesStub };
}

function deferred(): { promise: Promise<number>; resolve: (n: number) => void } {
  let resolve!: (n: number) => void;
  const promise = new Promise<number>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe('Expirer (unit)', () => {
  let clock: sinon.SinonFakeTimers;

  beforeEach(() => {
    clock = sinon.useFakeTimers();
  });

  describe('constructor', () => {
    it('should refuse a bad interval or batch size', () => {
      const { registry } = fakeRegistry([]);
      assert.throws(
        () => new Expirer(registry, { intervalMs: 0 }),
        (err) => GoodRedisError.is(err, 'InvalidArgument'),
      );
      assert.throws(() => new Expirer(registry, { batchSize: 10_001 }), /batchSize/);
    });
  });

  describe('.start', () => {
    it('should sweep first after intervalMs, then intervalMs after each sweep', async () => {
      const { registry, namesStub } = fakeRegistry(['a']);
      const expirer = new Expirer(registry, { intervalMs: 1000 });
      expirer.start();
      await clock.tickAsync(999);
      assert.equal(namesStub.callCount, 0);
      await clock.tickAsync(1);
      assert.equal(namesStub.callCount, 1);
      await clock.tickAsync(1000);
      assert.equal(namesStub.callCount, 2);
      await expirer.stop();
    });

    it('should measure the interval from the end of a slow sweep', async () => {
      const { registry, expire, namesStub } = fakeRegistry(['a']);
      expire.get('a')?.callsFake(
        () =>
          new Promise((resolve) =>
            setTimeout(() => {
              resolve(1);
            }, 500),
          ),
      );
      const expirer = new Expirer(registry, { intervalMs: 1000 });
      expirer.start();
      await clock.tickAsync(1000 + 500 + 999);
      assert.equal(namesStub.callCount, 1);
      await clock.tickAsync(1);
      assert.equal(namesStub.callCount, 2);
      const stopping = expirer.stop();
      await clock.tickAsync(500); // lets the second slow sweep finish
      await stopping;
    });

    it('should be idempotent', async () => {
      const { registry, namesStub } = fakeRegistry(['a']);
      const expirer = new Expirer(registry, { intervalMs: 100 });
      expirer.start();
      expirer.start();
      await clock.tickAsync(100);
      assert.equal(namesStub.callCount, 1);
      await expirer.stop();
    });

    it("should not keep the process alive (unref'd timer)", async () => {
      const setTimeoutSpy = sinon.spy(globalThis, 'setTimeout');
      const { registry } = fakeRegistry([]);
      const expirer = new Expirer(registry, { intervalMs: 100 });
      expirer.start();
      const timer = setTimeoutSpy.returnValues[0] as unknown as NodeJS.Timeout;
      assert.equal(timer.hasRef(), false);
      await clock.tickAsync(100);
      assert.equal((setTimeoutSpy.returnValues[1] as unknown as NodeJS.Timeout).hasRef(), false, 'the rescheduled timer too');
      await expirer.stop();
    });

    it('should emit sweep with what each sweep did', async () => {
      const { registry, expire, recover } = fakeRegistry(['a', 'b', 'c']);
      expire.get('a')?.resolves(3);
      expire.get('b')?.resolves(0);
      recover.get('b')?.resolves({ returned: 2, died: 1, promoted: 4 });
      recover.get('c')?.resolves({ returned: 1, died: 0, promoted: 0 });
      const expirer = new Expirer(registry, { intervalMs: 10 });
      const results: SweepResult[] = [];
      expirer.on('sweep', (r) => results.push(r));
      expirer.start();
      await clock.tickAsync(10);
      await expirer.stop();
      assert.equal(results.length, 1);
      assert.deepEqual(
        { ...results[0], durationMs: 0 },
        { streams: 3, expired: 4, perStream: { a: 3, c: 1 }, returned: 3, deadLettered: 1, promoted: 4, queues: 0, reEnqueued: 0, failed: 0, durationMs: 0 },
      );
    });
  });

  describe('.stop', () => {
    it('should wait for the sweep in flight, then sweep no more', async () => {
      const { registry, expire, namesStub } = fakeRegistry(['a']);
      const slow = deferred();
      expire.get('a')?.returns(slow.promise);
      const expirer = new Expirer(registry, { intervalMs: 10 });
      expirer.start();
      await clock.tickAsync(10);
      assert.equal(expire.get('a')?.callCount, 1);
      let stopped = false;
      const stopping = expirer.stop().then(() => {
        stopped = true;
      });
      await clock.tickAsync(1000);
      assert.equal(stopped, false, 'stop() waits for the sweep');
      slow.resolve(1);
      await stopping;
      await clock.tickAsync(1000);
      assert.equal(namesStub.callCount, 1, 'no sweep after stop');
      assert.equal(expirer.running, false);
    });

    it('should be idempotent and work when never started', async () => {
      const expirer = new Expirer(fakeRegistry([]).registry);
      await expirer.stop();
      await expirer.stop();
      assert.equal(expirer.running, false);
    });
  });

  describe('errors', () => {
    it('should report a failing stream as an error event and sweep the others', async () => {
      const { registry, expire } = fakeRegistry(['a', 'b']);
      const boom = new Error('boom');
      expire.get('a')?.rejects(boom);
      const expirer = new Expirer(registry);
      const errors: [Error, string | undefined][] = [];
      expirer.on('error', (err, stream) => errors.push([err, stream]));
      const result = await expirer.sweepOnce();
      assert.deepEqual(errors, [[boom, 'a']]);
      assert.equal(result.failed, 1);
      assert.equal(result.expired, 1);
    });

    it('should report a failing registry and keep its schedule', async () => {
      const { registry, namesStub } = fakeRegistry([]);
      namesStub.rejects(new Error('connection lost'));
      const expirer = new Expirer(registry, { intervalMs: 10 });
      const errors: (string | undefined)[] = [];
      expirer.on('error', (_err, stream) => errors.push(stream));
      expirer.start();
      await clock.tickAsync(30);
      await expirer.stop();
      assert.deepEqual(errors, [undefined, undefined, undefined]);
    });

    it('should turn errors into process warnings when nobody listens, never a crash', async () => {
      const warn = sinon.stub(process, 'emitWarning');
      const { registry, expire } = fakeRegistry(['a']);
      expire.get('a')?.rejects(new Error('boom'));
      const result = await new Expirer(registry).sweepOnce();
      assert.equal(result.failed, 1);
      assert.equal(warn.callCount, 1);
      assert.match(String(warn.firstCall.args[0]), /stream a: boom/);
    });
  });
});

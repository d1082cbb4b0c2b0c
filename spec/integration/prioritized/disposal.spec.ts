/**
 * `await using` on what the library opens and runs (issue 13): connections made by
 * createConnection, the Expirer (and the Worker, in spec/unit/jobs); `{ signal }` and the logger
 * on the Expirer's sweep.
 */
import assert from 'node:assert/strict';
import sinon from 'sinon';
import { connectionFromEnv, createConnection, Expirer, GoodRedisError, StreamRegistry, type Logger } from '../../../src/index.js';
import { closeAll, connect, describeEachTopology, topologyEnv, uniqueName } from '../support.js';

describeEachTopology('await using, signals and loggers', () => {
  afterEach(closeAll);

  it('closes a connection made by createConnection at the end of its block', async () => {
    let outside: ReturnType<typeof createConnection> | undefined;
    {
      await using redis = createConnection(connectionFromEnv(topologyEnv()));
      outside = redis;
      assert.equal(await redis.ping(), 'PONG');
    }
    assert.equal(outside.status, 'end');
  });

  it('stops an Expirer at the end of its block, and logs each sweep that changed something', async () => {
    const registry = new StreamRegistry(connect(), { prefix: uniqueName('dispose') });
    const stream = registry.stream('s', { cooldownMs: 0 });
    await stream.add('k', 'v');
    await stream.pull({ expireAt: 1 }); // a cooldown already over: the sweep ends it
    const lines: string[] = [];
    const log = (level: string) => (fields: Record<string, unknown>, message: string) => lines.push(`${level} ${message} expired=${String(fields.expired)}`);
    const logger: Logger = { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
    let outside: Expirer | undefined;
    {
      await using expirer = new Expirer(registry, { intervalMs: 10, logger });
      outside = expirer;
      expirer.start();
      await new Promise<void>((resolve) => {
        expirer.once('sweep', () => {
          resolve();
        });
      });
    }
    assert.equal(outside.running, false);
    assert.equal(lines[0], 'info sweep finished expired=1');
    assert.throws(
      () => new Expirer(registry, { logger: {} as Logger }),
      (err: unknown) => GoodRedisError.is(err, 'InvalidArgument'),
    );
  });

  it('sweeps no further stream once its signal is aborted', async () => {
    const registry = new StreamRegistry(connect(), { prefix: uniqueName('signal') });
    for (const name of ['a', 'b', 'c']) {
      const stream = registry.stream(name, { cooldownMs: 0 });
      await stream.add('k', 'v');
      await stream.pull({ expireAt: 1 });
    }
    const expirer = new Expirer(registry);
    const controller = new AbortController();
    controller.abort();
    assert.deepEqual((await expirer.sweepOnce({ signal: controller.signal })).streams, 0);
    // Aborted while the first stream is swept: the sweep finishes that stream and stops.
    const stopping = new AbortController();
    const streamOf = registry.stream.bind(registry);
    sinon.stub(registry, 'stream').callsFake((name, options) => {
      stopping.abort();
      return streamOf(name, options);
    });
    const sweep = await expirer.sweepOnce({ signal: stopping.signal });
    assert.equal(sweep.streams, 1);
    assert.equal(sweep.expired, 1);
    sinon.restore();
    assert.equal((await expirer.sweepOnce()).expired, 2, 'the rest on the next sweep');
    assert.throws(
      () => expirer.sweepOnce({ signal: 'soon' as unknown as AbortSignal }),
      (err: unknown) => GoodRedisError.is(err, 'InvalidArgument'),
    );
  });
});

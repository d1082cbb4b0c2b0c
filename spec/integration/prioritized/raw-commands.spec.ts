import assert from 'node:assert/strict';
import type { RedisClient } from '../../../src/index.js';
import { GoodRedisError, PrioritizedStream, RAW_COMMAND_NAMES, registerCommands } from '../../../src/index.js';
import { closeAll, connect, describeEachTopology, uniqueName } from '../support.js';

describeEachTopology('registerCommands', () => {
  let redis: RedisClient;
  let name: string;

  beforeEach(() => {
    redis = connect();
    registerCommands(redis);
    name = uniqueName();
  });
  afterEach(closeAll);

  it('should define every good-redis command and the job commands', () => {
    assert.deepEqual([...RAW_COMMAND_NAMES].sort(), [
      'psack',
      'psadd',
      'psaddmany',
      'psdead',
      'psdecrementall',
      'psdelete',
      'psdeletebelowthreshold',
      'psexpire',
      'psextend',
      'psget',
      'psincrement',
      'pskeys',
      'pslease',
      'pslen',
      'psnack',
      'pspull',
      'pspurgedead',
      'psrecover',
      'psreplay',
      'psvalues',
    ]);
    for (const command of RAW_COMMAND_NAMES) assert.equal(typeof (redis as unknown as Record<string, unknown>)[command], 'function');
  });

  it('should run psadd, psaddmany, psget, pslen, pskeys and psvalues with good-redis arguments', async () => {
    assert.equal(await redis.psadd(name, 'a', 'A', 3), '3');
    assert.deepEqual(
      await redis.psaddmany(name, [
        ['b', 'B', 2],
        ['c', 'C', 1.5],
      ]),
      ['2', '1.5'],
    );
    assert.equal(await redis.psget(name, 'b'), 'B');
    assert.equal(await redis.pslen(name), 3);
    assert.deepEqual(await redis.pskeys(name), ['a', 'b', 'c']);
    assert.deepEqual(await redis.psvalues(name, 1, 1), ['B']);
  });

  it('should run pspull with count, purge, gate and cooldown', async () => {
    await redis.psaddmany(name, [
      ['a', 'A', 3],
      ['b', 'B', 2],
    ]);
    assert.deepEqual(await redis.pspull(name, 1, true, true, 0), ['a', 'A', '3']);
    assert.equal(await redis.psadd(name, 'a', 'A', 1), null);
    assert.deepEqual(await redis.pspull(name, 5, false), ['b', 'B', '2']);
    assert.deepEqual(await redis.pskeys(name), ['b']);
  });

  it('should run psincrement, psdecrementall, psdeletebelowthreshold, psexpire and psdelete', async () => {
    await redis.psaddmany(name, [
      ['a', 'A', 3],
      ['b', 'B', 2],
    ]);
    assert.equal(await redis.psincrement(name, 'b', 0.5), '2.5');
    assert.equal(await redis.psincrement(name, 'zz', 1), null);
    assert.equal(await redis.psdecrementall(name, 2), 2);
    assert.deepEqual(await redis.psdeletebelowthreshold(name, 1), ['b']);
    await redis.pspull(name, 1, false, false, 0, 1);
    assert.deepEqual(await redis.psexpire(name), [1, 1]);
    await redis.psadd(name, 'c', 'C', 1);
    assert.equal(await redis.psdelete(name), 4); // items, scores, the workers' marker and the stats
    assert.equal(await redis.pslen(name), 0);
  });

  it('should run the job commands: lease, extend, nack, ack, dead letters', async () => {
    await redis.psaddmany(name, [
      ['a', 'A', 3],
      ['b', 'B', 2],
    ]);
    const [leased, wakeInMs] = await redis.pslease(name, 2, 60_000, 1);
    assert.deepEqual(leased.slice(0, 4), ['a', 'A', '3', 1]);
    assert.ok(wakeInMs > 50_000);
    const [, , , , leaseA, , , , , leaseB] = leased.map(String);
    assert.match(await redis.psextend(name, [['a', leaseA ?? '']], 120_000), /^\d+$/);
    assert.deepEqual(await redis.psnack(name, [['b', leaseB ?? '']], 0, undefined, 'broke'), [0, 0, 1]);
    assert.equal(await redis.psack(name, [['a', leaseA ?? '']], true, 0), 1);
    await assert.rejects(redis.psack(name, [['a', leaseA ?? '']]), (err) => GoodRedisError.is(err, 'LeaseLost'));
    const dead = await redis.psdead(name);
    assert.deepEqual([dead[0], dead[1]], ['b', 'B']);
    assert.equal((JSON.parse(dead[3] ?? '{}') as { e?: string }).e, 'broke');
    assert.deepEqual(await redis.psreplay(name, 'b'), ['b']);
    assert.deepEqual(await redis.psrecover(name), [0, 0, 0]);
    const [again] = await redis.pslease(name, 1, 100);
    assert.equal(again[0], 'b');
    assert.deepEqual(await redis.pspurgedead(name), []);
  });

  it('should work in a pipeline, one reply per command', async () => {
    const replies = await redis.pipeline().psadd(name, 'a', 'A', 2).psadd(name, 'b', 'B', 1).pslen(name).pspull(name, 1).exec();
    assert.deepEqual(replies, [
      [null, '2'],
      [null, '1'],
      [null, 2],
      [null, ['a', 'A', '2']],
    ]);
  });

  it('should work in a transaction', async () => {
    const replies = await redis.multi().psadd(name, 'a', 'A', 2).psincrement(name, 'a', 1).psget(name, 'a').exec();
    assert.deepEqual(replies, [
      [null, '2'],
      [null, '3'],
      [null, 'A'],
    ]);
  });

  it('should work with auto-pipelining', async () => {
    const auto = connect({ enableAutoPipelining: true });
    registerCommands(auto);
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => auto.psadd(name, `k${String(i)}`, 'v', i)));
    assert.deepEqual(
      results,
      Array.from({ length: 50 }, (_, i) => String(i)),
    );
    assert.equal(await auto.pslen(name), 50);
  });

  it('should address the same keys as the classes, prefix included', async () => {
    const prefixed = connect();
    registerCommands(prefixed, { prefix: 'pre' });
    await prefixed.psadd(name, 'k', 'v', 4);
    const stream = new PrioritizedStream(redis, name, { prefix: 'pre' });
    assert.deepEqual(await stream.entries(), [{ key: 'k', value: 'v', priority: 4 }]);
    await stream.delete();
  });

  it('should return Buffers from the Buffer variants', async () => {
    await redis.psadd(name, 'bin', Buffer.from([0, 255]), 1);
    assert.deepEqual(await redis.psgetBuffer(name, 'bin'), Buffer.from([0, 255]));
    const [key, value] = await redis.pspullBuffer(name, 1);
    assert.deepEqual([key?.toString(), value], ['bin', Buffer.from([0, 255])]);
  });

  it('should reject bad arguments with a typed error and write nothing', async () => {
    await assert.rejects(redis.psadd(name, 'k', 'v', Number.NaN), (err) => GoodRedisError.is(err, 'InvalidArgument'));
    await assert.rejects(redis.pspull(name, 0), (err) => GoodRedisError.is(err, 'InvalidArgument'));
    await assert.rejects(redis.psadd('{bad}', 'k', 'v', 1), (err) => GoodRedisError.is(err, 'InvalidArgument'));
    assert.equal(await redis.pslen(name), 0);
  });

  it('should refuse a prefix with braces', () => {
    assert.throws(
      () => {
        registerCommands(redis, { prefix: '{x}' });
      },
      (err) => GoodRedisError.is(err, 'InvalidArgument'),
    );
  });
});

/**
 * The keyed-object core every family composes: one verb that encodes, runs (replicated or not)
 * and decodes, and one registration policy (once the first write landed, warned when it fails,
 * retried in the background). Without a server: the script runner is stubbed, the
 * registry write is ioredis-mock's, stubbed where it must fail.
 */
import assert from 'node:assert/strict';
import RedisMock from 'ioredis-mock';
import sinon from 'sinon';
import { stringCodec } from '../../../src/codec.js';
import type { RedisClient } from '../../../src/connection/redis-client.js';
import { ObjectCore } from '../../../src/keyspace/object-core.js';
import { defineScript } from '../../../src/scripting/define-script.js';
import { ScriptSet } from '../../../src/scripting/script-set.js';

const TABLE = {
  bump: defineScript(
    'bump-1.lua',
    ['counter'],
    'write',
    (r: { by?: number | undefined }) => [r.by ?? 1],
    (reply) => ({ value: Number(reply) }),
  ),
} as const;
const SCRIPTS = new ScriptSet<'bump', 'counter', typeof TABLE>('test', TABLE, { 'bump-1.lua': 'return 1' }, { counter: 'string' });

describe('ObjectCore (unit)', () => {
  let client: RedisClient;
  let warn: sinon.SinonStub;
  let clock: sinon.SinonFakeTimers | undefined;
  beforeEach(() => {
    client = new RedisMock();
    warn = sinon.stub(process, 'emitWarning');
  });
  afterEach(async () => {
    clock?.restore();
    clock = undefined;
    sinon.restore();
    await client.quit();
  });
  const core = (replication?: { replicas: number; timeoutMs: number }) =>
    new ObjectCore(client, 'orders', '', { counter: '{orders}:n' }, SCRIPTS, stringCodec, replication, {
      key: ':test:keys',
      what: 'counter',
      then: 'the next bump registers it',
    });
  const registrationWarnings = (): string[] =>
    warn
      .getCalls()
      .map((c) => String(c.args[0]))
      .filter((m) => m.includes('could not be registered'));

  it('encodes the request with its defaults, runs the script with the object keys, and decodes the reply', async () => {
    const run = sinon.stub(SCRIPTS, 'run').resolves(41);
    assert.deepEqual(await core().call('bump', {}), { value: 41 });
    assert.deepEqual(run.firstCall.args.slice(1), ['bump', { counter: '{orders}:n' }, [1], false]);
    await core().call('bump', { by: 5 }, { keys: { counter: '{other}:n' }, binary: true });
    assert.deepEqual(run.secondCall.args.slice(1), ['bump', { counter: '{other}:n' }, [5], true]);
  });

  it('waits for replicas on a write when the object asks for them, or when the call does', async () => {
    const replicated = sinon.stub(SCRIPTS, 'runReplicated').resolves(1);
    const plain = sinon.stub(SCRIPTS, 'run').resolves(1);
    await core({ replicas: 2, timeoutMs: 300 }).call('bump', {});
    assert.deepEqual(replicated.firstCall.args.slice(5), [2, 300]);
    await core().call('bump', {}, { replication: { replicas: 1, timeoutMs: 50 } });
    assert.deepEqual(replicated.secondCall.args.slice(5), [1, 50]);
    assert.equal(plain.callCount, 0);
  });

  it('registers nothing when the write failed', async () => {
    const sadd = sinon.stub(client, 'sadd').rejects(new Error('NOPERM'));
    await assert.rejects(core().registering(Promise.reject(new Error('OOM command not allowed'))), /OOM/);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(sadd.callCount, 0);
    assert.deepEqual(registrationWarnings(), []);
  });

  it('registers the name once a write landed', async () => {
    assert.equal(await core().registering(Promise.resolve('written')), 'written');
    assert.deepEqual(await client.smembers(':test:keys'), ['orders']);
    assert.deepEqual(registrationWarnings(), []);
  });

  it('warns when a write landed but its registration failed, and retries in the background until it goes through', async () => {
    clock = sinon.useFakeTimers({ toFake: ['setTimeout'] });
    const sadd = sinon.stub(client, 'sadd');
    sadd.onFirstCall().rejects(new Error('CLUSTERDOWN'));
    sadd.onSecondCall().rejects(new Error('CLUSTERDOWN'));
    sadd.onThirdCall().resolves(1);
    await core().registering(Promise.resolve('written'));
    await clock.tickAsync(0); // the registration goes out behind the write without the caller waiting
    assert.equal(registrationWarnings().length, 1);
    assert.match(registrationWarnings()[0] ?? '', /counter "orders" was written but could not be registered in :test:keys \(CLUSTERDOWN\); retrying/);
    await clock.tickAsync(1000);
    assert.equal(sadd.callCount, 2);
    assert.equal(registrationWarnings().length, 2);
    await clock.tickAsync(1000);
    assert.equal(sadd.callCount, 3, 'the third try goes through');
    await clock.tickAsync(5000);
    assert.equal(sadd.callCount, 3, 'and nothing more is tried');
    assert.equal(registrationWarnings().length, 2);
  });

  it('gives up after three tries, saying what registers the name next', async () => {
    clock = sinon.useFakeTimers({ toFake: ['setTimeout'] });
    const sadd = sinon.stub(client, 'sadd').rejects(new Error('CLUSTERDOWN'));
    await core().register();
    await clock.tickAsync(5000);
    assert.equal(sadd.callCount, 3);
    const warnings = registrationWarnings();
    assert.equal(warnings.length, 3);
    assert.match(warnings[2] ?? '', /the next bump registers it$/);
  });

  it('writes a kind into a hash registry, and unregisters', async () => {
    const queue = new ObjectCore(client, 'jobs', '', { counter: 'x' }, SCRIPTS, stringCodec, undefined, {
      key: ':q:keys',
      what: 'queue',
      kind: 'unique',
      then: '',
    });
    await queue.register();
    assert.deepEqual(await client.hgetall(':q:keys'), { jobs: 'unique' });
    await queue.unregister();
    assert.deepEqual(await client.hgetall(':q:keys'), {});
  });
});

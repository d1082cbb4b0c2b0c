/**
 * Defects found by the adversarial run (issue 12), one test per item fixed so far; each failed
 * on the code before the fix.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { Redis } from 'ioredis';
import type { RedisClient } from '../../../src/index.js';
import { GoodRedisError, PrioritizedStream, StreamRegistry, Worker } from '../../../src/index.js';
import { freePort } from '../../../scripts/throwaway-redis.js';
import { closeAll, connect, describeEachTopology, masters, scriptCalls, uniqueName } from '../support.js';

const ofKind =
  (kind: string, message?: RegExp) =>
  (err: unknown): boolean =>
    GoodRedisError.is(err) && err.kind === kind && (message === undefined || message.test(err.message));

describeEachTopology('Hostile input and odd sequences (issue 12)', () => {
  let redis: RedisClient;
  let stream: PrioritizedStream;

  beforeEach(() => {
    redis = connect();
    stream = new PrioritizedStream(redis, uniqueName('hostile'), { cooldownMs: 0 });
  });
  afterEach(closeAll);

  it('item 6: lease ids stay unique across delete(), so a stale ack cannot finish the new job', async () => {
    await stream.add('k', 'first');
    const [old] = await stream.lease();
    assert.ok(old);
    await stream.delete();
    await stream.add('k', 'second');
    const [fresh] = await stream.lease();
    assert.ok(fresh);
    assert.notEqual(fresh.leaseId, old.leaseId);
    await assert.rejects(stream.ack([old]), (err: unknown) => GoodRedisError.is(err, 'LeaseLost'));
    const state = await stream.state('k');
    assert.ok(state.state === 'leased' && state.leaseId === fresh.leaseId, JSON.stringify(state));
    assert.equal(await stream.ack([fresh]), 1);
  });

  it('item 9: break out of consume() hands the rest of the batch back at once, attempts not counted', async () => {
    await stream.addMany(Array.from({ length: 4 }, (_, i) => [`k${String(i)}`, 'v', 10 - i] as const));
    for await (const job of stream.consume({ count: 4, maxAttempts: 1 })) {
      await job.ack();
      break;
    }
    assert.deepEqual(await stream.keys(), ['k1', 'k2', 'k3']);
    assert.equal(await redis.zcard(stream.redisKeys.leases), 0);
    // With maxAttempts 1, a counted attempt would have sent each to the dead letters on its next failure.
    const [next] = await stream.lease({ maxAttempts: 1 });
    assert.deepEqual([next?.key, next?.attempt], ['k1', 1]);
  });

  it('item 12: an increment that would overflow to Infinity is refused with a Range error and writes nothing', async () => {
    await stream.add('big', 'v', Number.MAX_VALUE);
    await assert.rejects(stream.increment('big', Number.MAX_VALUE), (err: unknown) => GoodRedisError.is(err, 'Range'));
    assert.deepEqual(await stream.entries(), [{ key: 'big', value: 'v', priority: Number.MAX_VALUE }]);
  });

  it('item 12: an add whose summed priority would overflow is refused with a Range error and writes nothing', async () => {
    await stream.add('big', 'v', Number.MAX_VALUE);
    const isRange = (err: unknown): boolean => GoodRedisError.is(err, 'Range');
    await assert.rejects(stream.add('big', 'w', Number.MAX_VALUE, { readd: true }), isRange);
    await assert.rejects(
      stream.addMany([
        ['new', 'n', 1],
        ['twice', 't', -Number.MAX_VALUE],
        ['twice', 't', -Number.MAX_VALUE],
      ]),
      isRange,
    );
    await assert.rejects(stream.addManyDetailed([['big', 'w', 1e300]]), isRange);
    assert.deepEqual(await stream.entries(), [{ key: 'big', value: 'v', priority: Number.MAX_VALUE }]);
    assert.equal(await stream.add('big', 'w', 1e300, { mode: 'replace' }), 1e300, 'replace never sums');
  });

  it('item 7: addMany closes a chunk at chunkBytes, so big values go in several short scripts', async () => {
    const megabyte = 'm'.repeat(1024 * 1024);
    const before = await scriptCalls(redis);
    const out = await stream.addMany(Array.from({ length: 20 }, (_, i) => [`big${String(i)}`, megabyte] as const));
    assert.equal(out.length, 20);
    const scripts = (await scriptCalls(redis)) - before;
    assert.ok(scripts >= 5 && scripts <= 7, `${String(scripts)} scripts for 20 MiB at 4 MiB a script`);
    assert.equal(await stream.len(), 20);
  });

  it('item 7: a value larger than maxValueBytes is refused before anything is written', async () => {
    const small = new PrioritizedStream(redis, uniqueName('small'), { maxValueBytes: 1024 });
    const isInvalid = (err: unknown): boolean => GoodRedisError.is(err, 'InvalidArgument') && (err as Error).message.includes('maxValueBytes');
    await assert.rejects(small.add('k', 'x'.repeat(1025)), isInvalid);
    await assert.rejects(small.add('k', 'é'.repeat(600)), isInvalid, 'counted in UTF-8 bytes, not characters');
    await assert.rejects(
      small.addMany([
        ['a', 'ok'],
        ['b', 'x'.repeat(2000)],
      ]),
      isInvalid,
    );
    assert.equal(await small.len(), 0);
    assert.equal(await small.add('k', 'x'.repeat(1024)), 1);
  });

  it('item 13: a job nacked back to the stream loses the stale cooldown of an earlier pull({ purge: false })', async () => {
    await stream.add('k', 'v', 5);
    await stream.pull({ purge: false, expireAt: 1 }); // stays queued, with a cooldown already ended
    const [job] = await stream.lease();
    assert.ok(job);
    await stream.nack([job]);
    assert.equal(await stream.expire(), 0, 'no stale cooldown left for the sweep');
    assert.deepEqual(await stream.keys(), ['k'], 'the returned job is still queued');
  });

  it('an ack names the exact lease: an id that is a prefix of the held one, or one quoted in an error, is LeaseLost', async () => {
    await stream.addMany(Array.from({ length: 12 }, (_, i) => [`k${String(i)}`, 'v', 100 - i] as const));
    const jobs = await stream.lease({ count: 12 });
    const [first, tenth] = [jobs[0], jobs[9]];
    if (first === undefined || tenth === undefined) throw new Error('twelve jobs were leased');
    assert.ok(tenth.leaseId.startsWith(first.leaseId), `${first.leaseId} / ${tenth.leaseId}`);
    await assert.rejects(stream.ack([{ key: tenth.key, leaseId: first.leaseId }]), ofKind('LeaseLost'));
    await stream.nack([first], { error: `"l":"${first.leaseId}"` });
    const [again] = await stream.lease({ count: 1 });
    assert.equal(again?.key, first.key);
    await assert.rejects(stream.ack([first]), ofKind('LeaseLost'));
    await assert.rejects(stream.extend([first], 1000), ofKind('LeaseLost'));
    assert.equal(await stream.ack(jobs.slice(1)), 11);
  });

  it('a first lease writes the job state the reads decode: attempt, max attempts, exact priority, owner with quotes', async () => {
    const owner = 'host "a"/b\\c:1';
    await stream.add('k', 'v', 0.1 + 0.2);
    const [job] = await stream.lease({ owner, maxAttempts: 7 });
    const [info] = await stream.leases();
    assert.deepEqual([info?.key, info?.leaseId, info?.attempt, info?.owner, info?.priority], ['k', job?.leaseId, 1, owner, 0.1 + 0.2]);
    const state = await stream.state('k');
    assert.ok(state.state === 'leased' && state.attempt === 1 && state.maxAttempts === 7, JSON.stringify(state));
  });

  describe('item 14: errors from Redis reach callers typed', () => {
    it("a stream key of another type: writes, reads and the Worker fail with kind Redis and Redis's message", async () => {
      await redis.set(stream.redisKeys.scores, 'not a sorted set');
      await assert.rejects(stream.add('k', 'v'), ofKind('Redis', /^WRONGTYPE/));
      await assert.rejects(stream.entries(), ofKind('Redis', /^WRONGTYPE/));
      await redis.set(stream.redisKeys.cooldowns, 'not a sorted set either');
      await assert.rejects(stream.cooldowns(), ofKind('Redis', /^WRONGTYPE/));
      const worker = new Worker(stream, () => undefined, { autorun: false });
      const failed = once(worker, 'error');
      worker.run();
      const [error] = (await failed) as [unknown];
      await worker.close();
      assert.ok(ofKind('Redis', /WRONGTYPE/)(error), String(error));
    });

    it('a registry key of another type: names, register and prune fail with kind Redis', async () => {
      const registry = new StreamRegistry(redis, { prefix: uniqueName('registry') });
      await redis.set(registry.key, 'not a set');
      await assert.rejects(registry.names(), ofKind('Redis', /^WRONGTYPE/));
      await assert.rejects(registry.register('a'), ofKind('Redis', /^WRONGTYPE/));
      await assert.rejects(registry.prune(), ofKind('Redis', /^WRONGTYPE/));
      await redis.del(registry.key);
    });

    it('an ACL that forbids scripts: the call fails with kind Permission (NOPERM) and writes nothing', async () => {
      const user = `limited-${uniqueName('user').slice(-8)}`;
      const servers = await masters(redis);
      await Promise.all(servers.map((server) => server.acl('SETUSER', user, 'on', '>secret', '~*', '+@all', '-eval', '-evalsha')));
      const limited = new Redis({
        host: servers[0]?.stream.remoteAddress ?? '',
        port: servers[0]?.stream.remotePort ?? 0,
        username: user,
        password: 'secret',
        maxRetriesPerRequest: 1,
      });
      try {
        const own = new PrioritizedStream(limited, stream.name); // Redis checks the ACL before any Cluster redirection
        await assert.rejects(own.add('k', 'v'), ofKind('Permission', /NOPERM/));
        assert.equal(await redis.exists(own.redisKeys.items), 0);
      } finally {
        limited.disconnect();
        await Promise.all(servers.map((server) => server.acl('DELUSER', user)));
      }
    });

    it('Redis unreachable: writes, reads and the registry fail with kind Connection', async () => {
      const port = await freePort();
      const down = new Redis({ port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      down.on('error', () => undefined);
      const offline = new PrioritizedStream(down, 'anything');
      await assert.rejects(offline.add('k', 'v'), ofKind('Connection'));
      await assert.rejects(offline.entries(), ofKind('Connection'));
      await assert.rejects(new StreamRegistry(down).names(), ofKind('Connection'));
      down.disconnect();
    });
  });
});

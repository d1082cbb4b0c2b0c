/**
 * What a new user hit (issue 11), one test per item that failed on the code before the fix:
 * undecodable values, dead keys, failure outcomes, handler-settled jobs, ack cooldowns, module
 * autoStart, cancel, delayed adds, key states, and stopping consumers.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { Container } from 'inversify';
import sinon from 'sinon';
import type { RedisClient } from '../../../src/index.js';
import {
  GoodRedisError,
  PrioritizedStream,
  RetryLater,
  TOKENS,
  Worker,
  createGoodRedisModule,
  connectionFromEnv,
  jsonCodec,
  type DeadLetter,
  type FailureOutcome,
  type Job,
} from '../../../src/index.js';
import { connect, describeEachTopology, serverNow, topologyEnv, uniqueName, waitFor, trackEach } from '../support.js';

interface Page {
  url: string;
}

describeEachTopology('What a new user hits (issue 11)', () => {
  let redis: RedisClient;
  let name: string;
  let raw: PrioritizedStream;
  let pages: PrioritizedStream<Page>;
  const { track } = trackEach();

  beforeEach(() => {
    redis = connect();
    name = uniqueName('user');
    // The same stream, written as strings (as the CLI does) and read as JSON.
    raw = new PrioritizedStream(redis, name, { cooldownMs: 0 });
    pages = new PrioritizedStream(redis, name, { codec: jsonCodec<Page>(), cooldownMs: 0 });
  });

  /** Adds two good JSON values around one that is not JSON. */
  async function oneBadAmongThree(): Promise<void> {
    await raw.addMany([
      ['good-1', JSON.stringify({ url: 'https://a.example/' }), 3],
      ['bad', 'https://not-json.example/', 2],
      ['good-2', JSON.stringify({ url: 'https://b.example/' }), 1],
    ]);
  }

  /** Checks the dead letter of the undecodable value: raw, with a Codec error naming stream and key. */
  function assertBuried(dead: DeadLetter<Page>[]): void {
    assert.equal(dead.length, 1);
    const [letter] = dead;
    assert.ok(letter !== undefined && !letter.decoded, 'the dead letter comes back raw');
    assert.equal(letter.key, 'bad');
    assert.equal(letter.raw, 'https://not-json.example/');
    assert.ok(GoodRedisError.is(letter.decodeError, 'Codec'));
    const error = letter.error ?? '';
    assert.ok(error.includes(`stream ${JSON.stringify(name)}, key "bad"`), error);
    assert.ok(error.includes('json'), error);
  }

  describe('item 1: one undecodable value affects only its own item', () => {
    it('pull returns the good items and dead-letters the bad one, with a warning naming the key', async () => {
      await oneBadAmongThree();
      const warn = sinon.stub(process, 'emitWarning');
      const items = await pages.pull({ count: 3 });
      assert.deepEqual(items, [
        { key: 'good-1', value: { url: 'https://a.example/' }, priority: 3 },
        { key: 'good-2', value: { url: 'https://b.example/' }, priority: 1 },
      ]);
      assert.equal(warn.callCount, 1);
      assert.match(String(warn.firstCall.args[0]), /key "bad".*dead letters/);
      warn.restore();
      assertBuried(await pages.deadLetters());
      assert.equal(await pages.len(), 0);
      assert.deepEqual(await pages.state('bad'), {
        state: 'dead',
        priority: 2,
        attempts: 0,
        error: (await pages.deadLetters())[0]?.error ?? null,
        diedAt: (await pages.deadLetters())[0]?.diedAt ?? 0,
      });
      // Replayed, it can be read raw (and fixed) by a string reader.
      assert.deepEqual(await raw.replayDead(['bad']), ['bad']);
      assert.deepEqual(await raw.pull(), [{ key: 'bad', value: 'https://not-json.example/', priority: 2 }]);
    });

    it("a value buried by a pull counts against the dead letters' cap, the oldest going first", async () => {
      const capped = new PrioritizedStream(redis, name, { codec: jsonCodec<Page>(), cooldownMs: 0, deadLetterLimit: 1 });
      const warn = sinon.stub(process, 'emitWarning');
      try {
        await raw.add('bad-1', 'not json', 2);
        await capped.pull();
        await raw.add('bad-2', 'not json either', 1);
        await capped.pull();
      } finally {
        warn.restore();
      }
      assert.deepEqual(
        (await capped.deadLetters()).map((d) => d.key),
        ['bad-2'],
      );
      assert.equal(await raw.get('bad-1'), null, "the first's value went with it");
    });

    it('a Worker runs the good jobs, reports a Codec error naming the key, and dead-letters the bad one at once', async () => {
      await oneBadAmongThree();
      const handled: string[] = [];
      const errors: unknown[] = [];
      const worker = track(
        new Worker(
          pages,
          (job) => {
            handled.push(job.value.url);
          },
          { concurrency: 3 },
        ),
      );
      worker.on('error', (err) => errors.push(err));
      await new Promise<void>((resolve) => worker.once('drained', resolve)); // events.once would reject on the error event
      assert.deepEqual(handled.sort(), ['https://a.example/', 'https://b.example/']);
      assert.equal(errors.length, 1);
      assert.ok(GoodRedisError.is(errors[0], 'Codec'));
      assert.match((errors[0] as Error).message, /key "bad"/);
      const dead = await pages.deadLetters();
      assertBuried(dead);
      assert.notEqual(dead[0]?.error, 'lease expired');
      assert.equal(await pages.len(), 0);
      assert.equal(await redis.zcard(pages.redisKeys.leases), 0, 'no lease left to expire');
    });

    it('consume() yields the good jobs and warns, naming the key, of the bad one it dead-lettered', async () => {
      await oneBadAmongThree();
      const warn = sinon.stub(process, 'emitWarning');
      const keys: string[] = [];
      for await (const job of pages.consume({ count: 3 })) {
        keys.push(job.key);
        await job.ack();
        if (keys.length === 2) break;
      }
      const warnings = warn.getCalls().map((call) => String(call.args[0]));
      warn.restore();
      assert.deepEqual(keys, ['good-1', 'good-2']);
      assert.equal(warnings.length, 1, warnings.join('\n'));
      assert.match(warnings[0] ?? '', /consume: .*key "bad".*dead letters/);
      assertBuried(await pages.deadLetters());
    });

    it('lease returns the good jobs; deadLetters reads a bad value without throwing', async () => {
      await oneBadAmongThree();
      const warn = sinon.stub(process, 'emitWarning');
      const jobs = await pages.lease({ count: 3 });
      warn.restore();
      assert.deepEqual(
        jobs.map((j) => j.key),
        ['good-1', 'good-2'],
      );
      assertBuried(await pages.deadLetters());
      assert.equal(await pages.ack(jobs), 2);
    });

    it('get and entries name the stream and the key of a value they cannot decode', async () => {
      await raw.add('bad', 'not json');
      await assert.rejects(
        pages.get('bad'),
        (err: unknown) => GoodRedisError.is(err, 'Codec') && err.message.includes(`stream ${JSON.stringify(name)}, key "bad"`),
      );
      await assert.rejects(pages.entries(), (err: unknown) => GoodRedisError.is(err, 'Codec') && err.message.includes('key "bad"'));
      await assert.rejects(pages.values(), (err: unknown) => GoodRedisError.is(err, 'Codec') && err.message.includes('rank 0'));
    });
  });

  describe('item 3: failed says whether the job will be retried or died', () => {
    it('reports the retry with its delay, then the death, and emits dead', async () => {
      await raw.add('flaky', 'v');
      const outcomes: FailureOutcome[] = [];
      const dead: string[] = [];
      const worker = track(
        new Worker(
          raw,
          () => {
            throw new Error('boom');
          },
          { maxAttempts: 2, backoff: 0 },
        ),
      );
      worker.on('failed', (_job, _err, outcome) => outcomes.push(outcome));
      worker.on('dead', (job, err) => dead.push(`${job.key}: ${(err as Error).message}`));
      await waitFor(() => dead.length === 1, 10_000, 'the job to die');
      assert.deepEqual(outcomes, [
        { willRetry: true, delayMs: 0 },
        { willRetry: false, delayMs: 0 },
      ]);
      assert.deepEqual(dead, ['flaky: boom']);
    });
  });

  describe('item 4: a handler may settle its own job', () => {
    it('an ack with gate in the handler completes the job once, with no LeaseLost', async () => {
      await raw.add('mail-1', 'v');
      const errors: unknown[] = [];
      const completed: string[] = [];
      const worker = track(
        new Worker(raw, async (job) => {
          await job.ack({ gate: true });
          return 'sent';
        }),
      );
      worker.on('error', (err) => errors.push(err));
      worker.on('completed', (job, result) => completed.push(`${job.key}=${result}`));
      await once(worker, 'drained');
      assert.deepEqual(completed, ['mail-1=sent']);
      assert.deepEqual(errors, []);
      assert.deepEqual(await raw.state('mail-1'), { state: 'gated' });
    });

    it('a nack with a delay in the handler is reported as a retry with that delay', async () => {
      await raw.add('mail-2', 'v');
      const errors: unknown[] = [];
      const failed: [string, FailureOutcome][] = [];
      const worker = track(
        new Worker(raw, async (job) => {
          await job.nack({ delayMs: 60_000, error: 'mailbox full' });
        }),
      );
      worker.on('error', (err) => errors.push(err));
      worker.on('failed', (job, err, outcome) => failed.push([`${job.key}: ${(err as Error).message}`, outcome]));
      await waitFor(() => failed.length === 1, 5000, 'the failed event');
      assert.deepEqual(failed, [['mail-2: mailbox full', { willRetry: true, delayMs: 60_000 }]]);
      assert.deepEqual(errors, []);
      const state = await raw.state('mail-2');
      assert.equal(state.state, 'delayed');
    });

    it('a thrown RetryLater sets the retry delay instead of the backoff', async () => {
      await raw.add('mail-3', 'v');
      const failed: FailureOutcome[] = [];
      const worker = track(
        new Worker(
          raw,
          () => {
            throw new RetryLater('rate limited', 30_000);
          },
          { backoff: 5 },
        ),
      );
      worker.on('failed', (_job, _err, outcome) => failed.push(outcome));
      await waitFor(() => failed.length === 1, 5000, 'the failed event');
      assert.deepEqual(failed, [{ willRetry: true, delayMs: 30_000 }]);
      const state = await raw.state('mail-3');
      assert.ok(state.state === 'delayed' && state.due >= (await serverNow(redis)) + 25_000, JSON.stringify(state));
    });
  });

  describe('item 8: an ack sets no cooldown unless asked', () => {
    it('a job done by a Worker can be added again at once; ackCooldownMs keeps the crawler behaviour', async () => {
      const jobs = new PrioritizedStream(redis, name); // the default 24 h cooldown is for pull
      await jobs.add('reset:alice', 'token-1');
      const worker = track(new Worker(jobs, () => 'sent'));
      await once(worker, 'drained');
      const drained = once(worker, 'drained'); // listening before the add: the job may finish before add() returns
      assert.equal(await jobs.add('reset:alice', 'token-2'), 1, 'a second e-mail within a day is queued');
      await drained;
      const crawler = new PrioritizedStream(redis, uniqueName('crawl'), { ackCooldownMs: 60_000 });
      await crawler.add('page', 'v');
      const [job] = await crawler.lease();
      assert.ok(job);
      await crawler.ack([job]);
      assert.equal(await crawler.add('page', 'v'), null);
      assert.equal((await crawler.state('page')).state, 'cooling');
    });
  });

  describe('item 9: the module starts its Expirer when loaded', () => {
    it('sweeps with autoStart though nothing resolved it', async () => {
      const prefix = uniqueName('auto');
      const swept = new PrioritizedStream(redis, 'frontier', { prefix });
      await swept.add('k', 'v');
      await swept.pull({ expireAt: 1 }); // an ended cooldown for the sweep
      const container = new Container();
      await container.loadAsync(
        createGoodRedisModule({ connection: connectionFromEnv(topologyEnv()), registry: { prefix }, expirer: { autoStart: true, intervalMs: 20 } }),
      );
      await waitFor(async () => (await redis.zcard(swept.redisKeys.cooldowns)) === 0, 5000, 'the sweep of an Expirer nobody resolved');
      assert.equal(container.get(TOKENS.Expirer).running, true);
      await container.unbindAllAsync();
      assert.equal(container.isBound(TOKENS.Expirer), false);
    });
  });

  describe('item 11: remove cancels queued, leased and delayed jobs', () => {
    it('returns what it removed, and a removed lease answers LeaseLost', async () => {
      await raw.addMany([
        ['queued', 'q'],
        ['leased', 'l', 9],
        ['other', 'o', 0],
      ]);
      const [job] = await raw.lease();
      assert.equal(job?.key, 'leased');
      await raw.add('later', 'd', 1, { delayMs: 60_000 });
      assert.deepEqual(await raw.remove(['queued', 'leased', 'later', 'absent', 'queued']), ['queued', 'leased', 'later']);
      assert.deepEqual(await raw.keys(), ['other']);
      assert.equal(await raw.get('queued'), null);
      assert.ok(job);
      await assert.rejects(raw.ack([job]), (err: unknown) => GoodRedisError.is(err, 'LeaseLost'));
      for (const key of ['queued', 'leased', 'later']) assert.deepEqual(await raw.state(key), { state: 'absent' });
    });
  });

  describe('item 12: delayed adds', () => {
    it('holds an item back until due on the server clock, then leases it', async () => {
      await raw.add('soon', 'v', 4, { delayMs: 300 });
      const state = await raw.state('soon');
      assert.ok(state.state === 'delayed', JSON.stringify(state));
      assert.deepEqual(await raw.lease(), [], 'not before it is due');
      assert.equal(await raw.len(), 0);
      const { due } = state;
      await waitFor(async () => (await serverNow(redis)) > due, 5000, 'the due time');
      const [job] = await raw.lease();
      assert.deepEqual([job?.key, job?.priority, job?.attempt], ['soon', 4, 1]);
    });

    it('addMany takes runAt; a past runAt queues at once; pull brings due items in', async () => {
      const now = await serverNow(redis);
      assert.deepEqual(
        await raw.addMany(
          [
            ['a', 'A', 2],
            ['b', 'B', 1],
          ],
          { runAt: new Date(now + 200) },
        ),
        [2, 1],
      );
      assert.deepEqual(
        (await raw.delayed()).map((d) => [d.key, d.priority, d.attempts]),
        [
          ['a', 2, 0],
          ['b', 1, 0],
        ],
      );
      assert.deepEqual(await raw.addMany([['c', 'C', 1]], { runAt: now - 1000 }), [1]);
      assert.deepEqual(await raw.keys(), ['c']);
      await waitFor(async () => (await serverNow(redis)) > now + 200, 5000, 'the due time');
      assert.deepEqual(
        (await raw.pull({ count: 5 })).map((i) => i.key),
        ['a', 'b', 'c'],
      );
    });

    it('wakes an idle Worker for a delayed add when it is due', async () => {
      const done: string[] = [];
      const worker = track(
        new Worker(
          raw,
          (job) => {
            done.push(job.key);
          },
          { blockTimeoutMs: 60_000 },
        ),
      );
      const drained = once(worker, 'drained'); // listening before the add: the job may finish before add() returns
      await raw.add('first', 'v');
      await drained;
      await raw.add('delayed', 'v', 1, { delayMs: 200 });
      await waitFor(() => done.includes('delayed'), 5000, 'the delayed job to run');
    });

    it('refuses bad delays before writing', async () => {
      await assert.rejects(raw.add('k', 'v', 1, { delayMs: -1 }), (err: unknown) => GoodRedisError.is(err, 'InvalidArgument'));
      await assert.rejects(raw.add('k', 'v', 1, { delayMs: 1, runAt: 5 }), (err: unknown) => GoodRedisError.is(err, 'InvalidArgument'));
      await assert.rejects(raw.addMany([['k', 'v']], { runAt: Number.NaN }), (err: unknown) => GoodRedisError.is(err, 'InvalidArgument'));
      assert.deepEqual(await raw.state('k'), { state: 'absent' });
    });
  });

  describe('item 13: state, leases and delayed tell where a key is', () => {
    it('names every state, and which Worker holds a lease', async () => {
      await raw.addMany([
        ['gated', 'v', 1],
        ['cooling', 'v', 0],
      ]);
      await raw.pull({ count: 1, gate: true, cooldownMs: 0 });
      assert.deepEqual(await raw.state('gated'), { state: 'gated' });
      await raw.pull({ count: 1, cooldownMs: 60_000 });
      const cooling = await raw.state('cooling');
      assert.ok(cooling.state === 'cooling' && cooling.until > (await serverNow(redis)) + 50_000);
      await raw.add('queued', 'v', 7);
      assert.deepEqual(await raw.state('queued'), { state: 'queued', priority: 7, attempts: 0 });

      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      const started: Job<string>[] = [];
      const worker = track(
        new Worker(
          raw,
          async (job) => {
            started.push(job);
            await held;
          },
          { leaseMs: 60_000 },
        ),
      );
      await waitFor(() => started.length === 1, 5000, 'the job to start');
      const leased = await raw.state('queued');
      assert.ok(leased.state === 'leased', JSON.stringify(leased));
      assert.equal(leased.owner, worker.id);
      assert.match(worker.id, new RegExp(`:${String(process.pid)}:[0-9a-f]{8}$`));
      assert.equal(leased.attempt, 1);
      assert.equal(leased.leaseId, started[0]?.leaseId);
      assert.ok(leased.deadline > (await serverNow(redis)) + 50_000);
      assert.deepEqual(await raw.leases(), [{ key: 'queued', leaseId: leased.leaseId, attempt: 1, deadline: leased.deadline, owner: worker.id, priority: 7 }]);
      release();
      await once(worker, 'drained');
      await worker.close();

      await raw.add('dies', 'v', 3);
      const [job] = await raw.lease({ maxAttempts: 1 });
      assert.ok(job);
      await raw.nack([job], { error: 'gone' });
      const dead = await raw.state('dies');
      assert.ok(dead.state === 'dead' && dead.error === 'gone' && dead.attempts === 1 && dead.priority === 3, JSON.stringify(dead));
      await raw.add('waits', 'v', 1, { delayMs: 60_000 });
      const delayed = await raw.state('waits');
      assert.ok(delayed.state === 'delayed' && delayed.due > (await serverNow(redis)) + 50_000);
      assert.deepEqual(await raw.delayed(), [{ key: 'waits', due: delayed.due, priority: 1, attempts: 0 }]);
      assert.deepEqual(await raw.state('never'), { state: 'absent' });
    });
  });

  describe('item 14: consumers stop when asked, in bounded time', () => {
    it('consume() ends on an abort during an idle wait, promptly', async () => {
      const controller = new AbortController();
      const seen: string[] = [];
      const loop = (async () => {
        for await (const job of raw.consume({ blockTimeoutMs: 60_000, signal: controller.signal })) {
          seen.push(job.key);
          await job.ack();
        }
      })();
      await raw.add('one', 'v');
      await waitFor(() => seen.length === 1, 5000, 'the first job');
      const started = Date.now();
      controller.abort();
      await loop;
      assert.ok(Date.now() - started < 2000, `ended after ${String(Date.now() - started)} ms`);
    });

    it('consume() gives back the jobs it leased but did not hand out, their attempt not counted', async () => {
      await raw.addMany(Array.from({ length: 5 }, (_, i) => [`k${String(i)}`, 'v', 10 - i] as const));
      const controller = new AbortController();
      for await (const job of raw.consume({ count: 5, maxAttempts: 1, signal: controller.signal })) {
        assert.equal(job.key, 'k0');
        await job.ack();
        controller.abort();
      }
      assert.deepEqual(await raw.keys(), ['k1', 'k2', 'k3', 'k4']);
      assert.deepEqual(await raw.state('k1'), { state: 'queued', priority: 9, attempts: 0 });
      assert.equal(await redis.zcard(raw.redisKeys.leases), 0);
      assert.deepEqual(await raw.deadLetters(), [], 'a release never kills a job');
    });

    it('Worker.close({ timeoutMs }) returns though a handler hangs, and nacks its job', async () => {
      await raw.add('hangs', 'v');
      let started = false;
      const worker = new Worker(
        raw,
        () => {
          started = true;
          return new Promise<never>(() => undefined);
        },
        { leaseMs: 60_000 },
      );
      const failed: FailureOutcome[] = [];
      worker.on('failed', (_job, _err, outcome) => failed.push(outcome));
      await waitFor(() => started, 5000, 'the handler to start');
      await worker.close({ timeoutMs: 100 });
      assert.equal(failed.length, 1);
      const state = await raw.state('hangs');
      assert.ok(state.state === 'delayed' || state.state === 'queued', JSON.stringify(state));
      assert.equal(await redis.zcard(raw.redisKeys.leases), 0);
    });
  });
});

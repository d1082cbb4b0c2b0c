/**
 * The PubSubBroker on every topology (sharded pub/sub on a Cluster): taskiq-redis's case (a
 * message reaches both listeners), what at most once means for a broadcast, no retries, and the
 * refused delay.
 */
import assert from 'node:assert/strict';
import { GoodRedisError, PubSubBroker, ResultStore, type RedisClient } from '../../../src/index.js';
import { connect, describeEachTopology, uniqueName, waitFor, trackEach } from '../support.js';

describeEachTopology('tasks: PubSubBroker', () => {
  let redis: RedisClient;
  let name: string;
  let results: ResultStore;
  const { track } = trackEach();
  const broker = (): PubSubBroker => track(new PubSubBroker(redis, name, { results }));

  beforeEach(() => {
    redis = connect();
    name = uniqueName('broadcast');
    results = track(new ResultStore(redis));
  });

  it('a message reaches both listeners, each storing its result; one sent while nobody listens reaches no one', async () => {
    const sender = broker();
    const lost = await sender.send('hello', 'nobody');
    assert.equal(lost.receivers, 0);
    const heard: string[] = [];
    const [a, b] = [broker(), broker()];
    a.task('hello', (who: string) => heard.push(`a:${who}`));
    b.task('hello', (who: string) => heard.push(`b:${who}`));
    a.worker();
    b.worker();
    await waitFor(async () => (await sender.subscribers()) === 2, 5000, 'two subscriptions');
    const handle = await sender.send('hello', 'all');
    assert.equal(handle.receivers, 2);
    await waitFor(() => heard.length === 2, 5000, 'both listeners');
    assert.deepEqual(heard.sort(), ['a:all', 'b:all']);
    await waitFor(() => handle.isReady(), 5000, 'a result');
    assert.equal((await handle.result()).isErr, false);
  });

  it('a failing handler is not retried: its error is the result at once', async () => {
    const b = broker();
    let runs = 0;
    b.task('fails', () => {
      runs++;
      throw new Error('once only');
    });
    const retries: boolean[] = [];
    b.worker({ backoff: 0 }).on('failed', (_job, _err, outcome) => retries.push(outcome.willRetry));
    await waitFor(async () => (await b.subscribers()) === 1, 5000, 'the subscription');
    const handle = await b.send('fails', null);
    const result = await handle.waitResult({ timeoutMs: 5000 });
    assert.deepEqual([result.isErr, result.error?.message, result.attempts], [true, 'once only', 1]);
    await waitFor(() => retries.length === 1, 5000, 'the failure');
    assert.deepEqual(retries, [false], 'not retried');
    assert.equal(runs, 1);
  });

  it('refuses a delay, and closes its subscriptions with close()', async () => {
    const b = broker();
    await assert.rejects(b.send('t', 1, { delayMs: 10 }), (e) => GoodRedisError.is(e, 'InvalidArgument'));
    b.worker();
    await waitFor(async () => (await b.subscribers()) === 1, 5000, 'the subscription');
    await b.close();
    await waitFor(async () => (await b.subscribers()) === 0, 5000, 'no subscription');
  });
});

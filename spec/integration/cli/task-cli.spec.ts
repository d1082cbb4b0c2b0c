/** `good-redis tasks` as a child process, on every topology. */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { ListQueueBroker, PubSubBroker, StreamBroker, type RedisClient, type TaskQueueInfo } from '../../../src/index.js';
import { childEnv, closeAll, connect, describeEachTopology } from '../support.js';
import { runCli } from './cli-support.js';

describeEachTopology('good-redis task commands', () => {
  let redis: RedisClient;
  let prefix: string;
  let env: NodeJS.ProcessEnv;

  beforeEach(() => {
    redis = connect();
    prefix = `clik-${randomUUID().slice(0, 8)}:`;
    env = { ...childEnv(), GOOD_REDIS_PREFIX: prefix };
  });
  afterEach(closeAll);

  it('tasks lists every task queue with its kind and counts, as a table and as JSON; none says so', async () => {
    const empty = await runCli(['tasks'], env);
    assert.deepEqual([empty.code, empty.stdout.trim()], [0, `No registered task queues under prefix ${JSON.stringify(prefix)}.`]);
    const stream = new StreamBroker(redis, 'emails', { prefix });
    await stream.sendMany('send', [{ args: 1 }, { args: 2 }, { args: 3 }]);
    await stream.send('send', 4, { delayMs: 60_000 });
    const source = stream.jobSource();
    const [leased] = (await source.leaseBatch({ count: 1, leaseMs: 60_000, maxAttempts: 5, owner: 'cli' })).items;
    assert.ok(leased);
    const list = new ListQueueBroker(redis, 'reports', { prefix });
    await list.send('build', null);
    await new PubSubBroker(redis, 'news', { prefix }).send('hello', null);
    const json = await runCli(['tasks', '--json'], env);
    assert.equal(json.code, 0, json.stderr);
    const { queues } = JSON.parse(json.stdout) as { queues: TaskQueueInfo[] };
    assert.deepEqual(
      queues.map((q) => [q.name, q.kind, q.waiting, q.active, q.delayed, q.dead, q.schedules]),
      [
        ['emails', 'stream', 2, 1, 1, 0, 0],
        ['news', '', 0, 0, 0, 0, 0],
        ['reports', 'list', 1, 0, 0, 0, 0],
      ],
    );
    const text = await runCli(['tasks'], env);
    assert.equal(text.code, 0, text.stderr);
    const [header, ...rows] = text.stdout.trim().split('\n');
    assert.deepEqual(header?.split(/\s+/), ['NAME', 'KIND', 'WAITING', 'INFLIGHT', 'DELAYED', 'DEAD', 'SCHEDULES']);
    assert.deepEqual(
      rows.map((r) => r.split(/\s+/)),
      [
        ['emails', 'stream', '2', '1', '1', '0', '0'],
        ['news', '-', '0', '0', '0', '0', '0'],
        ['reports', 'list', '1', '0', '0', '0', '0'],
      ],
    );
  });
});

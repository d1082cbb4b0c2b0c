/**
 * The task brokers' sources for the Worker, without a server: the stream's and the list's over a
 * fake broker whose script calls are recorded and answered, the broadcast one over a fake
 * subscription.
 */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { GoodRedisError, jsonCodec, type RedisClient, type TaskMessage } from '../../../src/index.js';
import { BroadcastSource } from '../../../src/tasks/broadcast-source.js';
import { ListTaskSource } from '../../../src/tasks/list-task-source.js';
import { StreamTaskSource } from '../../../src/tasks/stream-task-source.js';
import { TaskJob } from '../../../src/tasks/task-job.js';
import type { TaskSourceContext } from '../../../src/tasks/task-source.js';

const codec = jsonCodec<TaskMessage>();
const message = (id: string, attempt = 0): TaskMessage => ({ id, task: 't', args: null, labels: {}, sentAt: 0, maxAttempts: 0, attempt });
const encoded = (id: string, attempt = 0): string => codec.encode(message(id, attempt)) as string;

/** A fake broker: each script call is recorded and answered from `replies` by script name. */
function fakeBroker(replies: Record<string, unknown>): TaskSourceContext & { calls: [string, unknown][] } {
  const calls: [string, unknown][] = [];
  return {
    calls,
    client: {} as RedisClient,
    object: { family: 'taskQueue', name: 'q', prefix: '' },
    core: {
      call: (script: string, input: unknown) => {
        calls.push([script, input]);
        return Promise.resolve(replies[script]);
      },
    } as unknown as TaskSourceContext['core'],
    codec,
    deadCaps: '5:0',
    maxLength: 100,
    decode: (raw) => {
      const decoded: unknown = codec.decode(raw); // JSON: garbage throws, another producer's null or number comes back
      if (typeof decoded !== 'object' || decoded === null) throw new GoodRedisError('Codec', 'no message');
      return decoded as TaskMessage;
    },
    jobOf: (m, attempt, maxAttempts, raw, entryId, deliveries) => new TaskJob(m, attempt, maxAttempts, raw, entryId, deliveries),
    maxAttemptsOf: (m, fallback) => (m.maxAttempts > 0 ? m.maxAttempts : fallback),
    taskMaxAttempts: () => new Map([['t', 3]]),
    storeDeathResults: (dead) => Promise.resolve(dead.map((d) => `stored ${d.error}`)),
    unreadableError: (reason) => new GoodRedisError('Codec', `dead-lettered ${reason}`),
    lost: (job, what) => new GoodRedisError('LeaseLost', `${job.taskId}: cannot ${what}`),
    openSignal: () => ({ waitForWork: () => Promise.resolve(false), close: () => undefined }),
  };
}

describe('task sources (unit)', () => {
  describe('StreamTaskSource', () => {
    it('leases, stores the results of expired deaths, reports unreadable entries and dead-letters an undecodable one at once', async () => {
      const broker = fakeBroker({
        leaseTasks: {
          wakeInMs: 30,
          died: [{ entryId: 'd-1', encoded: encoded('dead'), attempts: 3 }],
          unreadable: [{ entryId: 'u-1', reason: 'no task field' }],
          leased: [
            { entryId: 'e-1', attempt: 1, deliveries: 1, encoded: encoded('a') },
            { entryId: 'e-2', attempt: 2, deliveries: 2, encoded: 'not json' },
          ],
        },
        nackTasks: ['dead'],
      });
      const source = new StreamTaskSource(broker);
      const { items, wakeInMs, errors } = await source.leaseBatch({ count: 5, leaseMs: 1000, maxAttempts: 4, owner: '' });
      assert.deepEqual(
        items.map((j) => [j.taskId, j.attempt, j.maxAttempts, j.entryId, j.deliveries]),
        [['a', 1, 4, 'e-1', 1]],
      );
      assert.equal(wakeInMs, 30);
      assert.equal(errors[0], 'stored lease expired');
      assert.match(String(errors[1]), /dead-lettered no task field/);
      assert.equal(errors.length, 3, 'the undecodable entry is reported too');
      const [lease, nack] = broker.calls;
      assert.deepEqual((lease?.[1] as { consumer: string; taskMaxAttempts: Map<string, number> }).consumer, 'worker', 'no owner: the consumer is "worker"');
      assert.deepEqual(nack, [
        'nackTasks',
        { delayMs: 0, deadCaps: '5:0', maxLength: 100, error: (errors[2] as Error).message, deliveries: [{ entryId: 'e-2', deliveries: 2, maxAttempts: 1 }] },
      ]);
    });

    it('answers an ack, an extend and a nack per job: LeaseLost where the fence refused it', async () => {
      const broker = fakeBroker({ ackTasks: [1, 0], extendTasks: [0, 1], nackTasks: ['retry', 'lost'] });
      const source = new StreamTaskSource(broker);
      const jobs = [new TaskJob(message('a'), 1, 5, 'x', 'e-1', 1), new TaskJob(message('b'), 1, 5, 'y', 'e-2', 3)];
      const [acked, lostAck] = await source.ack(jobs);
      assert.equal(acked, undefined);
      assert.ok(GoodRedisError.is(lostAck, 'LeaseLost'));
      const [lostExtend, extended] = await source.extend(jobs, 500);
      assert.ok(GoodRedisError.is(lostExtend, 'LeaseLost'));
      assert.equal(extended, undefined);
      const [retry, lostNack] = await source.nack(jobs, { delayMs: 10, error: 'boom' });
      assert.equal(retry, 'retry');
      assert.ok(GoodRedisError.is(lostNack, 'LeaseLost'));
      assert.deepEqual(broker.calls[0], [
        'ackTasks',
        {
          maxLength: 100,
          deliveries: [
            { entryId: 'e-1', deliveries: 1 },
            { entryId: 'e-2', deliveries: 3 },
          ],
        },
      ]);
      assert.deepEqual(await source.ack([]), [], 'nothing to settle: no call');
      assert.equal(broker.calls.length, 3);
    });
  });

  describe('ListTaskSource', () => {
    it('takes messages, their attempt the one they carry plus one, and sends a nacked one again counted, or dead on its last attempt', async () => {
      const broker = fakeBroker({ leaseList: { wakeInMs: -1, unreadable: [], taken: [encoded('a'), encoded('b', 2)] }, nackList: ['retry', 'dead'] });
      const source = new ListTaskSource(broker);
      const { items } = await source.leaseBatch({ count: 2, leaseMs: 1000, maxAttempts: 3, owner: '' });
      assert.deepEqual(
        items.map((j) => [j.taskId, j.attempt, j.maxAttempts]),
        [
          ['a', 1, 3],
          ['b', 3, 3],
        ],
      );
      assert.deepEqual(await source.ack(items), [undefined, undefined]);
      assert.deepEqual(await source.extend(items), [undefined, undefined]);
      assert.deepEqual(await source.nack(items, { delayMs: 0, error: 'boom' }), ['retry', 'dead']);
      const [, nack] = broker.calls;
      const sent = (nack?.[1] as { messages: { action: string; encoded: string }[] }).messages;
      assert.deepEqual(
        sent.map((m) => [m.action, codec.decode(m.encoded).attempt]),
        [
          ['retry', 1],
          ['dead', 2],
        ],
        'a retry carries this delivery; a dead letter is kept as it came',
      );
    });
  });

  describe('BroadcastSource', () => {
    /** A subscription connection that records what it is asked and emits what it is given. */
    class FakeSubscription extends EventEmitter {
      public disconnected = false;
      public subscribe(): Promise<number> {
        return Promise.resolve(1);
      }
      public disconnect(): void {
        this.disconnected = true;
      }
    }

    it('buffers received messages for the leases, gives a release back to the front, nacks as dead, and unsubscribes once at close', async () => {
      const subscription = new FakeSubscription();
      const client = { duplicate: () => subscription } as unknown as RedisClient;
      let closed = 0;
      const source = new BroadcastSource(
        client,
        'ch',
        false,
        { family: 'taskQueue', name: 'news', prefix: '' },
        (raw) => {
          const decoded: unknown = codec.decode(raw);
          if (typeof decoded !== 'object' || decoded === null) throw new GoodRedisError('Codec', 'undecodable');
          return new TaskJob(decoded as TaskMessage, 1, 1, raw);
        },
        () => {
          closed += 1;
        },
      );
      subscription.emit('messageBuffer', Buffer.from('ch'), Buffer.from(encoded('a')));
      subscription.emit('messageBuffer', Buffer.from('other'), Buffer.from(encoded('x')));
      subscription.emit('messageBuffer', Buffer.from('ch'), Buffer.from('garbage'));
      subscription.emit('messageBuffer', Buffer.from('ch'), Buffer.from(encoded('b')));
      assert.equal(source.received(), 3, 'its channel only');
      const first = await source.leaseBatch({ count: 1, leaseMs: 1000, maxAttempts: 1, owner: '' });
      assert.deepEqual(
        first.items.map((j) => j.taskId),
        ['a'],
      );
      assert.equal(first.errors.length, 1, 'the undecodable one is reported once');
      await source.release(first.items);
      const rest = await source.leaseBatch({ count: 5, leaseMs: 1000, maxAttempts: 1, owner: '' });
      assert.deepEqual(
        rest.items.map((j) => j.taskId),
        ['a', 'b'],
      );
      assert.deepEqual(await source.nack(rest.items), ['dead', 'dead']);
      const waiter = source.openSignal();
      assert.equal(await waiter.waitForWork(-1, 1000), true, 'work arrived before the wait: it returns at once');
      await source.close();
      await source.close();
      assert.equal(closed, 1);
      assert.equal(subscription.disconnected, true);
      assert.equal(await waiter.waitForWork(-1, 1000), false, 'a closed subscription waits for nothing');
    });
  });
});

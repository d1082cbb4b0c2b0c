/** The consumer's source for the Worker, without a server: over a fake consumer, with jobs of one message and of batches. */
import assert from 'node:assert/strict';
import type { NackOutcome, RedisClient, TopicMessage, WorkWaiter } from '../../../src/index.js';
import { ConsumerSource, type ConsumerSourceContext } from '../../../src/topics/consumer-source.js';
import { MessageBatch } from '../../../src/topics/message-batch.js';
import type { UnitMessages } from '../../../src/topics/partition-fetcher.js';

/** A message as the source sees it: its id, partition and headers. */
const message = (id: string, partition = 0): TopicMessage<string> =>
  ({ id, partition, headers: { h: id }, attempt: 1, settlement: () => undefined }) as unknown as TopicMessage<string>;

function fakeConsumer(
  units: UnitMessages<string>[],
  outcomes: Record<string, Error | NackOutcome | undefined> = {},
): ConsumerSourceContext<string> & {
  calls: string[];
} {
  const calls: string[] = [];
  const ids = (messages: readonly TopicMessage<string>[]): string => messages.map((m) => m.id).join(',');
  return {
    calls,
    client: {} as RedisClient,
    topic: 't',
    prefix: '',
    group: 'g',
    leaseMs: 1000,
    maxAttempts: 5,
    fetchUnits: (maxUnits, unitSize, leaseMs, maxAttempts) => {
      calls.push(`fetch ${String(maxUnits)}x${String(unitSize)} ${String(leaseMs)} ${String(maxAttempts)}`);
      return Promise.resolve({ units, wakeInMs: -1, errors: [] });
    },
    ackMessages: (messages) => {
      calls.push(`ack ${ids(messages)}`);
      return Promise.resolve(messages.map((m) => outcomes[m.id] as Error | undefined));
    },
    nackMessages: (messages, delayMs, error, maxAttempts) => {
      calls.push(`nack ${ids(messages)} ${String(delayMs)} ${error} ${String(maxAttempts)}`);
      return Promise.resolve(messages.map((m) => outcomes[m.id] ?? 'retry'));
    },
    extendMessages: (messages, ms) => {
      calls.push(`extend ${ids(messages)} ${String(ms)}`);
      return Promise.resolve(messages.map(() => undefined));
    },
    release: (messages) => {
      calls.push(`release ${ids(messages)}`);
      return Promise.resolve();
    },
    openSignal: () => ({}) as WorkWaiter,
    waiting: () => 'the topic does not exist',
    workerClosed: undefined,
  };
}

describe('ConsumerSource (unit)', () => {
  it('hands one message a job, settles them in one call and names each by its id and partition', async () => {
    const consumer = fakeConsumer([[message('1-0')], [message('2-0', 1)]], { '2-0': new Error('lost') });
    const source = new ConsumerSource<string, TopicMessage<string>>(
      consumer,
      1,
      (unit) => unit[0],
      (m) => [m],
    );
    const { items } = await source.leaseBatch({ count: 2, leaseMs: 500, maxAttempts: 3, owner: '' });
    assert.deepEqual(
      items.map((m) => m.id),
      ['1-0', '2-0'],
    );
    const [ok, lost] = await source.ack(items);
    assert.equal(ok, undefined);
    assert.equal(lost?.message, 'lost');
    const job = items[1];
    assert.ok(job);
    assert.deepEqual(source.object.describe?.(job), { id: '2-0', partition: 1, headers: { h: '2-0' } });
    await source.nack(items, { delayMs: 5, error: 'boom' });
    assert.deepEqual(consumer.calls, ['fetch 2x1 500 3', 'ack 1-0,2-0', 'nack 1-0,2-0 5 boom 3'], "a nack counts the Worker's maxAttempts");
    assert.equal(source.waiting(), 'the topic does not exist');
  });

  it('folds a batch: it failed with its first error, died only when all its messages died; extends stop at the lease', async () => {
    const consumer = fakeConsumer([[message('1-0'), message('1-1'), message('1-2')]], { '1-0': 'dead', '1-1': 'dead', '1-2': 'retry' });
    const source = new ConsumerSource<string, MessageBatch<string>>(
      consumer,
      3,
      (unit) => new MessageBatch(unit[0].partition, unit),
      (batch) => batch.unsettled(),
    );
    const { items } = await source.leaseBatch({ count: 1, leaseMs: 5000, maxAttempts: 5, owner: '' });
    assert.equal(items[0]?.messages.length, 3);
    assert.deepEqual(await source.nack(items, { delayMs: 0, error: 'x' }), ['retry'], 'one message of three retries: the batch retries');
    await source.extend(items, 60_000);
    await source.release(items);
    assert.deepEqual(consumer.calls.slice(2), ['extend 1-0,1-1,1-2 1000', 'release 1-0,1-1,1-2']);
    assert.deepEqual(source.object.describe?.(items[0]), { partition: 0 }, 'a batch tells its partition only');
  });
});

/** The queue brokers pass the JobSource conformance suite on every topology, each for what it promises. */
import { ListQueueBroker, PubSubBroker, StreamBroker, type RedisClient, type TaskJob } from '../../../src/index.js';
import { closeAll, connect, describeEachTopology, uniqueName, waitFor } from '../support.js';
import { describeJobSource, type ConformanceSubject } from './job-source.conformance.js';

/** A conformance subject over a new queue broker: jobs are tasks whose arguments are their ids. */
function queueSubject(make: (client: RedisClient) => StreamBroker | ListQueueBroker): () => Promise<ConformanceSubject<TaskJob>> {
  return () => {
    const broker = make(connect());
    return Promise.resolve({
      source: broker.jobSource(),
      add: async (ids) => {
        await broker.sendMany(
          'job',
          ids.map((args) => ({ args })),
        );
      },
      idOf: (job) => String(job.message.args),
    });
  };
}

describeEachTopology('StreamBroker.jobSource()', () => {
  afterEach(closeAll);
  describeJobSource(
    queueSubject((client) => new StreamBroker(client, uniqueName('conformance'))),
    { expiringLeases: true, fencedAcks: true, maxAttempts: true, countsAttempts: true, retries: true },
  );
});

describeEachTopology('ListQueueBroker.jobSource()', () => {
  afterEach(closeAll);
  // Taking a message is final (at most once): no lease to expire or fence.
  describeJobSource(
    queueSubject((client) => new ListQueueBroker(client, uniqueName('conformance'))),
    { expiringLeases: false, fencedAcks: false, maxAttempts: true, countsAttempts: true, retries: true },
  );
});

describeEachTopology('PubSubBroker.jobSource()', () => {
  const brokers: PubSubBroker[] = [];
  afterEach(async () => {
    await Promise.all(brokers.splice(0).map((b) => b.close()));
    await closeAll();
  });
  describeJobSource<TaskJob>(
    async () => {
      const client: RedisClient = connect();
      const broker = new PubSubBroker(client, uniqueName('conformance'));
      brokers.push(broker);
      const source = broker.jobSource();
      // A broadcast reaches the subscribed: add only once the subscription is live.
      await waitFor(async () => (await broker.subscribers()) === 1, 5000, 'the subscription');
      let sent = 0;
      return {
        source,
        add: async (ids) => {
          await broker.sendMany(
            'job',
            ids.map((args) => ({ args })),
          );
          sent += ids.length;
          await waitFor(() => source.received() === sent, 5000, 'the messages to arrive');
        },
        idOf: (job) => String(job.message.args),
      };
    },
    // At most once, to whoever listens: nothing expires, is fenced, retried or dead-lettered.
    { expiringLeases: false, fencedAcks: false, maxAttempts: false, countsAttempts: false, retries: false },
  );
});

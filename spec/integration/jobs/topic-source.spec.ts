/** A topic Consumer passes the JobSource conformance suite on every topology. */
import { Consumer, Producer, type RedisClient, type TopicMessage } from '../../../src/index.js';
import { closeAll, connect, describeEachTopology, uniqueName } from '../support.js';
import { describeJobSource } from './job-source.conformance.js';

describeEachTopology('Consumer.jobSource()', () => {
  const open: Consumer[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((c) => c.close()));
    await closeAll();
  });
  describeJobSource<TopicMessage<string>>(
    async () => {
      const client: RedisClient = connect();
      const name = uniqueName('conformance');
      const producer = new Producer(client, name, { partitions: 3 });
      // 'none' ordering: the suite leases several jobs of one partition at once.
      const consumer = new Consumer(client, name, { group: 'conformance', ordering: 'none', heartbeatMs: 100, sessionTimeoutMs: 1000 });
      open.push(consumer);
      await producer.refreshMetadata(); // creates the topic with its 3 partitions
      await consumer.join();
      return {
        source: consumer.jobSource(),
        add: async (ids) => {
          await producer.sendMany(ids.map((value) => ({ value })));
        },
        idOf: (job) => job.value,
      };
    },
    { expiringLeases: true, fencedAcks: true, maxAttempts: true, countsAttempts: true, retries: true },
  );
});

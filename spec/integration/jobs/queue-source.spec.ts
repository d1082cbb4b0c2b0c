/** Queue and UniqueQueue pass the JobSource conformance suite on every topology. */
import { Queue, UniqueQueue, type QueueJob, type RedisClient } from '../../../src/index.js';
import { closeAll, connect, describeEachTopology, uniqueName } from '../support.js';
import { describeJobSource } from './job-source.conformance.js';

for (const Kind of [Queue, UniqueQueue]) {
  describeEachTopology(`${Kind.name}.jobSource()`, () => {
    const open: (Queue | UniqueQueue)[] = [];
    afterEach(async () => {
      await Promise.all(open.splice(0).map((q) => q.close({ handBack: false })));
      await closeAll();
    });
    describeJobSource<QueueJob<string>>(
      () => {
        const client: RedisClient = connect();
        const queue = new Kind(client, uniqueName('conformance'));
        open.push(queue);
        return Promise.resolve({
          source: queue.jobSource(),
          add: async (ids) => {
            await queue.addItems(ids);
          },
          idOf: (job) => job.value,
        });
      },
      // Deliveries are held by the consumer's heartbeat, not by a lease that runs out.
      { expiringLeases: false, fencedAcks: false, maxAttempts: true, countsAttempts: true, retries: true },
    );
  });
}

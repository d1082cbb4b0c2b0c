/** The prioritized stream's job side passes the JobSource conformance suite on every topology. */
import { PrioritizedStream, type Job } from '../../../src/index.js';
import { closeAll, connect, describeEachTopology, uniqueName } from '../support.js';
import { describeJobSource } from './job-source.conformance.js';

describeEachTopology('PrioritizedStream.jobSource()', () => {
  afterEach(closeAll);
  describeJobSource<Job<string>>(
    () => {
      const stream = new PrioritizedStream(connect(), uniqueName('conformance'), { cooldownMs: 0 });
      return Promise.resolve({
        source: stream.jobSource(),
        add: async (ids) => {
          await stream.addMany(ids.map((id) => [id, `value of ${id}`, 1] as const));
        },
        idOf: (job) => job.key,
      });
    },
    { expiringLeases: true, fencedAcks: true, maxAttempts: true, countsAttempts: true, retries: true },
  );
});

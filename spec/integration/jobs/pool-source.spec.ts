/** Pool passes the JobSource conformance suite on every topology. */
import { Pool, type PoolJob } from '../../../src/index.js';
import { closeAll, connect, describeEachTopology, uniqueName } from '../support.js';
import { describeJobSource } from './job-source.conformance.js';

describeEachTopology('Pool.jobSource()', () => {
  afterEach(closeAll);
  describeJobSource<PoolJob<string>>(
    () => {
      const pool = new Pool(connect(), uniqueName('conformance'));
      return Promise.resolve({
        source: pool.jobSource(),
        add: async (ids) => {
          await pool.addItems(ids);
        },
        idOf: (job) => job.value,
      });
    },
    // A lease that runs out makes the item due again with a new lease id; a pool counts no attempts and keeps its items.
    { expiringLeases: true, fencedAcks: true, maxAttempts: false, countsAttempts: false, retries: true },
  );
});

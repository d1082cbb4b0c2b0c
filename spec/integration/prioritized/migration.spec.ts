/**
 * A slot migrated under load on a private Redis Cluster (issue 12, item 15): while a stream's
 * slot is split between two masters, its multi-key scripts answer TRYAGAIN; a connection the
 * SDK creates retries long enough to ride out a migration that holds the slot split for 2.5 s,
 * where ioredis's defaults give up after about 1.6 s ("Too many Cluster redirections").
 */
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { PrioritizedStream, closeConnection, connectionFromEnv, createConnection } from '../../../src/index.js';
import { selectedTopologies, startThrowawayCluster, type ThrowawayCluster } from '../../../scripts/topologies.js';
import { nameOnMaster, slotOf, waitFor } from '../support.js';

(selectedTopologies().includes('cluster') ? describe : describe.skip)('A slot migrated under load (issue 12, item 15)', function () {
  this.timeout(120_000);
  let topology: ThrowawayCluster;

  before(async () => {
    topology = await startThrowawayCluster();
  });
  after(async () => {
    await topology.stop();
  });

  it('keeps every add of a stream whose slot is held split for 2.5 s, with no error', async () => {
    const [sourceNode, targetNode] = topology.nodes;
    assert.ok(sourceNode && targetNode);
    const source = new Redis(sourceNode.port, '127.0.0.1', { maxRetriesPerRequest: 1 });
    const target = new Redis(targetNode.port, '127.0.0.1', { maxRetriesPerRequest: 1 });
    const client = createConnection(connectionFromEnv(topology.env));
    client.on('error', () => undefined);
    try {
      const name = nameOnMaster('migrating', 0);
      const slot = slotOf(name);
      const stream = new PrioritizedStream(client, name, { cooldownMs: 0 });
      await stream.addMany(Array.from({ length: 100 }, (_, i) => [`seed${String(i)}`, 'v'] as const));
      const sourceId = String(await source.call('CLUSTER', 'MYID'));
      const targetId = String(await target.call('CLUSTER', 'MYID'));

      let stop = false;
      const stopped = (): boolean => stop; // read through a function: it changes while the loop awaits
      let added = 0;
      const errors: string[] = [];
      const producer = (async () => {
        for (let i = 0; !stopped(); i += 1) {
          try {
            await stream.add(`k${String(i)}`, 'v');
            added += 1;
          } catch (err) {
            errors.push(String(err));
          }
        }
      })();
      await waitFor(() => added >= 50, 10_000, 'the producer to get going');

      await target.call('CLUSTER', 'SETSLOT', slot, 'IMPORTING', sourceId);
      await source.call('CLUSTER', 'SETSLOT', slot, 'MIGRATING', targetId);
      const keys = (await source.call('CLUSTER', 'GETKEYSINSLOT', slot, 100)) as string[];
      assert.ok(keys.length >= 2, `keys in the slot: ${keys.join(', ')}`);
      // Half the stream's keys move; the slot stays split while the producer runs.
      const [first, ...rest] = keys;
      await source.call('MIGRATE', '127.0.0.1', targetNode.port, '', 0, 5000, 'KEYS', String(first));
      const splitAt = added;
      await new Promise((resolve) => setTimeout(resolve, 2500)); // the subject: a slot held split this long
      await source.call('MIGRATE', '127.0.0.1', targetNode.port, '', 0, 5000, 'KEYS', ...rest);
      for (const node of [target, source]) await node.call('CLUSTER', 'SETSLOT', slot, 'NODE', targetId);
      await waitFor(() => added >= splitAt + 50, 20_000, 'adds after the migration');
      stop = true;
      await producer;

      assert.deepEqual(errors, [], 'no add failed during the migration');
      assert.equal(await stream.len(), 100 + added, 'every add that resolved is in the stream');
    } finally {
      await closeConnection(client);
      source.disconnect();
      target.disconnect();
    }
  });
});

/**
 * The views the tools iterate (no server: nothing here reads Redis): one view per family, each
 * object's actions (its family's that apply, then pause and resume), and the work that orders
 * the listings, in each family's own words.
 */
import assert from 'node:assert/strict';
import RedisMock from 'ioredis-mock';
import type { RedisClient } from '../../../src/connection/redis-client.js';
import { OBJECT_FAMILIES } from '../../../src/observe/families.js';
import { WorkerRegistry } from '../../../src/observe/worker-registry.js';
import { FamilyViews, workOf } from '../../../src/overview/views.js';

describe('family views (unit)', () => {
  let client: RedisClient;
  before(() => {
    client = new RedisMock();
  });
  after(async () => {
    await client.quit();
  });

  it('gives every family exactly one view', () => {
    const views = new FamilyViews(client, '');
    for (const family of OBJECT_FAMILIES) assert.ok(views.of(family).families.includes(family), family);
    assert.deepEqual(views.all.flatMap((v) => v.families).sort(), [...OBJECT_FAMILIES].sort());
  });

  it("gives each object its family's actions that apply to it, then pause and resume", () => {
    const views = new FamilyViews(client, '');
    const workers = new WorkerRegistry(client);
    const names = (family: (typeof OBJECT_FAMILIES)[number]): string[] => Object.keys(views.actionsOf(family, workers));
    assert.deepEqual(names('stream'), ['replay', 'purge', 'add', 'increment', 'delete', 'pause', 'resume']);
    assert.deepEqual(names('queue'), ['reenqueue', 'pause', 'resume']);
    assert.deepEqual(names('unique'), ['reenqueue', 'pause', 'resume']);
    assert.deepEqual(names('pool'), ['pause', 'resume'], "a pool's leases run out by themselves");
    assert.deepEqual(names('topic'), ['pause', 'resume']);
    assert.deepEqual(names('taskQueue'), ['replay', 'purge', 'run', 'pause', 'resume']);
  });

  it("counts an object's work in its family's words: waiting, in flight, delayed and dead", () => {
    assert.equal(workOf({ family: 'stream', states: { waiting: 1, gated: 100, cooling: 100, leased: 2, delayed: 3, dead: 4 } }), 10);
    assert.equal(workOf({ family: 'queue', states: { waiting: 5, processing: 6, consumers: 100, deadConsumers: 100 } }), 11);
    assert.equal(workOf({ family: 'pool', states: { waiting: 5, due: 100, leased: 1 } }), 6);
    assert.equal(workOf({ family: 'topic', states: { messages: 7, partitions: 100, groups: 100, pending: 1, lag: 100 } }), 8);
    assert.equal(workOf({ family: 'taskQueue', states: { waiting: 1, active: 1, delayed: 1, dead: 1, schedules: 100 } }), 4);
  });
});

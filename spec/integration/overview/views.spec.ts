/**
 * The families' views on a real Redis, every topology: each lists, finds and counts its objects
 * as the inventory did, and pages the items of the states it can list today (by rank: a cursor
 * per page, none after the last).
 */
import assert from 'node:assert/strict';
import { PrioritizedStream, Pool, Queue, type RedisClient } from '../../../src/index.js';
import { FamilyViews } from '../../../src/overview/views.js';
import type { ItemPage } from '../../../src/observe/family-view.js';
import { closeAll, connect, describeEachTopology, uniqueName } from '../support.js';

describeEachTopology('overview: the families’ views', () => {
  let redis: RedisClient;
  let views: FamilyViews;
  let prefix: string;
  beforeEach(() => {
    redis = connect();
    prefix = uniqueName('views');
    views = new FamilyViews(redis, prefix);
  });
  afterEach(async () => {
    await closeAll();
  });

  /** Every page of a state's items, following the cursors. */
  const allPages = async (family: 'stream' | 'queue' | 'pool', name: string, state: string, limit: number): Promise<ItemPage[]> => {
    const pages: ItemPage[] = [];
    let cursor: string | undefined;
    do {
      const page = await views.of(family).items({ family, name }, state, cursor, limit);
      assert.ok(page, `${family} lists its ${state} items`);
      pages.push(page);
      cursor = page.cursor;
    } while (cursor !== undefined);
    return pages;
  };

  it('lists, finds and counts a stream, and pages its waiting, leased, delayed and dead items', async () => {
    const stream = new PrioritizedStream(redis, 'jobs', { prefix });
    await stream.addMany(['a', 'b', 'c', 'd', 'e'].map((key, i) => [key, key.toUpperCase(), 5 - i] as const));
    const [leased] = await stream.lease({ count: 1 }); // a
    const [delayed] = await stream.lease({ count: 1 }); // b
    assert.ok(leased && delayed);
    await stream.nack([delayed], { delayMs: 60_000 });
    const [dying] = await stream.lease({ count: 1, maxAttempts: 1 }); // c
    assert.ok(dying);
    await stream.nack([dying], { error: 'boom' }); // its last attempt: dead
    const view = views.of('stream');
    assert.deepEqual(await view.list(), [{ family: 'stream', name: 'jobs' }]);
    assert.equal(await view.has({ family: 'stream', name: 'jobs' }), true);
    assert.equal(await view.has({ family: 'stream', name: 'other' }), false);
    const { states } = await view.counts({ family: 'stream', name: 'jobs' });
    assert.deepEqual(states, { waiting: 2, gated: 0, cooling: 0, leased: 1, delayed: 1, dead: 1 });

    const waiting = await allPages('stream', 'jobs', 'waiting', 1);
    assert.deepEqual(
      waiting.map((p) => p.items.map((i) => [i.id, i.fields.value])),
      [[['d', 'D']], [['e', 'E']]],
    );
    assert.equal(waiting[0]?.cursor, '1');
    assert.deepEqual(
      (await allPages('stream', 'jobs', 'leased', 10)).flatMap((p) => p.items.map((i) => i.id)),
      ['a'],
    );
    assert.deepEqual(
      (await allPages('stream', 'jobs', 'delayed', 10)).flatMap((p) => p.items.map((i) => i.id)),
      ['b'],
    );
    const dead = (await allPages('stream', 'jobs', 'dead', 10)).flatMap((p) => p.items);
    assert.deepEqual(
      dead.map((i) => [i.id, i.fields.error]),
      [['c', 'boom']],
    );
    assert.equal(await view.items({ family: 'stream', name: 'jobs' }, 'gated', undefined, 10), undefined, 'a state it cannot list');
  });

  it('pages the waiting values of a queue and the items of a pool', async () => {
    await new Queue(redis, 'q', { prefix }).addItems(['v1', 'v2', 'v3']);
    await new Pool(redis, 'p', { prefix }).addItems(['x', 'y']);
    const queue = await allPages('queue', 'q', 'waiting', 2);
    assert.equal(queue.length, 2);
    assert.deepEqual(
      queue.flatMap((p) => p.items.map((i) => i.fields.value)),
      ['v1', 'v2', 'v3'],
    );
    const pool = await allPages('pool', 'p', 'waiting', 10);
    assert.deepEqual(pool.flatMap((p) => p.items.map((i) => [i.fields.value, i.fields.leased])).sort(), [
      ['x', 0],
      ['y', 0],
    ]);
    assert.deepEqual(
      (await views.of('queue').list()).map((r) => `${r.family}/${r.name}`),
      ['queue/q', 'pool/p'],
    );
    assert.equal(await views.of('queue').has({ family: 'pool', name: 'q' }), false, 'a name of another kind');
  });
});

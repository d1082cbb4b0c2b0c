import assert from 'node:assert/strict';
import { PrioritizedStream } from '../../../src/index.js';
import { closeAll, connect, describeEachTopology, uniqueName } from '../support.js';

describeEachTopology('PrioritizedStream (concurrency)', () => {
  afterEach(closeAll);

  it('should never lose an item nor hand a purged item to two pullers', async () => {
    const name = uniqueName();
    const producers = 4;
    const perProducer = 2500;
    const pullers = 4;
    const total = producers * perProducer;
    const pulledBy = new Map<string, number>();
    let produced = 0;

    const produce = async (p: number): Promise<void> => {
      const stream = new PrioritizedStream(connect(), name, { cooldownMs: 0 });
      for (let i = 0; i < perProducer; i += 100) {
        const batch = Array.from({ length: 100 }, (_, j) => {
          const n = i + j;
          return { key: `p${String(p)}-${String(n)}`, value: `v${String(n)}`, priority: n % 17 };
        });
        const results = await stream.addMany(batch);
        assert.ok(results.every((r) => r !== null));
        produced += batch.length;
      }
    };
    const pull = async (w: number): Promise<void> => {
      const stream = new PrioritizedStream(connect(), name, { cooldownMs: 0 });
      // Keep pulling until every item was produced and the stream is drained.
      for (;;) {
        // Read before pulling: an empty pull after every add had finished means drained.
        const allProduced = produced === total;
        const items = await stream.pull({ count: 37, gate: true });
        for (const item of items) {
          assert.equal(pulledBy.has(item.key), false, `${item.key} was handed out twice`);
          pulledBy.set(item.key, w);
        }
        if (items.length === 0 && allProduced) return;
      }
    };

    await Promise.all([...Array.from({ length: producers }, (_, p) => produce(p)), ...Array.from({ length: pullers }, (_, w) => pull(w))]);

    assert.equal(pulledBy.size, total);
    for (let p = 0; p < producers; p += 1) {
      for (let n = 0; n < perProducer; n += 1) assert.ok(pulledBy.has(`p${String(p)}-${String(n)}`));
    }
    const perPuller = new Set(pulledBy.values());
    assert.ok(perPuller.size > 1, 'the work was spread over several pullers');
    const check = new PrioritizedStream(connect(), name);
    assert.equal(await check.len(), 0);
  });

  it('should sum concurrent adds of the same key exactly', async () => {
    const name = uniqueName();
    await Promise.all(
      Array.from({ length: 5 }, async () => {
        const stream = new PrioritizedStream(connect(), name);
        for (let i = 0; i < 200; i += 1) await stream.add('hot', 'v', 1);
      }),
    );
    assert.equal((await new PrioritizedStream(connect(), name).entries())[0]?.priority, 1000);
  });

  it('should let gated keys be rejected whichever client re-adds them', async () => {
    const name = uniqueName();
    const writer = new PrioritizedStream(connect(), name);
    await writer.addMany(Array.from({ length: 500 }, (_, i) => [`k${String(i)}`, 'v', 1] as const));
    await writer.pull({ count: 500, gate: true });
    const results = await Promise.all(
      Array.from({ length: 4 }, () =>
        new PrioritizedStream(connect(), name).addMany(Array.from({ length: 500 }, (_, i) => [`k${String(i)}`, 'v', 1] as const)),
      ),
    );
    assert.ok(results.flat().every((r) => r === null));
    assert.equal(await writer.len(), 0);
  });
});

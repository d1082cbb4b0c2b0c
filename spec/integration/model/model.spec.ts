/**
 * Model-based tests (fast-check): random sequences of operations on a `PrioritizedStream`, a
 * `Queue` and a `UniqueQueue`, run against real Redis and against a small in-memory model of
 * their contracts (docs/operations.md, docs/queues.md), compared reply by reply and state by
 * state after every step. The output names the seed, the runs and the steps taken; a failure
 * prints fast-check's counterexample (the operations, shrunk) with its seed and path, and
 * GOOD_REDIS_FUZZ_SEED (with GOOD_REDIS_FUZZ_PATH) replays it. GOOD_REDIS_FUZZ_RUNS sets the
 * runs (`npm run test:fuzz` takes many more). On the standalone topology: the scripts are the
 * same on every topology, and the other suites prove those.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { GoodRedisError, PrioritizedStream, Queue, UniqueQueue, type Delivery, type RedisClient } from '../../../src/index.js';
import { closeAll, connect, describeEachTopology, uniqueName } from '../support.js';

const RUNS = Number(process.env.GOOD_REDIS_FUZZ_RUNS ?? 100);
const SEED = Number(process.env.GOOD_REDIS_FUZZ_SEED ?? Math.floor(Math.random() * 0x7fffffff));
const PATH = process.env.GOOD_REDIS_FUZZ_PATH;
const MAX_STEPS = 60;

/** fast-check's parameters: the seed (and path) to replay, the runs. */
const parameters = (): fc.Parameters<unknown> => ({ seed: SEED, numRuns: RUNS, ...(PATH === undefined ? {} : { path: PATH, endOnFailure: true }) });

const KEYS = ['a', 'b', 'c', 'd', 'e', 'f'];
const key = fc.constantFrom(...KEYS);
const priority = fc.integer({ min: -5, max: 5 });
const value = fc.constantFrom('x', 'y', 'z');

// ---------------------------------------------------------------- PrioritizedStream

type Mode = 'sum' | 'replace' | 'max';
type StreamOp =
  | { op: 'add'; key: string; value: string; priority: number; mode: Mode; readd: boolean }
  | { op: 'addMany'; items: [string, string, number][]; mode: Mode }
  | { op: 'pull'; count: number; gate: boolean; cooldown: boolean }
  | { op: 'increment'; key: string; by: number }
  | { op: 'decrementAll'; by: number }
  | { op: 'deleteBelow'; threshold: number; gate: boolean }
  | { op: 'remove'; keys: string[] };

const mode = fc.constantFrom<Mode>('sum', 'replace', 'max');
const streamOp: fc.Arbitrary<StreamOp> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('add' as const), key, value, priority, mode, readd: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('addMany' as const), items: fc.array(fc.tuple(key, value, priority), { maxLength: 5 }), mode }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('pull' as const), count: fc.integer({ min: 1, max: 4 }), gate: fc.boolean(), cooldown: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('increment' as const), key, by: fc.integer({ min: -3, max: 3 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('decrementAll' as const), by: fc.integer({ min: 1, max: 3 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('deleteBelow' as const), threshold: priority, gate: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('remove' as const), keys: fc.uniqueArray(key, { maxLength: 3 }) }) },
);

/** The contract of a stream without leases, as a few maps: queued items, gated keys, cooling keys (no time passes in a run). */
class StreamModel {
  public readonly queued = new Map<string, { value: string; priority: number }>();
  public readonly gated = new Set<string>();
  public readonly cooling = new Set<string>();

  public add(k: string, v: string, p: number, m: Mode, readd: boolean): number | null {
    if (readd) {
      this.gated.delete(k);
      this.cooling.delete(k);
    }
    if (this.gated.has(k) || this.cooling.has(k)) return null;
    const current = this.queued.get(k);
    const next = current === undefined ? p : m === 'sum' ? current.priority + p : m === 'replace' ? p : Math.max(current.priority, p);
    this.queued.set(k, { value: v, priority: next });
    return next;
  }

  /** Highest priority first; equal priorities in ascending byte order of their keys. */
  public entries(): { key: string; value: string; priority: number }[] {
    return [...this.queued].map(([k, item]) => ({ key: k, ...item })).sort((a, b) => b.priority - a.priority || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  public pull(count: number, gate: boolean, cooldown: boolean): { key: string; value: string; priority: number }[] {
    const taken = this.entries().slice(0, count);
    for (const item of taken) {
      this.queued.delete(item.key);
      if (gate) this.gated.add(item.key);
      if (cooldown) this.cooling.add(item.key);
      else this.cooling.delete(item.key);
    }
    return taken;
  }
}

/** Runs one operation on both; asserts the replies agree. */
async function stepStream(stream: PrioritizedStream, model: StreamModel, o: StreamOp): Promise<void> {
  switch (o.op) {
    case 'add':
      assert.equal(await stream.add(o.key, o.value, o.priority, { mode: o.mode, readd: o.readd }), model.add(o.key, o.value, o.priority, o.mode, o.readd));
      return;
    case 'addMany':
      assert.deepEqual(
        await stream.addMany(o.items, { mode: o.mode }),
        o.items.map(([k, v, p]) => model.add(k, v, p, o.mode, false)),
      );
      return;
    case 'pull':
      assert.deepEqual(await stream.pull({ count: o.count, gate: o.gate, ...(o.cooldown ? {} : { cooldownMs: 0 }) }), model.pull(o.count, o.gate, o.cooldown));
      return;
    case 'increment': {
      const item = model.queued.get(o.key);
      if (item !== undefined) item.priority += o.by;
      assert.equal(await stream.increment(o.key, o.by), item === undefined ? null : item.priority);
      return;
    }
    case 'decrementAll':
      for (const item of model.queued.values()) item.priority -= o.by;
      assert.equal(await stream.decrementAll(o.by), model.queued.size);
      return;
    case 'deleteBelow': {
      const below = [...model.queued].filter(([, item]) => item.priority < o.threshold).map(([k]) => k);
      for (const k of below) {
        model.queued.delete(k);
        if (o.gate) model.gated.add(k);
      }
      assert.deepEqual((await stream.deleteBelow(o.threshold, { gate: o.gate })).sort(), below.sort());
      return;
    }
    case 'remove': {
      const queued = o.keys.filter((k) => model.queued.has(k));
      for (const k of queued) model.queued.delete(k);
      assert.deepEqual((await stream.remove(o.keys)).sort(), queued.sort());
      return;
    }
  }
}

/** Asserts the stream's state is the model's: its items in order, and its counts. */
async function sameStream(stream: PrioritizedStream, model: StreamModel): Promise<void> {
  assert.deepEqual(await stream.entries(), model.entries(), 'the queued items, in pull order');
  const stats = await stream.stats();
  assert.deepEqual(
    [stats.length, stats.gated, stats.cooling, stats.leased, stats.delayed, stats.dead],
    [model.queued.size, model.gated.size, model.cooling.size, 0, 0, 0],
  );
}

// ---------------------------------------------------------------- Queue and UniqueQueue

type QueueOp =
  | { op: 'add'; values: string[] }
  | { op: 'get'; count: number }
  | { op: 'ack'; picks: number[] }
  | { op: 'reject'; picks: number[] }
  | { op: 'ackStale' }
  | { op: 'delete'; value: string };

const picks = fc.uniqueArray(fc.nat(7), { minLength: 1, maxLength: 3 });
const queueOp: fc.Arbitrary<QueueOp> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant('add' as const), values: fc.array(value, { minLength: 1, maxLength: 4 }) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('get' as const), count: fc.integer({ min: 1, max: 3 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('ack' as const), picks }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('reject' as const), picks }) },
  { weight: 1, arbitrary: fc.constant({ op: 'ackStale' as const }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('delete' as const), value }) },
);

/** The contract of a FIFO queue (unique: a value waits at most once): what waits, next first, and the deliveries held. */
class QueueModel {
  public waiting: string[] = [];
  /** The deliveries held, in the order taken, with the real ones beside them. */
  public held: { value: string; real: Delivery<string> | undefined }[] = [];
  public settled: Delivery<string>[] = [];
  public constructor(public readonly unique: boolean) {}

  public add(values: readonly string[]): number | boolean[] {
    if (!this.unique) {
      this.waiting.push(...values);
      return this.waiting.length;
    }
    return values.map((v) => {
      if (this.waiting.includes(v)) return false;
      this.waiting.push(v);
      return true;
    });
  }
}

/** The held deliveries `picks` names (indexes into what is held, modulo), in pick order, each once. */
function picked(model: QueueModel, indexes: readonly number[]): number[] {
  if (model.held.length === 0) return [];
  return [...new Set(indexes.map((i) => i % model.held.length))];
}

async function stepQueue(queue: Queue | UniqueQueue, model: QueueModel, o: QueueOp): Promise<void> {
  switch (o.op) {
    case 'add':
      assert.deepEqual(await queue.addItems(o.values), model.add(o.values));
      return;
    case 'get': {
      const deliveries = await queue.getItems(o.count);
      const expected = model.waiting.splice(0, o.count);
      assert.deepEqual(
        deliveries.map((d) => d.value),
        expected,
      );
      model.held.push(...deliveries.map((d) => ({ value: d.value, real: d })));
      return;
    }
    case 'ack':
    case 'reject': {
      const chosen = picked(model, o.picks);
      if (chosen.length === 0) return;
      const real = chosen.map((i) => model.held[i]?.real).filter((d): d is Delivery<string> => d !== undefined);
      const values = chosen.map((i) => model.held[i]?.value ?? '');
      model.held = model.held.filter((_, i) => !chosen.includes(i));
      model.settled.push(...real);
      if (o.op === 'ack') assert.equal(await queue.ackItems(real), real.length);
      else {
        assert.equal(await queue.rejectItems(real), real.length);
        // Back to the head, the first of the batch next; a unique queue leaves a value already waiting where it is.
        const back: string[] = [];
        for (const v of values) if (!model.unique || (!model.waiting.includes(v) && !back.includes(v))) back.push(v);
        model.waiting = [...back, ...model.waiting];
      }
      return;
    }
    case 'ackStale': {
      const stale = model.settled.at(-1);
      if (stale === undefined) return;
      await assert.rejects(queue.ackItems([stale]), (err: unknown) => GoodRedisError.is(err, 'LeaseLost'));
      return;
    }
    case 'delete': {
      const before = model.waiting.length;
      model.waiting = model.waiting.filter((v) => v !== o.value);
      assert.equal(await queue.deleteItem(o.value), before - model.waiting.length);
      return;
    }
  }
}

async function sameQueue(queue: Queue | UniqueQueue, model: QueueModel): Promise<void> {
  assert.deepEqual(await queue.items(), model.waiting, 'what waits, next first');
  const stats = await queue.stats();
  assert.deepEqual([stats.waiting, stats.processing], [model.waiting.length, model.held.length]);
}

// ---------------------------------------------------------------- the runs

describeEachTopology(
  'model-based: random operations against a model of the contract',
  () => {
    let redis: RedisClient;
    beforeEach(() => {
      redis = connect();
    });
    afterEach(async () => {
      await closeAll();
    });

    /**
     * Runs the property over sequences of `ops`: for each, opens a fresh object and its model,
     * runs every step then compares the whole state, names the step that differed, and cleans
     * up. Logs the seed, the runs and the steps (what replays a failure is in fast-check's message).
     */
    async function check<Op, Real, Model>(
      what: string,
      ops: fc.Arbitrary<Op>,
      open: () => [Real, Model],
      step: (real: Real, model: Model, o: Op) => Promise<void>,
      same: (real: Real, model: Model) => Promise<void>,
      close: (real: Real) => Promise<unknown>,
    ): Promise<void> {
      let steps = 0;
      let runs = 0;
      await fc.assert(
        fc.asyncProperty(fc.array(ops, { minLength: 1, maxLength: MAX_STEPS, size: 'max' }), async (sequence) => {
          runs += 1;
          const [real, model] = open();
          let done = 0;
          try {
            for (const o of sequence) {
              done += 1;
              await step(real, model, o);
              await same(real, model);
            }
          } catch (err) {
            throw new Error(`step ${String(done)} (${JSON.stringify(sequence[done - 1])}): ${(err as Error).message}`, { cause: err });
          } finally {
            await close(real);
          }
          steps += sequence.length;
        }),
        parameters(),
      );
      console.log(`      ${what}: seed ${String(SEED)}, ${String(runs)} runs, ${String(steps)} steps compared with the model`);
    }

    it(`a PrioritizedStream behaves as its model (seed ${String(SEED)}, ${String(RUNS)} runs)`, async function () {
      this.timeout(600_000);
      await check(
        'PrioritizedStream',
        streamOp,
        () => [new PrioritizedStream(redis, uniqueName('model')), new StreamModel()],
        stepStream,
        sameStream,
        (stream) => stream.delete(),
      );
    });

    for (const unique of [false, true]) {
      const what = unique ? 'UniqueQueue' : 'Queue';
      it(`a ${what} behaves as its model (seed ${String(SEED)}, ${String(RUNS)} runs)`, async function () {
        this.timeout(600_000);
        await check(
          what,
          queueOp,
          () => [unique ? new UniqueQueue(redis, uniqueName('model')) : new Queue(redis, uniqueName('model')), new QueueModel(unique)],
          stepQueue,
          sameQueue,
          async (queue) => {
            await queue.close({ handBack: false });
            return queue.delete();
          },
        );
      });
    }
  },
  ['standalone'],
);

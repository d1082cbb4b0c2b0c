import assert from 'node:assert/strict';
import { Expirer, GoodRedisError, PrioritizedStream, StreamRegistry, Worker, jsonCodec, registerCommands } from '../../../src/index.js';
import { recordingClient } from './recording-client.js';

const isInvalid = (err: unknown): boolean => GoodRedisError.is(err, 'InvalidArgument');

describe('PrioritizedStream (argument checks)', () => {
  describe('constructor', () => {
    for (const name of ['', 'a{b', 'a}b', 42, null]) {
      it(`should refuse the stream name ${JSON.stringify(name)}`, () => {
        assert.throws(() => new PrioritizedStream(recordingClient().client, name as string), isInvalid);
      });
    }

    it('should refuse a prefix with braces', () => {
      assert.throws(() => new PrioritizedStream(recordingClient().client, 'ok', { prefix: '{p}' }), isInvalid);
    });

    it('should refuse a negative or fractional cooldownMs and a chunkSize out of range', () => {
      const { client } = recordingClient();
      assert.throws(() => new PrioritizedStream(client, 'ok', { cooldownMs: -1 }), /cooldownMs/);
      assert.throws(() => new PrioritizedStream(client, 'ok', { cooldownMs: 1.5 }), /cooldownMs/);
      assert.throws(() => new PrioritizedStream(client, 'ok', { chunkSize: 0 }), /chunkSize/);
      assert.throws(() => new PrioritizedStream(client, 'ok', { chunkSize: 10_001 }), /chunkSize/);
    });

    it('should build every key with the {name} hash tag under the prefix', () => {
      const stream = new PrioritizedStream(recordingClient().client, 'jobs', { prefix: 'app:' });
      assert.deepEqual(stream.redisKeys, {
        items: 'app:{jobs}:t',
        scores: 'app:{jobs}:s',
        gated: 'app:{jobs}:exc',
        cooldowns: 'app:{jobs}:exp',
        meta: 'app:{jobs}:meta',
        leases: 'app:{jobs}:lease',
        delayed: 'app:{jobs}:delay',
        dead: 'app:{jobs}:dead',
        state: 'app:{jobs}:state',
        marker: 'app:{jobs}:marker',
        stats: 'app:{jobs}:stats',
      });
    });
  });

  describe('methods', () => {
    const refusals: [string, (s: PrioritizedStream<unknown>) => Promise<unknown>, RegExp][] = [
      ['add with an empty key', (s) => s.add('', 'v'), /key must be a non-empty string/],
      ['add with a non-string key', (s) => s.add(7 as unknown as string, 'v'), /key must be a non-empty string/],
      ['add with a NaN priority', (s) => s.add('k', 'v', Number.NaN), /priority must be a finite number/],
      ['add with an infinite priority', (s) => s.add('k', 'v', Number.NEGATIVE_INFINITY), /priority/],
      ['add with a string priority', (s) => s.add('k', 'v', '5' as unknown as number), /priority/],
      ['add with a bad mode', (s) => s.add('k', 'v', 1, { mode: 'min' as 'max' }), /mode must be one of/],
      ['add with a non-boolean readd', (s) => s.add('k', 'v', 1, { readd: 'yes' as unknown as boolean }), /readd/],
      [
        'addMany with a bad second item',
        (s) =>
          s.addMany([
            ['a', 'v', 1],
            ['b', 'v', Number.NaN],
          ]),
        /items\[1\]\.priority/,
      ],
      ['pull with count 0', (s) => s.pull({ count: 0 }), /count must be an integer from 1 to 10000/],
      ['pull with gate but no purge', (s) => s.pull({ gate: true, purge: false }), /gate requires purge/],
      ['pull with a NaN expireAt', (s) => s.pull({ expireAt: new Date(Number.NaN) }), /expireAt/],
      ['increment with a NaN by', (s) => s.increment('k', Number.NaN), /by must be a finite number/],
      ['decrementAll with an infinite by', (s) => s.decrementAll(Number.POSITIVE_INFINITY), /by must be a finite number/],
      ['deleteBelow with a NaN threshold', (s) => s.deleteBelow(Number.NaN), /threshold/],
      ['get with an empty key', (s) => s.get(''), /key/],
      ['keys with a fractional limit', (s) => s.keys({ limit: 1.5 }), /limit/],
      ['scan with a batchSize of 0', (s) => s.scan({ batchSize: 0 }).next(), /batchSize/],
    ];
    for (const [label, call, message] of refusals) {
      it(`should refuse ${label} and send nothing`, async () => {
        const { client, calls } = recordingClient();
        const stream = new PrioritizedStream<unknown>(client, 'ok');
        await assert.rejects(call(stream), (err) => isInvalid(err) && message.test((err as Error).message));
        assert.deepEqual(calls, []);
      });
    }

    // Issue 12, item 14: null (or another non-object) as options is an InvalidArgument, not a TypeError.
    const nullOptions: [string, (s: PrioritizedStream<unknown>) => Promise<unknown>][] = [
      ['add', (s) => s.add('k', 'v', 1, null as never)],
      ['addMany', (s) => s.addMany([['k', 'v']], null as never)],
      ['addManyDetailed', (s) => s.addManyDetailed([['k', 'v']], 5 as never)],
      ['pull', (s) => s.pull(null as never)],
      ['deleteBelow', (s) => s.deleteBelow(0, null as never)],
      ['keys', (s) => s.keys(null as never)],
      ['entries', (s) => s.entries([] as never)],
      ['cooldowns', (s) => s.cooldowns(null as never)],
      ['scan', (s) => s.scan(null as never).next()],
      ['lease', (s) => s.lease(null as never)],
      ['ack', (s) => s.ack([{ key: 'k', leaseId: '1' }], null as never)],
      ['nack', (s) => s.nack([{ key: 'k', leaseId: '1' }], null as never)],
      ['deadLetters', (s) => s.deadLetters(null as never)],
      ['leases', (s) => s.leases(null as never)],
      ['delayed', (s) => s.delayed(null as never)],
      ['consume', async (s) => s.consume(null as never).next()],
    ];
    for (const [method, call] of nullOptions) {
      it(`should refuse null options of ${method} with InvalidArgument (issue 12, item 14) and send nothing`, async () => {
        const { client, calls } = recordingClient();
        const stream = new PrioritizedStream<unknown>(client, 'ok');
        await assert.rejects(call(stream), (err) => isInvalid(err) && (err as Error).message.includes('must be an object'));
        assert.deepEqual(calls, []);
      });
    }

    it('should refuse null options of the constructors with InvalidArgument (issue 12, item 14)', () => {
      const { client } = recordingClient();
      assert.throws(() => new PrioritizedStream(client, 'ok', null as never), isInvalid);
      const stream = new PrioritizedStream(client, 'ok');
      assert.throws(() => new Worker(stream, () => undefined, null as never), isInvalid);
      assert.throws(() => new StreamRegistry(client, null as never), isInvalid);
      assert.throws(() => new Expirer(new StreamRegistry(client), null as never), isInvalid);
      assert.throws(() => {
        registerCommands(client, null as never);
      }, isInvalid);
    });

    it('should refuse a Worker whose ack options are bad, at construction (issue 12, item 8)', () => {
      const { client, calls } = recordingClient();
      const stream = new PrioritizedStream(client, 'ok');
      for (const ack of [{ cooldownMs: -1 }, { gate: 'yes' }, { expireAt: Number.NaN }, null]) {
        assert.throws(() => new Worker(stream, () => undefined, { ack: ack as never, autorun: false }), isInvalid, JSON.stringify(ack));
      }
      assert.deepEqual(calls, []);
    });

    it('should refuse a value the codec cannot encode and send nothing', async () => {
      const { client, calls } = recordingClient();
      const stream = new PrioritizedStream<unknown>(client, 'ok', { codec: jsonCodec() });
      await assert.rejects(
        stream.add('k', () => 1),
        (err) => GoodRedisError.is(err, 'Codec'),
      );
      assert.deepEqual(calls, []);
    });

    it('should send one script and one registration for an add', async () => {
      const { client, calls } = recordingClient();
      await new PrioritizedStream(client, 'ok').add('k', 'v');
      assert.deepEqual(calls, ['script:addItem', 'sadd']);
    });

    it('should send one script per chunk for addMany', async () => {
      const { client, calls } = recordingClient();
      const stream = new PrioritizedStream(client, 'ok', { chunkSize: 2 });
      await stream
        .addMany([
          ['a', 'v'],
          ['b', 'v'],
          ['c', 'v'],
        ])
        .catch(() => undefined);
      assert.deepEqual(calls, ['script:addItems', 'script:addItems', 'sadd']);
    });
  });
});

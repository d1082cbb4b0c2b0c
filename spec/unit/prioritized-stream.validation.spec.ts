import assert from 'node:assert/strict';
import { GoodRedisError, PrioritizedStream, jsonCodec } from '../../src/index.js';
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
      ['addMany with a bad second item', (s) => s.addMany([['a', 'v', 1], ['b', 'v', Number.NaN]]), /items\[1\]\.priority/],
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

    it('should refuse a value the codec cannot encode and send nothing', async () => {
      const { client, calls } = recordingClient();
      const stream = new PrioritizedStream<unknown>(client, 'ok', { codec: jsonCodec() });
      await assert.rejects(stream.add('k', () => 1), (err) => GoodRedisError.is(err, 'Codec'));
      assert.deepEqual(calls, []);
    });

    it('should send one script and one registration for an add', async () => {
      const { client, calls } = recordingClient();
      await new PrioritizedStream(client, 'ok').add('k', 'v');
      assert.deepEqual(calls, ['__goodRedis_addItem', 'sadd']);
    });

    it('should send one script per chunk for addMany', async () => {
      const { client, calls } = recordingClient();
      const stream = new PrioritizedStream(client, 'ok', { chunkSize: 2 });
      await stream.addMany([['a', 'v'], ['b', 'v'], ['c', 'v']]).catch(() => undefined);
      assert.deepEqual(calls, ['__goodRedis_addItems', '__goodRedis_addItems', 'sadd']);
    });
  });
});

import assert from 'node:assert/strict';
import { GoodRedisError, registryKey, streamKeys } from '../../../src/index.js';
import { familyRegistryKey, objectKeyPattern, objectKeys, type KeyLayout } from '../../../src/keyspace/keys.js';

const QUEUE_LIKE: KeyLayout<'list' | 'processing'> = {
  what: 'queue',
  tag: ':q',
  suffixes: { list: 'list', processing: 'proc' },
  types: { list: 'list', processing: 'zset' },
};

describe('keyspace (unit)', () => {
  it("should keep the streams' documented keys", () => {
    assert.deepEqual(streamKeys('orders', 'P'), {
      items: 'P{orders}:t',
      scores: 'P{orders}:s',
      gated: 'P{orders}:exc',
      cooldowns: 'P{orders}:exp',
      meta: 'P{orders}:meta',
      leases: 'P{orders}:lease',
      delayed: 'P{orders}:delay',
      dead: 'P{orders}:dead',
      state: 'P{orders}:state',
      marker: 'P{orders}:marker',
      stats: 'P{orders}:stats',
    });
    assert.equal(registryKey(), ':ps:keys');
    assert.equal(registryKey('P'), 'P:ps:keys');
  });

  it('should put a family tag before the one hash tag of every key', () => {
    const keys = objectKeys(QUEUE_LIKE, 'orders', 'P');
    assert.deepEqual(keys, { list: 'P:q{orders}:list', processing: 'P:q{orders}:proc' });
    for (const key of Object.values(keys)) assert.deepEqual(key.match(/\{[^}]*\}/g), ['{orders}']);
    assert.equal(familyRegistryKey('q', 'P'), 'P:q:keys');
  });

  it('should refuse a name or prefix that would break the hash tag, naming the object', () => {
    for (const name of ['', 'a{b', 'a}b', 42]) {
      assert.throws(
        () => objectKeys(QUEUE_LIKE, name as string),
        (err: unknown) => GoodRedisError.is(err, 'InvalidArgument') && (err as Error).message.startsWith('queue name must'),
      );
    }
    assert.throws(() => objectKeys(QUEUE_LIKE, 'ok', 'x{'), /prefix must be a string without/);
    assert.throws(() => streamKeys('a}b'), /^GoodRedisError: stream name must not contain|stream name must not contain/);
    assert.throws(() => familyRegistryKey('q', '{'), /prefix must be a string without/);
  });

  it('should make the glob of every object of a layout, or of one object, that its keys match', () => {
    const pattern = objectKeyPattern(QUEUE_LIKE, 'P');
    assert.equal(pattern, 'P:q{*');
    assert.ok(objectKeys(QUEUE_LIKE, 'mail', 'P').list.startsWith(pattern.slice(0, -1)));
    assert.equal(objectKeyPattern(QUEUE_LIKE, 'P', 'mail'), 'P:q{mail}:*');
    assert.throws(() => objectKeyPattern(QUEUE_LIKE, 'P', 'a{b'), /queue name must not contain/);
    assert.throws(() => objectKeyPattern(QUEUE_LIKE, '{'), /prefix must be a string without/);
  });
});

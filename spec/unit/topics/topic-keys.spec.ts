/** Topic key names: one hash tag for the coordination, one per partition. */
import assert from 'node:assert/strict';
import { GoodRedisError, groupKeys, partitionGroupKeys, topicKeys, topicRegistryKey } from '../../../src/index.js';

describe('topic keys (unit)', () => {
  it('tags the coordination with {T} and each partition with {T#n}, after the family tag :tp', () => {
    assert.deepEqual(topicKeys('orders', 'P'), { topic: 'P:tp{orders}:topic', groups: 'P:tp{orders}:groups' });
    assert.deepEqual(groupKeys('orders', 'billing'), {
      topic: ':tp{orders}:topic',
      groups: ':tp{orders}:groups',
      group: ':tp{orders}:group:billing',
      members: ':tp{orders}:members:billing',
    });
    assert.deepEqual(partitionGroupKeys('orders', 3, 'billing', 'P'), {
      log: 'P:tp{orders#3}:log',
      stats: 'P:tp{orders#3}:stats',
      own: 'P:tp{orders#3}:own:billing',
      retry: 'P:tp{orders#3}:retry:billing',
      dead: 'P:tp{orders#3}:dead:billing',
    });
    assert.equal(topicRegistryKey('P'), 'P:tp:keys');
  });

  it('refuses topic names with {, } or #, and group names with { or }', () => {
    for (const bad of ['', 'a{', 'a}', 'a#1'])
      assert.throws(
        () => topicKeys(bad),
        (e) => GoodRedisError.is(e, 'InvalidArgument'),
      );
    for (const bad of ['', 'g{', 'g}'])
      assert.throws(
        () => groupKeys('t', bad),
        (e) => GoodRedisError.is(e, 'InvalidArgument'),
      );
    assert.doesNotThrow(() => groupKeys('t', 'g#1:x'));
  });
});

import assert from 'node:assert/strict';
import { ACL_ROLES, aclRule, GoodRedisError } from '../../../src/index.js';
import { scriptCommandsOf } from '../../../src/security/acl.js';

describe('aclRule (unit)', () => {
  it('reads the commands every script runs from the scripts themselves', () => {
    const commands = scriptCommandsOf();
    for (const command of ['xadd', 'zadd', 'hincrby', 'lpush', 'time', 'xreadgroup']) assert.ok(commands.includes(command), command);
    assert.ok(
      commands.every((c) => /^[a-z]+$/.test(c)),
      commands.join(' '),
    );
    assert.deepEqual([...commands].sort(), commands, 'sorted');
  });

  it('gives each role its keys by prefix and family tag, its channels, and -@all then its commands', () => {
    const rules = Object.fromEntries(ACL_ROLES.map((role) => [role, aclRule(role, { prefix: 'app:' })]));
    for (const rule of Object.values(rules)) {
      assert.equal(rule[0], 'resetkeys');
      assert.ok(rule.includes('~app:{*') && rule.includes('~app::q{*') && rule.includes('~app::tp{*') && rule.includes('~app::tq{*'));
      assert.ok(rule.indexOf('-@all') < rule.indexOf('+evalsha'));
      assert.ok(!rule.some((t) => t.startsWith('~') && !t.startsWith('~app:')), 'no key outside the prefix');
    }
    assert.ok(rules.worker?.includes('~app::w{workers}:*'));
    assert.ok(!rules.producer?.includes('~app::w{workers}:*') && !rules.daemon?.includes('~app::w{workers}:*'));
    assert.ok(!rules.daemon?.includes('~app::tr{*'), 'the daemon does not touch results');
    assert.ok(rules.reader?.includes('~app::h{*'));
    assert.ok(!rules.reader?.some((t) => ['+hset', '+xadd', '+zadd', '+publish', '+del'].includes(t)), 'the reader writes nothing');
    assert.deepEqual(
      rules.reader?.filter((t) => t.startsWith('&')),
      [],
    );
    assert.ok(rules.producer?.includes('&app::tr{*}:done'));
  });

  it('refuses an unknown role or a bad prefix', () => {
    assert.throws(
      () => aclRule('admin' as never),
      (err) => GoodRedisError.is(err, 'InvalidArgument'),
    );
    assert.throws(
      () => aclRule('reader', { prefix: 'a{b' }),
      (err) => GoodRedisError.is(err, 'InvalidArgument'),
    );
  });
});

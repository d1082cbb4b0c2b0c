import assert from 'node:assert/strict';
import { GoodRedisError } from '../../src/index.js';
import { fromScriptError } from '../../src/errors.js';

describe('GoodRedisError', () => {
  describe('.is', () => {
    it('should recognise the error, optionally by kind', () => {
      const err = new GoodRedisError('Range', 'too far');
      assert.equal(GoodRedisError.is(err), true);
      assert.equal(GoodRedisError.is(err, 'Range'), true);
      assert.equal(GoodRedisError.is(err, 'Codec'), false);
      assert.equal(err.name, 'GoodRedisError');
      assert.ok(err instanceof Error);
    });

    it('should recognise an error from another copy of the package by its global marker', () => {
      const foreign = Object.assign(new Error('x'), { kind: 'Codec' });
      Object.defineProperty(foreign, Symbol.for('good-redis.error'), { value: true });
      assert.equal(GoodRedisError.is(foreign, 'Codec'), true);
    });

    it('should reject look-alikes and non-errors', () => {
      assert.equal(GoodRedisError.is(Object.assign(new Error('x'), { kind: 'Codec' })), false);
      assert.equal(GoodRedisError.is(null), false);
      assert.equal(GoodRedisError.is('GoodRedisError'), false);
    });

    it('should keep the cause', () => {
      const cause = new Error('root');
      assert.equal(new GoodRedisError('Script', 'x', { cause }).cause, cause);
    });
  });

  describe('fromScriptError', () => {
    it('should map script codes to kinds and keep the reply as the cause', () => {
      const reply = new Error('GRERR EINVAL count must be an integer from 1 to 10000');
      const mapped = fromScriptError(reply);
      assert.ok(GoodRedisError.is(mapped, 'InvalidArgument'));
      assert.equal(mapped.message, 'count must be an integer from 1 to 10000');
      assert.equal(mapped.cause, reply);
      assert.ok(GoodRedisError.is(fromScriptError(new Error('GRERR ERANGE offset')), 'Range'));
      assert.ok(GoodRedisError.is(fromScriptError(new Error('GRERR EWHAT new code')), 'Script'));
    });

    it('should find the code behind the script location Redis prepends', () => {
      const mapped = fromScriptError(new Error('ERR user_script:1: GRERR EINVAL bad script: abc'));
      assert.ok(GoodRedisError.is(mapped, 'InvalidArgument'));
    });

    it('should leave other errors unchanged', () => {
      const other = new Error('WRONGTYPE Operation against a key holding the wrong kind of value');
      assert.equal(fromScriptError(other), other);
      assert.equal(fromScriptError('text'), 'text');
    });
  });
});

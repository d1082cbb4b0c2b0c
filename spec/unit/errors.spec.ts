import assert from 'node:assert/strict';
import { GoodRedisError } from '../../src/index.js';
import { ReplyError } from 'ioredis';
import { fromRedisError } from '../../src/errors.js';
import { UnansweredError } from '../../src/scripting/script-command.js';

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

  describe('fromRedisError', () => {
    it('should map script codes to kinds and keep the reply as the cause', () => {
      const reply = new Error('GRERR EINVAL count must be an integer from 1 to 10000');
      const mapped = fromRedisError(reply);
      assert.ok(GoodRedisError.is(mapped, 'InvalidArgument'));
      assert.equal(mapped.message, 'count must be an integer from 1 to 10000');
      assert.equal(mapped.cause, reply);
      assert.ok(GoodRedisError.is(fromRedisError(new Error('GRERR ERANGE offset')), 'Range'));
      assert.ok(GoodRedisError.is(fromRedisError(new Error('GRERR EWHAT new code')), 'Script'));
    });

    it('should find the code behind the script location Redis prepends', () => {
      const mapped = fromRedisError(new Error('ERR user_script:1: GRERR EINVAL bad script: abc'));
      assert.ok(GoodRedisError.is(mapped, 'InvalidArgument'));
    });

    it('should leave other errors unchanged', () => {
      const other = new Error('WRONGTYPE Operation against a key holding the wrong kind of value');
      assert.equal(fromRedisError(other), other);
      assert.equal(fromRedisError('text'), 'text');
    });
  });

  describe('fromRedisError (issue 12, item 14)', () => {
    it('should map an error reply Redis gave to kind Redis, keeping its message and the reply as cause', () => {
      const Reply = ReplyError as new (message: string) => Error; // ioredis types it as any
      const reply = new Reply('READONLY You can not write against a read only replica.');
      const mapped = fromRedisError(reply);
      assert.ok(GoodRedisError.is(mapped, 'Redis'));
      assert.equal(mapped.message, reply.message);
      assert.equal(mapped.cause, reply);
    });

    it('should map an ACL refusal, at the top level or inside a script, to kind Permission with the reply as cause', () => {
      const Reply = ReplyError as new (message: string) => Error;
      for (const message of [
        "NOPERM this user has no permissions to run the 'evalsha' command",
        'NOPERM this user has no permissions to access one of the keys used as arguments',
        "ERR The user executing the script can't run this command or subcommand script: 4b1d…, on @user_script:1.",
      ]) {
        const reply = new Reply(message);
        const mapped = fromRedisError(reply);
        assert.ok(GoodRedisError.is(mapped, 'Permission'), message);
        assert.ok(mapped.message.endsWith(message));
        assert.equal(mapped.cause, reply);
      }
    });

    it('should map connection failures and unanswered scripts to kind Connection', () => {
      for (const failure of [
        new Error('Connection is closed.'),
        Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }),
        Object.assign(new Error('Reached the max retries per request limit (which is 1). Refer to "maxRetriesPerRequest" option for details.'), {
          name: 'MaxRetriesPerRequestError',
        }),
        new Error('Too many Cluster redirections. Last error: Error: Connection is closed.'),
        new UnansweredError(),
      ]) {
        assert.ok(GoodRedisError.is(fromRedisError(failure), 'Connection'), failure.message);
      }
      assert.match((fromRedisError(new UnansweredError()) as Error).message, /whether it ran is unknown/);
    });

    it('should pass good-redis errors and programming errors through', () => {
      const own = new GoodRedisError('LeaseLost', 'gone');
      assert.equal(fromRedisError(own), own);
      const bug = new TypeError('x is not a function');
      assert.equal(fromRedisError(bug), bug);
    });
  });
});

import assert from 'node:assert/strict';
import RedisMock from 'ioredis-mock';
import { GoodRedisError, PrioritizedStream, type RedisClient } from '../../../src/index.js';
import { fromRedisError } from '../../../src/errors.js';
import { STREAM_SCRIPTS } from '../../../src/prioritized/scripts.js';

const shebangOf = STREAM_SCRIPTS.shebangOf.bind(STREAM_SCRIPTS);

describe('Script flags (issue 12, item 1)', () => {
  it('should declare no-writes on read-only scripts, allow-oom only on scripts that remove or settle, and none on the other writers', () => {
    for (const name of STREAM_SCRIPTS.names) {
      const first = (STREAM_SCRIPTS.flaggedSources().get(name) ?? '').split('\n')[0];
      assert.equal(first, shebangOf(name), name);
    }
    assert.equal(shebangOf('readStats'), '#!lua flags=no-writes');
    assert.equal(shebangOf('deleteStream'), '#!lua flags=allow-oom');
    assert.equal(shebangOf('removeItems'), '#!lua flags=allow-oom');
    // An ack frees the job's value and state: a full server lets consumers finish what they hold.
    assert.equal(shebangOf('ackItems'), '#!lua flags=allow-oom');
    for (const writer of ['addItem', 'addItems', 'pullItems', 'leaseItems', 'nackItems', 'buryItems'] as const) {
      assert.equal(shebangOf(writer), '#!lua', `${writer} must be refused up front when Redis is out of memory`);
    }
  });

  it('should fall back to scripts without a shebang on a server that refuses it (as Redis before 7 does)', async () => {
    // ioredis-mock's Lua, like Redis 6.2's, fails to compile a first line "#!lua".
    const client = new RedisMock() as unknown as RedisClient;
    const stream = new PrioritizedStream(client, 'legacy');
    assert.equal(await stream.add('k', 'v', 2), 2);
    assert.deepEqual(await stream.pull({ cooldownMs: 0 }), [{ key: 'k', value: 'v', priority: 2 }]);
    assert.equal(await stream.len(), 0);
    await client.quit();
  });

  it("should map Redis's OOM refusal to an OutOfMemory error", () => {
    const mapped = fromRedisError(new Error("OOM command not allowed when used memory > 'maxmemory'."));
    assert.ok(GoodRedisError.is(mapped, 'OutOfMemory'));
    assert.match((mapped as Error).message, /nothing was written/);
  });
});

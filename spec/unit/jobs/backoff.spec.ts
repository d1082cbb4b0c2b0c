/** `exponentialBackoff` (flow control, part 5): doubling delays up to a cap, and jitter drawn below each. */
import assert from 'node:assert/strict';
import { exponentialBackoff, GoodRedisError } from '../../../src/index.js';

describe('exponentialBackoff (unit)', () => {
  it('doubles from baseMs and stops at maxMs; with its defaults it is the default backoff', () => {
    const backoff = exponentialBackoff({ baseMs: 100, maxMs: 1000 });
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6].map((attempt) => backoff(attempt)),
      [100, 200, 400, 800, 1000, 1000],
    );
    const standard = exponentialBackoff();
    assert.deepEqual(
      [1, 2, 7, 8, 30].map((attempt) => standard(attempt)),
      [1000, 2000, 60_000, 60_000, 60_000],
    );
  });

  it('draws a jittered delay from [d × (1 − jitter), d]', () => {
    const draws = [0, 0.5, 0.999_999];
    const backoff = exponentialBackoff({ baseMs: 1000, maxMs: 60_000, jitter: 0.5 }, () => draws.shift() ?? 0);
    assert.deepEqual(
      [3, 3, 3].map((attempt) => backoff(attempt)),
      [4000, 3000, 2000],
    );
    const random = exponentialBackoff({ baseMs: 1000, jitter: 1 });
    for (let i = 0; i < 200; i++) {
      const d = random(2);
      assert.ok(d >= 0 && d <= 2000 && Number.isInteger(d), String(d));
    }
  });

  it('refuses a jitter outside [0, 1], a negative or fractional delay, and a cap below the base', () => {
    for (const options of [{ jitter: -0.1 }, { jitter: 1.5 }, { jitter: Number.NaN }, { baseMs: -1 }, { baseMs: 1.5 }, { baseMs: 500, maxMs: 100 }]) {
      assert.throws(
        () => exponentialBackoff(options),
        (err) => GoodRedisError.is(err, 'InvalidArgument'),
        JSON.stringify(options),
      );
    }
  });
});

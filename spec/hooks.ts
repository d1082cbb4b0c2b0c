/**
 * Mocha root hooks and global fixtures for the whole suite:
 * - a private redis-server on a free loopback port for spec/integration (unless REDIS_URL is
 *   set), stopped after the run;
 * - sinon restored after every test;
 * - an unhandled promise rejection fails the run instead of passing silently.
 */
import sinon from 'sinon';
import { startThrowawayRedis, type ThrowawayRedis } from '../scripts/throwaway-redis.js';

let server: ThrowawayRedis | undefined;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => {
  unhandled.push(reason);
};

export async function mochaGlobalSetup(): Promise<void> {
  process.on('unhandledRejection', onUnhandled);
  const url = process.env.REDIS_URL;
  if (url !== undefined && url !== '') {
    process.env.GOOD_REDIS_TEST_URL = url;
    return;
  }
  server = await startThrowawayRedis();
  process.env.GOOD_REDIS_TEST_URL = server.url;
}

export async function mochaGlobalTeardown(): Promise<void> {
  process.off('unhandledRejection', onUnhandled);
  await server?.stop();
}

export const mochaHooks = {
  afterEach(): void {
    sinon.restore();
    if (unhandled.length > 0) {
      const reasons = unhandled.splice(0);
      throw new Error(`unhandled promise rejection(s) during the test: ${reasons.map(String).join('; ')}`);
    }
  },
};

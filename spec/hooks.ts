/**
 * Mocha root hooks for every run, unit and integration alike (no server):
 * - sinon restored after every test;
 * - an unhandled promise rejection fails the test instead of passing silently.
 *
 * The integration suite also requires `integration/topologies.hooks.js`, which starts the
 * servers it runs on.
 */
import sinon from 'sinon';

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => {
  unhandled.push(reason);
};

export function mochaGlobalSetup(): void {
  process.on('unhandledRejection', onUnhandled);
}

export function mochaGlobalTeardown(): void {
  process.off('unhandledRejection', onUnhandled);
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

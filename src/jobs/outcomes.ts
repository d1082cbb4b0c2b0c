import { GoodRedisError } from '../errors.js';

/** A caught value as an Error. */
export function errorOf(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

/**
 * One outcome per job from an all-or-nothing batch call: `undefined` for each when `all`
 * succeeds; when it was refused because one job's lease moved on (`LeaseLost`, nothing
 * changed), each job is settled again on its own (`one`) to find which; any other failure is
 * every job's outcome.
 *
 * @param jobs - the jobs of the batch
 * @param all - settles them all at once
 * @param one - settles one
 * @returns one outcome per job, in order
 */
export async function perJobOutcomes<J>(jobs: readonly J[], all: () => Promise<unknown>, one: (job: J) => Promise<unknown>): Promise<(Error | undefined)[]> {
  try {
    await all();
    return jobs.map(() => undefined);
  } catch (err) {
    if (jobs.length > 1 && GoodRedisError.is(err, 'LeaseLost')) return Promise.all(jobs.map((job) => one(job).then(() => undefined, errorOf)));
    return jobs.map(() => errorOf(err));
  }
}

/**
 * `for await` over any {@link JobSource}.
 *
 * @module
 */
import type { JobSource, LeaseRequest, SourceJob } from './job-source.js';

/**
 * Leases jobs one batch at a time and yields them, waiting without polling while there is
 * none. On `break`, `return` or an abort of `abort`, the jobs leased but not yet yielded go
 * back to the source at once (released: their delivery is not counted).
 *
 * @param source - the jobs
 * @param request - what each lease asks for
 * @param blockTimeoutMs - the longest idle wait before looking again
 * @param abort - ends the loop, even during an idle wait
 * @param onErrors - gets the errors of jobs a lease dealt with itself (a value that did not decode went to the dead letters)
 */
export async function* consumeSource<J extends SourceJob>(
  source: JobSource<J>,
  request: LeaseRequest,
  blockTimeoutMs: number,
  abort?: AbortSignal,
  onErrors?: (errors: readonly unknown[]) => void,
): AsyncGenerator<J, void, undefined> {
  const aborted = (): boolean => abort?.aborted === true;
  if (aborted()) return;
  const signal = source.openSignal();
  const onAbort = (): void => {
    signal.close();
  };
  abort?.addEventListener('abort', onAbort, { once: true });
  let pending: J[] = [];
  try {
    while (!aborted()) {
      const { items, wakeInMs, errors } = await source.leaseBatch(request);
      if (errors.length > 0) onErrors?.(errors);
      pending = items;
      for (let item = pending[0]; item !== undefined && !aborted(); item = pending[0]) {
        pending.shift(); // handed out: no longer ours to release
        yield item;
      }
      if (items.length === 0 && !aborted()) await signal.waitForWork(wakeInMs, blockTimeoutMs);
    }
  } finally {
    abort?.removeEventListener('abort', onAbort);
    signal.close();
    if (pending.length > 0) {
      // Leased but never handed out: back to the source now, not when their lease expires.
      await source.release(pending).catch((err: unknown) => {
        // Nobody to throw to from a finally; the jobs come back when their lease expires.
        process.emitWarning(`good-redis consume: releasing ${String(pending.length)} job(s) not handed out failed: ${String(err)}`, 'GoodRedisWarning');
      });
    }
  }
}

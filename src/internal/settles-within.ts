/**
 * Whether `promise` settles (resolves or rejects) within `ms`. The timer is ref'd: while it
 * runs it holds the process, so an await on this never ends a process mid-wait; it is
 * cleared as soon as the promise settles.
 *
 * @param promise - what to wait for
 * @param ms - the longest wait
 * @returns `true` when it settled in time
 */
export async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => {
      resolve(false);
    }, ms);
  });
  try {
    return await Promise.race([
      promise.then(
        () => true,
        () => true,
      ),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

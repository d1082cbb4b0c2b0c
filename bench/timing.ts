/** How the benchmark times its phases and summarizes samples, one way for every row. */

/** A timed phase: items per second over it, and its length in ms. */
export interface Phase {
  itemsPerSecond: number;
  ms: number;
}

/** Times `work` over `items` items. */
export async function timed(items: number, work: () => Promise<unknown>): Promise<Phase> {
  const started = performance.now();
  await work();
  const ms = performance.now() - started;
  return { itemsPerSecond: (items / ms) * 1000, ms };
}

/** The `q` quantile (0 to 1) of samples, by rank (the median is `quantile(samples, 0.5)`); 0 for none. */
export function quantile(samples: readonly number[], q: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

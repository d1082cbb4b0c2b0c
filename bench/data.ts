/** The benchmark's data: crawler-frontier items, the same for every system. */

/** One item: a URL key, a JSON value and a priority. */
export interface BenchItem {
  key: string;
  value: { url: string; depth: number; site: number; discoveredAt: number; anchor: string };
  priority: number;
}

/** `count` items with deterministic pseudo-random integer priorities from 0 to 1,000. */
export function makeItems(count: number, seed = 7): BenchItem[] {
  let state = seed >>> 0;
  const random = (): number => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
  return Array.from({ length: count }, (_, i) => {
    const site = Math.floor(random() * 1000);
    const url = `https://site-${String(site)}.example/articles/${String(i)}/index.html`;
    return {
      key: url,
      value: { url, depth: i % 6, site, discoveredAt: 1_700_000_000_000 + i, anchor: `article ${String(i)}` },
      priority: Math.floor(random() * 1001),
    };
  });
}

/** Splits `items` into chunks of `size`. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Runs `work` over `tasks` with at most `inFlight` at once. */
export async function inParallel<T>(tasks: readonly T[], inFlight: number, work: (task: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < tasks.length) {
        const task = tasks[next] as T;
        next += 1;
        await work(task);
      }
    }),
  );
}

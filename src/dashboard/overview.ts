/**
 * The overview's pages: the objects whose name holds a filter, busiest first, a page at a time,
 * so that neither the page nor the JSON list grows with the number of objects (6,000 objects
 * made a 4 MB page).
 *
 * @module
 */
import type { ObjectCounts } from '../overview/inventory.js';
import { workOf } from '../overview/views.js';

/** How many objects a page of the overview (and of `/api/objects`, by default) lists. */
export const OVERVIEW_PAGE = 100;

/** The most objects one page of `/api/objects` may ask for (`?limit=`). */
export const OVERVIEW_MAX_LIMIT = 1000;

/** What an overview request asks for: a name filter, a page and its size. */
export interface OverviewQuery {
  /** The filter: a part of the name, any case (`''`: every object). */
  readonly q: string;
  /** The page, from 0. */
  readonly page: number;
  /** Objects per page. */
  readonly limit: number;
}

/** One page of the overview. */
export interface OverviewSlice extends OverviewQuery {
  /** The page's objects, busiest first (then by name). */
  readonly objects: readonly ObjectCounts[];
  /** How many objects pass the filter. */
  readonly total: number;
  /** How many pages they make (at least 1). */
  readonly pages: number;
}

/**
 * Reads `?q=`, `?page=` and `?limit=` (a bad page or limit is the first page, the default size;
 * the limit at most {@link OVERVIEW_MAX_LIMIT}).
 *
 * @param read - a query parameter by name
 */
export function overviewQuery(read: (name: string) => string | undefined): OverviewQuery {
  const whole = (text: string | undefined, fallback: number, max: number): number => {
    const n = Number(text ?? fallback);
    return Number.isSafeInteger(n) && n >= 0 && n <= max ? n : fallback;
  };
  const limit = whole(read('limit'), OVERVIEW_PAGE, OVERVIEW_MAX_LIMIT);
  return { q: (read('q') ?? '').trim().slice(0, 200), page: whole(read('page'), 0, 1_000_000), limit: limit === 0 ? OVERVIEW_PAGE : limit };
}

/**
 * The page `query` asks for of `objects`: those whose name holds `q` (any case), busiest first,
 * then by name (the pages a person reads), or in the order given (`byActivity: false`: the
 * inventory's, by family then name, which stays put from one page to the next for a program).
 *
 * @param objects - every object's counts
 * @param query - the filter and the page
 * @param byActivity - sort busiest first
 */
export function overviewSlice(objects: readonly ObjectCounts[], query: OverviewQuery, byActivity = true): OverviewSlice {
  const q = query.q.toLowerCase();
  const matching = q === '' ? [...objects] : objects.filter((o) => o.name.toLowerCase().includes(q));
  if (byActivity) matching.sort((a, b) => workOf(b) - workOf(a) || a.name.localeCompare(b.name));
  const pages = Math.max(1, Math.ceil(matching.length / query.limit));
  const page = Math.min(query.page, pages - 1);
  return { ...query, page, objects: matching.slice(page * query.limit, (page + 1) * query.limit), total: matching.length, pages };
}

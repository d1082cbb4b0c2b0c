/**
 * The overview: one page of the objects (busiest first, those whose name holds the filter), and
 * the same as JSON.
 *
 * @module
 */
import { Hono } from 'hono';
import { OVERVIEW_PAGE, overviewQuery, overviewSlice } from '../overview.js';
import { overviewPage } from '../pages.js';
import type { DashboardContext } from './context.js';

/**
 * `GET /` and `GET /api/objects`.
 *
 * @param ctx - the dashboard
 */
export function overviewRoutes(ctx: DashboardContext): Hono {
  const { base, prefix, readOnly, inventory, workers, historyReader, csrfOf } = ctx;
  const app = new Hono({ strict: false });
  app.get('/', async (c) => {
    csrfOf(c);
    // Every object's counts are read (they order the pages: busiest first); one page is drawn.
    const [objects, registered] = await Promise.all([inventory.counts(), workers.read()]);
    const slice = overviewSlice(objects, { ...overviewQuery((name) => c.req.query(name)), limit: OVERVIEW_PAGE });
    // The rates from the last two samples of each shown object's history (recorded by this dashboard or another).
    const rates = await historyReader.rates(slice.objects);
    return c.html(overviewPage(base, slice, registered.paused, registered.totals, rates, readOnly));
  });
  app.get('/api/objects', async (c) => {
    const { objects, total, page, pages, limit, q } = overviewSlice(
      await inventory.counts(),
      overviewQuery((name) => c.req.query(name)),
      false,
    );
    return c.json({ prefix, q, page, pages, limit, total, objects });
  });
  return app;
}

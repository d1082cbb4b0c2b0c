/**
 * The live workers of every family, and the paused objects.
 *
 * @module
 */
import { Hono } from 'hono';
import { workersPage } from '../pages.js';
import type { DashboardContext } from './context.js';

/**
 * `GET /workers` and `GET /api/workers`.
 *
 * @param ctx - the dashboard
 */
export function workerRoutes({ base, prefix, readOnly, workers }: DashboardContext): Hono {
  const app = new Hono({ strict: false });
  app.get('/workers', async (c) => {
    const registered = await workers.read();
    return c.html(workersPage(base, registered.workers, registered.paused, readOnly));
  });
  app.get('/api/workers', async (c) => c.json({ prefix, ...(await workers.read()) }));
  return app;
}

/**
 * What the dashboard serves as it is: its assets (uPlot, htmx, the chart script) and `/metrics`.
 *
 * @module
 */
import { Hono } from 'hono';
import { dashboardAssets } from '../assets.js';
import type { DashboardContext } from './context.js';

/**
 * `GET /assets/<file>` and `GET /metrics`.
 *
 * @param ctx - the dashboard
 */
export function staticRoutes({ metrics }: DashboardContext): Hono {
  const app = new Hono({ strict: false });
  app.get('/assets/:file', (c) => {
    const asset = dashboardAssets().files.get(c.req.param('file'));
    if (asset === undefined) return c.text('404 Not Found', 404);
    return c.body(asset.read(), 200, { 'Content-Type': asset.type, 'Cache-Control': 'public, max-age=31536000, immutable' });
  });
  app.get('/metrics', async (c) => {
    const text = await metrics.metrics();
    return c.body(text, 200, { 'Content-Type': metrics.contentType });
  });
  return app;
}

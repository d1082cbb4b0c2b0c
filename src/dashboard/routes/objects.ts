/**
 * An object: its page (its counts, history, consumption and its family's details), its counts
 * table (refreshed by htmx), its history and details as JSON, and its actions (a GET that asks to
 * confirm, then the POST that does it). Each family's details and actions come from its view.
 *
 * @module
 */
import { Hono, type Context } from 'hono';
import { GoodRedisError } from '../../errors.js';
import type { ActionParams, ObjectAction } from '../../observe/family-view.js';
import type { ObjectCounts } from '../../overview/inventory.js';
import { confirmPage, countsTable, errorPage, objectPage, type ObjectDetails } from '../pages.js';
import { localPath } from '../security.js';
import { objectOf, type DashboardContext } from './context.js';

/** The page of an object's items (`?page=`, from 0; a bad value is the first). */
function pageOf(c: Context): number {
  const page = Number(c.req.query('page') ?? 0);
  return Number.isSafeInteger(page) && page >= 0 && page <= 100_000 ? page : 0;
}

/** An action's parameters, from a query or a form: only the names it takes, as strings. */
function paramsOf(action: ObjectAction, read: (name: string) => unknown): ActionParams {
  const out: Record<string, string> = {};
  for (const name of action.params) {
    const value = read(name);
    if (typeof value === 'string' && value !== '') out[name] = value;
  }
  return out;
}

/**
 * `GET /objects/<family>/<name>` (`?key=` looks a key up, `?page=` pages its items), `GET
 * …/counts`, `GET /api/objects/<family>/<name>` and `…/history`, `GET …/confirm?action=`, `POST
 * …/<action>`.
 *
 * @param ctx - the dashboard
 */
export function objectRoutes(ctx: DashboardContext): Hono {
  const { base, readOnly, views, workers, history, historyReader, csrfOf } = ctx;
  const app = new Hono({ strict: false });

  const notFound = (c: Context): Response | Promise<Response> =>
    c.html(errorPage(base, 'Not found', 'No registered object by that family and name.', readOnly), 404);

  /** What an object page shows beyond its counts: its family's details and its consumption (paused or not, its workers). */
  const detailsOf = async (c: Context, object: ObjectCounts): Promise<ObjectDetails> => {
    const registered = await workers.read();
    const mine = registered.workers.filter((w) => w.family === object.family && w.name === object.name);
    const view = views.of(object.family);
    const details = await view.details(object, { key: c.req.query('key'), page: pageOf(c), path: new URL(c.req.url).pathname, workers: mine });
    const pausedAt = registered.paused.find((p) => p.family === object.family && p.name === object.name)?.pausedAt;
    return { ...details, consumption: { pausedAt, workers: mine }, history: history !== undefined, lookupLabel: view.lookup, forms: view.forms };
  };

  /** Every action some object has (a POST naming another is not found). */
  const known = new Set(['pause', 'resume', ...views.all.flatMap((view) => Object.keys(view.actions))]);

  /** The action a request names, if its object has it (its family's, or pause and resume). */
  const actionOf = (object: ObjectCounts, name: string | undefined): ObjectAction | undefined => {
    const actions = views.actionsOf(object.family, workers);
    return name !== undefined && Object.hasOwn(actions, name) ? actions[name] : undefined;
  };

  /** The notice of an action's redirect (`?done=<action>&n=`): built here, never taken as text from the address. */
  const noticeOf = (c: Context, object: ObjectCounts): string | undefined => {
    const action = actionOf(object, c.req.query('done'));
    const n = Number(c.req.query('n'));
    if (action === undefined || !Number.isSafeInteger(n) || n < 0) return undefined;
    return action.notice(n);
  };

  app.get('/api/objects/:family/:name/history', async (c) => {
    const object = await objectOf(ctx, c);
    if (object === undefined) return c.json({ error: 'not found' }, 404);
    return c.json({ intervalMs: historyReader.intervalMs, samples: await historyReader.read(object) });
  });
  app.get('/api/objects/:family/:name', async (c) => {
    const object = await objectOf(ctx, c);
    if (object === undefined) return c.json({ error: 'not found' }, 404);
    const details = await detailsOf(c, object);
    return c.json({ ...object, dead: details.dead, lookup: details.lookup, tables: details.tables, consumption: details.consumption });
  });
  app.get('/objects/:family/:name/counts', async (c) => {
    const object = await objectOf(ctx, c);
    if (object === undefined) return notFound(c);
    return c.html(countsTable(object));
  });
  app.get('/objects/:family/:name', async (c) => {
    const object = await objectOf(ctx, c);
    if (object === undefined) return notFound(c);
    csrfOf(c);
    const details = await detailsOf(c, object);
    return c.html(objectPage(base, object, { ...details, notice: noticeOf(c, object) }, readOnly));
  });
  app.get('/objects/:family/:name/confirm', async (c) => {
    if (readOnly) return c.text('403 Forbidden: this dashboard is read-only', 403);
    const name = c.req.query('action');
    const object = await objectOf(ctx, c);
    if (object === undefined) return notFound(c);
    const action = actionOf(object, name);
    if (action === undefined) return c.text(`400 Bad Request: a ${object.family} has no ${String(name)} action`, 400);
    const params = paramsOf(action, (param) => c.req.query(param));
    return c.html(confirmPage(base, object, name ?? '', params, csrfOf(c), action.confirm(object.name, params)));
  });
  app.post('/objects/:family/:name/:action', async (c) => {
    const name = c.req.param('action');
    if (!known.has(name)) return c.text('404 Not Found', 404);
    const object = await objectOf(ctx, c);
    if (object === undefined) return notFound(c);
    const action = actionOf(object, name);
    if (action === undefined) return c.text(`400 Bad Request: a ${object.family} has no ${name} action`, 400);
    const form = await c.req.parseBody();
    let n: number;
    try {
      n = await action.run(
        object,
        paramsOf(action, (param) => form[param]),
      );
    } catch (err) {
      if (GoodRedisError.is(err, 'InvalidArgument')) return c.text(`400 Bad Request: ${err.message}`, 400);
      throw err;
    }
    const path = localPath(new URL(c.req.url).pathname, base);
    return c.redirect(`${path.slice(0, path.lastIndexOf('/'))}?done=${name}&n=${String(n)}`, 303);
  });
  return app;
}

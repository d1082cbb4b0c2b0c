/**
 * The web dashboard: an overview of every object of every family, a page per object, its dead
 * letters replayed or purged and its consumption paused or resumed (each action confirmed,
 * atomic, behind a CSRF token), the live workers, a JSON API and `/metrics`, on hono. `createDashboard` returns the hono app, a `fetch` handler and a Node
 * request listener, to serve alone (`good-redis dashboard`) or mount in an existing server.
 *
 * @module
 */
import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import { Registry } from 'prom-client';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RedisClient } from '../connection/redis-client.js';
import { assertBoolean, assertPrefix, invalid, optionsOf } from '../internal/validate.js';
import { ObjectInventory } from '../overview/inventory.js';
import { collectMetrics } from '../overview/metrics.js';
import { EventEmitter } from 'node:events';
import { reportError } from '../internal/report-error.js';
import { ObjectHistory, type ObjectHistoryOptions } from '../overview/history.js';
import { WorkerRegistry } from '../observe/worker-registry.js';
import type { DashboardContext } from './routes/context.js';
import { objectRoutes } from './routes/objects.js';
import { overviewRoutes } from './routes/overview.js';
import { staticRoutes } from './routes/static.js';
import { workerRoutes } from './routes/workers.js';
import { assertAllowedHosts, assertAuth, type DashboardAuth } from './security.js';
import { guardRequests } from './guards.js';

/** Options of {@link createDashboard}. */
export interface DashboardOptions {
  /** The connection the dashboard reads and acts on (never closed by it). */
  client: RedisClient;
  /**
   * The key prefix of the objects shown.
   *
   * @defaultValue `''`
   */
  prefix?: string | undefined;
  /**
   * The path the dashboard is mounted under: starts and ends with `/`.
   *
   * @defaultValue `'/'`
   */
  basePath?: string | undefined;
  /**
   * Hide every action and refuse every POST with 403, writing nothing.
   *
   * @defaultValue `false`
   */
  readOnly?: boolean | undefined;
  /** Ask every request for this credential (401 without it): a bearer token, or a basic-auth user and password. */
  auth?: DashboardAuth | undefined;
  /**
   * The host names (without port) it answers for besides loopback (`localhost`, `127.0.0.1`,
   * `[::1]`): a request whose `Host` header names another is refused with 403 before anything is
   * read, so a web page that rebinds its own name to this machine's address (DNS rebinding)
   * reads nothing and runs no action. `'*'` answers any host (a proxy in front checks it).
   *
   * @defaultValue `[]`: loopback only
   */
  allowedHosts?: readonly string[] | '*' | undefined;
  /**
   * The prom-client registry `/metrics` serves; by default a new one with {@link collectMetrics}
   * of the dashboard's objects (give your own to add process or Worker metrics).
   */
  registry?: Registry | undefined;
  /**
   * Record the history of every object's counts in Redis for the charts (a sample every
   * `intervalMs`, the last `samples` kept: see {@link ObjectHistory}), or `false` not to record
   * (the charts then show what other dashboards recorded, if any).
   *
   * @defaultValue a sample every 10 s, the last 360 kept (an hour); `false` with `readOnly`
   */
  history?: Pick<ObjectHistoryOptions, 'intervalMs' | 'samples'> | false | undefined;
  /**
   * Gets the failures of the history recording (in the background).
   *
   * @defaultValue a process warning
   */
  onError?: ((error: Error) => void) | undefined;
}

/** A dashboard, ready to serve. */
export interface Dashboard {
  /** The hono app (mount it in a hono app with `app.route()`). */
  readonly app: Hono;
  /** The fetch handler (Web `Request` → `Response`): for hono, Bun, Deno or any fetch-style server. */
  readonly fetch: (request: Request) => Promise<Response>;
  /** A Node `http` request listener: `http.createServer(dashboard.listener)`, or mounted in express or fastify's raw handler. */
  readonly listener: (request: IncomingMessage, response: ServerResponse) => void;
  /** The path it is mounted under. */
  readonly basePath: string;
  /** The registry `/metrics` serves. */
  readonly registry: Registry;
  /** The history it records and charts (none with `history: false`). */
  readonly history: ObjectHistory | undefined;
  /** Stops recording the history (the handlers keep serving). Idempotent. */
  close(): void;
}

/** Checks a base path: `/`, or `/x/…/` without `..`, whitespace, quotes or angle brackets. */
function assertBasePath(path: unknown): asserts path is string {
  if (typeof path !== 'string' || !/^\/([A-Za-z0-9._~-]+\/)*$/.test(path) || path.includes('/../') || path.includes('/./')) {
    throw invalid(`basePath must start and end with "/" and hold only path segments of letters, digits and ._~-, got ${JSON.stringify(path)}`);
  }
}

/**
 * Makes the dashboard: pages, JSON API and `/metrics`, over every object registered under the
 * prefix. It opens no connection and no port: serve `listener` or `fetch` yourself, or run
 * `good-redis dashboard`.
 *
 * Routes, under `basePath`: `GET /` (overview: `?q=` filters names, `?page=` pages, 100
 * objects a page, busiest first), `GET /workers` (the live workers of every
 * family, and the paused objects), `GET /objects/<family>/<name>` (an object; `?key=` looks a
 * stream's key up), `GET …/confirm?action=replay|purge|pause|resume[&ref=]` then `POST
 * …/<action>` (form field `ref`: one dead letter; none: all), `GET /api/objects` (by family then
 * name; `?q=`, `?page=`, `?limit=` up to 1,000: `{ prefix, q, page, pages, limit, total, objects }`), `GET
 * /api/objects/<family>/<name>`, `GET /api/objects/<family>/<name>/history`, `GET /api/workers`,
 * `GET /metrics`, `GET /objects/<family>/<name>/counts` (the counts table, refreshed by htmx),
 * `GET /assets/<file>` (uPlot, htmx, the chart script). It records the history of every
 * object's counts (see `history`) until {@link Dashboard.close}.
 *
 * @param options - the connection, `prefix`, `basePath`, `readOnly`, `auth`, `registry`
 * @returns the app and its handlers
 * @throws {@link GoodRedisError} `InvalidArgument` for bad options
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * const dashboard = createDashboard({ client: redis, auth: { token: process.env.DASHBOARD_TOKEN ?? '' } });
 * createServer(dashboard.listener).listen(3000, '127.0.0.1');
 * ```
 */
export function createDashboard(options: DashboardOptions): Dashboard {
  const {
    client,
    prefix = '',
    basePath = '/',
    readOnly = false,
    auth,
    allowedHosts = [],
    registry: given,
    history: givenHistory,
    onError,
  } = optionsOf(options, 'dashboard options');
  // A read-only dashboard writes nothing, history included (it may run as a read-only Redis user).
  const historyOptions = givenHistory ?? (readOnly ? false : {});
  assertPrefix(prefix);
  assertBasePath(basePath);
  assertBoolean(readOnly, 'readOnly');
  if (auth !== undefined) assertAuth(auth);
  assertAllowedHosts(allowedHosts);
  const inventory = new ObjectInventory(client, { prefix });
  const workers = new WorkerRegistry(client, { prefix });
  const history = historyOptions === false ? undefined : new ObjectHistory(client, { prefix, ...optionsOf(historyOptions, 'history') });
  /** What the charts and rates read: the history this dashboard records, or (recording none) what others record. */
  const historyReader = history ?? new ObjectHistory(client, { prefix });
  if (onError !== undefined && typeof onError !== 'function') throw invalid('onError must be a function');
  let registry = given;
  if (registry === undefined) {
    registry = new Registry();
    collectMetrics(registry, { client, prefix });
  }
  const metrics = registry;

  const app = new Hono({ strict: false }); // the routes, mounted under the base path below
  const base = basePath;

  // Who asks, before any route reads (see guards.ts): the host, the origin of a change, the
  // credential, and every POST's CSRF token.
  const { csrfOf } = guardRequests(app, { base, allowedHosts, auth, readOnly });

  const context: DashboardContext = { base, prefix, readOnly, inventory, views: inventory.views, workers, history, historyReader, metrics, csrfOf };
  for (const routes of [overviewRoutes, objectRoutes, workerRoutes, staticRoutes]) app.route('/', routes(context));

  const mounted = new Hono({ strict: false });
  mounted.route(basePath === '/' ? '/' : basePath.slice(0, -1), app);
  const fetch = async (request: Request): Promise<Response> => mounted.fetch(request);
  const handle = getRequestListener(fetch); // answers every request itself, errors included (500)

  // The history: a sample at once (a restarted dashboard charts at once), then every interval.
  let recorder: NodeJS.Timeout | undefined;
  if (history !== undefined) {
    const failures = new EventEmitter();
    if (onError !== undefined) failures.on('error', onError);
    let recording = false;
    const sample = async (): Promise<void> => {
      if (recording) return; // a slow read: skip a beat rather than pile up
      if (client.status === 'end') {
        clearInterval(recorder); // its connection was closed: nothing more to record
        return;
      }
      recording = true;
      try {
        await history.sample(inventory, workers);
      } catch (err) {
        reportError(failures, err, 'dashboard history');
      } finally {
        recording = false;
      }
    };
    void sample();
    recorder = setInterval(() => void sample(), history.intervalMs);
    recorder.unref();
  }
  return {
    app: mounted,
    fetch,
    listener: (request, response) => void handle(request, response),
    basePath,
    registry: metrics,
    history,
    close: () => {
      clearInterval(recorder);
    },
  };
}

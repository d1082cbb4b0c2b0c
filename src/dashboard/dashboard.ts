/**
 * The web dashboard: an overview of every object of every family, a page per object, its dead
 * letters replayed or purged and its consumption paused or resumed (each action confirmed,
 * atomic, behind a CSRF token), the live workers, a JSON API and `/metrics`, on hono. `createDashboard` returns the hono app, a `fetch` handler and a Node
 * request listener, to serve alone (`good-redis dashboard`) or mount in an existing server.
 *
 * @module
 */
import { getRequestListener } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import { Registry } from 'prom-client';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RedisClient } from '../connection/redis-client.js';
import { GoodRedisError } from '../errors.js';
import { assertBoolean, assertPrefix, invalid, optionsOf } from '../internal/validate.js';
import { isObjectFamily } from '../observe/families.js';
import { ObjectInventory, type ObjectCounts } from '../overview/inventory.js';
import { collectMetrics } from '../overview/metrics.js';
import { StreamRegistry } from '../prioritized/stream-registry.js';
import { ListQueueBroker } from '../tasks/list-queue-broker.js';
import type { PrioritizedStream } from '../prioritized/prioritized-stream.js';
import { StreamBroker } from '../tasks/stream-broker.js';
import type { TaskQueueBroker } from '../tasks/task-queue-broker.js';
import { TaskQueueRegistry } from '../tasks/task-queue-registry.js';
import { QueueRegistry } from '../queues/queue-registry.js';
import { TopicRegistry } from '../topics/topic-registry.js';
import { EventEmitter } from 'node:events';
import { reportError } from '../internal/report-error.js';
import { ObjectHistory, type ObjectHistoryOptions } from '../overview/history.js';
import { WorkerRegistry, type WorkerInfo } from '../observe/worker-registry.js';
import { ResultStore } from '../tasks/result-store.js';
import { dashboardAssets } from './assets.js';
import { OVERVIEW_PAGE, overviewQuery, overviewSlice } from './overview.js';
import {
  ACTION_FAMILIES,
  ACTION_PARAMS,
  ACTIONS,
  type ActionParams,
  confirmPage,
  countsTable,
  errorPage,
  objectPage,
  overviewPage,
  workersPage,
  type Action,
  type DeadRow,
  type DetailTable,
  type ObjectDetails,
} from './pages.js';
import { assertAllowedHosts, assertAuth, localPath, type DashboardAuth } from './security.js';
import { guardRequests } from './guards.js';

/** How many dead letters an object page lists. */
const DEAD_PAGE = 100;
/** How many items a page of a stream's items lists. */
const ITEM_PAGE = 50;
/** How many recent results a task queue's page lists. */
const RECENT_RESULTS = 20;
/** How many rows the other tables of an object page list. */
const TABLE_ROWS = 50;

/** A server-clock time as ISO 8601. */
const iso = (ms: number): string => new Date(ms).toISOString();

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
  const streams = new StreamRegistry(client, { prefix });
  const taskQueues = new TaskQueueRegistry(client, { prefix });
  const queues = new QueueRegistry(client, { prefix });
  const topics = new TopicRegistry(client, { prefix });
  const workers = new WorkerRegistry(client, { prefix });
  const results = new ResultStore(client, { prefix }); // reads only (keepResults: a read never takes a result)
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

  /** The object a route names, with its counts, or undefined when it is not registered. */
  const objectOf = async (c: Context): Promise<ObjectCounts | undefined> => {
    const family = c.req.param('family');
    const name = c.req.param('name');
    if (!isObjectFamily(family) || name === undefined) return undefined;
    const ref = { family, name };
    try {
      if (!(await inventory.has(ref))) return undefined;
    } catch (err) {
      if (GoodRedisError.is(err, 'InvalidArgument')) return undefined; // no object can have that name
      throw err;
    }
    const [counts] = await inventory.counts([ref]);
    return counts;
  };

  /** The page of a stream's items (`?page=`, from 0; a bad value is the first). */
  const pageOf = (c: Context): number => {
    const page = Number(c.req.query('page') ?? 0);
    return Number.isSafeInteger(page) && page >= 0 && page <= 100_000 ? page : 0;
  };

  const notFound = (c: Context): Response | Promise<Response> =>
    c.html(errorPage(base, 'Not found', 'No registered object by that family and name.', readOnly), 404);

  /** The task queue broker of a task queue that keeps dead letters (a stream or list broker). */
  const brokerOf = async (name: string): Promise<TaskQueueBroker | undefined> => {
    const { kind } = await taskQueues.describe(name);
    if (kind === 'stream') return new StreamBroker(client, name, { prefix });
    if (kind === 'list') return new ListQueueBroker(client, name, { prefix });
    return undefined;
  };

  /** What an object page shows beyond its counts: its family's details and its consumption (paused or not, its workers). */
  const detailsOf = async (object: ObjectCounts, key: string | undefined, page: number, path: string): Promise<ObjectDetails> => {
    const [details, registered] = await Promise.all([familyDetailsOf(object, key, page, path), workers.read()]);
    const pausedAt = registered.paused.find((p) => p.family === object.family && p.name === object.name)?.pausedAt;
    const mine = registered.workers.filter((w) => w.family === object.family && w.name === object.name);
    const tables = object.family === 'taskQueue' ? [...(details.tables ?? []), await recentResults(mine)] : (details.tables ?? []);
    return { ...details, tables, consumption: { pausedAt, workers: mine }, history: history !== undefined };
  };

  /** A task queue's recent results: the tasks its Workers finished last (their beats say which), each result read (one read per task). */
  const recentResults = async (mine: readonly WorkerInfo[]): Promise<DetailTable> => {
    const recent = mine
      .flatMap((w) => w.recent)
      .filter((r) => r.id !== undefined)
      .sort((a, b) => b.at - a.at)
      .slice(0, RECENT_RESULTS);
    const found = await Promise.all(recent.map((r) => results.get(r.id ?? '').catch(() => undefined)));
    return {
      id: 'results',
      title: 'Recent results, latest first (the last tasks its live Workers finished)',
      columns: ['task id', 'task', 'outcome', 'finished', 'took', 'result or error'],
      rows: recent.map((r, i) => {
        const result = found[i];
        if (result === undefined) return [r.id ?? '', '', r.outcome, iso(r.at), '', '(no result: expired, taken, or not kept)'];
        const shown = result.isErr ? `${result.error?.name ?? 'Error'}: ${result.error?.message ?? ''}` : JSON.stringify(result.returnValue);
        return [
          result.taskId,
          result.taskName,
          r.outcome,
          iso(result.finishedAt),
          `${String(result.executionMs)} ms`,
          shown.length > 200 ? `${shown.slice(0, 200)}…` : shown,
        ];
      }),
    };
  };

  /** What an object page shows of its family; `page` pages a stream's items. */
  const familyDetailsOf = async (object: ObjectCounts, key: string | undefined, page: number, path: string): Promise<ObjectDetails> => {
    switch (object.family) {
      case 'stream': {
        const stream = streams.stream(object.name);
        const [items, cooldowns, leases, delayed, deadLetters, value] = await Promise.all([
          stream.entries({ offset: page * ITEM_PAGE, limit: ITEM_PAGE + 1 }),
          stream.cooldowns({ limit: TABLE_ROWS }),
          stream.leases({ limit: TABLE_ROWS }),
          stream.delayed({ limit: TABLE_ROWS }),
          stream.deadLetters({ limit: DEAD_PAGE }),
          key === undefined || key === '' ? undefined : stream.get(key),
        ]);
        const dead: DeadRow[] = deadLetters.map((d) => ({
          ref: d.key,
          cells: [d.key, String(d.priority), String(d.attempts), d.error ?? '', iso(d.diedAt)],
        }));
        const tables: DetailTable[] = [
          {
            id: 'items',
            title: `Items, highest priority first (from rank ${String(page * ITEM_PAGE + 1)})`,
            columns: ['key', 'priority', 'value'],
            rows: items.slice(0, ITEM_PAGE).map((i) => [i.key, String(i.priority), i.value]),
            rowActions: items.slice(0, ITEM_PAGE).map((i) => [
              { action: 'increment', label: '+1', params: { key: i.key, by: '1' } },
              { action: 'delete', label: 'Delete', params: { ref: i.key } },
            ]),
            next: items.length > ITEM_PAGE ? `${path}?page=${String(page + 1)}` : undefined,
          },
          { id: 'cooldowns', title: 'Cooldowns ending soonest', columns: ['key', 'until'], rows: cooldowns.map((c) => [c.key, iso(c.until)]) },
          {
            id: 'leases',
            title: 'Leases, ending soonest',
            columns: ['key', 'attempt', 'deadline', 'owner'],
            rows: leases.map((l) => [l.key, String(l.attempt), iso(l.deadline), l.owner ?? '']),
          },
          {
            id: 'delayed',
            title: 'Delayed, due soonest',
            columns: ['key', 'due', 'priority', 'attempts'],
            rows: delayed.map((d) => [d.key, iso(d.due), String(d.priority), String(d.attempts)]),
          },
        ];
        const lookup = key === undefined || key === '' ? undefined : { key, value: value ?? null };
        return { deadColumns: ['key', 'priority', 'attempts', 'error', 'died'], dead, lookup, tables };
      }
      case 'queue':
      case 'unique': {
        const queue = queues.reliableQueue(object.name, object.family);
        const consumers = await queue.consumers();
        return {
          tables: [
            {
              id: 'consumers',
              title: 'Consumers, least recently heard from first',
              actions: consumers.some((c) => !c.alive) ? [{ action: 'reenqueue', label: "Give back the dead consumers' deliveries", params: {} }] : [],
              columns: ['consumer', 'last heartbeat', 'alive', 'holds', 'oldest held since', 'timeout'],
              rows: consumers.map((c) => [
                c.id,
                iso(c.lastHeartbeatAt),
                c.alive ? 'yes' : 'no',
                String(c.held),
                c.oldestHeldAt === null ? '' : iso(c.oldestHeldAt),
                `${String(c.consumerTimeoutMs)} ms`,
              ]),
            },
          ],
        };
      }
      case 'topic': {
        const topic = topics.topic(object.name);
        const groups = await Promise.all((await topic.groups()).map((g) => topic.describeGroup(g)));
        return {
          tables: groups.flatMap((g): DetailTable[] => [
            {
              id: `group-${g.group}`,
              title: `Group ${g.group} (generation ${String(g.generation)}): partitions`,
              columns: ['partition', 'owner', 'pending', 'lag'],
              rows: g.partitions.map((p) => [String(p.partition), p.owner ?? '', String(p.pending), p.lag === null ? '?' : String(p.lag)]),
            },
            {
              id: `members-${g.group}`,
              title: `Group ${g.group}: members`,
              columns: ['member', 'partitions', 'session ends'],
              rows: g.members.map((m) => [m.id, m.partitions.join(', '), iso(m.expiresAt)]),
            },
          ]),
        };
      }
      case 'taskQueue': {
        const [broker, schedules] = await Promise.all([
          brokerOf(object.name),
          // Schedules live in the queue's slot whatever its broker kind (or none): any broker's store reads them.
          new StreamBroker(client, object.name, { prefix }).schedules.list(),
        ]);
        const sorted = [...schedules].sort((a, b) => (a.nextRunAt ?? Infinity) - (b.nextRunAt ?? Infinity));
        const tables: DetailTable[] = [
          {
            id: 'schedules',
            title: 'Schedules, next run first',
            columns: ['schedule', 'task', 'when', 'next run'],
            // Run now only where this page can tell the queue's broker (the one its workers use).
            rowActions: broker === undefined ? undefined : sorted.map((sc) => [{ action: 'run', label: 'Run now', params: { ref: sc.id } }]),
            rows: sorted.map((sc) => [
              sc.id,
              sc.task,
              sc.cron !== undefined
                ? `cron ${sc.cron}${sc.tz === undefined ? '' : ` (${sc.tz})`}`
                : sc.everyMs !== undefined
                  ? `every ${String(sc.everyMs)} ms`
                  : `once at ${iso(sc.at ?? 0)}`,
              sc.nextRunAt === null ? '' : iso(sc.nextRunAt),
            ]),
          },
        ];
        if (broker === undefined) return { tables };
        const dead: DeadRow[] = (await broker.deadLetters({ limit: DEAD_PAGE })).map((d) => ({
          ref: d.id,
          cells: [d.id, d.message?.task ?? '(undecodable)', d.message?.id ?? '', String(d.attempts), d.error, iso(d.diedAt)],
        }));
        return { deadColumns: ['dead letter', 'task', 'task id', 'attempts', 'error', 'died'], dead, tables };
      }
      case 'pool':
        return {};
    }
  };

  /**
   * Runs an action its family allows (one script, or one per chunk of dead letters); returns how
   * many things it changed. A bad parameter throws the SDK's `InvalidArgument`, nothing written.
   */
  const act = async (object: ObjectCounts, action: Action, params: ActionParams): Promise<number> => {
    const { ref } = params;
    const refs = ref === undefined ? undefined : [ref];
    const stream = (): PrioritizedStream => streams.stream(object.name);
    const numberOf = (name: string, fallback: number): number => {
      const text = params[name];
      if (text === undefined || text.trim() === '') return fallback;
      const n = Number(text);
      if (!Number.isFinite(n)) throw invalid(`${name} must be a number, got ${JSON.stringify(text)}`);
      return n;
    };
    switch (action) {
      case 'pause':
        return (await workers.pause(object)) ? 1 : 0;
      case 'resume':
        return (await workers.resume(object)) ? 1 : 0;
      case 'replay':
      case 'purge': {
        if (object.family === 'stream') return (action === 'replay' ? await stream().replayDead(refs) : await stream().purgeDead(refs)).length;
        const broker = await brokerOf(object.name);
        if (broker === undefined) throw invalid('this task queue keeps no dead letters');
        return action === 'replay' ? broker.replayDead(refs) : broker.purgeDead(refs);
      }
      case 'add':
        return (await stream().add(params.key ?? '', params.value ?? '', numberOf('priority', 1))) === null ? 0 : 1;
      case 'increment':
        return (await stream().increment(params.key ?? '', numberOf('by', 1))) === null ? 0 : 1;
      case 'delete':
        return (await stream().remove([ref ?? ''])).length;
      case 'reenqueue':
        return queues.reliableQueue(object.name, object.family === 'unique' ? 'unique' : 'queue').reEnqueueTimeoutItems();
      case 'run': {
        // Sent through the queue's own kind of broker: known once something was sent to it (a pub/sub queue keeps none).
        const broker = await brokerOf(object.name);
        if (broker === undefined)
          throw invalid("this task queue's broker kind is not known here (nothing kept in it yet, or pub/sub): run the schedule from its workers' code");
        return (await broker.runScheduleNow(ref ?? '')) === null ? 0 : 1;
      }
    }
  };

  /** An action's parameters, from a query or a form: only the names it takes, as strings. */
  const paramsOf = (action: Action, read: (name: string) => unknown): ActionParams => {
    const out: Record<string, string> = {};
    for (const name of ACTION_PARAMS[action]) {
      const value = read(name);
      if (typeof value === 'string' && value !== '') out[name] = value;
    }
    return out;
  };

  /** The notice of an action's redirect (`?done=<action>&n=`): built here, never taken as text from the address. */
  const noticeOf = (c: Context): string | undefined => {
    const done = c.req.query('done');
    const n = Number(c.req.query('n'));
    if (!ACTIONS.includes(done as Action) || !Number.isSafeInteger(n) || n < 0) return undefined;
    const count = (one: string, many: string): string => `${String(n)} ${n === 1 ? one : many}`;
    switch (done as Action) {
      case 'pause':
        return n === 1 ? 'Paused: its Workers stop leasing from their next heartbeat.' : 'It was paused already.';
      case 'resume':
        return n === 1 ? 'Resumed: its Workers lease again from their next heartbeat.' : 'It was not paused.';
      case 'replay':
      case 'purge':
        return `${done === 'replay' ? 'Replayed' : 'Purged'} ${count('dead letter', 'dead letters')}.`;
      case 'add':
        return n === 1 ? 'Added.' : 'Refused: the key is gated, cooling down, leased, delayed or dead.';
      case 'increment':
        return n === 1 ? 'Raised.' : 'Not queued: nothing changed.';
      case 'delete':
        return n === 1 ? 'Deleted.' : 'Not in the stream: nothing changed.';
      case 'reenqueue':
        return `Gave back ${count('delivery', 'deliveries')}.`;
      case 'run':
        return n === 1 ? 'Sent the task of the schedule.' : 'No such schedule.';
    }
  };

  app.get('/', async (c) => {
    csrfOf(c);
    // Every object's counts are read (they order the pages: busiest first); one page is drawn.
    const [objects, registered] = await Promise.all([inventory.counts(), workers.read()]);
    const slice = overviewSlice(objects, { ...overviewQuery((name) => c.req.query(name)), limit: OVERVIEW_PAGE });
    // The rates from the last two samples of each shown object's history (recorded by this dashboard or another).
    const rates = await historyReader.rates(slice.objects);
    return c.html(overviewPage(base, slice, registered.paused, registered.totals, rates, readOnly));
  });
  app.get('/assets/:file', (c) => {
    const asset = dashboardAssets().files.get(c.req.param('file'));
    if (asset === undefined) return c.text('404 Not Found', 404);
    return c.body(asset.read(), 200, { 'Content-Type': asset.type, 'Cache-Control': 'public, max-age=31536000, immutable' });
  });
  app.get('/api/objects/:family/:name/history', async (c) => {
    const object = await objectOf(c);
    if (object === undefined) return c.json({ error: 'not found' }, 404);
    return c.json({ intervalMs: historyReader.intervalMs, samples: await historyReader.read(object) });
  });
  app.get('/objects/:family/:name/counts', async (c) => {
    const object = await objectOf(c);
    if (object === undefined) return notFound(c);
    return c.html(countsTable(object));
  });
  app.get('/workers', async (c) => {
    const registered = await workers.read();
    return c.html(workersPage(base, registered.workers, registered.paused, readOnly));
  });
  app.get('/api/workers', async (c) => c.json({ prefix, ...(await workers.read()) }));
  app.get('/api/objects', async (c) => {
    const { objects, total, page, pages, limit, q } = overviewSlice(
      await inventory.counts(),
      overviewQuery((name) => c.req.query(name)),
      false,
    );
    return c.json({ prefix, q, page, pages, limit, total, objects });
  });
  app.get('/api/objects/:family/:name', async (c) => {
    const object = await objectOf(c);
    if (object === undefined) return c.json({ error: 'not found' }, 404);
    const details = await detailsOf(object, c.req.query('key'), pageOf(c), new URL(c.req.url).pathname);
    return c.json({ ...object, dead: details.dead, lookup: details.lookup, tables: details.tables, consumption: details.consumption });
  });
  app.get('/metrics', async (c) => {
    const text = await metrics.metrics();
    return c.body(text, 200, { 'Content-Type': metrics.contentType });
  });
  app.get('/objects/:family/:name', async (c) => {
    const object = await objectOf(c);
    if (object === undefined) return notFound(c);
    csrfOf(c);
    const details = await detailsOf(object, c.req.query('key'), pageOf(c), new URL(c.req.url).pathname);
    return c.html(objectPage(base, object, { ...details, notice: noticeOf(c) }, readOnly));
  });
  app.get('/objects/:family/:name/confirm', async (c) => {
    if (readOnly) return c.text('403 Forbidden: this dashboard is read-only', 403);
    const action = c.req.query('action') as Action;
    if (!ACTIONS.includes(action)) return c.text(`400 Bad Request: action must be one of ${ACTIONS.join(', ')}`, 400);
    const object = await objectOf(c);
    if (object === undefined) return notFound(c);
    if (!ACTION_FAMILIES[action].includes(object.family)) return c.text(`400 Bad Request: a ${object.family} has no ${action} action`, 400);
    return c.html(
      confirmPage(
        base,
        object,
        action,
        paramsOf(action, (name) => c.req.query(name)),
        csrfOf(c),
      ),
    );
  });
  app.post('/objects/:family/:name/:action', async (c) => {
    const action = c.req.param('action') as Action;
    if (!ACTIONS.includes(action)) return c.text('404 Not Found', 404);
    const object = await objectOf(c);
    if (object === undefined) return notFound(c);
    if (!ACTION_FAMILIES[action].includes(object.family)) return c.text(`400 Bad Request: a ${object.family} has no ${action} action`, 400);
    const form = await c.req.parseBody();
    let n: number;
    try {
      n = await act(
        object,
        action,
        paramsOf(action, (name) => form[name]),
      );
    } catch (err) {
      if (GoodRedisError.is(err, 'InvalidArgument')) return c.text(`400 Bad Request: ${err.message}`, 400);
      throw err;
    }
    const path = localPath(new URL(c.req.url).pathname, base);
    return c.redirect(`${path.slice(0, path.lastIndexOf('/'))}?done=${action}&n=${String(n)}`, 303);
  });

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

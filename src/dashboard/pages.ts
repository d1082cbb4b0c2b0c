/**
 * The dashboard's pages, rendered on the server with hono's `html` template, which escapes
 * every value put into it: an object named `<script>` shows as text.
 *
 * @module
 */
import { html } from 'hono/html';
import { OBJECT_FAMILIES, objectId } from '../observe/families.js';
import type { ObjectRates } from '../overview/history.js';
import type { ObjectCounts, ObjectFamily } from '../overview/inventory.js';
import type { ObjectTotals, PausedObject, WorkerInfo } from '../observe/worker-registry.js';
import { dashboardAssets } from './assets.js';
import type { OverviewSlice } from './overview.js';
import { CSRF_FIELD } from './security.js';

/** The actions of the dashboard: on dead letters (one or all), on consumption, on a stream's items, on a queue's dead consumers, on a schedule. */
export const ACTIONS = ['replay', 'purge', 'pause', 'resume', 'add', 'increment', 'delete', 'reenqueue', 'run'] as const;

/** One action (see {@link ACTIONS}). */
export type Action = (typeof ACTIONS)[number];

/** The families each action applies to. */
export const ACTION_FAMILIES: Readonly<Record<Action, readonly ObjectFamily[]>> = {
  replay: ['stream', 'taskQueue'],
  purge: ['stream', 'taskQueue'],
  pause: OBJECT_FAMILIES,
  resume: OBJECT_FAMILIES,
  add: ['stream'],
  increment: ['stream'],
  delete: ['stream'],
  reenqueue: ['queue', 'unique'],
  run: ['taskQueue'],
};

/** The parameters each action takes (from its form, through its confirmation): `ref` names a dead letter, an item's key or a schedule. */
export const ACTION_PARAMS: Readonly<Record<Action, readonly string[]>> = {
  replay: ['ref'],
  purge: ['ref'],
  pause: [],
  resume: [],
  add: ['key', 'value', 'priority'],
  increment: ['key', 'by'],
  delete: ['ref'],
  reenqueue: [],
  run: ['ref'],
};

/** An action's parameters, by name (see {@link ACTION_PARAMS}). */
export type ActionParams = Readonly<Record<string, string>>;

/** What `html` returns. */
type Html = ReturnType<typeof html>;

/** The families as the pages name them. */
const FAMILY_TITLES: Readonly<Record<ObjectFamily, string>> = {
  stream: 'prioritized stream',
  queue: 'queue',
  unique: 'unique queue',
  pool: 'pool',
  topic: 'topic',
  taskQueue: 'task queue',
};

/** The path of an object's page, under `base`. */
export function objectPath(base: string, family: ObjectFamily, name: string): string {
  return `${base}objects/${family}/${encodeURIComponent(name)}`;
}

const STYLE = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 0 auto; max-width: 1100px; padding: 1rem; color: #222; }
header { display: flex; gap: 1rem; align-items: baseline; border-bottom: 1px solid #ddd; margin-bottom: 1rem; }
header a { color: inherit; text-decoration: none; font-weight: 600; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1.5rem; }
th, td { text-align: left; padding: .3rem .6rem; border-bottom: 1px solid #eee; vertical-align: top; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
.muted { color: #777; }
.notice { background: #eef6ee; border: 1px solid #9c9; padding: .5rem; }
form.inline { display: inline; }
button { cursor: pointer; }
`;

/** A time (epoch ms) as ISO 8601. */
const iso = (ms: number): string => new Date(ms).toISOString();

/** The page frame: title, header (with the links to the overview and the workers), body. */
export function layout(base: string, title: string, body: Html, readOnly: boolean): Html {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <title>${title} · good-redis</title>
        <style>
          ${STYLE}
        </style>
        <script src="${base}assets/${dashboardAssets().names.htmx}" defer></script>
      </head>
      <body>
        <header>
          <a href="${base}">good-redis</a><a href="${base}workers" id="workers-link">workers</a><span class="muted">${title}</span>${
            readOnly ? html`<span class="muted" id="read-only">read-only</span>` : ''
          }
        </header>
        <main>${body}</main>
      </body>
    </html>`;
}

/** A worker's state: alive or not, paused, waiting for something else than work (and for what). */
function stateOf(w: WorkerInfo): string {
  return `${w.alive ? 'yes' : 'no'}${w.paused ? ', paused' : ''}${w.waiting === undefined ? '' : `, ${w.waiting}`}`;
}

/** The row a table shows when it has no rows (nothing when it has some). */
function emptyRow(rows: readonly unknown[], columns: number, text: string): Html | '' {
  return rows.length === 0
    ? html`<tr>
        <td class="muted" colspan="${String(columns)}">${text}</td>
      </tr>`
    : '';
}

/** The states of one object as `name count` pairs. */
function statesCells(states: Readonly<Record<string, number>>): Html {
  return html`${Object.entries(states).map(([state, n]) => html`<span class="state" data-state="${state}">${state} <b>${String(n)}</b></span> `)}`;
}

/** What the overview's page shows of its paging: how many objects (whose name holds the filter), and which page of how many. */
function pagingText(slice: OverviewSlice): string {
  const count = `${String(slice.total)} object${slice.total === 1 ? '' : 's'}`;
  return `${count}${slice.q === '' ? '' : ` whose name holds “${slice.q}”`}, page ${String(slice.page + 1)} of ${String(slice.pages)}`;
}

/**
 * The overview: one page of the objects (busiest first, those whose name holds the filter) with
 * their counts, a filter box and links to the other pages; a paused object says so.
 */
export function overviewPage(
  base: string,
  slice: OverviewSlice,
  paused: readonly PausedObject[],
  totals: readonly ObjectTotals[],
  rates: readonly ObjectRates[],
  readOnly: boolean,
): Html {
  const { objects } = slice;
  const rateOf = new Map(objects.map((o, i) => [o, rates[i]]));
  const addedCell = (o: ObjectCounts): Html => {
    const added = rateOf.get(o)?.added;
    return added === undefined ? html`<td class="muted">-</td>` : html`<td class="n added-rate">${added.toFixed(1)}/s</td>`;
  };
  const rateCell = (o: ObjectCounts): Html => {
    const r = rateOf.get(o)?.finished;
    return r === undefined
      ? html`<td class="muted">-</td>`
      : html`<td class="n rate">${r.completed.toFixed(1)}/s${r.failed > 0 ? html` (${r.failed.toFixed(1)}/s failed)` : ''}</td>`;
  };
  const isPaused = new Set(paused.map(objectId));
  const finished = new Map(totals.map((t) => [objectId(t), t]));
  const finishedCell = (o: ObjectCounts): Html => {
    const t = finished.get(objectId(o));
    return t === undefined
      ? html`<td class="muted">none yet</td>`
      : html`<td class="finished">completed <b>${String(t.completed)}</b>, failed <b>${String(t.failed)}</b>, dead <b>${String(t.dead)}</b></td>`;
  };
  const pageLink = (page: number, text: string): Html =>
    html`<a href="${base}?${new URLSearchParams({ ...(slice.q === '' ? {} : { q: slice.q }), page: String(page) }).toString()}">${text}</a>`;
  const body = html`<form id="filter" method="get" action="${base}">
      <input type="search" name="q" value="${slice.q}" placeholder="name contains…" aria-label="filter by name" />
      <button type="submit">Filter</button>
      <span class="muted" id="paging">${pagingText(slice)}</span>
      ${slice.page > 0 ? pageLink(slice.page - 1, '← previous') : ''} ${slice.page + 1 < slice.pages ? pageLink(slice.page + 1, 'next →') : ''}
    </form>
    <table id="objects">
      <thead>
        <tr>
          <th>family</th>
          <th>name</th>
          <th>counts</th>
          <th>finished by its Workers</th>
          <th>added per second</th>
          <th>completed per second</th>
        </tr>
      </thead>
      <tbody>
        ${emptyRow(objects, 6, slice.q === '' ? 'No registered objects.' : 'No object matches.')}
        ${objects.map(
          (o) =>
            html`<tr data-family="${o.family}">
              <td>${FAMILY_TITLES[o.family]}</td>
              <td>
                <a class="object" href="${objectPath(base, o.family, o.name)}">${o.name}</a>${
                  isPaused.has(objectId(o)) ? html` <span class="paused">paused</span>` : ''
                }
              </td>
              <td>${statesCells(o.states)}</td>
              ${finishedCell(o)}${addedCell(o)}${rateCell(o)}
            </tr>`,
        )}
      </tbody>
    </table>`;
  return layout(base, 'overview', body, readOnly);
}

/** One row of a dead letter table. */
export interface DeadRow {
  /** What identifies it to a replay or purge (a stream's key, a task queue's dead letter id). */
  readonly ref: string;
  /** What the table shows of it, column by column. */
  readonly cells: readonly string[];
}

/** What an object page shows beyond its counts. */
export interface ObjectDetails {
  /** The dead letters' column titles, when the family has dead letters the dashboard acts on. */
  readonly deadColumns?: readonly string[];
  /** The first dead letters, oldest first. */
  readonly dead?: readonly DeadRow[];
  /** A stream's lookup: the key asked for, and its value (null: not in the stream). */
  readonly lookup?: { readonly key: string; readonly value: string | null } | undefined;
  /** A notice to show at the top (what an action did). */
  readonly notice?: string | undefined;
  /** The family's own tables, in order (a stream's top items and leases, a queue's consumers, a topic's groups, a task queue's schedules). */
  readonly tables?: readonly DetailTable[];
  /** Whether to draw its history (the dashboard records one). */
  readonly history?: boolean | undefined;
  /** Its consumption: paused since when (undefined: consuming), and its registered workers. */
  readonly consumption?: { readonly pausedAt: number | undefined; readonly workers: readonly WorkerInfo[] } | undefined;
}

/** A table of an object page. */
export interface DetailTable {
  /** Its element id. */
  readonly id: string;
  /** Its heading. */
  readonly title: string;
  /** Its column titles. */
  readonly columns: readonly string[];
  /** Its rows, cell by cell. */
  readonly rows: readonly (readonly string[])[];
  /** The link to the next page of rows, when there is one. */
  readonly next?: string | undefined;
  /** Per row, its actions (a last cell of buttons, hidden when read-only). */
  readonly rowActions?: readonly (readonly RowAction[])[] | undefined;
  /** The table's own actions (buttons above it, hidden when read-only). */
  readonly actions?: readonly RowAction[] | undefined;
}

/** An action button of a table row. */
export interface RowAction {
  /** The action. */
  readonly action: Action;
  /** Its button's label. */
  readonly label: string;
  /** Its parameters. */
  readonly params: ActionParams;
}

/** One of an object page's own tables, with its rows' actions unless read-only. */
function detailTable(table: DetailTable, path: string, readOnly: boolean): Html {
  const actions = readOnly ? undefined : table.rowActions;
  const own =
    readOnly || table.actions === undefined || table.actions.length === 0
      ? ''
      : html`<p>${table.actions.map((a) => html`${actionLink(path, a.action, a.label, a.params)} `)}</p>`;
  return html`<h2>${table.title}</h2>
    ${own}
    <table id="${table.id}">
      <thead>
        <tr>
          ${table.columns.map((c) => html`<th>${c}</th>`)}
        </tr>
      </thead>
      <tbody>
        ${emptyRow(table.rows, table.columns.length, 'None.')}
        ${table.rows.map(
          (row, i) =>
            html`<tr>
              ${row.map((c) => html`<td>${c}</td>`)}${
                actions === undefined ? '' : html`<td>${(actions[i] ?? []).map((a) => html`${actionLink(path, a.action, a.label, a.params)} `)}</td>`
              }
            </tr>`,
        )}
      </tbody>
    </table>
    ${table.next === undefined ? '' : html`<p><a class="next" href="${table.next}">next page</a></p>`}`;
}

/** Hidden inputs carrying an action's parameters. */
function hiddenParams(params: ActionParams): Html {
  return html`${Object.entries(params).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}" />`)}`;
}

/** The form that asks to confirm an action (a GET: nothing changes before the confirmation's POST). */
function actionLink(path: string, action: Action, label: string, params: ActionParams = {}): Html {
  return html`<form class="inline" method="get" action="${path}/confirm">
    <input type="hidden" name="action" value="${action}" />${hiddenParams(params)}
    <button type="submit" data-action="${action}">${label}</button>
  </form>`;
}

/** An object's counts by state (what its page refreshes every 5 s with htmx). */
export function countsTable(object: ObjectCounts): Html {
  return html`<table id="counts">
    <tbody>
      ${Object.entries(object.states).map(
        ([state, n]) =>
          html`<tr>
            <th>${state}</th>
            <td class="n" data-state="${state}">${String(n)}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

/** An object's history chart (uPlot, drawn from the history API), when the dashboard records history. */
function historyChart(base: string, object: ObjectCounts): Html {
  const { names } = dashboardAssets();
  return html`<h2>History</h2>
    <link rel="stylesheet" href="${base}assets/${names.uplotCss}" />
    <div class="chart" id="history" data-history="${base}api/objects/${object.family}/${encodeURIComponent(object.name)}/history"></div>
    <script src="${base}assets/${names.uplotJs}" defer></script>
    <script src="${base}assets/${names.charts}" defer></script>`;
}

/** An object's page: its counts (refreshed live), its history, its consumption, its family's tables, its dead letters with their actions, a stream's lookup by key. */
export function objectPage(base: string, object: ObjectCounts, details: ObjectDetails, readOnly: boolean): Html {
  const path = objectPath(base, object.family, object.name);
  const counts = html`<div id="counts-live" hx-get="${path}/counts" hx-trigger="every 5s" hx-swap="innerHTML">${countsTable(object)}</div>`;
  const lookup =
    object.family === 'stream'
      ? html`<h2>Look up a key</h2>
          <form method="get" action="${path}" id="lookup">
            <input name="key" value="${details.lookup?.key ?? ''}" placeholder="item key" required />
            <button type="submit">Look up</button>
          </form>
          ${
            details.lookup === undefined
              ? ''
              : details.lookup.value === null
                ? html`<p id="lookup-result" class="muted">${details.lookup.key} is not in the stream.</p>`
                : html`<p id="lookup-result"><b>${details.lookup.key}</b>: <code>${details.lookup.value}</code></p>`
          }`
      : '';
  const dead =
    details.deadColumns === undefined
      ? ''
      : html`<h2>Dead letters</h2>
          ${
            readOnly || (details.dead ?? []).length === 0
              ? ''
              : html`<p>${actionLink(path, 'replay', 'Replay all')} ${actionLink(path, 'purge', 'Purge all')}</p>`
          }
          <table id="dead">
            <thead>
              <tr>
                ${details.deadColumns.map((c) => html`<th>${c}</th>`)}${readOnly ? '' : html`<th></th>`}
              </tr>
            </thead>
            <tbody>
              ${emptyRow(details.dead ?? [], details.deadColumns.length + 1, 'None.')}
              ${(details.dead ?? []).map(
                (row) =>
                  html`<tr>
                    ${row.cells.map((c) => html`<td>${c}</td>`)}${
                      readOnly
                        ? ''
                        : html`<td>${actionLink(path, 'replay', 'Replay', { ref: row.ref })} ${actionLink(path, 'purge', 'Purge', { ref: row.ref })}</td>`
                    }
                  </tr>`,
              )}
            </tbody>
          </table>`;
  const notice = details.notice === undefined ? '' : html`<p class="notice" id="notice">${details.notice}</p>`;
  const consumption =
    details.consumption === undefined
      ? ''
      : html`<h2>Consumption</h2>
          <p id="consumption">
            ${details.consumption.pausedAt === undefined ? 'Consuming.' : html`<b>Paused</b> since ${iso(details.consumption.pausedAt)}.`}
            ${readOnly ? '' : details.consumption.pausedAt === undefined ? actionLink(path, 'pause', 'Pause') : actionLink(path, 'resume', 'Resume')}
          </p>
          ${workersTable('object-workers', details.consumption.workers, base, false)}`;
  const body = html`<h1>${FAMILY_TITLES[object.family]} <span id="object-name">${object.name}</span></h1>
    ${notice}${counts}${details.history === true ? historyChart(base, object) : ''}${consumption}${lookup}${readOnly ? '' : itemForms(object, path)}${(
      details.tables ?? []
    ).map((t) => detailTable(t, path, readOnly))}${dead}`;
  return layout(base, object.name, body, readOnly);
}

/** A stream's forms to add an item and to raise a key's priority (each leads to its confirmation). */
function itemForms(object: ObjectCounts, path: string): Html {
  if (object.family !== 'stream') return html``;
  return html`<h2>Add an item, or raise a key's priority</h2>
    <form method="get" action="${path}/confirm" id="add-item">
      <input type="hidden" name="action" value="add" />
      <input name="key" placeholder="key" required /> <input name="value" placeholder="value" /> <input name="priority" value="1" size="6" />
      <button type="submit" data-action="add">Add</button>
    </form>
    <form method="get" action="${path}/confirm" id="increment-item">
      <input type="hidden" name="action" value="increment" />
      <input name="key" placeholder="key" required /> <input name="by" value="1" size="6" />
      <button type="submit" data-action="increment">Raise</button>
    </form>`;
}

/** What each action's confirmation asks and explains. */
function confirmationOf(action: Action, name: string, params: ActionParams): [question: string, explanation: string] {
  const { ref } = params;
  const what = ref === undefined ? 'every dead letter' : `the dead letter ${ref}`;
  switch (action) {
    case 'replay':
      return [`Replay ${what} of ${name}?`, 'It goes back to be consumed again, its attempts starting over.'];
    case 'purge':
      return [`Purge ${what} of ${name}?`, 'It is deleted for good.'];
    case 'pause':
      return [
        `Pause the consumption of ${name}?`,
        'Every Worker of it stops leasing from its next heartbeat (2 s by default); jobs already running finish. Producers go on adding.',
      ];
    case 'resume':
      return [`Resume the consumption of ${name}?`, 'Its Workers lease again from their next heartbeat.'];
    case 'add':
      return [
        `Add ${params.key ?? ''} to ${name} with priority ${params.priority ?? '1'}?`,
        "As add() does: a queued key's priority is raised by it; a key gated, cooling down, leased, delayed or dead is refused.",
      ];
    case 'increment':
      return [`Raise the priority of ${params.key ?? ''} in ${name} by ${params.by ?? '1'}?`, 'Only a queued key changes (a negative amount lowers it).'];
    case 'delete':
      return [`Delete ${ref ?? ''} from ${name}?`, 'It leaves the stream, queued, leased or delayed alike.'];
    case 'reenqueue':
      return [
        `Give back the deliveries held by the dead consumers of ${name}?`,
        'Every delivery of a consumer silent past its timeout goes back to the head of the queue; emptied consumers are removed. A consumer that was only slow finds its acks refused.',
      ];
    case 'run':
      return [`Run the schedule ${ref ?? ''} of ${name} now?`, 'Its task is sent once now, with its arguments and labels; its next run does not move.'];
  }
}

/** The confirmation of an action: what it will do, and the form (with the CSRF token) that does it. */
export function confirmPage(base: string, object: ObjectCounts, action: Action, params: ActionParams, csrf: string): Html {
  const path = objectPath(base, object.family, object.name);
  const [question, explanation] = confirmationOf(action, object.name, params);
  const body = html`<h1>${question}</h1>
    <p>${explanation}</p>
    <form method="post" action="${path}/${action}" id="confirm">
      <input type="hidden" name="${CSRF_FIELD}" value="${csrf}" />${hiddenParams(params)} <button type="submit">Confirm</button> <a href="${path}">Cancel</a>
    </form>`;
  return layout(base, object.name, body, false);
}

/** A short error page. */
export function errorPage(base: string, title: string, message: string, readOnly: boolean): Html {
  return layout(
    base,
    title,
    html`<h1>${title}</h1>
      <p>${message}</p>`,
    readOnly,
  );
}

/** A table of workers: who, where, alive, what they run, what they did. */
function workersTable(id: string, workers: readonly WorkerInfo[], base: string, withObject: boolean): Html {
  return html`<table id="${id}">
    <thead>
      <tr>
        <th>worker</th>
        ${withObject ? html`<th>consumes</th>` : ''}
        <th>alive</th>
        <th>last beat</th>
        <th>running</th>
        <th>jobs</th>
        <th>completed</th>
        <th>failed</th>
      </tr>
    </thead>
    <tbody>
      ${emptyRow(workers, withObject ? 8 : 7, 'No registered workers.')}
      ${workers.map(
        (w) =>
          html`<tr data-alive="${w.alive ? 'yes' : 'no'}">
            <td>${w.id}</td>
            ${
              withObject
                ? html`<td>
                    ${FAMILY_TITLES[w.family]}
                    <a href="${objectPath(base, w.family, w.name)}">${w.name}</a>${w.group === undefined ? '' : html` (group ${w.group})`}
                  </td>`
                : ''
            }
            <td>${stateOf(w)}</td>
            <td>${iso(w.lastBeatAt)}</td>
            <td class="n">${String(w.running)} / ${String(w.concurrency)}</td>
            <td>${w.jobs.map((j) => html`<span class="job">${j.id ?? '?'} (attempt ${String(j.attempt)}, since ${iso(j.startedAt)})</span> `)}</td>
            <td class="n">${String(w.completed)}</td>
            <td class="n">${String(w.failed)}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

/** The live workers: every Worker of every family registered under the prefix (alive first), and the paused objects. */
export function workersPage(base: string, workers: readonly WorkerInfo[], paused: readonly PausedObject[], readOnly: boolean): Html {
  const body = html`<h1>Workers</h1>
    <p class="muted">
      Every Worker beats every 2 s by default; one silent for three of its beats shows as not alive (it died or hangs), and is forgotten after a minute or
      thirty beats.
    </p>
    ${workersTable('workers', workers, base, true)}
    <h2>Paused objects</h2>
    <table id="paused">
      <tbody>
        ${emptyRow(paused, 1, 'None.')}
        ${paused.map(
          (p) =>
            html`<tr>
              <td>${FAMILY_TITLES[p.family]} <a href="${objectPath(base, p.family, p.name)}">${p.name}</a></td>
              <td>since ${iso(p.pausedAt)}</td>
            </tr>`,
        )}
      </tbody>
    </table>`;
  return layout(base, 'workers', body, readOnly);
}

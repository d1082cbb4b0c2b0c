/**
 * The dashboard's pages, rendered on the server with hono's `html` template, which escapes
 * every value put into it: an object named `<script>` shows as text.
 *
 * @module
 */
import { html } from 'hono/html';
import { objectId } from '../observe/families.js';
import type { ObjectRates } from '../overview/history.js';
import type { ObjectCounts, ObjectFamily } from '../overview/inventory.js';
import type { ActionForms, ActionParams, DetailTable, FamilyDetails } from '../observe/family-view.js';
import type { ObjectTotals, PausedObject, WorkerInfo } from '../observe/worker-registry.js';
import { dashboardAssets } from './assets.js';
import type { OverviewSlice } from './overview.js';
import { CSRF_FIELD } from './security.js';

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

/** What an object page shows beyond its counts: its family's details, and what the dashboard adds. */
export interface ObjectDetails extends FamilyDetails {
  /** A notice to show at the top (what an action did). */
  readonly notice?: string | undefined;
  /** Whether to draw its history (the dashboard records one). */
  readonly history?: boolean | undefined;
  /** Its consumption: paused since when (undefined: consuming), and its registered workers. */
  readonly consumption?: { readonly pausedAt: number | undefined; readonly workers: readonly WorkerInfo[] } | undefined;
  /** What its family looks keys up by, if anything (the page then has a lookup box). */
  readonly lookupLabel?: string | undefined;
  /** The forms of its family's actions (a stream's add and raise). */
  readonly forms?: ActionForms | undefined;
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
function actionLink(path: string, action: string, label: string, params: ActionParams = {}): Html {
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
    details.lookupLabel !== undefined
      ? html`<h2>Look up a key</h2>
          <form method="get" action="${path}" id="lookup">
            <input name="key" value="${details.lookup?.key ?? ''}" placeholder="${details.lookupLabel}" required />
            <button type="submit">Look up</button>
          </form>
          ${
            details.lookup === undefined
              ? ''
              : details.lookup.value === null
                ? html`<p id="lookup-result" class="muted">${details.lookup.key} is not in the ${object.family}.</p>`
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
    ${notice}${counts}${details.history === true ? historyChart(base, object) : ''}${consumption}${lookup}${readOnly ? '' : actionForms(details.forms, path)}${(
      details.tables ?? []
    ).map((t) => detailTable(t, path, readOnly))}${dead}`;
  return layout(base, object.name, body, readOnly);
}

/** The forms of a family's actions (a stream's add and raise): each leads to its confirmation. */
function actionForms(forms: ActionForms | undefined, path: string): Html | '' {
  if (forms === undefined) return '';
  return html`<h2>${forms.title}</h2>
    ${forms.forms.map(
      (form) =>
        html`<form method="get" action="${path}/confirm" id="${form.id}">
          <input type="hidden" name="action" value="${form.action}" />
          ${form.fields.map(
            (f) =>
              html`<input
                name="${f.name}"
                ${f.placeholder === undefined ? '' : html`placeholder="${f.placeholder}"`}
                ${f.value === undefined ? '' : html`value="${f.value}"`}
                ${f.size === undefined ? '' : html`size="${String(f.size)}"`}
                ${f.required === true ? 'required' : ''}
              /> `,
          )}
          <button type="submit" data-action="${form.action}">${form.label}</button>
        </form>`,
    )}`;
}

/**
 * The confirmation of an action: what it will do, and the form (with the CSRF token) that does it.
 *
 * @param question - what the confirmation asks
 * @param explanation - what the action does
 */
export function confirmPage(
  base: string,
  object: ObjectCounts,
  action: string,
  params: ActionParams,
  csrf: string,
  [question, explanation]: readonly [string, string],
): Html {
  const path = objectPath(base, object.family, object.name);
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

/**
 * The dashboard's browser assets: uPlot (charts) and htmx (live counts), pinned dependencies
 * served from the installed packages as they ship (no front-end build), and the few lines that
 * draw an object's history with uPlot.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/**
 * Draws every `[data-history]` element's history (JSON from its address) with uPlot: a chart of
 * the counts, one line per state, and, when the samples carry the Workers' totals, a chart of
 * what they finished per second between samples (completed, failed, dead).
 */
const CHARTS_JS = `'use strict';
(function () {
  var colors = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f'];
  function chart(el, title, names, data) {
    var box = document.createElement('div');
    box.className = 'chart-box';
    el.appendChild(box);
    var series = [{}].concat(names.map(function (name, i) { return { label: name, stroke: colors[i % colors.length], width: 1.5 }; }));
    new uPlot({ title: title, width: Math.max(300, el.clientWidth), height: 220, series: series }, data, box);
  }
  document.querySelectorAll('[data-history]').forEach(function (el) {
    fetch(el.getAttribute('data-history'), { credentials: 'same-origin' })
      .then(function (response) { return response.json(); })
      .then(function (body) {
        var samples = body.samples;
        if (samples.length === 0) { el.textContent = 'No history yet: a dashboard records one sample every ' + body.intervalMs / 1000 + ' s.'; return; }
        el.textContent = '';
        var times = samples.map(function (s) { return s.at / 1000; });
        var states = Object.keys(samples[samples.length - 1].states);
        chart(el, 'Counts', states, [times].concat(states.map(function (state) {
          return samples.map(function (s) { return state in s.states ? s.states[state] : null; });
        })));
        if (!samples.some(function (s) { return s.totals; })) return;
        var outcomes = ['completed', 'failed', 'dead'];
        chart(el, 'Finished per second', outcomes, [times].concat(outcomes.map(function (outcome) {
          return samples.map(function (s, i) {
            var before = samples[i - 1];
            if (!before || !before.totals || !s.totals || s.at <= before.at) return null;
            return Math.max(0, (s.totals[outcome] - before.totals[outcome]) / ((s.at - before.at) / 1000));
          });
        })));
      })
      .catch(function (err) { el.textContent = 'The history could not be read: ' + err; });
  });
})();
`;

/** An asset: its content type and how to read it (once). */
interface Asset {
  readonly type: string;
  readonly read: () => string;
}

const require = createRequire(import.meta.url);
const fromPackage = (path: string): (() => string) => {
  let text: string | undefined;
  return () => (text ??= readFileSync(require.resolve(path), 'utf8'));
};

/** A package's installed version (the assets' names carry it, so a browser never keeps an old copy). */
function versionOf(name: string): string {
  const { version } = JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as { version: string };
  return version;
}

/** The names the pages link the assets by. */
export interface AssetNames {
  readonly uplotJs: string;
  readonly uplotCss: string;
  readonly htmx: string;
  readonly charts: string;
}

let made: { readonly names: AssetNames; readonly files: Readonly<Record<string, Asset>> } | undefined;

/**
 * The assets by the file name they are served under (versioned: cached for good), and the names
 * the pages link them by; made on first use, so importing the package reads no file.
 *
 * @returns the names and the files
 */
export function dashboardAssets(): { readonly names: AssetNames; readonly files: Readonly<Record<string, Asset>> } {
  if (made !== undefined) return made;
  const uplot = versionOf('uplot');
  const htmx = versionOf('htmx.org');
  const names: AssetNames = { uplotJs: `uPlot-${uplot}.min.js`, uplotCss: `uPlot-${uplot}.min.css`, htmx: `htmx-${htmx}.min.js`, charts: 'charts-2.js' };
  made = {
    names,
    files: {
      [names.uplotJs]: { type: 'text/javascript; charset=utf-8', read: fromPackage('uplot/dist/uPlot.iife.min.js') },
      [names.uplotCss]: { type: 'text/css; charset=utf-8', read: fromPackage('uplot/dist/uPlot.min.css') },
      [names.htmx]: { type: 'text/javascript; charset=utf-8', read: fromPackage('htmx.org/dist/htmx.min.js') },
      [names.charts]: { type: 'text/javascript; charset=utf-8', read: () => CHARTS_JS },
    },
  };
  return made;
}

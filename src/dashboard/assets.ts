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
 * the counts, one line per state, and a chart of the rates between samples: what producers
 * added per second and, when the samples carry the Workers' totals, what they finished
 * (completed, failed, dead).
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
        // A total's rate between two samples: none where either lacks it or it went down (a restarted count).
        function rate(total) {
          return samples.map(function (s, i) {
            var before = samples[i - 1], a = before && total(before), b = total(s);
            if (a === undefined || b === undefined || b < a || s.at <= before.at) return null;
            return (b - a) / ((s.at - before.at) / 1000);
          });
        }
        var names = [], rates = [];
        if (samples.some(function (s) { return s.added !== undefined; })) {
          names.push('added');
          rates.push(rate(function (s) { return s.added; }));
        }
        if (samples.some(function (s) { return s.totals; })) {
          ['completed', 'failed', 'dead'].forEach(function (outcome) {
            names.push(outcome);
            rates.push(rate(function (s) { return s.totals ? s.totals[outcome] : undefined; }));
          });
        }
        if (names.length > 0) chart(el, 'Added and finished per second', names, [times].concat(rates));
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

let made: { readonly names: AssetNames; readonly files: ReadonlyMap<string, Asset> } | undefined;

/**
 * The assets by the file name they are served under (versioned: cached for good), and the names
 * the pages link them by; made on first use, so importing the package reads no file. A `Map`, so
 * a name such as `__proto__` or `constructor` finds nothing (a plain object's lookup found its
 * prototype's members).
 *
 * @returns the names and the files
 */
export function dashboardAssets(): { readonly names: AssetNames; readonly files: ReadonlyMap<string, Asset> } {
  if (made !== undefined) return made;
  const uplot = versionOf('uplot');
  const htmx = versionOf('htmx.org');
  const names: AssetNames = { uplotJs: `uPlot-${uplot}.min.js`, uplotCss: `uPlot-${uplot}.min.css`, htmx: `htmx-${htmx}.min.js`, charts: 'charts-2.js' };
  made = {
    names,
    files: new Map<string, Asset>([
      [names.uplotJs, { type: 'text/javascript; charset=utf-8', read: fromPackage('uplot/dist/uPlot.iife.min.js') }],
      [names.uplotCss, { type: 'text/css; charset=utf-8', read: fromPackage('uplot/dist/uPlot.min.css') }],
      [names.htmx, { type: 'text/javascript; charset=utf-8', read: fromPackage('htmx.org/dist/htmx.min.js') }],
      [names.charts, { type: 'text/javascript; charset=utf-8', read: () => CHARTS_JS }],
    ]),
  };
  return made;
}

/**
 * HTML for notebook outputs and standalone reports.
 *
 * A chart is one HTML string: a static SVG picture (an <img> with a data URI,
 * which survives Jupyter's sanitiser when a notebook is reopened untrusted)
 * plus a script that swaps in the interactive Plotly chart when plotly.js is
 * on the page. plotly.js itself is sent once (`plotlyBundleScript`), not with
 * every chart: it is about 10 MB.
 */
import * as fs from "fs";
import * as path from "path";
import type { PlotlyFigure } from "./plotly-types";

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c);
}

/**
 * JSON that is safe inside a <script> element: "<" is escaped so no
 * "</script>" or "<!--" in the data can end or derail the element.
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

/** An SVG as a base64 data URI, for <img src>. */
export function svgDataUri(svg: string): string {
  return `data:image/svg+xml;base64,${Buffer.from(svg, "utf8").toString("base64")}`;
}

// ---------------------------------------------------------------- plotly.js bundle

let bundleCache: { path: string; version: string; source: string } | null = null;

/** The installed plotly.js-dist bundle (read once, then kept in memory). */
export function plotlyBundle(): { path: string; version: string; source: string } {
  if (bundleCache === null) {
    const dir = path.dirname(require.resolve("plotly.js-dist"));
    const file = path.join(dir, "plotly.js");
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as { version?: unknown };
    bundleCache = { path: file, version: typeof pkg.version === "string" ? pkg.version : "unknown", source: fs.readFileSync(file, "utf8") };
  }
  return bundleCache;
}

/**
 * Wraps a UMD bundle so that it defines `window.Plotly` even on pages with
 * RequireJS (classic Jupyter Notebook): `define`, `module`, `exports` and
 * `require` are shadowed by undefined parameters, so the bundle takes its
 * browser-global branch instead of registering an anonymous AMD module that
 * nobody requires. Skipped entirely when `window.Plotly` already exists.
 */
export function wrapPlotlyBundle(source: string): string {
  // "</script" or "<!--" inside the code would end or derail the element; in
  // strings, regexps and comments "\x3C" reads as "<".
  const safe = source.replace(/<(\/script|!--)/gi, "\\x3C$1");
  return (
    'if (typeof window !== "undefined" && !window.Plotly) {\n' +
    "(function (define, module, exports, require) {\n" +
    safe +
    "\n}).call(window);\n}\n"
  );
}

/** A <script> element carrying the whole plotly.js bundle; a no-op on a page that already has Plotly. */
export function plotlyBundleScript(): string {
  const b = plotlyBundle();
  return `<script type="text/javascript">/* plotly.js ${escapeHtml(b.version)}, inlined by acrobot-dqn */\n${wrapPlotlyBundle(b.source)}</script>`;
}

/**
 * What the setup cell leaves in the notebook once the bundle has run: a line
 * of text instead of the 10 MB bundle, so saved notebooks stay small. Its
 * script (run only while trusted) says whether plotly.js is on this page; with
 * scripts stripped (an untrusted reopened notebook) the text says what a
 * reader sees without claiming the charts are interactive.
 */
export function plotlyStatusHtml(version: string): string {
  const v = escapeHtml(version);
  const id = `acrobot-plotly-status-${Math.random().toString(36).slice(2, 10)}`;
  const saved =
    `plotly.js ${v} was sent to the page when this cell ran; it is not saved with the notebook (it is about 10 MB). ` +
    `In a reopened notebook the charts show their static pictures until the notebook runs again, this cell first.`;
  const here = `plotly.js ${version} loaded: charts below are interactive (each also carries a static picture for saved notebooks).`;
  const missing =
    `plotly.js is not on this page (it is not saved with the notebook): the charts show their static pictures. ` +
    `Run this cell, then the chart cells, to make them interactive.`;
  // Looked up after a tick, as the chart scripts do: classic Notebook runs scripts before attaching the output.
  const script = `(function () {
  var tries = 0;
  function say() {
    var el = document.getElementById(${scriptJson(id)});
    if (!el) { if (++tries < 100) setTimeout(say, 50); return; }
    el.textContent = window.Plotly ? ${scriptJson(here)} : ${scriptJson(missing)};
    el.setAttribute("data-plotly", window.Plotly ? "loaded" : "missing");
  }
  setTimeout(say, 0);
})();`;
  return (
    `<div class="acrobot-plotly-status" id="${id}" data-plotly="unknown" style="font-family:monospace;font-size:13px;white-space:pre-wrap">${saved}</div>` +
    `<script type="text/javascript">${script}</script>`
  );
}

// ---------------------------------------------------------------- one chart

export interface ChartHtmlOptions {
  /**
   * A stable name for this chart (e.g. one per live chart): when a chart of
   * the same name is drawn again, the previous plot is purged, so refreshing
   * in place does not pile up Plotly's resize listeners.
   */
  id?: string;
  /** Height of the interactive chart in pixels (default: the layout's height, or 420). */
  height?: number;
  /** Shown under the picture when plotly.js is not on the page. */
  note?: string;
  /** Alternative text of the picture (default: the chart's title). */
  alt?: string;
}

let chartCounter = 0;

/**
 * One notebook output: the static picture, and a script that draws the
 * interactive chart over it when plotly.js is loaded. The script looks its
 * elements up by id after a tick, because classic Notebook runs output
 * scripts before the output is attached to the page.
 */
export function chartHtml(fig: PlotlyFigure, staticSvg: string, opts: ChartHtmlOptions = {}): string {
  const name = (opts.id ?? "chart").replace(/[^A-Za-z0-9_-]/g, "_");
  const domId = `acrobot-${name}-${(++chartCounter).toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  // Only a named chart replaces an earlier plot of the same name; unnamed charts never touch each other.
  const key = opts.id !== undefined ? name : domId;
  const height = opts.height ?? fig.layout.height ?? 420;
  const alt = opts.alt ?? fig.layout.title?.text ?? "chart";
  const note = opts.note ?? "Static picture: run the setup cell for interactive charts.";
  const payload = { data: fig.data, layout: fig.layout, frames: fig.frames ?? null, config: { responsive: true, displaylogo: false, ...(fig.config ?? {}) } };
  const script = `(function () {
  var id = ${scriptJson(domId)}, key = ${scriptJson(key)}, noteText = ${scriptJson(note)};
  var fig = ${scriptJson(payload)};
  var tries = 0;
  function draw() {
    var root = document.getElementById(id);
    if (!root) { if (++tries < 100) setTimeout(draw, 50); return; }
    var Plotly = window.Plotly;
    var img = root.querySelector(".acrobot-static"), plot = root.querySelector(".acrobot-plot"), note = root.querySelector(".acrobot-note");
    if (!Plotly) {
      if (!note) {
        note = document.createElement("div");
        note.className = "acrobot-note";
        note.style.cssText = "font-size:12px;color:#777;margin:2px 0 6px";
        note.textContent = window.__acrobotPlotNote || noteText;
        root.appendChild(note);
      }
      if (++tries < 40) setTimeout(draw, 500);
      return;
    }
    if (note) note.parentNode.removeChild(note);
    var registry = window.__acrobotPlots || (window.__acrobotPlots = {});
    var previous = registry[key];
    if (previous && previous !== plot) { try { Plotly.purge(previous); } catch (e) {} }
    registry[key] = plot;
    plot.style.display = "block";
    img.style.display = "none";
    Plotly.newPlot(plot, fig.data, fig.layout, fig.config).then(function () {
      return fig.frames ? Plotly.addFrames(plot, fig.frames) : null;
    }).catch(function (err) {
      plot.style.display = "none";
      img.style.display = "";
      if (window.console) console.error("acrobot-dqn chart:", err);
    });
  }
  setTimeout(draw, 0);
})();`;
  return (
    `<div class="acrobot-chart" id="${escapeHtml(domId)}">` +
    `<img class="acrobot-static" src="${svgDataUri(staticSvg)}" alt="${escapeHtml(alt)}" style="max-width:100%;height:auto">` +
    `<div class="acrobot-plot" style="display:none;width:100%;height:${Math.round(height)}px"></div>` +
    `<script type="text/javascript">${script}</script>` +
    `</div>`
  );
}

// ---------------------------------------------------------------- tables and reports

export type Cell = string | number | null;

export interface TableOptions {
  /** Column order (default: keys in order of first appearance). */
  columns?: string[];
  caption?: string;
  /** Decimals for non-integer numbers (default 2). */
  digits?: number;
}

function formatCell(v: Cell | undefined, digits: number): string {
  if (v === null || v === undefined) return "\u2014";
  if (typeof v === "number") return Number.isInteger(v) || !Number.isFinite(v) ? String(v) : v.toFixed(digits);
  return v;
}

/** A simple HTML table; every cell is escaped, numbers are right-aligned. */
export function tableHtml(rows: readonly Record<string, Cell>[], opts: TableOptions = {}): string {
  const columns = opts.columns ?? [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const digits = opts.digits ?? 2;
  const numeric = columns.map((c) => rows.length > 0 && rows.every((r) => r[c] === null || r[c] === undefined || typeof r[c] === "number"));
  const align = (i: number) => (numeric[i] ? ' style="text-align:right"' : ' style="text-align:left"');
  const head = columns.map((c, i) => `<th${align(i)}>${escapeHtml(c)}</th>`).join("");
  const body = rows
    .map((r) => `<tr>${columns.map((c, i) => `<td${align(i)}>${escapeHtml(formatCell(r[c], digits))}</td>`).join("")}</tr>`)
    .join("\n");
  const caption = opts.caption ? `<caption>${escapeHtml(opts.caption)}</caption>` : "";
  return `<table class="acrobot-table">${caption}<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody></table>`;
}

export interface ReportSection {
  heading?: string;
  /** Trusted HTML (from `chartHtml`, `tableHtml`, or escaped text). */
  html: string;
}

export interface ReportOptions {
  /** Inline plotly.js so the page works offline (default true; about 10 MB). */
  inlinePlotly?: boolean;
  /** Where to load plotly.js from when not inlined (default: the CDN build of the installed version). */
  plotlySrc?: string;
}

/** A standalone HTML page (charts and tables) for the command line's reports. */
export function reportHtml(title: string, sections: readonly ReportSection[], opts: ReportOptions = {}): string {
  const inline = opts.inlinePlotly ?? true;
  const plotly = inline
    ? plotlyBundleScript()
    : `<script type="text/javascript" src="${escapeHtml(opts.plotlySrc ?? `https://cdn.plot.ly/plotly-${plotlyBundle().version}.min.js`)}"></script>`;
  const body = sections
    .map((s) => `<section>${s.heading ? `<h2>${escapeHtml(s.heading)}</h2>\n` : ""}${s.html}</section>`)
    .join("\n");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body { font-family: Helvetica, Arial, sans-serif; max-width: 980px; margin: 24px auto; padding: 0 16px; color: #222; }
h1 { font-size: 24px; } h2 { font-size: 18px; margin-top: 32px; }
table.acrobot-table { border-collapse: collapse; margin: 8px 0; }
table.acrobot-table th, table.acrobot-table td { border-bottom: 1px solid #ddd; padding: 4px 10px; }
table.acrobot-table caption { text-align: left; color: #555; padding-bottom: 4px; }
</style>
<script type="text/javascript">window.__acrobotPlotNote = "Static picture: plotly.js could not be loaded.";</script>
${plotly}
</head>
<body>
<h1>${escapeHtml(title)}</h1>
${body}
<footer style="margin-top:40px;color:#888;font-size:12px">Generated by acrobot-dqn on ${escapeHtml(new Date().toISOString())}</footer>
</body>
</html>
`;
}

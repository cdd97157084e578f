/**
 * Notebook helpers around tslab's display API: send plotly.js once, show
 * charts and episodes, and follow training live with one status line and one
 * chart refreshed in place (not thousands of printed lines).
 *
 * tslab is loaded only inside its kernel (its executor sets
 * `globalThis.__tslab__`): loading it elsewhere would pull in its TypeScript
 * compiler and ZeroMQ for nothing, and its display throws "Not ready" outside
 * a kernel anyway. Outside a kernel every helper prints a short text line.
 */
import type * as Tslab from "tslab";
import type { EpisodeRecord } from "../train/trainer";
import { lessonLine, statusLine } from "../text-format";
import { chartHtml, escapeHtml, plotlyBundle, plotlyBundleScript, plotlyStatusHtml, tableHtml, type Cell, type ChartHtmlOptions, type TableOptions } from "./html";
import { episodeAnimationFigure, figureToSvg, learningCurveFigure, type EpisodeAnimationOptions, type EvaluationPoint } from "./figures";
import type { PlotlyFigure } from "./plotly-types";

type Display = Tslab.Display;

/** tslab's module when running inside the tslab kernel, else null. */
export function tslabInKernel(): typeof Tslab | null {
  if (!("__tslab__" in globalThis)) return null;
  try {
    return require("tslab") as typeof Tslab;
  } catch {
    return null;
  }
}

/** Whether displays go to a notebook (we run inside the tslab kernel). */
export function inNotebook(): boolean {
  return tslabInKernel() !== null;
}

/** Shows through `display`, or runs `fallback` when there is no kernel or the display fails. */
export function show(render: (d: Display) => void, fallback: () => void, display?: Display | null): void {
  const target = display ?? tslabInKernel()?.display;
  if (target) {
    try {
      render(target);
      return;
    } catch {
      // tslab throws "Not ready" before a kernel executes anything: fall back to text
    }
  }
  fallback();
}

const globals = globalThis as unknown as Record<string, unknown>;
// On globalThis, not in this module: tslab re-transpiles an edited module and
// would reset a module-level flag, but the page still has Plotly.
const SENT_FLAG = "__acrobotDqnPlotlySent";

/**
 * Sends plotly.js to the page (once per kernel session) so later charts are
 * interactive. Call it in a notebook's first cell. `force` sends it again,
 * e.g. after reloading the browser page with the same kernel.
 */
export function setupPlotly(opts: { force?: boolean } = {}): void {
  const t = tslabInKernel();
  if (t === null) {
    console.log("setupPlotly: not inside the tslab kernel; nothing to do (charts are drawn in notebooks).");
    return;
  }
  const { version } = plotlyBundle();
  if (globals[SENT_FLAG] === true && !opts.force) {
    show((d) => d.text(`plotly.js ${version} was already sent in this kernel session (after reloading the page, use setupPlotly({ force: true })).`), () => {});
    return;
  }
  // One updatable output: the bundle runs in the page as it arrives, then a
  // line of text replaces it, so the saved notebook does not carry 10 MB. Both
  // go out while this cell runs (a front end routes a later update elsewhere).
  show(
    (d) => {
      d.html(plotlyBundleScript());
      d.html(plotlyStatusHtml(version));
      globals[SENT_FLAG] = true;
    },
    () => console.log("setupPlotly: the notebook display is not ready."),
    t.newDisplay(),
  );
}

function describe(fig: PlotlyFigure): string {
  return `[chart] ${fig.layout.title?.text ?? "untitled"}: ${fig.data.length} trace(s)${fig.frames ? `, ${fig.frames.length} frames` : ""} (drawn only in a notebook)`;
}

/** Displays a chart: interactive with plotly.js on the page, else its static SVG (drawn from the figure unless given). */
export function showChart(fig: PlotlyFigure, svg?: string, opts: ChartHtmlOptions = {}): void {
  show((d) => d.html(chartHtml(fig, svg ?? figureToSvg(fig), opts)), () => console.log(describe(fig)));
}

/** Displays an episode as an animation (Play/Pause and a slider); the static picture is its highest-tip frame. */
export function showEpisode(states: readonly ArrayLike<number>[], opts: EpisodeAnimationOptions & { height?: number } = {}): void {
  const fig = episodeAnimationFigure(states, opts);
  showChart(fig, figureToSvg(fig), { height: opts.height });
}

/** Displays a table (escaped HTML); prints it with console.table outside a notebook. */
export function showTable(rows: readonly Record<string, Cell>[], opts: TableOptions = {}): void {
  show((d) => d.html(tableHtml(rows, opts)), () => console.table(rows));
}

// ---------------------------------------------------------------- following training live

// The lesson's line and the status line are text, shared with the command line: see ../text-format.ts.
export { pyFixed, lessonLine, statusLine } from "../text-format";

export interface LiveTrainingOptions {
  /** Draws the bar on the chart and shows it in the status line. */
  solvedAt?: number;
  /** Episodes between chart refreshes (default 10). */
  every?: number;
  /** Print the lesson's line for every episode instead of the updating status line. */
  lessonLog?: boolean;
  title?: string;
  /** Keep a live learning-curve chart (default true). */
  chart?: boolean;
}

/** What `finish` can use from the trainer's result (a `TrainResult` fits). */
export interface FinishInfo {
  message?: string;
  records?: readonly EpisodeRecord[];
}

export interface LiveTraining {
  /** Pass as the trainer's `onEpisode` hook. */
  onEpisode: (record: EpisodeRecord) => void;
  /** The trainer's `onEvaluation` hook: periodic greedy evaluations are drawn beside the training curve. */
  onEvaluation: (evaluation: EvaluationPoint) => void;
  /** Draws the final chart and status; pass the trainer's result for its message. */
  finish: (result?: FinishInfo) => void;
  /** Every record seen so far. */
  readonly records: EpisodeRecord[];
  /** Every periodic evaluation seen so far (drawn on the chart). */
  readonly evaluations: EvaluationPoint[];
}

/**
 * Follows training in a notebook: one status line and one chart, both
 * updated in place. Each call is cheap (the status line is refreshed at most
 * ten times a second, the chart every `every` episodes) because the trainer
 * awaits this hook between episodes. Outside a kernel it prints the status
 * every `every` episodes.
 */
export function liveTraining(opts: LiveTrainingOptions = {}): LiveTraining {
  const every = Math.max(1, Math.floor(opts.every ?? 10));
  const records: EpisodeRecord[] = [];
  const evaluations: EvaluationPoint[] = [];
  const t = tslabInKernel();
  const status = t !== null && !opts.lessonLog ? t.newDisplay() : null;
  const chart = t !== null && opts.chart !== false ? t.newDisplay() : null;
  const chartId = `live-${Math.random().toString(36).slice(2, 8)}`;
  let lastStatus = -Infinity;

  // Placeholders first, so the status line stays above the chart.
  if (status) show((d) => d.text("training: waiting for the first episode"), () => {}, status);
  if (chart) {
    show((d) => d.html(`<div style="color:#777;font-size:12px">learning curve: first drawn after ${every} episodes</div>`), () => {}, chart);
  }

  const drawChart = () => {
    if (!chart || records.length === 0) return;
    const fig = learningCurveFigure(records, { solvedAt: opts.solvedAt, title: opts.title, evaluations });
    show((d) => d.html(chartHtml(fig, figureToSvg(fig), { id: chartId })), () => {}, chart);
  };
  const drawStatus = (suffix = "") => {
    const line = statusLine(records, opts.solvedAt) + suffix;
    if (status) show((d) => d.text(line), () => console.log(line), status);
    else console.log(line);
  };

  const onEpisode = (record: EpisodeRecord): void => {
    records.push(record);
    const refresh = records.length % every === 0;
    if (opts.lessonLog) {
      console.log(lessonLine(record));
    } else if (status) {
      const now = performance.now();
      if (refresh || now - lastStatus >= 100) {
        lastStatus = now;
        drawStatus();
      }
    } else if (refresh) {
      drawStatus(); // no kernel: a printed line every `every` episodes
    }
    if (refresh) drawChart();
  };

  const finish = (result?: FinishInfo): void => {
    if (result?.records && result.records.length > records.length) {
      records.length = 0;
      for (const r of result.records) records.push(r); // not a spread into splice: a long run has more records than a call takes arguments
    }
    drawChart();
    const message = result?.message ? ` | ${result.message}` : "";
    if (opts.lessonLog) console.log(`${statusLine(records, opts.solvedAt)}${message}`);
    else drawStatus(message);
  };

  const onEvaluation = (e: EvaluationPoint): void => void evaluations.push(e); // drawn with the next chart refresh

  return { onEpisode, onEvaluation, finish, records, evaluations };
}

/** A highlighted message box: green for ok, red for a problem, grey for a note (plain text outside a notebook). */
export function showMessage(kind: "ok" | "error" | "note", text: string): void {
  const colors = { ok: ["#e8f5e9", "#2e7d32", "✔"], error: ["#ffebee", "#c62828", "✘"], note: ["#f5f5f5", "#616161", "ℹ"] }[kind];
  const html = `<div class="acrobot-message acrobot-${kind}" style="background:${colors[0]};border-left:4px solid ${colors[1]};padding:8px 12px;margin:4px 0;font-family:sans-serif">${colors[2]} ${escapeHtml(text)}</div>`;
  show((d) => d.html(html), () => console.log(`${colors[2]} ${text}`));
}

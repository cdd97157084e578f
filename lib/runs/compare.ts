/**
 * Runs side by side: per preset, the mean 100-episode average with a band
 * across seeds, and what it took each to reach the bar. The `compare` and
 * `report` commands and the comparison notebook all show this.
 */
import { acrossRuns, compareFigure, PALETTE, solvedBar, withAlpha } from "../viz/figures";
import type { Cell } from "../viz/html";
import type { PlotlyFigure, ScatterTrace } from "../viz/plotly-types";
import { runLabel, type Run } from "./read";
import { isCut, recordFigures } from "./summary";
import { lockHolder } from "./lock";

export interface RunRow {
  preset: string;
  seed: number;
  status: string;
  episodesToBar: number | null;
  envStepsToBar: number | null;
  secondsToBar: number | null;
  episodes: number;
  /** Episodes cut short (not counted toward the bar). */
  cutEpisodes: number;
  bestAverage100: number | null;
  greedyMean: number | null;
  folder: string;
}

export interface PresetRow {
  preset: string;
  runs: number;
  solved: number;
  /** Medians over the runs that reached the bar; null when none did. */
  episodesToBar: number | null;
  envStepsToBar: number | null;
  secondsToBar: number | null;
  bestAverage100: number | null;
}

export function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b), mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export function runRow(run: Run): RunRow {
  const s = run.summary;
  // The bar counts only when the run says it was solved (a summary written by the trainer's own check).
  const f = recordFigures(run.records, s?.status === "solved" ? s.solvedAtEpisode : null, run.config.solvedWindow);
  const running = s?.status === "running" ? (lockHolder(run.dir) !== null ? "running" : "killed while running") : null;
  return {
    preset: runLabel(run.meta),
    seed: run.meta.seed,
    status: running ?? s?.status ?? "no summary",
    cutEpisodes: run.records.filter(isCut).length,
    episodesToBar: f.toBar?.episode ?? null,
    envStepsToBar: f.toBar?.envSteps ?? null,
    secondsToBar: f.toBar ? Math.round(f.toBar.seconds * 10) / 10 : null,
    episodes: run.records.length,
    bestAverage100: f.bestAverage100,
    greedyMean: s?.evaluation?.mean ?? null,
    folder: run.name,
  };
}

/** One row per preset (label), in the order the presets first appear. */
export function presetRows(rows: readonly RunRow[]): PresetRow[] {
  return [...new Set(rows.map((r) => r.preset))].map((preset) => {
    const rs = rows.filter((r) => r.preset === preset);
    const solved = rs.filter((r) => r.episodesToBar !== null);
    const med = (f: (r: RunRow) => number | null) => median(solved.map(f).filter((x): x is number => x !== null));
    return {
      preset,
      runs: rs.length,
      solved: solved.length,
      episodesToBar: med((r) => r.episodesToBar),
      envStepsToBar: med((r) => r.envStepsToBar),
      secondsToBar: med((r) => r.secondsToBar),
      bestAverage100: median(rs.map((r) => r.bestAverage100).filter((x): x is number => x !== null)),
    };
  });
}

export const NOT_SOLVED = "not solved";

/** The learning curves: mean 100-episode average per preset with a band across its seeds. */
export function compareRunsFigure(runs: readonly Run[], title = "Mean 100-episode average across seeds"): PlotlyFigure {
  const labels = [...new Set(runs.map((r) => runLabel(r.meta)))];
  const groups = labels.map((name) => ({
    name,
    runs: runs.filter((r) => runLabel(r.meta) === name).map((r) => ({ average100: r.records.map((x) => x.average100) })),
  }));
  // One bar line only when every run shares it (tipHeight's is -200, the others' -90).
  const bars = [...new Set(runs.map((r) => r.config.solvedAt))];
  return compareFigure(groups, { solvedAt: bars.length === 1 ? bars[0] : undefined, title });
}

/** Table rows per preset: seeds that reached the bar, and medians of episodes, env steps and seconds to it. */
export function presetTable(runs: readonly Run[]): Record<string, Cell>[] {
  return presetRows(runs.map(runRow)).map((p) => ({
    preset: p.preset,
    "seeds solved": `${p.solved} of ${p.runs}`,
    "episodes to bar": p.episodesToBar ?? NOT_SOLVED,
    "env steps to bar": p.envStepsToBar ?? NOT_SOLVED,
    "seconds to bar": p.secondsToBar ?? NOT_SOLVED,
    "best 100-ep. average": p.bestAverage100,
  }));
}

/** Table rows per run. */
export function runTable(runs: readonly Run[]): Record<string, Cell>[] {
  return runs.map(runRow).map((r) => ({
    preset: r.preset,
    seed: r.seed,
    status: r.status,
    "episodes to bar": r.episodesToBar ?? NOT_SOLVED,
    "env steps to bar": r.envStepsToBar ?? NOT_SOLVED,
    "seconds to bar": r.secondsToBar ?? NOT_SOLVED,
    "episodes run": r.episodes,
    "cut short": r.cutEpisodes,
    "best 100-ep. average": r.bestAverage100,
    "greedy mean return": r.greedyMean,
    folder: r.folder,
  }));
}

/**
 * The periodic greedy evaluations across runs: per preset (label), the mean
 * over seeds of each evaluation's mean return, against environment steps,
 * with a band from the lowest to the highest seed. Null when no run made
 * periodic evaluations (config.evalEvery 0).
 */
export function compareEvaluationsFigure(runs: readonly Run[], title = "Greedy evaluation across seeds"): PlotlyFigure | null {
  const withEvals = runs.filter((r) => r.evaluations.length > 0);
  if (withEvals.length === 0) return null;
  const labels = [...new Set(withEvals.map((r) => runLabel(r.meta)))];
  const data: ScatterTrace[] = [];
  labels.forEach((name, gi) => {
    const color = PALETTE[gi % PALETTE.length];
    const group = withEvals.filter((r) => runLabel(r.meta) === name);
    // Runs of one label share evalEvery, so their k-th evaluations are at the same env step; the longest gives the axis.
    const longest = group.reduce((a, b) => (b.evaluations.length > a.evaluations.length ? b : a));
    const x = longest.evaluations.map((e) => e.envSteps);
    const stats = acrossRuns(group.map((r) => r.evaluations.map((e) => e.mean)), "minmax", "drop");
    const common = { type: "scatter" as const, mode: "lines" as const, x, showlegend: false, legendgroup: name, hoverinfo: "skip" };
    if (group.length > 1) {
      data.push({ ...common, name: `${name} (lower)`, y: stats.lower, line: { color, width: 0 } });
      data.push({ ...common, name: `${name} (upper)`, y: stats.upper, line: { color, width: 0 }, fill: "tonexty", fillcolor: withAlpha(color, 0.2) });
    }
    data.push({
      type: "scatter", mode: "lines+markers", name: `${name} (${group.length} seed${group.length === 1 ? "" : "s"})`, legendgroup: name, x, y: stats.mean,
      line: { color, width: 2.5 }, marker: { color, size: 5 }, hovertemplate: `${name}<br>env step %{x}<br>greedy mean %{y:.1f}<extra></extra>`,
    });
  });
  const bars = [...new Set(withEvals.map((r) => r.config.solvedAt))];
  return {
    data,
    layout: {
      title: { text: title },
      xaxis: { title: { text: "environment steps" } },
      yaxis: { title: { text: "mean return of the greedy episodes" } },
      // The lesson's bar for reference: it is defined on the training episodes' 100-episode average, not on these.
      ...solvedBar(bars.length === 1 ? bars[0] : undefined, `the lesson's bar: ${bars[0]} (on training episodes)`),
      legend: { title: { text: "line: mean over seeds of each evaluation's mean; band: lowest to highest seed", side: "top" }, orientation: "h", x: 0, y: -0.16, yanchor: "top" },
      hovermode: "closest",
      height: 520,
      margin: { t: 60, b: 150 },
    },
  };
}

/** Figures of saved runs (lib/runs reads them; drawing them is this layer's). */
import { runLabel, type Run } from "../runs/read";
import { acrossRuns, compareFigure, PALETTE, solvedBar, withAlpha } from "./figures";
import type { PlotlyFigure, ScatterTrace } from "./plotly-types";

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

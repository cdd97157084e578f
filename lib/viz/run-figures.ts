/** Figures of saved runs (lib/runs reads them; drawing them is this layer's). */
import { runLabel, type Run } from "../runs/read";
import { compareFigure } from "./figures";
import type { PlotlyFigure } from "./plotly-types";

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

/**
 * Following several trainings at once in a notebook: one status line per run
 * and one chart, each updated in place. A status line is refreshed at most
 * four times a second; start, end and stop lines always. Outside a kernel
 * only those are printed, a line each.
 */
import { chartHtml, escapeHtml } from "./html";
import { figureToSvg } from "./figures";
import { show, tslabInKernel } from "./notebook";
import type { PlotlyFigure } from "./plotly-types";

export interface LiveRuns {
  /** Sets run `i`'s line; `always` bypasses the refresh limit (and prints it outside a notebook). */
  line(i: number, text: string, always?: boolean): void;
  /** Redraws the chart. */
  chart(fig: PlotlyFigure): void;
}

const REFRESH_MS = 250;

export function liveRuns(names: readonly string[], opts: { chart: boolean; placeholder?: string }): LiveRuns {
  const t = tslabInKernel();
  const lines = t === null ? [] : names.map(() => t.newDisplay());
  const chart = t !== null && opts.chart ? t.newDisplay() : null;
  const chartId = `runs-${Math.random().toString(36).slice(2, 8)}`;
  const last = names.map(() => -Infinity);
  names.forEach((name, i) => show((d) => d.text(`${name}: waiting for a free core`), () => {}, lines[i]));
  if (chart) show((d) => d.html(`<div style="color:#777;font-size:12px">${escapeHtml(opts.placeholder ?? "chart: drawn when the first run finishes")}</div>`), () => {}, chart);
  return {
    line(i, text, always = false) {
      const now = performance.now();
      if (!always && now - last[i] < REFRESH_MS) return;
      last[i] = now;
      const full = `${names[i]}: ${text}`;
      if (t === null) {
        if (always) console.log(full);
        return;
      }
      show((d) => d.text(full), () => console.log(full), lines[i]);
    },
    chart(fig) {
      if (chart) show((d) => d.html(chartHtml(fig, figureToSvg(fig), { id: chartId })), () => {}, chart);
    },
  };
}

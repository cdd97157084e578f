/**
 * Pages the command line writes: a run's learning curve (chart.html +
 * chart.svg) and a standalone page for any figure. Drawing is lib/viz's;
 * this only puts figures into files.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { EpisodeRecord } from "../train/trainer";
import { learningCurveFigure, figureToSvg } from "../viz/figures";
import { chartHtml, reportHtml, tableHtml, type Cell, type ReportSection } from "../viz/html";
import type { PlotlyFigure } from "../viz/plotly-types";
import { FILES, type RunSummary } from "../runs/format";
import type { PlotlyMode } from "./options";

/** A figure as an HTML section (interactive chart over its static picture) plus the picture itself. */
export function figureSection(fig: PlotlyFigure, heading?: string, id?: string): { section: ReportSection; svg: string } {
  const svg = figureToSvg(fig);
  return { section: { heading, html: chartHtml(fig, svg, { id, note: "Static picture: plotly.js is not loaded." }) }, svg };
}

/** Writes a standalone page. "inline" carries plotly.js (works offline, about 10 MB); "cdn" loads it from the web. */
export function writePage(path: string, title: string, sections: readonly ReportSection[], plotly: PlotlyMode): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, reportHtml(title, sections, { inlinePlotly: plotly === "inline" }));
}

/** A run's chart.html and chart.svg: the learning curve with the bar, and the summary as a table. */
export function writeRunChart(dir: string, title: string, records: readonly EpisodeRecord[], summary: RunSummary, plotly: PlotlyMode): { html: string; svg: string } {
  const fig = learningCurveFigure(records, { solvedAt: summary.solvedAt, title });
  const { section, svg } = figureSection(fig, undefined, "learning-curve");
  const rows: Record<string, Cell>[] = [
    { field: "status", value: summary.status },
    { field: "stopped because", value: summary.message },
    { field: "cleared the bar at episode", value: summary.solvedAtEpisode ?? "not solved" },
    { field: "episodes", value: summary.episodes },
    { field: "env steps", value: summary.envSteps },
    { field: "training seconds", value: Number(summary.seconds.toFixed(1)) },
    { field: "best 100-episode average", value: summary.bestAverage100 },
    { field: "greedy evaluation, mean return", value: summary.evaluation ? `${summary.evaluation.mean.toFixed(2)} over ${summary.evaluation.episodes} episodes` : "not run" },
  ];
  const htmlPath = join(dir, FILES.chartHtml), svgPath = join(dir, FILES.chartSvg);
  writePage(htmlPath, title, [section, { heading: "Summary", html: tableHtml(rows, { columns: ["field", "value"] }) }], plotly);
  writeFileSync(svgPath, svg);
  return { html: htmlPath, svg: svgPath };
}

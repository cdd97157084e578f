/**
 * The comparison report page over runs (lib/runs/compare.ts supplies the
 * chart and the tables): used by `compare` when its jobs end and by `report`
 * on runs already on disk.
 */
import { escapeHtml, tableHtml, type ReportSection } from "../viz/html";
import { runLabel, type Run } from "../runs/read";
import { compareEvaluationsFigure, compareRunsFigure } from "../viz/run-figures";
import { presetRows, presetTable, runRow, runTable, type PresetRow, type RunRow } from "../runs/compare";
import { figureSection, writePage, writeSvg } from "../viz/run-pages";
import type { PlotlyMode } from "./options";

export type { PresetRow, RunRow };

const orNot = (x: number | null, digits = 0): string => (x === null ? "not solved" : x.toFixed(digits));

/** The per-preset table in Markdown, for the terminal and BENCHMARKS.md. */
export function presetTableMarkdown(rows: readonly PresetRow[]): string {
  return [
    "| preset | task | seeds solved | median episodes to bar | median env steps to bar | median seconds to bar | median best 100-ep. average |",
    "|---|---|---|---|---|---|---|",
    ...rows.map((r) =>
      `| ${r.preset} | ${r.task} | ${r.solved} of ${r.runs} | ${orNot(r.episodesToBar)} | ${orNot(r.envStepsToBar)} | ${orNot(r.secondsToBar, 1)} | ${r.bestAverage100 === null ? "-" : r.bestAverage100.toFixed(1)} |`,
    ),
  ].join("\n");
}

export interface ReportFiles {
  html: string;
  svg: string;
  runRows: RunRow[];
  presetRows: PresetRow[];
}

/** Writes the report page (and its chart as an SVG beside it). `notes` are shown under the title (setup, budgets). */
export function writeReport(runs: readonly Run[], out: { html: string; svg: string }, opts: { title: string; notes?: string[]; plotly: PlotlyMode }): ReportFiles {
  const rows = runs.map(runRow);
  const byPreset = presetRows(rows);
  const { section, svg } = figureSection(compareRunsFigure(runs), "Learning curves", "compare");
  const bars = [...new Set(runs.map((r) => r.config.solvedAt))];
  const barText = bars.length === 1 ? `the bar: a 100-episode average of ${bars[0]}` : `bars: ${runs.map((r) => `${runLabel(r.meta)} ${r.config.solvedAt}`).filter((v, i, a) => a.indexOf(v) === i).join(", ")}`;
  const sections: ReportSection[] = [
    ...(opts.notes && opts.notes.length > 0 ? [{ html: `<p>${opts.notes.map(escapeHtml).join("<br>")}</p>` }] : []),
    section,
    ...evaluationSections(runs),
    { heading: "To the bar, per preset", html: tableHtml(presetTable(runs), { caption: `medians over the seeds that cleared it; ${barText}`, digits: 1 }) },
    { heading: "Every run", html: tableHtml(runTable(runs), { digits: 1 }) },
  ];
  writeSvg(out.svg, svg);
  writePage(out.html, opts.title, sections, opts.plotly);
  return { html: out.html, svg: out.svg, runRows: rows, presetRows: byPreset };
}

/** The periodic greedy evaluations across runs, when any run made them (config.evalEvery), with what they measure. */
function evaluationSections(runs: readonly Run[]): ReportSection[] {
  const fig = compareEvaluationsFigure(runs);
  if (fig === null) return [];
  const { section } = figureSection(fig, "Greedy evaluation", "evaluations");
  const note = "Every evalEvery environment steps the network played greedy episodes (no exploration) on an environment of its own. " +
    "The learning curves above are the training episodes, which explore (epsilon-greedy); the lesson's bar is defined on those.";
  return [{ ...section, html: `<p>${escapeHtml(note)}</p>${section.html}` }];
}

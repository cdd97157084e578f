/**
 * The comparison report over runs: per preset, the mean 100-episode average
 * with a band across seeds (lib/viz's compareFigure), and tables of
 * episodes, env steps and seconds to the bar. Used by `compare` when its jobs
 * end and by `report` on runs already on disk.
 */
import { writeFileSync } from "node:fs";
import { compareFigure } from "../viz/figures";
import { escapeHtml, tableHtml, type Cell, type ReportSection } from "../viz/html";
import { runLabel, type Run } from "../runs/read";
import { recordFigures } from "../runs/summary";
import { figureSection, writePage } from "./charts";
import type { PlotlyMode } from "./options";

export interface RunRow {
  preset: string;
  seed: number;
  status: string;
  episodesToBar: number | null;
  envStepsToBar: number | null;
  secondsToBar: number | null;
  episodes: number;
  bestAverage100: number | null;
  greedyMean: number | null;
  folder: string;
}

export interface PresetRow {
  preset: string;
  runs: number;
  solved: number;
  /** Medians over the solved runs; null when none solved. */
  episodesToBar: number | null;
  envStepsToBar: number | null;
  secondsToBar: number | null;
  bestAverage100: number | null;
}

function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b), mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export function runRow(run: Run): RunRow {
  const s = run.summary;
  const solvedAt = s?.solvedAtEpisode ?? null;
  const f = recordFigures(run.records, solvedAt, run.config.solvedWindow);
  return {
    preset: runLabel(run.meta),
    seed: run.meta.seed,
    status: s?.status === "running" ? "running or killed" : s?.status ?? "no summary",
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

const NOT_SOLVED = "not solved";
const orNot = (x: number | null, digits = 0): string => (x === null ? NOT_SOLVED : x.toFixed(digits));

/** The per-preset table in Markdown, for the terminal and BENCHMARKS.md. */
export function presetTableMarkdown(rows: readonly PresetRow[]): string {
  return [
    "| preset | seeds solved | median episodes to bar | median env steps to bar | median seconds to bar | median best 100-ep. average |",
    "|---|---|---|---|---|---|",
    ...rows.map((r) =>
      `| ${r.preset} | ${r.solved} of ${r.runs} | ${orNot(r.episodesToBar)} | ${orNot(r.envStepsToBar)} | ${orNot(r.secondsToBar, 1)} | ${r.bestAverage100 === null ? "-" : r.bestAverage100.toFixed(1)} |`,
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
  const groups = byPreset.map((p) => ({
    name: p.preset,
    runs: runs.filter((r) => runLabel(r.meta) === p.preset).map((r) => ({ average100: r.records.map((x) => x.average100) })),
  }));
  // One bar line only when every run shares it (tipHeight's is -200, the others' -90).
  const bars = [...new Set(runs.map((r) => r.config.solvedAt))];
  const fig = compareFigure(groups, { solvedAt: bars.length === 1 ? bars[0] : undefined, title: "Mean 100-episode average across seeds" });
  const { section, svg } = figureSection(fig, "Learning curves", "compare");

  const presetCells: Record<string, Cell>[] = byPreset.map((p) => ({
    preset: p.preset,
    "seeds solved": `${p.solved} of ${p.runs}`,
    "episodes to bar": p.episodesToBar ?? NOT_SOLVED,
    "env steps to bar": p.envStepsToBar ?? NOT_SOLVED,
    "seconds to bar": p.secondsToBar ?? NOT_SOLVED,
    "best 100-ep. average": p.bestAverage100,
  }));
  const runCells: Record<string, Cell>[] = rows.map((r) => ({
    preset: r.preset,
    seed: r.seed,
    status: r.status,
    "episodes to bar": r.episodesToBar ?? NOT_SOLVED,
    "env steps to bar": r.envStepsToBar ?? NOT_SOLVED,
    "seconds to bar": r.secondsToBar ?? NOT_SOLVED,
    "episodes run": r.episodes,
    "best 100-ep. average": r.bestAverage100,
    "greedy mean return": r.greedyMean,
    folder: r.folder,
  }));
  const barText = bars.length === 1 ? `the bar: a 100-episode average of ${bars[0]}` : `bars: ${runs.map((r) => `${runLabel(r.meta)} ${r.config.solvedAt}`).filter((v, i, a) => a.indexOf(v) === i).join(", ")}`;
  const sections: ReportSection[] = [
    ...(opts.notes && opts.notes.length > 0 ? [{ html: `<p>${opts.notes.map(escapeHtml).join("<br>")}</p>` }] : []),
    section,
    { heading: "To the bar, per preset", html: tableHtml(presetCells, { caption: `medians over the seeds that cleared it; ${barText}`, digits: 1 }) },
    { heading: "Every run", html: tableHtml(runCells, { digits: 1 }) },
  ];
  writePage(out.html, opts.title, sections, opts.plotly);
  writeFileSync(out.svg, svg);
  return { html: out.html, svg: out.svg, runRows: rows, presetRows: byPreset };
}

/** `dqn.runs`: saved runs (the command line's and the notebooks') and comparing them; the charts from lib/viz are put in here. */
import { saveRun as saveRunFolder, saveNotebookRun as saveNotebookRunFolder } from "../runs/saved-run";
import { trainingPool as plainTrainingPool, type TrainingPool } from "../runs/training-pool";
import type { RunChart } from "../runs/run-folder-writer";
import type { TrainResult } from "../train/trainer";
import { compareRunsFigure } from "../viz/run-figures";
import { writeRunChart } from "../viz/run-pages";
import { liveRuns } from "../viz/live-runs";
export { readRun, readRuns, listRuns, runLabel } from "../runs/read";
export type { Run, RunListing } from "../runs/read";
export type { RunSummary, RunMeta, RunStatus } from "../runs/format";
export { loadNotebookRun } from "../runs/saved-run";
export { runsRoot, modelsRoot } from "../paths";
export { presetTable, runTable, runRow, presetRows } from "../runs/compare";
export { compareRunsFigure, compareEvaluationsFigure } from "../viz/run-figures";
export type { RunRow, PresetRow } from "../runs/compare";
export type { TrainingPool, TrainingJob, PoolTrainOptions } from "../runs/training-pool";
export type { JobResult } from "../runs/jobs";

/** Saves a training result as a run folder, its chart included (see runs/saved-run.ts). */
export function saveRun(result: TrainResult, dir: string, opts: { preset: string; overrides?: Record<string, unknown> }): Promise<string> {
  return saveRunFolder(result, dir, { ...opts, chart: runChart });
}

/** Saves a notebook's run as runs/notebooks/NAME, its chart included. */
export function saveNotebookRun(name: string, preset: string, result: TrainResult): Promise<string> {
  return saveNotebookRunFolder(name, preset, result, runChart);
}

/** The notebooks' pool: live status lines, and the chart of the runs finished so far. */
export function trainingPool(opts: { jobs?: number } = {}): TrainingPool {
  return plainTrainingPool({ ...opts, display: liveRuns, chart: (runs) => compareRunsFigure(runs, "finished runs: 100-episode average"), runChart });
}

/** A run's chart.html and chart.svg (plotly.js from the CDN), drawn by lib/viz and passed to lib/runs, which does not draw. */
const runChart: RunChart = (dir, title, run) => writeRunChart(dir, title, run.records, run.summary, "cdn", run.evaluations);

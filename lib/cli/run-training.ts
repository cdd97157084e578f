/**
 * One `train` run into its run folder, as the command line runs it: the
 * run folder's writer (lib/runs/run-folder-writer.ts) with the command
 * line's progress, its stop signals, the chart drawn by lib/viz, and the
 * exit code. `npm start`, `train` and `train --resume` go through here
 * (`compare`'s jobs are workers of lib/runs/jobs.ts, which use the same
 * writer). The caller holds the run folder's lock (lockRunFolder).
 */
import type { RunSummary } from "../runs/format";
import { trainIntoRunFolder, type RunChart, type TrainIntoOptions } from "../runs/run-folder-writer";
import { writeRunChart } from "../viz/run-pages";
import type { TrainProgress } from "./progress";
import type { StopRequests } from "./signals";
import type { Overrides, PlotlyMode } from "./options";
import { EXIT } from "./errors";

export { EVAL_SEED_OFFSET } from "../runs/run-folder-writer";

/** The writer's options (lib/runs/run-folder-writer.ts), with the command line's progress, stops and plotly choice in place of a chart. */
export type TrainRunOptions = Omit<TrainIntoOptions, "overrides" | "progress" | "stops" | "chart" | "commandLine"> & {
  /** The `--set` fields, recorded in meta.json. */
  overrides: Overrides;
  progress: TrainProgress;
  stops: StopRequests;
  plotly: PlotlyMode;
};

export interface TrainRunOutcome {
  dir: string;
  summary: RunSummary;
  exitCode: number;
  modelDir: string | null;
  chart: { html: string; svg: string };
}

/** lib/viz's run chart, with plotly.js inline or from the CDN. */
export function runChart(plotly: PlotlyMode): RunChart {
  return (dir, title, run) => writeRunChart(dir, title, run.records, run.summary, plotly, run.evaluations);
}

export async function trainRun(o: TrainRunOptions): Promise<TrainRunOutcome> {
  const { plotly, stops, ...rest } = o;
  const run = await trainIntoRunFolder({ ...rest, stops, chart: runChart(plotly) });
  const exitCode = stops.received !== null ? stops.exitCode() ?? EXIT.SIGINT : run.summary.status === "diverged" ? EXIT.failure : EXIT.ok;
  return { dir: run.dir, summary: run.summary, exitCode, modelDir: run.modelDir, chart: run.chart! };
}

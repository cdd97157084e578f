/**
 * Run records: one folder per training run (see format.ts for the files).
 * The command line writes them; reports and the notebooks read them:
 *
 *   import { listRuns, readRun } from "./lib/runs";
 *   const runs = listRuns("runs");            // what is there
 *   const run = readRun(runs[0].dir);         // config, records, summary
 */
export { FILES, RUN_FORMAT, RUN_FORMAT_VERSION } from "./format";
export type { RunConfig, RunMeta, RunSummary, RunStatus, RunEvaluation, EpisodeLine } from "./format";
export { createRunFolder, writeJsonFile, EpisodeLog, alignEpisodeLog } from "./write";
export { readRun, readRuns, listRuns, findRunFolders, isRunFolder, readEpisodeLog, runLabel } from "./read";
export type { Run, RunListing } from "./read";
export { recordFigures } from "./summary";
export type { RecordFigures } from "./summary";

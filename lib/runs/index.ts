/**
 * Run records: one folder per training run (see format.ts for the files).
 * The command line writes them; reports and the notebooks read them:
 *
 *   import { listRuns, readRun } from "./lib/runs";
 *   const runs = listRuns("runs");            // what is there
 *   const run = readRun(runs[0].dir);         // config, records, summary
 */
export { FILES, RUN_FORMAT, RUN_FORMAT_VERSION } from "./format";
export type { RunConfig, RunMeta, RunSummary, RunStatus, RunEvaluation, EpisodeLine, EvaluationLine } from "./format";
export { readEvaluationLog, MAX_EVALUATION_LOG_BYTES } from "./evaluation-log";
export { createRunFolder, claimNewFolder, cleanRunFolder, writeJsonFile, EpisodeLog, alignEpisodeLog, alignEvaluationLog, isRunFileName } from "./write";
export { readRun, readRuns, runFoldersIn, listRuns, findRunFolders, isRunFolder, readEpisodeLog, runLabel } from "./read";
export type { Run, RunListing } from "./read";
export { lockRunFolder, lockHolder, LOCK_FILE } from "./lock";
export type { RunLock } from "./lock";
export { checkRunMeta, episodeLineProblem } from "./validate";
export { recordFigures, runSummary, runStatus, isCut } from "./summary";
export type { RecordFigures } from "./summary";
export { trainIntoRunFolder, writeRunFolder, RunFolderWriter, EVAL_SEED_OFFSET } from "./run-folder-writer";
export type { TrainIntoOptions, TrainedRun, RunProgress, RunStops, RunChart } from "./run-folder-writer";
export { runJobs, makeJob, functionFieldProblem } from "./jobs";
export type { Job, JobSpec, JobResult, JobEvents } from "./jobs";
export { trainingPool } from "./training-pool";
export { saveRun } from "./saved-run";

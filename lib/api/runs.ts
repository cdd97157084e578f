/** `dqn.runs`: saved runs (the command line's and the notebooks') and comparing them. */
export { readRun, readRuns, listRuns, runLabel } from "../runs/read";
export type { Run, RunListing } from "../runs/read";
export type { RunSummary, RunMeta, RunStatus } from "../runs/format";
export { saveRun, saveNotebookRun, loadNotebookRun } from "../runs/saved-run";
export { runsRoot, modelsRoot } from "../paths";
export { compareRunsFigure, compareEvaluationsFigure, presetTable, runTable, runRow, presetRows } from "../runs/compare";
export type { RunRow, PresetRow } from "../runs/compare";
export { trainingPool } from "../runs/parallel";
export type { TrainingPool, TrainingJob, PoolTrainOptions } from "../runs/parallel";
export type { JobResult } from "../runs/pool";

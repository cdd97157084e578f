/**
 * acrobot-dqn: everything the notebooks and the command line use.
 * Notebooks import only this file: `import * as dqn from "./lib"`.
 */
export {
  Acrobot,
  tipHeight,
  linkPositions,
  AVAIL_TORQUE,
  DEFAULT_MAX_EPISODE_STEPS,
  REWARD_THRESHOLD,
  MAX_VEL_1,
  MAX_VEL_2,
} from "./env/acrobot";
export type { AcrobotOptions, Dynamics, ResetOptions, StepResult, BoxSpace, DiscreteSpace } from "./env/acrobot";
export { tf, initBackend, backendName, describeBackend } from "./tf";
export type { BackendName } from "./tf";

export { makeRng } from "./random";
export type { Rng } from "./random";
export { ReplayMemory, emptyBatch } from "./agent/replay-memory";
export type { Batch } from "./agent/replay-memory";
export { buildQNetwork, forward, qValues, argmax, greedyAction, epsilonGreedyAction, copyWeights } from "./agent/q-network";
export type { QNetworkOptions } from "./agent/q-network";
export { tdTargets, tdLoss, tdUpdate, chosenQ, batchTensors, clipByGlobalNorm } from "./agent/td-update";
export type { TdOptions, LossKind, BatchTensors } from "./agent/td-update";
export { saveModel, loadModel, readModelMetadata } from "./agent/model-io";

export { train } from "./train/trainer";
export type { TrainResult, TrainHooks, TrainContext, TrainOptions, EpisodeRecord, StopReason } from "./train/trainer";
export { defaultConfig, resolveConfig, rewardFunction, configToJson } from "./train/config";
export type { TrainConfig } from "./train/config";
export { presets, preset, presetChanges } from "./train/presets";
export type { Preset, PresetName } from "./train/presets";
export { rewardFunctions } from "./train/rewards";
export type { RewardFn, RewardName } from "./train/rewards";
export { evaluate } from "./train/evaluate";
export type { EvaluateOptions, EvaluateResult } from "./train/evaluate";
export { MovingAverage, movingAverages } from "./train/moving-average";
export { writeSnapshot, readSnapshot } from "./train/snapshot-file";
export type { TrainerSnapshot } from "./train/snapshot";

export { lineChartSvg, acrobotFrameSvg, niceTicks, escapeXml } from "./viz/svg-chart";
export type { LineChartSpec, SvgLine, SvgBand, SvgRefLine, ArmPositions, AcrobotFrameOptions, Dash } from "./viz/svg-chart";
export type { PlotlyFigure, PlotlyLayout, PlotlyFrame, ScatterTrace } from "./viz/plotly-types";
export { learningCurveFigure, compareFigure, episodeAnimationFigure, figureToSvg, acrossRuns, armPositions, PALETTE } from "./viz/figures";
export type { LearningCurveOptions, CompareGroup, CompareOptions, BandKind, AfterEnd, AcrossRuns, EpisodeAnimationOptions, SvgSize } from "./viz/figures";
export { chartHtml, plotlyBundleScript, reportHtml, tableHtml, escapeHtml, svgDataUri } from "./viz/html";
export type { ChartHtmlOptions, ReportSection, ReportOptions, TableOptions, Cell } from "./viz/html";
export { setupPlotly, showChart, showEpisode, showTable, showMessage, liveTraining, lessonLine, statusLine, pyFixed, inNotebook } from "./viz/notebook";
export type { LiveTraining, LiveTrainingOptions, FinishInfo } from "./viz/notebook";
export { checkTipHeightReward } from "./exercise";
export type { RewardCheck } from "./exercise";

export { readRun, readRuns, listRuns, runLabel } from "./runs/read";
export type { Run, RunListing } from "./runs/read";
export type { RunSummary, RunMeta, RunStatus } from "./runs/format";
export { saveRun, saveNotebookRun, loadNotebookRun } from "./runs/saved-run";
export { runsRoot, modelsRoot } from "./paths";
export { compareRunsFigure, presetTable, runTable, runRow, presetRows } from "./runs/compare";
export type { RunRow, PresetRow } from "./runs/compare";

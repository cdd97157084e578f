/** `dqn.training`: what is around the training loop: configs, rewards, schedules, stopping, snapshots, evaluation. */
export { defaultConfig, resolveConfig, rewardFunction, configToJson } from "../train/config";
export { rewardFunctions, rewardTasks, rewardNamesFor, carEnergy, CAR_GOAL_ENERGY } from "../train/rewards";
export type { RewardFn, RewardName } from "../train/rewards";
export { epsilonAt } from "../train/schedule";
export { stopRequest } from "../train/stop-request";
export type { StopRequest } from "../train/stop-request";
export { trainingHandle } from "../train/handle";
export { resultFromRecords } from "../train/result";
export type { TrainingHandle, Follower } from "../train/handle";
export { sameEpisodes } from "../train/same-episodes";
export type { EpisodeSummary, EpisodeComparison } from "../train/same-episodes";
export { evaluate, evaluateAsync } from "../train/evaluate";
export type { EvaluateOptions, EvaluateResult } from "../train/evaluate";
export { MovingAverage, movingAverages } from "../train/moving-average";
export { writeSnapshot, readSnapshot } from "../train/snapshot-file";
export type { TrainerSnapshot } from "../train/snapshot";
export type { TrainHooks, TrainContext, TrainOptions, StopReason } from "../train/trainer";

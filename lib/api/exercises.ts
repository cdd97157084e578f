/** `dqn.exercises`: each chapter's exercise check, and the library's own answer to fall back on. */
export { checkTipHeightReward } from "../exercises/tip-height";
export type { RewardCheck } from "../exercises/tip-height";
export type { ExerciseCheck } from "../exercises/check";
export { checkTdTarget, libraryTdTarget } from "../exercises/td-target";
export type { TdTargetFn } from "../exercises/td-target";
export { checkSampleIndices, librarySampleIndices, sameDrawsAsLibrary } from "../exercises/replay-sample";
export type { SampleIndicesFn, MemoryShape } from "../exercises/replay-sample";
export { checkTargetNetwork, libraryTargetValues, librarySyncAfter } from "../exercises/target-network";
export type { TargetValuesFn, SyncAfterFn } from "../exercises/target-network";
export { checkEpsilonSchedule, libraryEpsilonAt } from "../exercises/epsilon-schedule";
export type { EpsilonScheduleFn } from "../exercises/epsilon-schedule";
export { checkTdTargetBatch, libraryTdTargetBatch } from "../exercises/td-target-batch";
export type { TdTargetBatchFn } from "../exercises/td-target-batch";
export { checkHuberLoss, libraryHuberLoss } from "../exercises/huber-loss";
export type { HuberLossFn } from "../exercises/huber-loss";
export { checkDoubleDqnValues, libraryDoubleDqnValues } from "../exercises/double-dqn";
export type { DoubleDqnValuesFn } from "../exercises/double-dqn";

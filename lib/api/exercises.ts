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
export { checkGreedyPlay, libraryPlayEpisode } from "../exercises/greedy-play";
export type { PlayEpisodeFn } from "../exercises/greedy-play";

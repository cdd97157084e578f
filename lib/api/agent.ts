/** `dqn.agent`: the pieces a DQN is made of: the Q-network, the replay memory, the TD update, saved models. */
export { buildQNetwork, forward, qValues, argmax, greedyAction, epsilonGreedyAction, copyWeights } from "../agent/q-network";
export type { QNetworkOptions } from "../agent/q-network";
export { ReplayMemory, emptyBatch } from "../agent/replay-memory";
export type { Batch } from "../agent/replay-memory";
export { tdTargets, tdLoss, tdUpdate, chosenQ, batchTensors, clipByGlobalNorm } from "../agent/td-update";
export type { TdOptions, LossKind, BatchTensors } from "../agent/td-update";
export { maxQ, stepToward } from "../agent/step-toward";
export type { LossFn } from "../agent/step-toward";
export { softUpdate } from "../agent/soft-update";
export { makeOptimizer, FlatAdam } from "../agent/adam";
export { saveModel, loadModel, readModelMetadata } from "../agent/model-io";

/**
 * The learning step of DQN: move Q(s, a) toward the TD target
 *
 *     y = r + gamma * max_a' Q_target(s', a')      (y = r where the episode really ended)
 *
 * on a whole batch at once, as CleanRL's dqn.py does (lines 194-212): the
 * targets (a plain tensor, no gradient through them), the loss between
 * Q(s, a) and y, its gradient with respect to the online network's weights,
 * one optimizer step. Q_target is the online network itself (chapters 1-2) or
 * the second, target network (chapter 3 on).
 *
 * `tdUpdate` lets a faster engine take the gradient step when it applies
 * (fast-update.ts: the same numbers, in fewer kernels); reading this file is
 * enough to know what it computes.
 */
import { tf } from "../tf";
import type { Batch } from "./replay-memory";
import { forward } from "./q-network";
import { clipByGlobalNorm } from "./clip";
import { fastGradientStep } from "./fast-update";

export { clipByGlobalNorm };

export type LossKind = "mse" | "huber";

export interface TdOptions {
  gamma: number;
  /** "mse": the lesson's mean squared TD error; "huber": quadratic within 1, linear beyond (DQN paper, SB3). */
  loss: LossKind;
  /** Double DQN: the online network picks a', the target network values it. */
  doubleDqn: boolean;
  /** Rescale the gradient when its global norm exceeds this (null: never). */
  gradClipNorm: number | null;
}

/** A batch as tensors; `actions` one-hot, `dones` 1 where the target must not bootstrap. */
export interface BatchTensors {
  states: tf.Tensor2D;
  actions: tf.Tensor2D;
  rewards: tf.Tensor1D;
  nextStates: tf.Tensor2D;
  dones: tf.Tensor1D;
}

export function batchTensors(b: Batch, numActions: number): BatchTensors {
  const n = b.size, stateSize = b.states.length / n;
  const oneHot = new Float32Array(n * numActions);
  for (let i = 0; i < n; i++) oneHot[i * numActions + b.actions[i]] = 1;
  return {
    states: tf.tensor2d(b.states, [n, stateSize]),
    actions: tf.tensor2d(oneHot, [n, numActions]),
    rewards: tf.tensor1d(b.rewards),
    nextStates: tf.tensor2d(b.nextStates, [n, stateSize]),
    dones: tf.tensor1d(b.dones),
  };
}

/** Q(s, a) of the actions taken: mask with the one-hot actions and sum (tf.gather has no gradient on wasm). */
export function chosenQ(q: tf.Tensor2D, actionsOneHot: tf.Tensor2D): tf.Tensor1D {
  return tf.sum(tf.mul(q, actionsOneHot), 1);
}

/** The TD targets y for a batch (a plain tensor: nothing here is differentiated). */
export function tdTargets(
  b: BatchTensors,
  online: tf.LayersModel,
  target: tf.LayersModel,
  o: Pick<TdOptions, "gamma" | "doubleDqn">,
): tf.Tensor1D {
  return tf.tidy(() => {
    const nextQ = forward(target, b.nextStates);
    const nextValue = o.doubleDqn
      ? chosenQ(nextQ, tf.oneHot(tf.argMax(forward(online, b.nextStates), 1), nextQ.shape[1]) as tf.Tensor2D)
      : tf.max(nextQ, 1);
    return tf.add(b.rewards, tf.mul(tf.mul(nextValue, o.gamma), tf.sub(1, b.dones)));
  });
}

/** The loss between Q(s, a) and the targets, averaged over the batch. */
export function tdLoss(q: tf.Tensor1D, targets: tf.Tensor1D, kind: LossKind): tf.Scalar {
  const err = tf.sub(q, targets);
  if (kind === "mse") return tf.mean(tf.square(err));
  const abs = tf.abs(err);
  const quadratic = tf.minimum(abs, 1);
  return tf.mean(tf.add(tf.mul(0.5, tf.square(quadratic)), tf.sub(abs, quadratic)));
}

/** A loss written by hand (notebook 04's Huber loss): Q(s, a) and the targets in, the batch's loss out. */
export type LossFn = (q: tf.Tensor1D, targets: tf.Tensor1D) => tf.Scalar;

/**
 * One gradient step moving Q(s, a) toward the targets y; returns the loss
 * before the step. Only the online network's weights move: they are the
 * variables differentiated, and so the only ones the optimizer is given.
 */
export function gradientStep(
  b: BatchTensors,
  y: tf.Tensor1D,
  online: tf.LayersModel,
  optimizer: tf.Optimizer,
  o: { loss: LossKind | LossFn; gradClipNorm: number | null },
): tf.Scalar {
  const loss = o.loss;
  const weights = online.trainableWeights.map((w) => w.read() as tf.Variable);
  const lossFn = () => {
    const q = chosenQ(online.apply(b.states) as tf.Tensor2D, b.actions);
    return typeof loss === "function" ? loss(q, y) : tdLoss(q, y, loss);
  };
  const { value, grads } = tf.variableGrads(lossFn, weights);
  optimizer.applyGradients(o.gradClipNorm === null ? grads : clipByGlobalNorm(grads, o.gradClipNorm));
  return value;
}

/**
 * The learning step on a sampled batch: TD targets, then one gradient step
 * toward them; returns the loss before the step. The fast engine takes the
 * gradient step where it applies (our MLPs: the same numbers in fewer
 * kernels); `fast: false` always runs gradientStep as written above.
 */
export function tdUpdate(batch: Batch, online: tf.LayersModel, target: tf.LayersModel, optimizer: tf.Optimizer, o: TdOptions, fast = true): number {
  return tf.tidy(() => {
    const b = batchTensors(batch, online.outputs[0].shape[1] as number);
    const y = tdTargets(b, online, target, o);
    const loss = (fast ? fastGradientStep(b, y, online, optimizer, o, tdLoss) : undefined) ?? gradientStep(b, y, online, optimizer, o);
    return loss.dataSync()[0];
  });
}

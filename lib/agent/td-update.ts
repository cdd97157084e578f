/**
 * The TD update: move Q(s, a) toward the TD target
 *
 *     y = r + gamma * max_a' Q_target(s', a')      (y = r where the episode really ended)
 *
 * on a whole batch at once. Q_target is the online network itself (chapters
 * 1-2) or the second, target network (chapter 3 on). The target is computed
 * as a plain tensor: no gradient flows through it.
 */
import { tf } from "../tf";
import type { Batch } from "./replay-memory";
import { forward } from "./q-network";
import { denseBackward, denseForward, denseLayers, denseVariables, denseWeights, type DenseLayer } from "./mlp";
import { isFlatAdam } from "./adam";

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

/**
 * d tdLoss / d q for each sample: 2 (q - y) / n for "mse"; for "huber" the
 * error clipped to [-1, 1], over n. Evaluated term by term as autodiff does
 * (for "huber": g + (g min(|e|, 1) - g), times the sign of e, with g = 1/n),
 * so that the rounding, and with it a whole training run, is exactly that of
 * differentiating tdLoss.
 */
export function tdLossGradient(q: tf.Tensor1D, targets: tf.Tensor1D, kind: LossKind): tf.Tensor1D {
  const err = tf.sub(q, targets);
  const g = 1 / err.size; // the mean's gradient
  if (kind === "mse") return tf.mul(err, 2 * g);
  const quadratic = tf.minimum(tf.abs(err), 1);
  return tf.mul(tf.add(tf.add(tf.mul(quadratic, g), -g), g), tf.step(err, -1));
}

/**
 * One gradient step on a batch; returns the loss before the step. Only the
 * online network's weights are updated (the optimizer is given them explicitly).
 *
 * For our MLPs the gradients are worked out by hand (mlp.ts: the chain rule,
 * layer by layer) rather than by autodiff, and with the optimizer from
 * makeOptimizer (adam.ts) Adam updates all weights in one go: the same
 * numbers, bit for bit, in well under half the kernels (96 instead of 232 at
 * 6-256-256-3 with Huber loss and clipping). Any other model or optimizer
 * takes the general path: autodiff, tf.Optimizer.applyGradients.
 */
export function tdUpdate(
  batch: Batch,
  online: tf.LayersModel,
  target: tf.LayersModel,
  optimizer: tf.Optimizer,
  o: TdOptions,
): number {
  const numActions = online.outputs[0].shape[1] as number;
  const weights = online.trainableWeights.map((w) => w.read() as tf.Variable);
  const layers = denseLayers(online);
  const byHand = layers !== null && sameList(denseVariables(layers), weights);
  return tf.tidy(() => {
    const b = batchTensors(batch, numActions);
    const y = tdTargets(b, online, target, o);
    const { loss, grads } = byHand ? lossAndGradientsByHand(layers, b, y, o.loss) : lossAndGradientsByAutodiff(online, weights, b, y, o.loss);
    applyGradients(optimizer, weights, grads, o.gradClipNorm);
    return loss.dataSync()[0];
  });
}

/** The loss, and its gradient for every weight of an MLP: forward, dLoss/dQ, then back through the layers (mlp.ts). */
function lossAndGradientsByHand(layers: DenseLayer[], b: BatchTensors, y: tf.Tensor1D, kind: LossKind): { loss: tf.Scalar; grads: tf.Tensor[] } {
  const [n, stateSize] = b.states.shape;
  const w = denseWeights(layers);
  const outs = denseForward(w, tf.reshape(b.states, [1, n, stateSize]) as tf.Tensor3D, true);
  const qAll = outs[outs.length - 1];
  const q = chosenQ(tf.reshape(qAll, [n, qAll.shape[2]]) as tf.Tensor2D, b.actions);
  // Only the taken actions' Q(s, a) are in the loss: every other Q-value gets a zero gradient.
  const dQ = tf.mul(b.actions, tf.reshape(tdLossGradient(q, y, kind), [1, n, 1])) as tf.Tensor3D;
  return { loss: tdLoss(q, y, kind), grads: denseBackward(w, outs, dQ) };
}

/** Any other model: tf.layers' own forward pass, gradients by autodiff. */
function lossAndGradientsByAutodiff(online: tf.LayersModel, weights: tf.Variable[], b: BatchTensors, y: tf.Tensor1D, kind: LossKind): { loss: tf.Scalar; grads: tf.Tensor[] } {
  const { value, grads } = tf.variableGrads(() => tdLoss(chosenQ(online.apply(b.states) as tf.Tensor2D, b.actions), y, kind), weights);
  return { loss: value, grads: weights.map((w) => grads[w.name]) };
}

/** Clips (when asked) and applies one optimizer step; grads[i] belongs to weights[i], any shape of its size. */
function applyGradients(optimizer: tf.Optimizer, weights: tf.Variable[], grads: tf.Tensor[], clipNorm: number | null): void {
  if (isFlatAdam(optimizer)) {
    // All gradients as one vector, for one Adam step over all weights.
    const flat = tf.concat(grads.map((g) => (g.rank === 1 ? g : tf.reshape(g, [-1]))) as tf.Tensor1D[]);
    // The norm from each gradient's own sum of squares, as clipByGlobalNorm does (one sum over the vector would round differently).
    const clipped = clipNorm === null ? flat : tf.mul(flat, clipScale(grads.map((g) => tf.sum(tf.square(g))), clipNorm)) as tf.Tensor1D;
    return optimizer.applyFlatGradient(weights, clipped);
  }
  const named: tf.NamedTensorMap = {};
  weights.forEach((w, i) => (named[w.name] = sameList(grads[i].shape, w.shape) ? grads[i] : tf.reshape(grads[i], w.shape)));
  optimizer.applyGradients(clipNorm === null ? named : clipByGlobalNorm(named, clipNorm));
}

/** Scales all gradients down together when their joint norm exceeds maxNorm (PyTorch's clip_grad_norm_). */
export function clipByGlobalNorm(grads: tf.NamedTensorMap, maxNorm: number): tf.NamedTensorMap {
  const names = Object.keys(grads);
  const scale = clipScale(names.map((k) => tf.sum(tf.square(grads[k]))), maxNorm);
  const out: tf.NamedTensorMap = {};
  for (const k of names) out[k] = tf.mul(grads[k], scale);
  return out;
}

/** min(1, maxNorm / norm), the norm over all gradients together, from each one's sum of squares. */
function clipScale(sumsOfSquares: tf.Tensor[], maxNorm: number): tf.Scalar {
  const norm = tf.sqrt(tf.addN(sumsOfSquares));
  return tf.minimum(1, tf.div(maxNorm, tf.add(norm, 1e-6)));
}

const sameList = <T>(a: T[], b: T[]) => a.length === b.length && a.every((x, i) => x === b[i]);

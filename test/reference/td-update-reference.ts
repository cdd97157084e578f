/**
 * REFERENCE COPY, for tests only: lib/agent/td-update.ts's tdUpdate as it was
 * before the kernel-count work (commit 1aae5d7), verbatim apart from this
 * header, the import paths and two names (referenceTdUpdate,
 * referenceTdTargets). It runs tf.layers' apply under tf.variableGrads and is
 * given a tf.train.adam optimizer: 232 kernels per update with Huber loss and
 * clipping. test/td-update-equivalence.test.ts checks that the
 * library's update gives the same losses and weights, in fewer kernels.
 * Do not "fix" or speed up this file: it is the yardstick.
 */
import { tf } from "../../lib/tf";
import type { Batch } from "../../lib/agent/replay-memory";

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
export function referenceTdTargets(
  b: BatchTensors,
  online: tf.LayersModel,
  target: tf.LayersModel,
  o: Pick<TdOptions, "gamma" | "doubleDqn">,
): tf.Tensor1D {
  return tf.tidy(() => {
    const nextQ = target.apply(b.nextStates) as tf.Tensor2D;
    const nextValue = o.doubleDqn
      ? chosenQ(nextQ, tf.oneHot(tf.argMax(online.apply(b.nextStates) as tf.Tensor2D, 1), nextQ.shape[1]) as tf.Tensor2D)
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
 * One gradient step on a batch; returns the loss before the step. Only the
 * online network's weights are updated (the optimizer is given them explicitly).
 */
export function referenceTdUpdate(
  batch: Batch,
  online: tf.LayersModel,
  target: tf.LayersModel,
  optimizer: tf.Optimizer,
  o: TdOptions,
): number {
  const numActions = online.outputs[0].shape[1] as number;
  const weights = online.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
  return tf.tidy(() => {
    const b = batchTensors(batch, numActions);
    const y = referenceTdTargets(b, online, target, o);
    const lossFn = () => tdLoss(chosenQ(online.apply(b.states) as tf.Tensor2D, b.actions), y, o.loss);
    const { value, grads } = tf.variableGrads(lossFn, weights);
    optimizer.applyGradients(o.gradClipNorm === null ? grads : clipByGlobalNorm(grads, o.gradClipNorm));
    return value.dataSync()[0];
  });
}

/** Scales all gradients down together when their joint norm exceeds maxNorm (PyTorch's clip_grad_norm_). */
export function clipByGlobalNorm(grads: tf.NamedTensorMap, maxNorm: number): tf.NamedTensorMap {
  const names = Object.keys(grads);
  const norm = tf.sqrt(tf.addN(names.map((k) => tf.sum(tf.square(grads[k])))));
  const scale = tf.minimum(1, tf.div(maxNorm, tf.add(norm, 1e-6)));
  const out: tf.NamedTensorMap = {};
  for (const k of names) out[k] = tf.mul(grads[k], scale);
  return out;
}

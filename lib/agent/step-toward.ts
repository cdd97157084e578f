/**
 * The learning step split in two, for notebooks that compute the targets
 * themselves (as the lesson does, one plain number per transition):
 * `maxQ` gives max_a' Q(s', a') for a batch of next states, and `stepToward`
 * takes td-update.ts's gradient step toward given targets (with the loss
 * named, or a loss function the learner wrote). With the targets
 * `tdTargets` would compute, the result equals `tdUpdate`'s bit for bit
 * (test/step-toward.test.ts), though tdUpdate runs it through the fast engine
 * (fast-update.ts) in fewer kernels, so a notebook's loop and `train()` agree exactly.
 */
import { tf } from "../tf";
import type { Batch } from "./replay-memory";
import { batchTensors, gradientStep, type LossFn, type LossKind } from "./td-update";

/** max_a Q(s, a) for each of the batch's states (row-major, `stateSize` numbers per state), as plain numbers. */
export function maxQ(network: tf.LayersModel, states: Float32Array, stateSize = 6): Float32Array {
  if (states.length % stateSize !== 0) throw new RangeError(`maxQ: ${states.length} numbers are not a whole number of ${stateSize}-number states`);
  return tf.tidy(() => tf.max(network.apply(tf.tensor2d(states, [states.length / stateSize, stateSize])) as tf.Tensor2D, 1).dataSync() as Float32Array);
}

export type { LossFn };

/**
 * One gradient step on the online network toward `targets` (one per transition); returns the loss before the step.
 * `loss` is "mse", "huber" or your own function (notebook 04's Huber loss), differentiated by autodiff.
 */
export function stepToward(
  batch: Batch,
  targets: ArrayLike<number>,
  online: tf.LayersModel,
  optimizer: tf.Optimizer,
  o: { loss?: LossKind | LossFn; gradClipNorm?: number | null } = {},
): number {
  if (targets.length !== batch.size) throw new RangeError(`stepToward: ${targets.length} targets for a batch of ${batch.size} transitions`);
  for (let i = 0; i < targets.length; i++) {
    if (!Number.isFinite(targets[i])) throw new RangeError(`stepToward: target ${i} is ${targets[i]}; every TD target must be a finite number`);
  }
  const numActions = online.outputs[0].shape[1] as number;
  return tf.tidy(() => {
    const y = tf.tensor1d(Float32Array.from(targets));
    const b = batchTensors(batch, numActions);
    const loss = o.loss ?? "mse";
    const clip = o.gradClipNorm ?? null;
    // A hand-written loss goes through the same step, checked for what it returns.
    const lossOf = typeof loss === "function" ? (q: tf.Tensor1D, t: tf.Tensor1D) => ownLoss(loss, q, t) : loss;
    return gradientStep(b, y, online, optimizer, { loss: lossOf, gradClipNorm: clip }).dataSync()[0];
  });
}

/** A hand-written loss's value, refused with what was wrong unless it is a scalar tensor. */
function ownLoss(loss: LossFn, q: tf.Tensor1D, y: tf.Tensor1D): tf.Scalar {
  const v = loss(q, y) as unknown;
  const isTensor = v instanceof tf.Tensor;
  if (!isTensor || (v as tf.Tensor).size !== 1) {
    throw new TypeError(`stepToward: the loss function must return one number as a tensor (a tf.Scalar, e.g. from tf.mean); it returned ${isTensor ? `a tensor of shape ${JSON.stringify((v as tf.Tensor).shape)}` : typeof v}`);
  }
  return (v as tf.Tensor).reshape([]) as tf.Scalar;
}

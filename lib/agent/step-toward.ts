/**
 * The learning step split in two, for notebooks that compute the targets
 * themselves (as the lesson does, one plain number per transition):
 * `maxQ` gives max_a' Q(s', a') for a batch of next states, and `stepToward`
 * takes td-update.ts's gradient step toward given targets. With the targets
 * `tdTargets` would compute, the result equals `tdUpdate`'s bit for bit
 * (test/step-toward.test.ts), though tdUpdate runs it through the fast engine
 * (fast-update.ts) in fewer kernels, so a notebook's loop and `train()` agree exactly.
 */
import { tf } from "../tf";
import type { Batch } from "./replay-memory";
import { batchTensors, gradientStep, type LossKind } from "./td-update";

/** max_a Q(s, a) for each of the batch's states (row-major, `stateSize` numbers per state), as plain numbers. */
export function maxQ(network: tf.LayersModel, states: Float32Array, stateSize = 6): Float32Array {
  if (states.length % stateSize !== 0) throw new RangeError(`maxQ: ${states.length} numbers are not a whole number of ${stateSize}-number states`);
  return tf.tidy(() => tf.max(network.apply(tf.tensor2d(states, [states.length / stateSize, stateSize])) as tf.Tensor2D, 1).dataSync() as Float32Array);
}

/** One gradient step on the online network toward `targets` (one per transition); returns the loss before the step. */
export function stepToward(
  batch: Batch,
  targets: ArrayLike<number>,
  online: tf.LayersModel,
  optimizer: tf.Optimizer,
  o: { loss?: LossKind; gradClipNorm?: number | null } = {},
): number {
  if (targets.length !== batch.size) throw new RangeError(`stepToward: ${targets.length} targets for a batch of ${batch.size} transitions`);
  for (let i = 0; i < targets.length; i++) {
    if (!Number.isFinite(targets[i])) throw new RangeError(`stepToward: target ${i} is ${targets[i]}; every TD target must be a finite number`);
  }
  const numActions = online.outputs[0].shape[1] as number;
  return tf.tidy(() => {
    const y = tf.tensor1d(Float32Array.from(targets));
    return gradientStep(batchTensors(batch, numActions), y, online, optimizer, { loss: o.loss ?? "mse", gradClipNorm: o.gradClipNorm ?? null }).dataSync()[0];
  });
}

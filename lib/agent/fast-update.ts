/**
 * The speed engine under tdUpdate (td-update.ts): its gradient step, the same
 * numbers bit for bit, in well under half the kernels (96 instead of 232 at
 * 6-256-256-3 with Huber loss and clipping). On the wasm backend each kernel
 * costs a few microseconds whatever its size, which is most of an update for
 * small networks.
 *
 * Two tricks, for networks that are a chain of relu/linear Dense layers:
 * - the gradients are worked out by hand (mlp.ts: the chain rule, layer by
 *   layer) rather than by autodiff, starting from tdLossGradient below;
 * - with the optimizer from makeOptimizer (adam.ts), Adam updates all weights
 *   in one go.
 * Any other network (a Dueling head, say) makes the engine step aside, with a
 * note once per network, and td-update.ts's gradientStep runs as written.
 * test/td-update-equivalence.test.ts and test/fast-update.test.ts guard the numbers.
 *
 * It takes the loss function from td-update.ts as an argument rather than
 * importing it: tslab cannot load modules that import each other.
 */
import { tf } from "../tf";
import { denseBackward, denseForward, denseLayers, denseVariables, denseWeights, type DenseLayer } from "./mlp";
import { isFlatAdam } from "./adam";
import { clipByGlobalNorm, clipScale } from "./clip";
import type { BatchTensors, LossKind, TdOptions } from "./td-update";

type LossFn = (q: tf.Tensor1D, targets: tf.Tensor1D, kind: LossKind) => tf.Scalar;

/** Why the engine cannot take this network's step, or null when it can. */
export function fastUpdateUnsupported(online: tf.LayersModel): string | null {
  const layers = denseLayers(online);
  if (layers === null) return "it is not a chain of relu/linear Dense layers";
  const weights = online.trainableWeights.map((w) => w.read() as tf.Variable);
  return sameList(denseVariables(layers), weights) ? null : "its trainable weights are not exactly its Dense layers' kernels and biases";
}

const noted = new WeakSet<tf.LayersModel>();

/**
 * gradientStep's step toward y by the engine, returning tdLoss's value before
 * it; undefined (after a one-time note) when the engine does not apply to `online`.
 */
export function fastGradientStep(
  b: BatchTensors,
  y: tf.Tensor1D,
  online: tf.LayersModel,
  optimizer: tf.Optimizer,
  o: Pick<TdOptions, "loss" | "gradClipNorm">,
  tdLoss: LossFn,
): tf.Scalar | undefined {
  const why = fastUpdateUnsupported(online);
  if (why !== null) {
    if (!noted.has(online)) console.info(`Note: the fast update does not apply to network "${online.name}" (${why}); using autodiff: the same step, more kernels.`);
    noted.add(online);
    return undefined;
  }
  const layers = denseLayers(online)!;
  const { loss, grads } = lossAndGradientsByHand(layers, b, y, o.loss, tdLoss);
  applyGradients(optimizer, denseVariables(layers), grads, o.gradClipNorm);
  return loss;
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

/** The loss, and its gradient for every weight of an MLP: forward, dLoss/dQ, then back through the layers (mlp.ts). */
function lossAndGradientsByHand(layers: DenseLayer[], b: BatchTensors, y: tf.Tensor1D, kind: LossKind, tdLoss: LossFn): { loss: tf.Scalar; grads: tf.Tensor[] } {
  const [n, stateSize] = b.states.shape;
  const w = denseWeights(layers);
  const outs = denseForward(w, tf.reshape(b.states, [1, n, stateSize]) as tf.Tensor3D, true);
  const qAll = outs[outs.length - 1];
  const q = tf.sum(tf.mul(tf.reshape(qAll, [n, qAll.shape[2]]), b.actions), 1) as tf.Tensor1D; // Q(s, a) as td-update.ts's chosenQ
  // Only the taken actions' Q(s, a) are in the loss: every other Q-value gets a zero gradient.
  const dQ = tf.mul(b.actions, tf.reshape(tdLossGradient(q, y, kind), [1, n, 1])) as tf.Tensor3D;
  return { loss: tdLoss(q, y, kind), grads: denseBackward(w, outs, dQ) };
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

const sameList = <T>(a: T[], b: T[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** Gradient clipping by global norm (PyTorch's clip_grad_norm_), for the learning step and its fast engine alike. */
import { tf } from "../tf";

/** Scales all gradients down together when their joint norm exceeds maxNorm. */
export function clipByGlobalNorm(grads: tf.NamedTensorMap, maxNorm: number): tf.NamedTensorMap {
  const names = Object.keys(grads);
  const scale = clipScale(names.map((k) => tf.sum(tf.square(grads[k]))), maxNorm);
  const out: tf.NamedTensorMap = {};
  for (const k of names) out[k] = tf.mul(grads[k], scale);
  return out;
}

/** min(1, maxNorm / norm), the norm over all gradients together, from each one's sum of squares. */
export function clipScale(sumsOfSquares: tf.Tensor[], maxNorm: number): tf.Scalar {
  const norm = tf.sqrt(tf.addN(sumsOfSquares));
  return tf.minimum(1, tf.div(maxNorm, tf.add(norm, 1e-6)));
}

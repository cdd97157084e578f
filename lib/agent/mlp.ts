/**
 * The Q-network as plain arithmetic: a chain of Dense layers, each
 * `out = activation(x W + b)`, run forward (one fused kernel per layer when
 * acting or computing TD targets) and, for training, backward by the chain
 * rule: per layer, the ReLU's mask, dW = x^T d, db = sum(d), dx = d W^T.
 *
 * Why not tf.layers' `apply` under `tf.variableGrads`? It computes the same
 * gradients but runs about three times the kernels (under a gradient tape tfjs
 * splits every layer into matMul, add and relu, and the tape adds its own
 * Identity and Reshape bookkeeping). On the wasm backend each kernel costs a
 * few microseconds whatever its size, which is most of an update for small
 * networks.
 *
 * Activations here are [1, n, width] tensors: the fused kernel takes rank 3,
 * and keeping that shape throughout spares two Reshapes per layer.
 */
import { tf } from "../tf";

export type DenseActivation = "relu" | "linear";

/** One Dense layer of a tf.layers model: its weight variables and activation. */
export interface DenseLayer {
  kernel: { read(): tf.Tensor };
  bias: { read(): tf.Tensor } | null;
  activation: DenseActivation;
}

const chains = new WeakMap<tf.LayersModel, DenseLayer[] | null>();

/** The model's layers as dense steps, when it is an MLP of relu/linear Dense layers (else null). */
export function denseLayers(model: tf.LayersModel): DenseLayer[] | null {
  if (!chains.has(model)) {
    const chain = model.layers.map((l) => {
      const activation = (l.getConfig() as { activation?: string }).activation;
      const layer = l as unknown as Partial<DenseLayer>;
      return l.getClassName() === "Dense" && (activation === "relu" || activation === "linear") && layer.kernel
        ? { kernel: layer.kernel, bias: layer.bias ?? null, activation }
        : null;
    });
    chains.set(model, chain.length > 0 && chain.every((c) => c !== null) ? (chain as DenseLayer[]) : null);
  }
  return chains.get(model)!;
}

/** A network's current weights, read once for a forward (and backward) pass. */
export interface DenseWeights {
  kernels: tf.Tensor2D[];
  biases: (tf.Tensor1D | null)[];
  activations: DenseActivation[];
}

export function denseWeights(layers: DenseLayer[]): DenseWeights {
  return {
    kernels: layers.map((l) => l.kernel.read() as tf.Tensor2D),
    biases: layers.map((l) => (l.bias === null ? null : (l.bias.read() as tf.Tensor1D))),
    activations: layers.map((l) => l.activation),
  };
}

/** The weight variables in tf.layers' trainableWeights order: kernel 1, bias 1, kernel 2, ... */
export function denseVariables(layers: DenseLayer[]): tf.Variable[] {
  const out: tf.Variable[] = [];
  for (const l of layers) {
    out.push(l.kernel.read() as tf.Variable);
    if (l.bias !== null) out.push(l.bias.read() as tf.Variable);
  }
  return out;
}

/**
 * Every layer's output for a batch x ([1, n, in]), the input first: [x, h1, ..., Q].
 *
 * With `training`, ReLU layers run as matMul, add and relu, the way tf.layers
 * runs them under a gradient tape: a fused kernel adds the bias in another
 * order, which changes the last bit of a value and so, now and then, whether
 * a ReLU is on. This way a training step computes autodiff's numbers exactly.
 */
export function denseForward(w: DenseWeights, x: tf.Tensor3D, training = false): tf.Tensor3D[] {
  const outs = [x];
  w.kernels.forEach((kernel, i) => {
    const unfused = training && w.activations[i] === "relu";
    outs.push((unfused ? unfusedDense : fusedDense)(outs[i], kernel, w.biases[i], w.activations[i]));
  });
  return outs;
}

/**
 * The gradients of a loss with respect to every weight, from dLoss/dQ
 * ([1, n, actions]) and the forward pass's outputs, in denseVariables' order.
 * A kernel's gradient comes out as [1, in, out], a bias's as [out].
 */
export function denseBackward(w: DenseWeights, outs: tf.Tensor3D[], dQ: tf.Tensor3D): tf.Tensor[] {
  const grads: tf.Tensor[] = [];
  let d = dQ; // dLoss / d(this layer's output)
  for (let i = w.kernels.length - 1; i >= 0; i--) {
    if (w.activations[i] === "relu") d = tf.mul(d, tf.step(outs[i + 1])); // a ReLU passes the gradient only where it was on
    const layer: tf.Tensor[] = [tf.matMul(outs[i], d, true, false)]; // dW = x^T d
    if (w.biases[i] !== null) layer.push(tf.sum(d, [0, 1])); // db = d summed over the batch
    grads.unshift(...layer);
    if (i > 0) d = tf.matMul(d, w.kernels[i], false, true); // dx = d W^T, for the layer below
  }
  return grads;
}

/**
 * activation(x W + b) as one kernel, which takes W as [1, in, out] (a reshape
 * shares the data). Called directly: tf.fused.matMul would add three more
 * Reshapes and a gradient wrapper (we write the backward pass ourselves).
 */
function fusedDense(x: tf.Tensor3D, kernel: tf.Tensor2D, bias: tf.Tensor1D | null, activation: DenseActivation): tf.Tensor3D {
  const [rows, cols] = kernel.shape;
  const b = tf.reshape(kernel, [1, rows, cols]);
  const inputs = (bias === null ? { a: x, b } : { a: x, b, bias }) as tf.NamedTensorMap;
  return tf.engine().runKernel(tf._FusedMatMul, inputs, { transposeA: false, transposeB: false, activation, leakyreluAlpha: 0 }) as tf.Tensor3D;
}

/** The same as three kernels: matMul, add, relu (matMul takes the 2-D W as it is). */
function unfusedDense(x: tf.Tensor3D, kernel: tf.Tensor2D, bias: tf.Tensor1D | null, activation: DenseActivation): tf.Tensor3D {
  const y = bias === null ? tf.matMul(x, kernel) : tf.add(tf.matMul(x, kernel), bias);
  return (activation === "relu" ? tf.relu(y) : y) as tf.Tensor3D;
}

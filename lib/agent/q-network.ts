/**
 * The Q-network: a state goes in, one value per action comes out
 * (lesson: 6 -> 512 -> 512 -> 512 -> 3, ReLU), and the ways to act with it.
 */
import { tf } from "../tf";
import { makeRng, type Rng } from "../random";
import { denseForward, denseLayers, denseWeights } from "./mlp";

export interface QNetworkOptions {
  /** Observation size (Acrobot: 6). */
  inputSize?: number;
  /** Widths of the hidden ReLU layers (lesson: [512, 512, 512]). */
  hiddenLayers?: number[];
  /** Number of actions (Acrobot: 3). */
  actions?: number;
  /** Seeds the initial weights; two networks built with one seed are identical. */
  seed?: number;
}

/**
 * A multilayer perceptron initialised like PyTorch's `nn.Linear` (weights and
 * biases uniform in +-1/sqrt(fan_in)), so it starts where the lesson's does.
 */
export function buildQNetwork(options: QNetworkOptions = {}): tf.Sequential {
  const { inputSize = 6, hiddenLayers = [512, 512, 512], actions = 3 } = options;
  for (const [what, v] of [["inputSize", inputSize], ["actions", actions], ...hiddenLayers.map((h) => ["a hidden layer width", h] as const)] as const) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`Q-network ${what} must be a whole number of at least 1, got ${v}`);
  }
  const rng = makeRng(options.seed ?? Math.floor(Math.random() * 2 ** 31));
  const model = tf.sequential();
  let fanIn = inputSize;
  [...hiddenLayers, actions].forEach((units, i) => {
    const limit = 1 / Math.sqrt(fanIn);
    const init = () => tf.initializers.randomUniform({ minval: -limit, maxval: limit, seed: rng.seed() });
    model.add(
      tf.layers.dense({
        units,
        activation: i < hiddenLayers.length ? "relu" : "linear",
        inputShape: i === 0 ? [inputSize] : undefined,
        kernelInitializer: init(),
        biasInitializer: init(),
      }),
    );
    fanIn = units;
  });
  return model;
}

/** Q(s, .) for one state, as plain numbers. */
export function qValues(model: tf.LayersModel, state: ArrayLike<number>): Float32Array {
  return tf.tidy(() => forward(model, tf.tensor2d(state as Float32Array, [1, state.length])).dataSync() as Float32Array);
}

/**
 * Q-values of a batch of states. For our MLPs this runs each layer as one
 * fused matMul+bias+ReLU kernel (mlp.ts): acting calls it once per step, and
 * skipping tf.layers' per-call bookkeeping makes that about three times faster.
 */
export function forward(model: tf.LayersModel, states: tf.Tensor2D): tf.Tensor2D {
  const layers = denseLayers(model);
  if (layers === null) return model.apply(states) as tf.Tensor2D;
  return tf.tidy(() => {
    const [n, k] = states.shape;
    const outs = denseForward(denseWeights(layers), tf.reshape(states, [1, n, k]) as tf.Tensor3D);
    const q = outs[outs.length - 1];
    return tf.reshape(q, [n, q.shape[2]]) as tf.Tensor2D;
  });
}

/** The action with the highest value (the first one on ties, like argmax). */
export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

export function greedyAction(model: tf.LayersModel, state: ArrayLike<number>): number {
  return argmax(qValues(model, state));
}

/** With probability epsilon a uniformly random action, else the greedy one. */
export function epsilonGreedyAction(model: tf.LayersModel, state: ArrayLike<number>, epsilon: number, rng: Rng): number {
  if (rng.float() < epsilon) return rng.int(model.outputs[0].shape[1] as number);
  return greedyAction(model, state);
}

/** Overwrites `to`'s weights with `from`'s (the target-network sync). */
export function copyWeights(from: tf.LayersModel, to: tf.LayersModel): void {
  to.setWeights(from.getWeights());
}

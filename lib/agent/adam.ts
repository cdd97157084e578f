/**
 * Adam over all of a network's parameters at once.
 *
 * The arithmetic is tf.train.adam's, operation for operation in float32 (the
 * same epsilon, the same bias correction 1 - beta^t), so the two give the same
 * weights. The difference is bookkeeping: tf.train.adam keeps two moment
 * tensors per weight tensor and runs about 12 kernels for each; here the
 * moments of all weights are two flat vectors, and one step is 13 kernels
 * plus one per weight tensor (adding its share of the step).
 *
 *   m <- beta1 m + (1 - beta1) g
 *   v <- beta2 v + (1 - beta2) g^2
 *   w <- w - lr (m / (1 - beta1^t)) / (sqrt(v / (1 - beta2^t)) + epsilon)
 *
 * It is a tf.Optimizer: `applyGradients` takes per-variable gradients like any
 * optimizer, and getWeights/setWeights save and restore the same list as
 * tf.train.adam (iterations, then the first moments "<weight>/m" and the
 * second moments "<weight>/v", per weight, in order), so checkpoints carry
 * over between the two.
 */
import { tf } from "../tf";

/** A tensor with a name, as tf.Optimizer's getWeights/setWeights pass them (tfjs does not export the type). */
export interface NamedTensor {
  name: string;
  tensor: tf.Tensor;
}

/** The optimizer the trainer uses: Adam with tf.train.adam's defaults (beta1 0.9, beta2 0.999, the backend's epsilon). */
export function makeOptimizer(learningRate: number): FlatAdam {
  return new FlatAdam(learningRate);
}

/** True for a FlatAdam (tf.Optimizer's instanceof accepts any optimizer, so it cannot tell). */
export function isFlatAdam(o: tf.Optimizer): o is FlatAdam {
  return typeof (o as Partial<FlatAdam>).applyFlatGradient === "function";
}

interface Slots {
  /** Per weight tensor, in order: the names its moments are saved under, and its shape. */
  mNames: string[];
  vNames: string[];
  shapes: number[][];
  m: tf.Variable;
  v: tf.Variable;
}

export class FlatAdam extends tf.Optimizer {
  static get className(): string {
    return "FlatAdam";
  }

  private slots: Slots | null = null;
  /** beta^t as float32 numbers, updated exactly as tf.train.adam's float32 scalar variables are. */
  private accBeta1: number;
  private accBeta2: number;
  /** Scalars every step uses (made once: a tensor per constant per step costs time). */
  private readonly constants: { beta1: tf.Scalar; oneMinusBeta1: tf.Scalar; beta2: tf.Scalar; oneMinusBeta2: tf.Scalar; epsilon: tf.Scalar; minusLr: tf.Scalar };
  /** What the last getWeights handed out: ours, freed by the next getWeights or dispose. */
  private exported: tf.Tensor[] = [];

  constructor(
    readonly learningRate: number,
    readonly beta1 = 0.9,
    readonly beta2 = 0.999,
    readonly epsilon: number = tf.backend().epsilon(),
  ) {
    super();
    if (!(Number.isFinite(learningRate) && learningRate > 0)) throw new RangeError(`Adam's learning rate must be a positive number, got ${learningRate}`);
    for (const [name, b] of [["beta1", beta1], ["beta2", beta2]] as const) {
      if (!(b >= 0 && b < 1)) throw new RangeError(`Adam's ${name} must be in [0, 1), got ${b}`);
    }
    if (!(Number.isFinite(epsilon) && epsilon > 0)) throw new RangeError(`Adam's epsilon must be a positive number, got ${epsilon}`);
    this.accBeta1 = Math.fround(beta1);
    this.accBeta2 = Math.fround(beta2);
    this.constants = tf.tidy(() => {
      const c = {
        beta1: tf.scalar(beta1),
        oneMinusBeta1: tf.scalar(1 - beta1),
        beta2: tf.scalar(beta2),
        oneMinusBeta2: tf.scalar(1 - beta2),
        epsilon: tf.scalar(epsilon),
        minusLr: tf.scalar(-learningRate),
      };
      Object.values(c).forEach((t) => tf.keep(t));
      return c;
    });
  }

  /**
   * One Adam step: `gradient` holds the gradients of all `variables`, each
   * flattened, one after the other (tf.concat of their reshapes to [-1]).
   */
  applyFlatGradient(variables: tf.Variable[], gradient: tf.Tensor1D): void {
    const slots = this.slotsFor(variables);
    if (gradient.size !== slots.m.size) {
      throw new Error(`FlatAdam: the gradient has ${gradient.size} numbers, but the ${variables.length} weight tensors have ${slots.m.size}`);
    }
    const c = this.constants;
    tf.tidy(() => {
      const oneMinusAccBeta1 = tf.scalar(Math.fround(1 - this.accBeta1));
      const oneMinusAccBeta2 = tf.scalar(Math.fround(1 - this.accBeta2));
      const m = tf.add(tf.mul(slots.m, c.beta1), tf.mul(gradient, c.oneMinusBeta1));
      const v = tf.add(tf.mul(slots.v, c.beta2), tf.mul(tf.square(gradient), c.oneMinusBeta2));
      const mHat = tf.div(m, oneMinusAccBeta1);
      const vHat = tf.div(v, oneMinusAccBeta2);
      slots.m.assign(m);
      slots.v.assign(v);
      const step = tf.mul(tf.div(mHat, tf.add(tf.sqrt(vHat), c.epsilon)), c.minusLr);
      // Each weight's share of the step: read back once, uploaded piece by piece. (tf.split would
      // do, but the wasm backend's Slice copies its whole input for every piece: slow for big networks.)
      const values = step.dataSync();
      let offset = 0;
      for (const w of variables) {
        w.assign(tf.add(tf.tensor(values.subarray(offset, offset + w.size), w.shape), w));
        offset += w.size;
      }
    });
    this.accBeta1 = Math.fround(this.accBeta1 * Math.fround(this.beta1));
    this.accBeta2 = Math.fround(this.accBeta2 * Math.fround(this.beta2));
    this.incrementIterations();
  }

  /** tf.Optimizer's interface: gradients by variable name (as tf.variableGrads returns them) or as a list. */
  override applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    const named = Array.isArray(variableGradients)
      ? variableGradients
      : Object.keys(variableGradients).map((name) => ({ name, tensor: variableGradients[name] }));
    const registered = tf.engine().registeredVariables;
    const variables = named.map(({ name, tensor }) => {
      const w = registered[name];
      if (w === undefined) throw new Error(`FlatAdam: no variable named "${name}" to apply a gradient to`);
      if (tensor == null) throw new Error(`FlatAdam: the gradient for "${name}" is missing`);
      return w;
    });
    tf.tidy(() => this.applyFlatGradient(variables, tf.concat(named.map((g) => shapedAs(g.tensor, [g.tensor.size])) as tf.Tensor1D[])));
  }

  /**
   * tf.train.adam's list: [iterations, first moments..., second moments...],
   * one tensor per weight tensor. The tensors belong to the optimizer: they
   * stay valid until the next getWeights or dispose (read them, don't keep them).
   */
  override async getWeights(): Promise<NamedTensor[]> {
    tf.dispose(this.exported);
    const slots = this.slots;
    const names = ["iter", ...(slots === null ? [] : [...slots.mNames, ...slots.vNames])];
    this.exported = tf.tidy(() => {
      const out: tf.Tensor[] = [tf.scalar(this.iterations, "int32")];
      if (slots !== null) {
        for (const flat of [slots.m, slots.v]) {
          // With a single weight tensor nothing needs slicing: copy, never hand out our variable itself.
          const parts = slots.shapes.length === 1 ? [tf.clone(flat)] : tf.split(flat, slots.shapes.map(sizeOf));
          parts.forEach((p, i) => out.push(shapedAs(p, slots.shapes[i])));
        }
      }
      return out;
    });
    return this.exported.map((tensor, i) => ({ name: names[i], tensor }));
  }

  /** Restores what getWeights (or tf.train.adam's getWeights) saved; the moments are matched to the weights by position. */
  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    if (weightValues.length === 0) throw new Error("FlatAdam.setWeights: the list is empty (it must start with the iteration count)");
    const moments = await this.extractIterations(weightValues);
    const t = this.iterations;
    if (!(Number.isSafeInteger(t) && t >= 0)) throw new Error(`FlatAdam.setWeights: the iteration count must be a whole number, got ${t}`);
    if (moments.length % 2 !== 0) throw new Error(`FlatAdam.setWeights: expected first and second moments in equal numbers, got ${moments.length} tensors`);
    const half = moments.length / 2;
    const ms = moments.slice(0, half), vs = moments.slice(half);
    ms.forEach((m, i) => {
      if (JSON.stringify(m.tensor.shape) !== JSON.stringify(vs[i].tensor.shape)) {
        throw new Error(`FlatAdam.setWeights: moments "${m.name}" and "${vs[i].name}" differ in shape (${m.tensor.shape} vs ${vs[i].tensor.shape})`);
      }
    });
    this.disposeSlots();
    if (half > 0) {
      const flat = (list: NamedTensor[]) => tf.tidy(() => tf.concat(list.map((w) => shapedAs(tf.cast(w.tensor, "float32"), [w.tensor.size])) as tf.Tensor1D[]));
      const m = flat(ms), v = flat(vs);
      this.slots = { mNames: ms.map((w) => w.name), vNames: vs.map((w) => w.name), shapes: ms.map((w) => w.tensor.shape.slice()), m: tf.variable(m, false), v: tf.variable(v, false) };
      tf.dispose([m, v]); // the variables hold the data
    }
    // beta^(t+1) by the same float32 products t uninterrupted steps would have made.
    this.accBeta1 = Math.fround(this.beta1);
    this.accBeta2 = Math.fround(this.beta2);
    for (let i = 0; i < t; i++) {
      this.accBeta1 = Math.fround(this.accBeta1 * Math.fround(this.beta1));
      this.accBeta2 = Math.fround(this.accBeta2 * Math.fround(this.beta2));
    }
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { learningRate: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
  }

  override dispose(): void {
    this.disposeSlots();
    tf.dispose(this.exported);
    this.exported = [];
    tf.dispose(Object.values(this.constants));
    super.dispose();
  }

  /** The moments for these variables: zeros on the first step, else the ones made (or restored) for tensors of the same sizes. */
  private slotsFor(variables: tf.Variable[]): Slots {
    if (this.slots === null) {
      const size = variables.reduce((s, w) => s + w.size, 0);
      this.slots = {
        mNames: variables.map((w) => `${w.name}/m`),
        vNames: variables.map((w) => `${w.name}/v`),
        shapes: variables.map((w) => w.shape.slice()),
        m: zerosVariable(size),
        v: zerosVariable(size),
      };
    }
    const s = this.slots;
    if (s.shapes.length !== variables.length || variables.some((w, i) => w.size !== sizeOf(s.shapes[i]))) {
      throw new Error(
        `FlatAdam: its moments are for weight tensors of shapes ${JSON.stringify(s.shapes)}, ` +
          `but it was asked to update ${JSON.stringify(variables.map((w) => w.shape))}; use one optimizer per network`,
      );
    }
    return s;
  }

  private disposeSlots(): void {
    if (this.slots !== null) tf.dispose([this.slots.m, this.slots.v]);
    this.slots = null;
  }
}

/** A float32 vector of zeros as a non-trainable variable (tf.variable shares its initial tensor's data, so that tensor goes). */
function zerosVariable(size: number): tf.Variable {
  return tf.tidy(() => tf.variable(tf.zeros([size]), false));
}

const sizeOf = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** x reshaped to `shape`, or x itself when it has that shape already (a Reshape is a kernel too). */
function shapedAs(x: tf.Tensor, shape: number[]): tf.Tensor {
  return x.shape.length === shape.length && x.shape.every((d, i) => d === shape[i]) ? x : tf.reshape(x, shape);
}

/**
 * A quick self-check of a TensorFlow.js backend: one small forward and backward pass of a
 * Q-network-like loss (a fused dense layer with relu, a dense layer, the chosen action's value,
 * squared TD error) on the backend, compared with the same pass on the plain-JavaScript `cpu`
 * backend. lib/tf.ts uses it before trusting the native backend (@tensorflow/tfjs-node): a
 * binding that loads but computes wrong numbers, or throws on a kernel training needs, is
 * refused instead of silently training garbage.
 *
 * Loads tfjs itself (not through lib/tf, which calls it). Leaves `name` active when it passes.
 */
import * as tf from "@tensorflow/tfjs";

export interface SelfCheck {
  ok: boolean;
  /** What was compared, or what went wrong (one line). */
  detail: string;
  /** Largest difference from cpu, relative to max(1, |cpu value|). */
  worst: number;
}

/** Float32 differences between engines (summation order, fused kernels) stay far below this. */
const TOLERANCE = 1e-4;
const SIZES: PassSizes = { batch: 8, inputs: 6, hidden: 16, actions: 3 };

/** The shapes of the checked pass: a batch of states, one hidden layer, the actions. */
export interface PassSizes {
  batch: number;
  inputs: number;
  hidden: number;
  actions: number;
}

/** Fixed inputs from a small LCG: the check is the same on every machine and every call. */
function data(sizes: PassSizes): Record<"x" | "mask" | "target" | "w1" | "b1" | "w2" | "b2", Float32Array> {
  let state = 12345;
  const next = () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 2 ** 32 - 0.5;
  };
  const fill = (n: number, scale: number) => Float32Array.from({ length: n }, () => next() * scale);
  const { batch, inputs, hidden, actions } = sizes;
  const mask = new Float32Array(batch * actions);
  for (let i = 0; i < batch; i++) mask[i * actions + (i % actions)] = 1;
  return {
    x: fill(batch * inputs, 2),
    mask,
    target: fill(batch, 4),
    w1: fill(inputs * hidden, 1),
    b1: fill(hidden, 0.2),
    w2: fill(hidden * actions, 1),
    b2: fill(actions, 0.2),
  };
}

/**
 * The loss and its gradients for every weight, on the active backend, copied out. With
 * `gradients` false, the loss alone (no tape): a backend missing a forward kernel fails there,
 * where tf.tidy cleans up after a throw.
 */
function forwardBackward(gradients = true, sizes = SIZES): Float32Array[] {
  const d = data(sizes);
  const { batch, inputs, hidden, actions } = sizes;
  return tf.tidy(() => {
    const x = tf.tensor2d(d.x, [batch, inputs]);
    const mask = tf.tensor2d(d.mask, [batch, actions]);
    const target = tf.tensor1d(d.target);
    const weights = [tf.tensor2d(d.w1, [inputs, hidden]), tf.tensor1d(d.b1), tf.tensor2d(d.w2, [hidden, actions]), tf.tensor1d(d.b2)];
    const loss = (...ws: tf.Tensor[]): tf.Scalar => {
      const h = tf.fused.matMul({ a: x, b: ws[0] as tf.Tensor2D, bias: ws[1], activation: "relu" });
      const q = tf.add(tf.matMul(h, ws[2] as tf.Tensor2D), ws[3]);
      const qa = tf.sum(tf.mul(q, mask), 1);
      return tf.mean(tf.square(tf.sub(qa, target))) as tf.Scalar;
    };
    if (!gradients) return [Float32Array.from(loss(...weights).dataSync())];
    const { value, grads } = tf.valueAndGrads(loss)(weights);
    return [value, ...grads].map((t) => Float32Array.from(t.dataSync()));
  });
}

/**
 * A throw inside tf.grads leaves the engine's gradient tape behind, holding the tensors it saved
 * for the backward pass (tfjs-core 4.22 cleans the tape only on success): dispose them and drop
 * the tape, as the engine does after a successful pass.
 */
function dropAbandonedTape(): void {
  const state = (tf.engine() as unknown as { state: { gradientDepth: number; activeTape: Array<{ saved?: tf.Tensor[] }> | null } }).state;
  if (state.gradientDepth !== 0 || state.activeTape === null) return;
  for (const node of state.activeTape) for (const t of node.saved ?? []) t.dispose();
  state.activeTape = null;
}

const NAMES = ["loss", "dL/dW1", "dL/db1", "dL/dW2", "dL/db2"];

/**
 * The loss and its gradients for every weight at `sizes`, on the active backend, copied out.
 * A throw leaves no gradient tape behind. lib/tf-wasm-threads.ts compares the threaded wasm
 * backend with the one-thread one on a pass large enough to be split between threads.
 */
export function qLossPass(sizes: PassSizes = SIZES): Float32Array[] {
  try {
    return forwardBackward(true, sizes);
  } catch (err) {
    dropAbandonedTape();
    throw err;
  }
}

/**
 * How far `got` is from `reference` (two qLossPass results): the worst difference relative to
 * max(1, |reference value|), and a one-line description of the first value beyond the tolerance.
 */
export function compareQLossPasses(got: Float32Array[], reference: Float32Array[], gotName: string, referenceName: string): { mismatch: string | null; worst: number } {
  let worst = 0;
  for (let i = 0; i < reference.length; i++) {
    if (got[i] === undefined || got[i].length !== reference[i].length) {
      return { mismatch: `${NAMES[i]} has ${got[i]?.length ?? 0} values on ${gotName}, ${reference[i].length} on ${referenceName}`, worst: Infinity };
    }
    for (let j = 0; j < reference[i].length; j++) {
      const diff = Math.abs(got[i][j] - reference[i][j]) / Math.max(1, Math.abs(reference[i][j]));
      if (!(diff <= TOLERANCE)) {
        return { mismatch: `${NAMES[i]}[${j}] is ${got[i][j]} on ${gotName}, ${reference[i][j]} on ${referenceName}`, worst: Number.isNaN(diff) ? Infinity : diff };
      }
      worst = Math.max(worst, diff);
    }
  }
  return { mismatch: null, worst };
}

/** Compares `name` with cpu; on success `name` is the active backend. Never throws. */
export async function backendSelfCheck(name: string): Promise<SelfCheck> {
  const fail = (detail: string, worst = Infinity): SelfCheck => ({ ok: false, detail, worst });
  try {
    if (!(await tf.setBackend("cpu"))) return fail("the cpu backend (the reference) did not initialise");
    const reference = forwardBackward();
    if (!(await tf.setBackend(name))) return fail(`tf.setBackend("${name}") failed`);
    forwardBackward(false);
    const { mismatch, worst } = compareQLossPasses(qLossPass(), reference, name, "cpu");
    if (mismatch !== null) return fail(mismatch, worst);
    return { ok: true, detail: `forward and backward pass agree with cpu (worst relative difference ${worst.toExponential(1)})`, worst };
  } catch (err) {
    return fail(`the forward and backward pass threw: ${err instanceof Error ? err.message : String(err)}`);
  }
}

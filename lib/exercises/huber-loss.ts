/**
 * Chapter 4's exercise: the Huber loss of a batch, as a tensor,
 *
 *     e = Q(s, a) - y,   loss = mean( 0.5 e^2 if |e| <= 1, else |e| - 0.5 ),
 *
 * quadratic near 0, linear beyond 1, so one large TD error moves the network
 * no more than an error of 1 does (its gradient is e clipped to [-1, 1]).
 * The check runs the learner's function on batches of errors from -6 to 6
 * and also takes its gradient (the loss must stay differentiable); it names
 * the slip from the values: the MSE, no 0.5, a jump at 1, a sum, no mean.
 */
import { tf } from "../tf";
import { tdLoss } from "../agent/td-update";
import type { ExerciseCheck } from "./check";
import { firstDifference, list, nameSlip, near, type Slip } from "./hypotheses";
import { spread, tensorAnswer } from "./tensor-answer";

export type HuberLossFn = (q: tf.Tensor1D, targets: tf.Tensor1D) => tf.Scalar;

/** The library's: the trainer's Huber loss. */
export const libraryHuberLoss: HuberLossFn = (q, targets) => tdLoss(q, targets, "huber");

interface Case { q: Float32Array; y: Float32Array }
const fromErrors = (errors: number[], salt: number): Case => {
  const y = spread(errors.length, salt, -40, 5);
  return { q: Float32Array.from(errors, (e, i) => y[i] + e), y };
};
const CASES: Case[] = [
  fromErrors([0.5, -0.25, 2, -3, 0.75, 6, -1.5], 1.3),
  fromErrors([0.3], 2.1),
  fromErrors([-4], 2.9),
  fromErrors(Array.from(spread(32, 3.3, -6, 6)), 4.4),
  fromErrors([0.1, -0.2, 0.4, -0.6, 0.8], 5.1), // all inside the quadratic part
  fromErrors([1, -1, 1.25, -0.9], 6.7),
];
const errorsOf = (c: Case) => Array.from(c.q, (q, i) => q - c.y[i]);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const huber = (e: number, delta = 1) => (Math.abs(e) <= delta ? 0.5 * e * e : delta * (Math.abs(e) - 0.5 * delta));
const one = (f: (es: number[]) => number) => (c: Case) => [f(errorsOf(c))];
const RIGHT = one((es) => mean(es.map((e) => huber(e))));
const SLIPS: Slip<Case>[] = [
  { f: one((es) => mean(es.map((e) => e * e))), hint: "that is the mean squared error: quadratic for every error. The Huber loss is quadratic only for |e| <= 1 (0.5 e^2) and linear beyond (|e| - 0.5), so a large TD error cannot throw the network far." },
  { f: one((es) => mean(es.map((e) => 0.5 * e * e))), hint: "it is 0.5 e^2 for every error: quadratic also beyond |e| = 1. Beyond 1 the Huber loss is linear: |e| - 0.5." },
  { f: one((es) => mean(es.map((e) => Math.abs(e)))), hint: "it is the mean absolute error: linear everywhere. Near 0 the Huber loss is quadratic: 0.5 e^2 for |e| <= 1." },
  { f: one((es) => mean(es.map((e) => (Math.abs(e) <= 1 ? e * e : Math.abs(e) - 0.5)))), hint: "the quadratic part is e^2; it is 0.5 e^2, so that both parts meet at |e| = 1 with the same value and slope." },
  { f: one((es) => mean(es.map((e) => (Math.abs(e) <= 1 ? 0.5 * e * e : Math.abs(e))))), hint: "the linear part is |e|; it is |e| - 0.5, so that it meets 0.5 e^2 at |e| = 1 (no jump in the loss)." },
  { f: one((es) => mean(es.map((e) => (Math.abs(e) <= 1 ? e * e : 2 * Math.abs(e) - 1)))), hint: "it is twice the Huber loss (e^2 and 2|e| - 1); the Huber loss is 0.5 e^2 and |e| - 0.5." },
  { f: one((es) => sum(es.map((e) => huber(e)))), hint: "it sums over the batch; the loss is the mean over the batch (tf.mean), so the step size does not grow with the batch." },
  { f: one((es) => mean(es.map((e) => (Math.abs(e) < 1 ? Math.abs(e) - 0.5 : 0.5 * e * e)))), hint: "the two parts are swapped: 0.5 e^2 goes with |e| <= 1, |e| - 0.5 beyond." },
  { f: one((es) => mean(es.map((e) => huber(e, 2)))), hint: "it switches from quadratic to linear at |e| = 2; the Huber loss of DQN and Stable-Baselines3 switches at 1." },
  { f: one((es) => mean(es.map((e) => huber(e, 0.5)))), hint: "it switches from quadratic to linear at |e| = 0.5; the Huber loss of DQN and Stable-Baselines3 switches at 1." },
  { f: one((es) => mean(es.map((e) => Math.min(0.5 * e * e, 0.5)))), hint: "it stops growing beyond |e| = 1 (a clipped loss): large errors then have no gradient at all. Beyond 1 the Huber loss keeps growing linearly: |e| - 0.5." },
  { f: one((es) => mean(es.map((e) => Math.max(-1, Math.min(1, e)) ** 2))), hint: "it clips the error to [-1, 1] and squares it: large errors then have no gradient. Clipping the error is the Huber loss's gradient, not its value: 0.5 e^2 within 1, |e| - 0.5 beyond." },
  { f: one((es) => 0.5 * mean(es.map((e) => huber(e)))), hint: "it is half the Huber loss; 0.5 belongs only in the quadratic part: 0.5 e^2 within 1, |e| - 0.5 beyond." },
  { f: one((es) => -mean(es.map((e) => huber(e)))), hint: "its sign is flipped: a loss is never negative, and minimising minus the Huber loss makes the errors grow." },
];

export function checkHuberLoss(fn: HuberLossFn): ExerciseCheck {
  if (typeof fn !== "function") return { ok: false, message: "huberLoss must be a function (q, targets) => scalar tensor." };
  const answers: number[][] = [];
  for (const c of CASES) {
    const n = c.q.length;
    const inputs = [tf.tensor1d(c.q), tf.tensor1d(c.y)];
    try {
      const out = tensorAnswer("huberLoss", () => fn(inputs[0] as tf.Tensor1D, inputs[1] as tf.Tensor1D), inputs);
      if ("problem" in out) return { ok: false, message: out.problem };
      if (out.values.length !== 1) {
        const perRow = out.values.length === n && out.values.every((v, i) => near(v, huber(errorsOf(c)[i])));
        return { ok: false, message: `Not yet: for a batch of ${n} your huberLoss returned a tensor of shape ${JSON.stringify(out.shape)}, not one number. Hint: ${perRow ? "these are the right per-transition losses: average them over the batch (tf.mean)." : "reduce the per-transition losses to their mean (tf.mean)."}` };
      }
      if (!Number.isFinite(out.values[0])) return { ok: false, message: `Not yet: your huberLoss gave ${out.values[0]} for a batch of ${n}; the loss must be a finite number.` };
      answers.push(out.values);
    } finally {
      tf.dispose(inputs);
    }
  }
  const wrong = firstDifference(CASES, answers, RIGHT);
  if (wrong !== null) {
    const c = CASES[wrong.index];
    const hint = nameSlip(CASES, answers, SLIPS) ?? "it is not the mean of 0.5 e^2 (for |e| <= 1) and |e| - 0.5 (beyond), with e = q - targets.";
    return { ok: false, message: `Not yet: for errors q - targets = ${list(errorsOf(c), 4)} your huberLoss gives ${list(wrong.got)}, but it should be ${list(wrong.want)}. Hint: ${hint}` };
  }
  const gradient = checkGradient(fn);
  if (gradient !== null) return { ok: false, message: gradient };
  return { ok: true, message: `Correct: the mean of 0.5 e^2 within 1 and |e| - 0.5 beyond, on ${CASES.length} batches, and its gradient is the error clipped to [-1, 1] (over the batch size).` };
}

/** The values are right; is the loss differentiable, with the Huber gradient clip(e, -1, 1) / n? */
function checkGradient(fn: HuberLossFn): string | null {
  const c = CASES[0];
  const n = c.q.length;
  const y = tf.tensor1d(c.y), q = tf.tensor1d(c.q);
  try {
    let grad: number[];
    try {
      grad = tf.tidy(() => Array.from(tf.grad((x: tf.Tensor) => fn(x as tf.Tensor1D, y) as tf.Tensor)(q).dataSync()));
    } catch (e) {
      freeTape();
      const message = e instanceof Error ? e.message : String(e);
      const op = /gradient function not found for (\w+)/.exec(message)?.[1];
      if (op !== undefined) return `Not yet: the values of your huberLoss are right, but TensorFlow.js cannot take its gradient: it has none for ${op} (a comparison, e.g. lessEqual feeding tf.where). Hint: build the two parts without a comparison: quadratic = tf.minimum(|e|, 1), loss = mean(0.5 * quadratic^2 + (|e| - quadratic)).`;
      return `Not yet: the values of your huberLoss are right, but no gradient flows through it (${message.split(".")[0]}). Hint: compute it with tensor operations only, with no .dataSync(), .arraySync() or tf.scalar(number) in between: training needs its gradient.`;
    }
    const want = errorsOf(c).map((e) => Math.max(-1, Math.min(1, e)) / n);
    if (grad.every((g) => g === 0)) return "Not yet: the values of your huberLoss are right, but its gradient is zero: it is computed from plain numbers (a .dataSync() or tf.scalar(number) in between?). Hint: use tensor operations only, so training can follow the gradient.";
    if (!grad.every((g, i) => near(g, want[i], 1e-4))) return `Not yet: the values of your huberLoss are right, but its gradient is ${list(grad)}, not the clipped error over the batch size (${list(want)}). Hint: build it from tf.abs, tf.minimum, tf.square and tf.mean (or tf.where) on q - targets.`;
    return null;
  } finally {
    tf.dispose([q, y]);
  }
}

/**
 * tfjs leaves the tape of a failed tf.grad behind (the tensors kept for the backward pass, and the
 * tape itself): free them, so a refused answer leaks nothing.
 */
function freeTape(): void {
  const state = (tf.engine() as unknown as { state: { gradientDepth: number; activeTape: { saved?: tf.Tensor[] }[] | null } }).state;
  if (state.gradientDepth !== 0 || state.activeTape === null) return;
  for (const node of state.activeTape) for (const t of node.saved ?? []) t.dispose();
  state.activeTape = null;
}

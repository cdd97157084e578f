/**
 * Chapter 4's exercise: chapter 1's TD target for a whole batch at once, as tensors,
 *
 *     y = r + gamma * nextValues * (1 - terminated),
 *
 * where `terminated` is 1 only for a real ending (the tip reached the line):
 * a time-out is not in it, so the target bootstraps through it. The check
 * runs the learner's function on batches with both kinds of rows and several
 * gammas (0 and 1 among them), and names the slip from the answers: no mask,
 * the mask inverted or on the reward too, gamma missing or replaced, a sign.
 */
import { tf } from "../tf";
import type { ExerciseCheck } from "./check";
import { firstDifference, list, nameSlip, type Slip } from "./hypotheses";
import { spread, tensorAnswer } from "./tensor-answer";

export type TdTargetBatchFn = (rewards: tf.Tensor1D, nextValues: tf.Tensor1D, terminated: tf.Tensor1D, gamma: number) => tf.Tensor1D;

/** The library's: the same kernels in the same order as the trainer's tdTargets, so a loop using it plays train()'s episodes. */
export const libraryTdTargetBatch: TdTargetBatchFn = (rewards, nextValues, terminated, gamma) =>
  tf.add(rewards, tf.mul(tf.mul(nextValues, gamma), tf.sub(1, terminated)));

interface Case { r: Float32Array; q: Float32Array; d: Float32Array; gamma: number }
const mk = (n: number, gamma: number, salt: number, ended: (i: number) => boolean): Case => ({
  r: spread(n, salt, -3, 2), q: spread(n, salt + 0.37, -60, 25), d: Float32Array.from({ length: n }, (_, i) => (ended(i) ? 1 : 0)), gamma,
});
const CASES: Case[] = [
  mk(7, 0.99, 1.1, (i) => i % 3 === 1), mk(1, 0.5, 2.3, () => false), mk(64, 1, 3.7, (i) => i % 5 === 0),
  mk(16, 0, 4.1, (i) => i % 2 === 0), mk(3, 0.9, 5.9, () => true), mk(12, 0.9, 6.3, (i) => i >= 9),
];
const at = (c: Case, f: (r: number, q: number, d: number, g: number) => number) => Array.from(c.r, (r, i) => f(r, c.q[i], c.d[i], c.gamma));
const MASK = "Multiply only the bootstrap term by (1 - terminated): y = r + gamma * nextValues * (1 - terminated)";
const SLIPS: Slip<Case>[] = [
  { f: (c) => at(c, (r, q, _d, g) => r + g * q), hint: `it bootstraps everywhere, also where the episode really ended (terminated = 1): there is no next state to value there. ${MASK}.` },
  { f: (c) => at(c, (r, q, d, g) => r + g * q * d), hint: `the mask is inverted: it bootstraps only where the episode ended and never where it goes on. ${MASK}.` },
  { f: (c) => at(c, (r, q, d, g) => (r + g * q) * (1 - d)), hint: `the mask also removes the reward at a real ending: there the target is r, not 0. ${MASK}.` },
  { f: (c) => at(c, (r, q, d, g) => (r + g * q) * d), hint: `the mask is inverted and covers the reward too. ${MASK}.` },
  { f: (c) => at(c, (r) => r), hint: "it never bootstraps: it returns the rewards. Where the episode goes on (terminated = 0) add gamma * nextValues." },
  { f: (c) => at(c, (r, q, d) => r + q * (1 - d)), hint: "gamma is missing: r + gamma * nextValues * (1 - terminated). (With gamma = 1 it would not show; with 0.99 it does.)" },
  { f: (c) => at(c, (r, q, d, g) => r + (g === 0 ? 1 : g) * q * (1 - d)), hint: "with gamma = 0 it still bootstraps with factor 1: is gamma replaced by a default (gamma || 1)? gamma = 0 is allowed and means no bootstrap at all." },
  { f: (c) => at(c, (r, q, d, g) => r + (g === 0 ? 0.99 : g) * q * (1 - d)), hint: "with gamma = 0 it uses 0.99: is gamma replaced by a default (gamma || 0.99)? Use gamma as given, 0 included." },
  { f: (c) => at(c, (r, q, d) => r + 0.99 * q * (1 - d)), hint: "it always discounts by 0.99: use the gamma it is given." },
  { f: (c) => at(c, (r, q, d, g) => r - g * q * (1 - d)), hint: "it subtracts gamma * nextValues; the target adds it." },
  { f: (c) => at(c, (_r, q, d, g) => g * q * (1 - d)), hint: "the reward is missing: y = r + gamma * nextValues * (1 - terminated)." },
  { f: (c) => at(c, (r, q, d, g) => -r + g * q * (1 - d)), hint: "the reward's sign is flipped: add r, do not subtract it." },
  { f: (c) => at(c, (r, q, d, g) => r + g * g * q * (1 - d)), hint: "it discounts twice (gamma * gamma); once is enough." },
  { f: (c) => at(c, (r, q, d, g) => r + (1 - g) * q * (1 - d)), hint: "it multiplies nextValues by 1 - gamma; the factor is gamma." },
  { f: (c) => at(c, (r, q, d, g) => r + g * q - d), hint: `it subtracts terminated instead of masking with it. ${MASK}.` },
  { f: (c) => at(c, (r, q, d, g) => r + g * (q - d)), hint: `it subtracts terminated from nextValues instead of masking with it. ${MASK}.` },
  { f: (c) => at(c, (r, q, d, g) => g * (r + q * (1 - d))), hint: "gamma multiplies the reward too; only the next state's value is discounted: r + gamma * nextValues * (1 - terminated)." },
];

export function checkTdTargetBatch(fn: TdTargetBatchFn): ExerciseCheck {
  if (typeof fn !== "function") return { ok: false, message: "tdTargets must be a function (rewards, nextValues, terminated, gamma) => tensor." };
  const answers: number[][] = [];
  for (const [k, c] of CASES.entries()) {
    const n = c.r.length;
    const inputs = [tf.tensor1d(c.r), tf.tensor1d(c.q), tf.tensor1d(c.d)];
    try {
      const out = tensorAnswer("tdTargets", () => fn(inputs[0] as tf.Tensor1D, inputs[1] as tf.Tensor1D, inputs[2] as tf.Tensor1D, c.gamma), inputs);
      if ("problem" in out) return { ok: false, message: out.problem };
      if (out.shape.length !== 1 || out.shape[0] !== n) {
        const how = out.values.length === n ? ` Hint: it has the right ${n} values in the wrong shape; return shape [${n}] (tf.reshape or tf.squeeze), like rewards.` : ` Hint: return one target per transition, shape [${n}], like rewards.`;
        return { ok: false, message: `Not yet: for a batch of ${n} transitions your tdTargets returned a tensor of shape ${JSON.stringify(out.shape)}.${how}` };
      }
      const bad = out.values.findIndex((v) => !Number.isFinite(v));
      if (bad >= 0) return { ok: false, message: `Not yet: your tdTargets gave ${out.values[bad]} for transition ${bad} of ${n}; every target must be a finite number.` };
      answers.push(out.values);
      if (k === 0) { // asked again: a function of its inputs alone answers the same
        const again = tensorAnswer("tdTargets", () => fn(inputs[0] as tf.Tensor1D, inputs[1] as tf.Tensor1D, inputs[2] as tf.Tensor1D, c.gamma), inputs);
        if (!("problem" in again) && again.values.join() !== out.values.join()) return { ok: false, message: "Not yet: your tdTargets gave other targets when asked again with the same batch. Hint: it depends on something besides its arguments (a variable kept between calls, randomness); compute from them alone." };
      }
    } finally {
      tf.dispose(inputs);
    }
  }
  const right = (c: Case) => at(c, (r, q, d, g) => r + g * q * (1 - d));
  const wrong = firstDifference(CASES, answers, right);
  if (wrong === null) return { ok: true, message: `Correct: y = r + gamma * nextValues * (1 - terminated), on ${CASES.length} batches (${CASES.reduce((s, c) => s + c.r.length, 0)} transitions, gamma 0 to 1).` };
  const c = CASES[wrong.index];
  const hint = nameSlip(CASES, answers, SLIPS) ?? `it is not r + gamma * nextValues * (1 - terminated). ${MASK}.`;
  return {
    ok: false,
    message: `Not yet: for rewards ${list(Array.from(c.r))}, nextValues ${list(Array.from(c.q))}, terminated ${list(Array.from(c.d))} and gamma ${c.gamma} your targets are ${list(wrong.got)}, but they should be ${list(wrong.want)}. Hint: ${hint}`,
  };
}



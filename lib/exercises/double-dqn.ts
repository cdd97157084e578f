/**
 * Chapter 4's exercise: the value of the next state for Double DQN's target,
 *
 *     a* = argmax_a' Q_model(s', a'),   value = Q_baseModel(s', a*),
 *
 * the online network (model) picks the action and the target network
 * (baseModel) values it, one number per next state, as a tensor. The check
 * gives the learner's function two networks with different weights and
 * batches of 1, 5 and 64 states in which every action is the best for some
 * rows, and names the slip: chapter 3's max, the roles swapped, one network
 * for both, argmin, the index instead of the value, all three values.
 */
import { tf } from "../tf";
import { buildQNetwork, forward } from "../agent/q-network";
import { chosenQ } from "../agent/td-update";
import { changed, type ExerciseCheck } from "./check";
import { firstDifference, list, nameSlip, type Slip } from "./hypotheses";
import { tensorAnswer } from "./tensor-answer";

export type DoubleDqnValuesFn = (model: tf.LayersModel, baseModel: tf.LayersModel, nextStates: tf.Tensor2D) => tf.Tensor1D;

/** The library's: the trainer's Double DQN value (tdTargets with doubleDqn), the same kernels. */
export const libraryDoubleDqnValues: DoubleDqnValuesFn = (model, baseModel, nextStates) => tf.tidy(() => {
  const nextQ = forward(baseModel, nextStates);
  return chosenQ(nextQ, tf.oneHot(tf.argMax(forward(model, nextStates), 1), nextQ.shape[1]) as tf.Tensor2D);
});

/** Both networks' Q values for a batch, as rows of 3. */
interface Case { rows: number; model: number[][]; base: number[][] }
const argmaxOf = (xs: number[]) => xs.reduce((best, x, i) => (x > xs[best] ? i : best), 0);
const argminOf = (xs: number[]) => xs.reduce((best, x, i) => (x < xs[best] ? i : best), 0);
const per = (f: (m: number[], b: number[]) => number) => (c: Case) => c.model.map((m, i) => f(m, c.base[i]));
const RIGHT = per((m, b) => b[argmaxOf(m)]);
const SLIPS: Slip<Case>[] = [
  { f: per((_m, b) => Math.max(...b)), hint: "that is chapter 3's target: baseModel both picks and values the action (max over baseModel). In Double DQN model picks a' = argmax Q_model(s', a'), and baseModel values that action." },
  { f: per((m) => Math.max(...m)), hint: "model both picks and values the action (max over model, the network being trained). model picks a'; the value must come from baseModel: Q_baseModel(s', a')." },
  { f: per((m, b) => m[argmaxOf(b)]), hint: "the roles are swapped: baseModel picks the action and model values it. model (online) picks a' = argmax Q_model(s', a'); baseModel (target) values it." },
  { f: per((m, b) => b[argminOf(m)]), hint: "it picks the worst action (argMin); model picks the best: argMax." },
  { f: per((m) => argmaxOf(m)), hint: "it returns which action model picks (0, 1 or 2), not its value: take baseModel's Q value of that action." },
  { f: per((_m, b) => argmaxOf(b)), hint: "it returns an action index (0, 1 or 2), not a value; model picks the action, and the answer is baseModel's Q value of it." },
  { f: per((_m, b) => b.reduce((s, x) => s + x, 0) / 3), hint: "it takes the mean of baseModel's values over the actions; Double DQN takes baseModel's value of the one action model picks." },
  { f: per((_m, b) => b[0]), hint: "it always takes action 0's value; take the action model rates best (argMax over model's Q values)." },
  { f: per((m, b) => Math.max(...m, ...b)), hint: "it takes the max over both networks; model picks the action, baseModel values it." },
  { f: per((m, b) => Math.min(...b) + 0 * m[0]), hint: "it takes the min over baseModel's values; Double DQN takes baseModel's value of the action model rates best." },
];

const weightsOf = (net: tf.LayersModel) => net.getWeights().map((w) => w.dataSync().slice());
const qRows = (net: tf.LayersModel, states: tf.Tensor2D) => tf.tidy(() => {
  const q = Array.from(forward(net, states).dataSync());
  return Array.from({ length: q.length / 3 }, (_, i) => q.slice(i * 3, i * 3 + 3));
});

export function checkDoubleDqnValues(fn: DoubleDqnValuesFn): ExerciseCheck {
  if (typeof fn !== "function") return { ok: false, message: "doubleDqnValues must be a function (model, baseModel, nextStates) => tensor." };
  // Two small networks, states as wide as Acrobot's: the best action differs between them on many rows.
  const model = buildQNetwork({ hiddenLayers: [16], seed: 11 }), baseModel = buildQNetwork({ hiddenLayers: [16], seed: 12 });
  const cases: Case[] = [], answers: number[][] = [];
  try {
    for (const [rows, salt] of [[5, 1.7], [1, 0.3], [64, 2.9]] as const) {
      const states = tf.tensor2d(Float32Array.from({ length: rows * 6 }, (_, i) => Math.sin(i * salt + 0.5) * (i % 6 >= 4 ? 12 : 4)), [rows, 6]);
      try {
        const w = [weightsOf(model), weightsOf(baseModel)];
        const out = tensorAnswer("doubleDqnValues", () => fn(model, baseModel, states), [states]);
        for (const [net, name, before] of [[model, "model", w[0]], [baseModel, "baseModel", w[1]]] as const) {
          const after = weightsOf(net);
          if (before.some((b, i) => changed(b, after[i]) !== null)) return { ok: false, message: `Not yet: your doubleDqnValues changed ${name}'s weights. Hint: it should only read the networks (predict or apply); training and syncing happen elsewhere in the loop.` };
        }
        if ("problem" in out) return { ok: false, message: out.problem };
        const c: Case = { rows, model: qRows(model, states), base: qRows(baseModel, states) };
        if (out.shape.length !== 1 || out.shape[0] !== rows) {
          const all = out.values.length === rows * 3;
          const which = all && c.base.flat().every((v, i) => Math.abs(v - out.values[i]) < 1e-5) ? "baseModel's" : all && c.model.flat().every((v, i) => Math.abs(v - out.values[i]) < 1e-5) ? "model's" : "";
          return { ok: false, message: `Not yet: for ${rows} next state${rows === 1 ? "" : "s"} your doubleDqnValues returned a tensor of shape ${JSON.stringify(out.shape)}. Hint: ${all ? `${which ? `those are ${which} Q values of all 3 actions; ` : ""}return one value per next state: baseModel's Q value of the action model rates best (shape [${rows}]).` : `return one value per next state, shape [${rows}]${out.values.length === rows ? " (tf.reshape or tf.squeeze)" : ""}.`}` };
        }
        cases.push(c);
        answers.push(out.values);
      } finally {
        states.dispose();
      }
    }
  } finally {
    model.dispose();
    baseModel.dispose();
  }
  const wrong = firstDifference(cases, answers, RIGHT);
  if (wrong === null) return { ok: true, message: "Correct: model picks a' (argMax of its Q values) and baseModel values it, for batches of 1, 5 and 64 next states." };
  const c = cases[wrong.index];
  const hint = nameSlip(cases, answers, SLIPS) ?? "it matches none of the usual slips. model picks a' = argMax over model's Q values of s'; the value is baseModel's Q value of a' (tf.oneHot, multiply, sum over the actions).";
  return { ok: false, message: `Not yet: for ${c.rows} next state${c.rows === 1 ? "" : "s"} your doubleDqnValues gives ${list(wrong.got)}, but it should be ${list(wrong.want)}. Hint: ${hint}` };
}

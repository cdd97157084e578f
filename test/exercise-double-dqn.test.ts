/**
 * Chapter 4's check, Double DQN's next-state value (model picks a', baseModel values it): right
 * answers pass however they are written; each wrong one is refused with a hint naming its slip;
 * no tensor is left behind.
 */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { initBackend, tf } from "../lib/tf";
import { checkDoubleDqnValues, libraryDoubleDqnValues, type DoubleDqnValuesFn } from "../lib/exercises/double-dqn";
import { expectRight, expectWrong } from "./exercise-answers";

before(async () => {
  await initBackend();
});
type M = tf.LayersModel;
const f = (g: (m: M, b: M, s: tf.Tensor2D) => unknown): DoubleDqnValuesFn => g as DoubleDqnValuesFn;
const Q = (net: M, s: tf.Tensor2D) => net.predict(s) as tf.Tensor2D;
/** The value by `valuer` of the action `picker` rates best (or worst). */
const pickValue = (picker: M, valuer: M, s: tf.Tensor2D, best = true) => {
  const pick = best ? Q(picker, s).argMax(1) : Q(picker, s).argMin(1);
  return Q(valuer, s).mul(tf.oneHot(pick as tf.Tensor1D, 3)).sum(1);
};

test("chapter 4, Double DQN: right answers pass however they are written, leaving no tensor behind", () => {
  const right: [string, DoubleDqnValuesFn][] = [
    ["the library's", libraryDoubleDqnValues],
    ["predict, argMax, oneHot, sum", f((m, b, s) => pickValue(m, b, s))],
    ["gather along the rows", f((m, b, s) => { const a = Q(m, s).argMax(1).arraySync() as number[]; const qb = Q(b, s); return tf.stack(a.map((ai, i) => qb.slice([i, ai], [1, 1]).reshape([]))); })],
    ["apply instead of predict", f((m, b, s) => { const a = (m.apply(s) as tf.Tensor2D).argMax(1); return tf.sum(tf.mul(b.apply(s) as tf.Tensor2D, tf.oneHot(a as tf.Tensor1D, 3)), 1); })],
    ["plain numbers, back to a tensor", f((m, b, s) => { const qm = Q(m, s).arraySync(), qb = Q(b, s).arraySync(); return tf.tensor1d(qm.map((r, i) => qb[i][r.indexOf(Math.max(...r))])); })],
    ["in its own tidy", f((m, b, s) => tf.tidy(() => pickValue(m, b, s)))],
  ];
  expectRight(checkDoubleDqnValues, right, { tensors: true });
});

test("chapter 4, Double DQN: each wrong answer is refused with a hint naming its slip, leaving no tensor behind", () => {
  let calls = 0;
  const wrong: [string, DoubleDqnValuesFn, RegExp][] = [
    ["chapter 3's max over baseModel", f((_m, b, s) => Q(b, s).max(1)), /chapter 3's target/],
    ["max over model", f((m, _b, s) => Q(m, s).max(1)), /model both picks and values/],
    ["roles swapped", f((m, b, s) => pickValue(b, m, s)), /the roles are swapped/],
    ["argMin", f((m, b, s) => pickValue(m, b, s, false)), /picks the worst action \(argMin\)/],
    ["the index model picks", f((m, _b, s) => Q(m, s).argMax(1).toFloat()), /returns which action model picks/],
    ["baseModel's index", f((_m, b, s) => Q(b, s).argMax(1).toFloat()), /returns an action index/],
    ["mean over baseModel", f((_m, b, s) => Q(b, s).mean(1)), /mean of baseModel's values/],
    ["always action 0", f((_m, b, s) => Q(b, s).slice([0, 0], [-1, 1]).reshape([-1])), /always takes action 0's value/],
    ["max over both", f((m, b, s) => tf.maximum(Q(m, s).max(1), Q(b, s).max(1))), /max over both networks/],
    ["min over baseModel", f((_m, b, s) => Q(b, s).min(1)), /min over baseModel's values/],
    ["all three values", f((_m, b, s) => Q(b, s)), /shape \[5,3\].*baseModel's Q values of all 3 actions/],
    ["shape [n, 1]", f((m, b, s) => pickValue(m, b, s).reshape([-1, 1])), /shape \[5,1\].*tf\.reshape or tf\.squeeze/],
    ["plain numbers", f((m, b, s) => pickValue(m, b, s).dataSync()), /returned plain numbers/],
    ["a Promise", f((m, b, s) => pickValue(m, b, s).data()), /returned a Promise/],
    ["no return", f(() => undefined), /returned undefined/],
    ["trains model", f((m, b, s) => { m.setWeights(b.getWeights()); return pickValue(m, b, s); }), /changed model's weights/],
    ["disposes the states", f((m, b, s) => { const v = pickValue(m, b, s); s.dispose(); return v; }), /disposed one of its inputs/],
    ["noisy", f((m, b, s) => pickValue(m, b, s).add(0.01 * ++calls)), /should be/],
    ["a throw", f(() => { throw new Error("argMax is not a function"); }), /threw: argMax is not a function/],
  ];
  expectWrong(checkDoubleDqnValues, wrong, { tensors: true });
});

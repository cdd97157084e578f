/**
 * Chapter 4's check, the vectorised TD target y = r + gamma * nextValues * (1 - terminated): right
 * answers pass however they are written; each wrong one is refused with a hint naming its slip;
 * no tensor is left behind.
 */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { initBackend, tf } from "../lib/tf";
import { checkTdTargetBatch, libraryTdTargetBatch, type TdTargetBatchFn } from "../lib/exercises/td-target-batch";
import { expectRight, expectWrong } from "./exercise-answers";

before(async () => {
  await initBackend();
});
type T = tf.Tensor1D;
const f = (g: (r: T, q: T, d: T, gamma: number) => tf.Tensor): TdTargetBatchFn => g as TdTargetBatchFn;

test("chapter 4, TD targets: right answers pass however they are written, leaving no tensor behind", () => {
  const right: [string, TdTargetBatchFn][] = [
    ["the library's", libraryTdTargetBatch],
    ["chained methods", f((r, q, d, g) => r.add(q.mul(g).mul(tf.scalar(1).sub(d))))],
    ["tf.where on terminated", f((r, q, d, g) => tf.where(tf.equal(d, 1), r, r.add(q.mul(g))))],
    ["a notDone tensor first", f((r, q, d, g) => { const notDone = tf.onesLike(d).sub(d); return tf.add(r, tf.mul(g, tf.mul(notDone, q))); })],
    ["gamma as a scalar tensor", f((r, q, d, g) => tf.addN([r, tf.mul(tf.scalar(g), q).mul(tf.sub(1, d))]))],
    ["inside its own tf.tidy", f((r, q, d, g) => tf.tidy(() => r.add(q.mul(d.neg().add(1)).mul(g))))],
  ];
  expectRight(checkTdTargetBatch, right, { tensors: true });
});

test("chapter 4, TD targets: each wrong answer is refused with a hint naming its slip, leaving no tensor behind", () => {
  let calls = 0;
  const wrong: [string, TdTargetBatchFn, RegExp][] = [
    ["no mask", f((r, q, _d, g) => r.add(q.mul(g))), /it bootstraps everywhere, also where the episode really ended/],
    ["inverted mask", f((r, q, d, g) => r.add(q.mul(g).mul(d))), /the mask is inverted: it bootstraps only where the episode ended/],
    ["mask on the reward too", f((r, q, d, g) => r.add(q.mul(g)).mul(tf.sub(1, d))), /the mask also removes the reward/],
    ["inverted, on everything", f((r, q, d, g) => r.add(q.mul(g)).mul(d)), /inverted and covers the reward too/],
    ["rewards only", f((r) => r.clone()), /it never bootstraps/],
    ["no gamma", f((r, q, d) => r.add(q.mul(tf.sub(1, d)))), /gamma is missing/],
    ["gamma || 1", f((r, q, d, g) => r.add(q.mul(g || 1).mul(tf.sub(1, d)))), /gamma \|\| 1/],
    ["gamma || 0.99", f((r, q, d, g) => r.add(q.mul(g || 0.99).mul(tf.sub(1, d)))), /gamma \|\| 0\.99/],
    ["0.99 always", f((r, q, d) => r.add(q.mul(0.99).mul(tf.sub(1, d)))), /always discounts by 0\.99/],
    ["minus the bootstrap", f((r, q, d, g) => r.sub(q.mul(g).mul(tf.sub(1, d)))), /subtracts gamma \* nextValues/],
    ["no reward", f((_r, q, d, g) => q.mul(g).mul(tf.sub(1, d))), /the reward is missing/],
    ["reward sign", f((r, q, d, g) => r.neg().add(q.mul(g).mul(tf.sub(1, d)))), /reward's sign is flipped/],
    ["gamma squared", f((r, q, d, g) => r.add(q.mul(g * g).mul(tf.sub(1, d)))), /discounts twice/],
    ["1 - gamma", f((r, q, d, g) => r.add(q.mul(1 - g).mul(tf.sub(1, d)))), /by 1 - gamma/],
    ["minus terminated", f((r, q, d, g) => r.add(q.mul(g)).sub(d)), /subtracts terminated instead of masking/],
    ["gamma on the reward", f((r, q, d, g) => r.add(q.mul(tf.sub(1, d))).mul(g)), /gamma multiplies the reward too/],
    ["shape [n, 1]", f((r, q, d, g) => libraryTdTargetBatch(r, q, d, g).reshape([-1, 1])), /shape \[7,1\].*right 7 values in the wrong shape/],
    ["plain numbers", f((r, q, d, g) => libraryTdTargetBatch(r, q, d, g).dataSync() as unknown as tf.Tensor), /returned plain numbers \(an array\), not a tensor/],
    ["a Promise", f((r, q, d, g) => libraryTdTargetBatch(r, q, d, g).data() as unknown as tf.Tensor), /returned a Promise/],
    ["a number", f((r, q, d, g) => libraryTdTargetBatch(r, q, d, g).sum().dataSync()[0] as unknown as tf.Tensor), /returned the plain number/],
    ["no return", f(() => undefined as unknown as tf.Tensor), /returned undefined/],
    ["disposes its input", f((r, q, d, g) => { const y = libraryTdTargetBatch(r, q, d, g); r.dispose(); return y; }), /disposed one of its inputs/],
    ["random", f((r, q, d, g) => libraryTdTargetBatch(r, q, d, g).add(calls++)), /other targets when asked again/],
    ["NaN", f((r) => r.div(0).mul(0)), /gave NaN/],
  ];
  expectWrong(checkTdTargetBatch, wrong, { tensors: true });
  assert.match(checkTdTargetBatch(null as unknown as TdTargetBatchFn).message, /must be a function/);
});

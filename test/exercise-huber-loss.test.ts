/**
 * Chapter 4's check, the Huber loss: right answers pass however they are written (their gradient too);
 * each wrong one is refused with a hint naming its slip; no tensor is left behind.
 */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { initBackend, tf } from "../lib/tf";
import { checkHuberLoss, libraryHuberLoss, type HuberLossFn } from "../lib/exercises/huber-loss";
import { expectRight, expectWrong } from "./exercise-answers";

before(async () => {
  await initBackend();
});
type T = tf.Tensor1D;
const f = (g: (q: T, y: T) => tf.Tensor): HuberLossFn => g as HuberLossFn;
/** Per-transition losses from the error, averaged (the usual shape of an answer). */
const perError = (g: (e: tf.Tensor, abs: tf.Tensor) => tf.Tensor) => f((q, y) => { const e = q.sub(y); return tf.mean(g(e, e.abs())); });

test("chapter 4, Huber loss: right answers pass however they are written, leaving no tensor behind", () => {
  const right: [string, HuberLossFn][] = [
    ["the library's", libraryHuberLoss],
    ["minimum and maximum", perError((e, a) => tf.minimum(a, 1).square().mul(0.5).add(tf.maximum(a.sub(1), 0)))],
    ["tf.losses.huberLoss", f((q, y) => tf.losses.huberLoss(y, q, undefined, 1, tf.Reduction.MEAN))],
    ["the error as targets - q, clipped", f((q, y) => { const e = y.sub(q); const c = e.clipByValue(-1, 1); return c.mul(e.sub(c.mul(0.5))).mean(); })],
    ["quadratic + linear parts", perError((_e, a) => { const quad = tf.minimum(a, 1); return quad.square().mul(0.5).add(a.sub(quad)); })],
    ["a sum divided by n", f((q, y) => { const a = q.sub(y).abs(); const m = tf.minimum(a, 1); return m.square().div(2).add(a).sub(m).sum().div(q.size); })],
  ];
  expectRight(checkHuberLoss, right, { tensors: true });
});

test("chapter 4, Huber loss: each wrong answer is refused with a hint naming its slip, leaving no tensor behind", () => {
  const wrong: [string, HuberLossFn, RegExp][] = [
    ["MSE", perError((e) => e.square()), /mean squared error/],
    ["0.5 e^2 everywhere", perError((e) => e.square().mul(0.5)), /0\.5 e\^2 for every error/],
    ["mean absolute error", perError((_e, a) => a), /mean absolute error/],
    ["no 0.5 in the quadratic part", perError((e, a) => tf.where(a.lessEqual(1), e.square(), a.sub(0.5))), /the quadratic part is e\^2/],
    ["|e| in the linear part", perError((e, a) => tf.where(a.lessEqual(1), e.square().mul(0.5), a)), /the linear part is \|e\|/],
    ["twice Huber", perError((e, a) => tf.where(a.lessEqual(1), e.square(), a.mul(2).sub(1))), /twice the Huber loss/],
    ["a sum", f((q, y) => { const e = q.sub(y), a = e.abs(); return tf.where(a.lessEqual(1), e.square().mul(0.5), a.sub(0.5)).sum(); }), /sums over the batch/],
    ["parts swapped", perError((e, a) => tf.where(a.less(1), a.sub(0.5), e.square().mul(0.5))), /the two parts are swapped/],
    ["delta 2", perError((e, a) => tf.where(a.lessEqual(2), e.square().mul(0.5), a.sub(1).mul(2))), /at \|e\| = 2/],
    ["delta 0.5", perError((e, a) => tf.where(a.lessEqual(0.5), e.square().mul(0.5), a.sub(0.25).mul(0.5))), /at \|e\| = 0\.5/],
    ["clipped loss", perError((e) => tf.minimum(e.square().mul(0.5), 0.5)), /stops growing beyond \|e\| = 1/],
    ["clipped error squared", perError((e) => e.clipByValue(-1, 1).square()), /clips the error to \[-1, 1\] and squares it/],
    ["half of it", f((q, y) => libraryHuberLoss(q, y).mul(0.5)), /half the Huber loss/],
    ["minus it", f((q, y) => libraryHuberLoss(q, y).neg()), /sign is flipped/],
    ["tf.where on a comparison", perError((e, a) => tf.where(a.lessEqual(1), e.square().mul(0.5), a.sub(0.5))), /TensorFlow\.js cannot take its gradient: it has none for LessEqual.*tf\.minimum/],
    ["no mean", f((q, y) => { const e = q.sub(y), a = e.abs(); return tf.where(a.lessEqual(1), e.square().mul(0.5), a.sub(0.5)); }), /these are the right per-transition losses: average them/],
    ["via dataSync", f((q, y) => tf.scalar(libraryHuberLoss(q, y).dataSync()[0])), /no gradient flows through it|its gradient is zero/],
    ["a plain number", f((q, y) => libraryHuberLoss(q, y).dataSync()[0] as unknown as tf.Tensor), /returned the plain number/],
    ["a Promise", f((q, y) => libraryHuberLoss(q, y).data() as unknown as tf.Tensor), /returned a Promise/],
    ["a string", f((q, y) => libraryHuberLoss(q, y).toString() as unknown as tf.Tensor), /returned the string/],
    ["disposes its input", f((q, y) => { const l = libraryHuberLoss(q, y); y.dispose(); return l; }), /disposed one of its inputs/],
    ["a throw", f(() => { throw new Error("shapes do not match"); }), /threw: shapes do not match/],
  ];
  expectWrong(checkHuberLoss, wrong, { tensors: true });
});

/**
 * The speed engine (lib/agent/fast-update.ts) against the learning step as
 * written (td-update.ts's gradientStep, `tdUpdate(..., fast = false)`): the same losses and weights. The engine is
 * built to match autodiff's rounding term by term (mlp.ts, tdLossGradient),
 * and measured it does so exactly, so the tolerance is zero: any drift means
 * the engine no longer computes the lesson's step.
 */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { initBackend, tf } from "../lib/tf";
import { buildQNetwork, copyWeights } from "../lib/agent/q-network";
import { batchTensors, tdLoss, tdUpdate, type TdOptions } from "../lib/agent/td-update";
import { fastGradientStep, fastUpdateUnsupported, tdLossGradient } from "../lib/agent/fast-update";
import { makeOptimizer } from "../lib/agent/adam";
import { makeRng } from "../lib/random";
import { randomBatch, weightsOf } from "./random-batch";

before(async () => {
  await initBackend();
});

const close = (a: number, b: number, tol = 1e-5) => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} != ${b}`);

test("the engine's update equals the readable gradientStep, losses and weights, over 60 updates (every loss, clipping, Double DQN, both optimizers)", () => {
  for (const loss of ["mse", "huber"] as const) for (const gradClipNorm of [null, 1]) for (const doubleDqn of [false, true]) for (const flat of [true, false]) {
    const o: TdOptions = { gamma: 0.99, loss, doubleDqn, gradClipNorm };
    const what = `${loss}, clip ${gradClipNorm}, double ${doubleDqn}, ${flat ? "FlatAdam" : "tf.train.adam"}`;
    const make = (seed: number) => buildQNetwork({ hiddenLayers: [32, 32], seed });
    const [a, aTarget, b, bTarget] = [make(1), make(2), make(1), make(2)];
    const optA = flat ? makeOptimizer(1e-3) : tf.train.adam(1e-3), optB = tf.train.adam(1e-3);
    const rng = makeRng(4);
    for (let u = 0; u < 60; u++) {
      const batch = randomBatch(rng, 32);
      const lossA = tdUpdate(batch, a, aTarget, optA, o);
      const lossB = tdUpdate(batch, b, bTarget, optB, o, false);
      assert.equal(lossA, lossB, `${what}: loss at update ${u}`);
      if (u % 20 === 19) {
        copyWeights(a, aTarget);
        copyWeights(b, bTarget);
      }
    }
    assert.deepEqual(weightsOf(a), weightsOf(b), `${what}: weights after 60 updates`);
    [a, aTarget, b, bTarget, optA, optB].forEach((x) => x.dispose());
  }
});

test("the engine steps aside, with a reason, for a network that is not a relu/linear Dense chain", () => {
  const mlp = buildQNetwork({ hiddenLayers: [4], seed: 1 });
  assert.equal(fastUpdateUnsupported(mlp), null);
  const tanh = tf.sequential({ layers: [tf.layers.dense({ units: 4, activation: "tanh", inputShape: [6] }), tf.layers.dense({ units: 3 })] });
  assert.match(fastUpdateUnsupported(tanh) ?? "", /not a chain of relu\/linear Dense layers/);
  const opt = makeOptimizer(1e-3);
  tf.tidy(() => {
    const b = batchTensors(randomBatch(makeRng(1), 8), 3);
    assert.equal(fastGradientStep(b, tf.zeros([8]) as tf.Tensor1D, tanh, opt, { loss: "mse", gradClipNorm: null }, tdLoss), undefined);
  });
  [mlp, tanh, opt].forEach((x) => x.dispose());
});

test("tdLossGradient is tdLoss's gradient: by hand, and bit for bit what autodiff computes", () => {
  tf.tidy(() => {
    // By hand, n = 4: mse 2 (q - y) / n; huber the error clipped to [-1, 1], over n.
    const q = tf.tensor1d([0.5, -3, 2, 1]), y = tf.tensor1d([0, 0, 1.5, 1]);
    assert.deepEqual(Array.from(tdLossGradient(q, y, "mse").dataSync()), [0.25, -1.5, 0.25, 0]);
    const huber = Array.from(tdLossGradient(q, y, "huber").dataSync());
    [0.125, -0.25, 0.125, 0].forEach((v, i) => close(huber[i], v, 1e-7));
    // Against tf.grad on many errors, inside and beyond 1, and exactly 1 and 0.
    const rng = makeRng(9);
    const errs = Float32Array.from({ length: 999 }, () => (rng.float() - 0.5) * 10 ** (3 * rng.float() - 1));
    errs.set([0, 1, -1, 1e-9, -1e-9]);
    const qs = tf.tensor1d(errs.map((e, i) => e + (i % 7) - 3)), ys = tf.tensor1d(errs.map((_, i) => (i % 7) - 3));
    for (const kind of ["mse", "huber"] as const) {
      const autodiff = tf.grad((x: tf.Tensor) => tdLoss(x as tf.Tensor1D, ys, kind))(qs).dataSync();
      assert.deepEqual(tdLossGradient(qs, ys, kind).dataSync(), autodiff, kind);
    }
  });
});

import { test, before } from "node:test";
import assert from "node:assert/strict";
import { initBackend, tf } from "../lib/tf";
import { buildQNetwork, forward, qValues, greedyAction, epsilonGreedyAction, argmax, copyWeights } from "../lib/agent/q-network";
import { makeRng } from "../lib/random";

before(async () => {
  await initBackend();
});

test("the lesson's network: 6 -> 512 -> 512 -> 512 -> 3, PyTorch-style uniform init, reproducible from a seed", () => {
  const a = buildQNetwork({ seed: 3 }), b = buildQNetwork({ seed: 3 }), c = buildQNetwork({ seed: 4 });
  assert.deepEqual(a.getWeights().map((w) => w.shape), [[6, 512], [512], [512, 512], [512], [512, 512], [512], [512, 3], [3]]);
  const s = [0.9, 0.1, -0.3, 0.95, 1.5, -2];
  assert.deepEqual(qValues(a, s), qValues(b, s));
  assert.notDeepEqual(qValues(a, s), qValues(c, s));
  const k = a.getWeights()[2].dataSync() as Float32Array; // fan-in 512: uniform in +-1/sqrt(512)
  const bound = 1 / Math.sqrt(512);
  assert.ok(k.every((v) => Math.abs(v) <= bound));
  assert.ok(k.reduce((a, b) => Math.max(a, b)) > 0.9 * bound && k.reduce((a, b) => Math.min(a, b)) < -0.9 * bound);
  [a, b, c].forEach((m) => m.dispose());
  assert.throws(() => buildQNetwork({ hiddenLayers: [0] }), /whole number of at least 1/);
});

test("the fast forward pass (fused ops) equals tf.layers' own, for one state and for batches", () => {
  for (const hiddenLayers of [[512, 512, 512], [256, 256], [7]]) {
    const m = buildQNetwork({ hiddenLayers, seed: 1 });
    const rng = makeRng(2);
    for (const n of [1, 5, 1000]) {
      const x = tf.tensor2d(Float32Array.from({ length: n * 6 }, () => rng.float() * 6 - 3), [n, 6]);
      const fast = forward(m, x).dataSync() as Float32Array, slow = (m.apply(x) as tf.Tensor).dataSync() as Float32Array;
      const scale = slow.reduce((a, b) => Math.max(a, Math.abs(b)), 0);
      slow.forEach((v, i) => assert.ok(Math.abs(fast[i] - v) <= 1e-5 * scale, `${hiddenLayers} n=${n} at ${i}: ${fast[i]} vs ${v}`));
      x.dispose();
    }
    m.dispose();
  }
});

test("greedy = argmax (first on ties); epsilon-greedy explores with probability epsilon", () => {
  assert.equal(argmax([1, 3, 3]), 1);
  assert.equal(argmax([-5, -7, -6]), 0);
  const m = buildQNetwork({ hiddenLayers: [8], seed: 5 });
  const s = [1, 0, 1, 0, 0, 0];
  const greedy = greedyAction(m, s);
  assert.equal(greedy, argmax(qValues(m, s)));
  const rng = makeRng(1);
  const n = 20_000, eps = 0.3;
  let nonGreedy = 0;
  for (let i = 0; i < n; i++) if (epsilonGreedyAction(m, s, eps, rng) !== greedy) nonGreedy++;
  // A random action differs from the greedy one 2/3 of the time: expect eps * 2/3 = 0.2.
  assert.ok(Math.abs(nonGreedy / n - 0.2) < 0.015, `non-greedy share ${nonGreedy / n}`);
  for (let i = 0; i < 100; i++) assert.equal(epsilonGreedyAction(m, s, 0, rng), greedy);
  m.dispose();
});

test("copyWeights makes the target equal; later updates of the source do not move it", () => {
  const online = buildQNetwork({ hiddenLayers: [8], seed: 1 }), target = buildQNetwork({ hiddenLayers: [8], seed: 2 });
  copyWeights(online, target);
  const s = [0, 1, 0, 1, 0.5, 0.5];
  assert.deepEqual(qValues(target, s), qValues(online, s));
  const frozen = qValues(target, s);
  const moved = online.getWeights().map((w) => tf.add(w, 0.1));
  online.setWeights(moved);
  moved.forEach((t) => t.dispose());
  assert.notDeepEqual(qValues(online, s), frozen);
  assert.deepEqual(qValues(target, s), frozen);
  [online, target].forEach((m) => m.dispose());
});

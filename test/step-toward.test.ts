/** Targets computed outside, one gradient step toward them: exactly tdUpdate's step when the targets are tdTargets'. */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { initBackend, tf } from "../lib/tf";
import { buildQNetwork, copyWeights } from "../lib/agent/q-network";
import { ReplayMemory } from "../lib/agent/replay-memory";
import { tdUpdate } from "../lib/agent/td-update";
import { maxQ, stepToward } from "../lib/agent/step-toward";
import { makeRng } from "../lib/random";

before(async () => {
  await initBackend();
});

test("stepToward with r + gamma * maxQ(s') (r when done) equals tdUpdate bit for bit, gamma = 1 as in the lesson", () => {
  const rng = makeRng(3);
  const memory = new ReplayMemory(64);
  for (let i = 0; i < 64; i++) {
    const s = Array.from({ length: 6 }, () => rng.float() * 2 - 1), s2 = Array.from({ length: 6 }, () => rng.float() * 2 - 1);
    memory.push(s, rng.int(3), -1, s2, rng.float() < 0.2);
  }
  const a = buildQNetwork({ hiddenLayers: [32, 32], seed: 5 }), b = buildQNetwork({ hiddenLayers: [32, 32], seed: 6 });
  copyWeights(a, b);
  const optA = tf.train.adam(0.01), optB = tf.train.adam(0.01);
  let afterFirst = 0;
  for (let step = 0; step < 5; step++) {
    const batch = memory.sample(32, rng);
    const lossA = tdUpdate(batch, a, a, optA, { gamma: 1, loss: "mse", doubleDqn: false, gradClipNorm: null });
    const next = maxQ(b, batch.nextStates);
    const targets = batch.rewards.map((r, i) => (batch.dones[i] === 1 ? r : r + 1 * next[i]));
    const lossB = stepToward(batch, targets, b, optB);
    assert.equal(lossB, lossA, `loss at step ${step}`);
    if (step === 0) afterFirst = tf.memory().numTensors; // Adam makes its moments on the first step
    else assert.equal(tf.memory().numTensors, afterFirst, "no tensor leaks");
  }
  assert.deepEqual(b.getWeights().map((w) => Array.from(w.dataSync())), a.getWeights().map((w) => Array.from(w.dataSync())));
  for (const x of [a, b]) x.dispose();
  optA.dispose();
  optB.dispose();
});

test("bad inputs are refused with what was wrong", () => {
  const net = buildQNetwork({ hiddenLayers: [4], seed: 1 });
  const memory = new ReplayMemory(4);
  memory.push([0, 0, 0, 0, 0, 0], 0, -1, [0, 0, 0, 0, 0, 0], false);
  const opt = tf.train.adam(0.01);
  assert.throws(() => stepToward(memory.all(), [1, 2], net, opt), /2 targets for a batch of 1 transitions/);
  assert.throws(() => stepToward(memory.all(), [NaN], net, opt), /target 0 is NaN; every TD target must be a finite number/);
  assert.throws(() => maxQ(net, new Float32Array(7)), /not a whole number of 6-number states/);
  assert.throws(() => memory.rows([0, 1]), /replay memory row 1 does not exist: the memory holds 1 transitions, rows 0 to 0/);
  assert.deepEqual(Array.from(memory.rows([0, 0]).actions), [0, 0]);
  net.dispose();
  opt.dispose();
});

test("stepToward with a loss function equals the same loss by name, bit for bit (notebook 04's Huber loss); a loss that is not one number is refused", async () => {
  const { libraryHuberLoss } = await import("../lib/exercises/huber-loss");
  const rng = makeRng(9);
  const memory = new ReplayMemory(64);
  for (let i = 0; i < 64; i++) memory.push(Array.from({ length: 6 }, () => rng.float() * 4 - 2), rng.int(3), -1, Array.from({ length: 6 }, () => rng.float() * 4 - 2), false);
  const a = buildQNetwork({ hiddenLayers: [16], seed: 5 }), b = buildQNetwork({ hiddenLayers: [16], seed: 5 });
  const optA = tf.train.adam(0.01), optB = tf.train.adam(0.01);
  for (let step = 0; step < 4; step++) {
    const batch = memory.sample(32, rng);
    const targets = batch.rewards.map((r, i) => r + 3 * Math.sin(i)); // errors on both sides of 1
    const byName = stepToward(batch, targets, a, optA, { loss: "huber", gradClipNorm: 10 });
    const byFunction = stepToward(batch, targets, b, optB, { loss: libraryHuberLoss, gradClipNorm: 10 });
    assert.equal(byFunction, byName, `loss at step ${step}`);
  }
  assert.deepEqual(b.getWeights().map((w) => Array.from(w.dataSync())), a.getWeights().map((w) => Array.from(w.dataSync())));
  const batch = memory.sample(8, rng);
  assert.throws(() => stepToward(batch, batch.rewards, a, optA, { loss: (q, y) => tf.abs(tf.sub(q, y)) as unknown as tf.Scalar }), /the loss function must return one number as a tensor .*a tensor of shape \[8\]/);
  for (const x of [a, b]) x.dispose();
  optA.dispose();
  optB.dispose();
});

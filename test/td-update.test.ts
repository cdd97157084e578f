/**
 * The learning math: the batched TD update against hand-computed values and
 * against the lesson's own per-sample loop.
 */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { initBackend, tf } from "../lib/tf";
import { buildQNetwork, qValues } from "../lib/agent/q-network";
import { tdTargets, tdLoss, chosenQ, batchTensors, tdUpdate, clipByGlobalNorm } from "../lib/agent/td-update";
import { emptyBatch, type Batch } from "../lib/agent/replay-memory";
import { makeRng } from "../lib/random";

before(async () => {
  await initBackend();
});

/** A 6 -> 3 -> 3 network computing Q(s) = relu(s[i0], s[i1], s[i2]): values you can work out on paper. */
function pickNetwork(order: [number, number, number]): tf.LayersModel {
  const m = buildQNetwork({ hiddenLayers: [3], seed: 1 });
  const k1 = new Float32Array(18);
  order.forEach((input, unit) => (k1[input * 3 + unit] = 1));
  const eye = new Float32Array([1, 0, 0, 0, 1, 0, 0, 0, 1]);
  m.setWeights([tf.tensor2d(k1, [6, 3]), tf.zeros([3]), tf.tensor2d(eye, [3, 3]), tf.zeros([3])]);
  return m;
}

function makeBatch(rows: { s: number[]; a: number; r: number; s2: number[]; done: boolean }[]): Batch {
  const b = emptyBatch(rows.length, 6);
  rows.forEach((row, i) => {
    b.states.set([...row.s, 0, 0, 0], i * 6);
    b.nextStates.set([...row.s2, 0, 0, 0], i * 6);
    b.actions[i] = row.a;
    b.rewards[i] = row.r;
    b.dones[i] = row.done ? 1 : 0;
  });
  return b;
}

const handBatch = () =>
  makeBatch([
    { s: [1, 2, 3], a: 1, r: -1, s2: [4, 5, 6], done: false },
    { s: [0.5, 0.1, 0.2], a: 0, r: 0, s2: [9, 9, 9], done: true },
  ]);

function lossOf(batch: Batch, online: tf.LayersModel, target: tf.LayersModel, o: { gamma: number; doubleDqn: boolean; loss: "mse" | "huber" }) {
  return tf.tidy(() => {
    const b = batchTensors(batch, 3);
    const y = tdTargets(b, online, target, o);
    const q = chosenQ(online.apply(b.states) as tf.Tensor2D, b.actions);
    return { y: Array.from(y.dataSync()), q: Array.from(q.dataSync()), loss: tdLoss(q, y, o.loss).dataSync()[0] };
  });
}

const close = (a: number, b: number, tol = 1e-5) => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} != ${b}`);

test("TD targets and MSE loss by hand: y = r + gamma max Q(s'), y = r when done", () => {
  const net = pickNetwork([0, 1, 2]);
  const { y, q, loss } = lossOf(handBatch(), net, net, { gamma: 0.9, doubleDqn: false, loss: "mse" });
  // Row 1: Q(s, 1) = 2, y = -1 + 0.9 * max(4, 5, 6) = 4.4. Row 2 is terminal: Q(s, 0) = 0.5, y = 0.
  close(q[0], 2); close(y[0], 4.4);
  close(q[1], 0.5); close(y[1], 0);
  close(loss, ((2 - 4.4) ** 2 + 0.5 ** 2) / 2); // 3.005
});

test("Huber loss by hand: quadratic within 1, linear beyond", () => {
  const net = pickNetwork([0, 1, 2]);
  const { loss } = lossOf(handBatch(), net, net, { gamma: 0.9, doubleDqn: false, loss: "huber" });
  close(loss, ((2.4 - 0.5) + 0.5 * 0.5 ** 2) / 2); // 1.0125
});

test("a separate target network supplies max Q(s'); Double DQN lets the online network choose a'", () => {
  const online = pickNetwork([0, 1, 2]); // Q(s') = (4, 5, 6): online prefers action 2
  const target = pickNetwork([2, 1, 0]); // Q_target(s') = (6, 5, 4)
  const plain = lossOf(handBatch(), online, target, { gamma: 0.9, doubleDqn: false, loss: "mse" });
  close(plain.y[0], -1 + 0.9 * 6); // max over the target's values
  const dbl = lossOf(handBatch(), online, target, { gamma: 0.9, doubleDqn: true, loss: "mse" });
  close(dbl.y[0], -1 + 0.9 * 4); // Q_target(s', argmax_a Q_online(s', a) = 2) = 4
  close(dbl.y[1], 0);
});

test("the batched loss equals the lesson's per-sample loop on the same weights (1000 transitions)", () => {
  const online = buildQNetwork({ hiddenLayers: [32, 32], seed: 5 });
  const target = buildQNetwork({ hiddenLayers: [32, 32], seed: 6 });
  const rng = makeRng(3);
  const n = 1000;
  const b = emptyBatch(n, 6);
  for (let i = 0; i < n * 6; i++) {
    b.states[i] = rng.float() * 4 - 2;
    b.nextStates[i] = rng.float() * 4 - 2;
  }
  for (let i = 0; i < n; i++) {
    b.actions[i] = rng.int(3);
    b.rewards[i] = rng.float() < 0.5 ? -1 : 0;
    b.dones[i] = rng.float() < 0.2 ? 1 : 0;
  }
  for (const [net, gamma] of [[online, 1], [target, 0.99]] as const) {
    // The lesson's finish_episode(): one transition at a time, target as a plain number.
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const s = b.states.subarray(i * 6, i * 6 + 6), s2 = b.nextStates.subarray(i * 6, i * 6 + 6);
      const q = qValues(online, s)[b.actions[i]];
      const y = b.dones[i] === 1 ? b.rewards[i] : b.rewards[i] + gamma * Math.max(...qValues(net, s2));
      sum += (q - y) ** 2;
    }
    const batched = lossOf(b, online, net, { gamma, doubleDqn: false, loss: "mse" }).loss;
    close(batched, sum / n, 1e-5);
  }
  online.dispose();
  target.dispose();
});

test("tdUpdate: returns the loss before the step, moves only the online network, no gradient through the target", () => {
  const online = buildQNetwork({ hiddenLayers: [16], seed: 7 });
  const target = buildQNetwork({ hiddenLayers: [16], seed: 8 });
  const optimizer = tf.train.adam(0.01);
  const batch = handBatch();
  const o = { gamma: 0.9, doubleDqn: false, loss: "mse" as const, gradClipNorm: null };
  const expected = lossOf(batch, online, target, o).loss;
  const targetBefore = target.getWeights().map((w) => Array.from(w.dataSync()));
  const onlineBefore = online.getWeights().map((w) => Array.from(w.dataSync()));
  const before = tf.memory().numTensors;
  const loss = tdUpdate(batch, online, target, optimizer, o);
  close(loss, expected);
  assert.deepEqual(target.getWeights().map((w) => Array.from(w.dataSync())), targetBefore);
  assert.notDeepEqual(online.getWeights().map((w) => Array.from(w.dataSync())), onlineBefore);
  // Repeated updates: loss falls on a fixed batch, and no tensors pile up (Adam's slots were made by the first step).
  const after1 = tf.memory().numTensors;
  let last = loss;
  for (let i = 0; i < 50; i++) last = tdUpdate(batch, online, target, optimizer, o);
  assert.ok(last < loss / 10, `loss ${loss} -> ${last}`);
  assert.equal(tf.memory().numTensors, after1);
  assert.ok(after1 - before <= online.getWeights().length * 2, "only Adam's moment slots are new");
  optimizer.dispose();
  online.dispose();
  target.dispose();
});

test("gradient clipping by global norm, by hand", () => {
  tf.tidy(() => {
    const out = clipByGlobalNorm({ a: tf.tensor1d([3, 0]), b: tf.tensor1d([0, 4]) }, 1); // norm 5
    close(out.a.dataSync()[0], 0.6, 1e-5);
    close(out.b.dataSync()[1], 0.8, 1e-5);
    const kept = clipByGlobalNorm({ a: tf.tensor1d([0.3, 0.4]) }, 1); // norm 0.5: unchanged
    close(kept.a.dataSync()[1], 0.4, 1e-5);
  });
});

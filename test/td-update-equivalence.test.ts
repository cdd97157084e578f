/**
 * The TD update after the kernel-count work against the reference copy of the
 * one before it (test/reference/td-update-reference.ts): the same losses and
 * weights over 100 updates, in at most half the kernels, with no tensor leaks.
 */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { initBackend, tf } from "../lib/tf";
import { buildQNetwork, copyWeights } from "../lib/agent/q-network";
import type { Batch } from "../lib/agent/replay-memory";
import { tdUpdate, type TdOptions } from "../lib/agent/td-update";
import { makeOptimizer } from "../lib/agent/adam";
import { makeRng } from "../lib/random";
import { referenceTdUpdate } from "./reference/td-update-reference";
import { randomBatch } from "./random-batch";

before(async () => {
  await initBackend("wasm");
});

/** Largest |a - b| over a tensor, relative to the reference tensor's largest |b|. */
function relativeDifference(a: Float32Array, b: Float32Array): number {
  let diff = 0, scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / Math.max(scale, 1e-30);
}

interface Pair {
  online: tf.LayersModel;
  target: tf.LayersModel;
  optimizer: tf.Optimizer;
}

/** A network (and target network, unless `shareTarget`) built from one seed, so two pairs start equal. */
function makePair(hidden: number[], shareTarget: boolean, optimizer: tf.Optimizer, build = (seed: number) => buildQNetwork({ hiddenLayers: hidden, seed })): Pair {
  const online = build(11);
  const target = shareTarget ? online : build(12);
  return { online, target, optimizer };
}

function disposePair(p: Pair): void {
  new Set([p.online, p.target]).forEach((m) => m.dispose());
  p.optimizer.dispose();
}

/** Runs `updates` updates on both pairs with the same batches (target synced every 25); the worst relative differences seen. */
function compare(ours: Pair, ref: Pair, o: TdOptions, updates: number, update = tdUpdate) {
  const rng = makeRng(7);
  let loss = 0, tensorsAfterFirst = -1;
  for (let u = 0; u < updates; u++) {
    const batch = randomBatch(rng, 32);
    const a = update(batch, ours.online, ours.target, ours.optimizer, o);
    const b = referenceTdUpdate(batch, ref.online, ref.target, ref.optimizer, o);
    assert.ok(Number.isFinite(a) && Number.isFinite(b), `update ${u}: losses ${a}, ${b}`);
    loss = Math.max(loss, Math.abs(a - b) / Math.abs(b));
    if (ours.target !== ours.online && u % 25 === 24) {
      copyWeights(ours.online, ours.target);
      copyWeights(ref.online, ref.target);
    }
    if (u === 0) tensorsAfterFirst = tf.memory().numTensors; // Adam's moments exist from here on
  }
  const leaked = tf.memory().numTensors - tensorsAfterFirst;
  const theirs = ref.online.getWeights();
  const weights = Math.max(...ours.online.getWeights().map((w, i) => relativeDifference(w.dataSync() as Float32Array, theirs[i].dataSync() as Float32Array)));
  return { loss, weights, leaked };
}

const LOSSES = ["mse", "huber"] as const;
const CLIPS = [null, 1] as const; // a small norm so that clipping really happens
const cases: { o: TdOptions; shareTarget: boolean }[] = [];
for (const loss of LOSSES) for (const gradClipNorm of CLIPS) for (const doubleDqn of [false, true]) for (const shareTarget of [false, true]) {
  cases.push({ o: { gamma: 0.99, loss, doubleDqn, gradClipNorm }, shareTarget });
}
const label = (c: (typeof cases)[number]) =>
  `${c.o.loss}, ${c.o.gradClipNorm === null ? "no clipping" : `clip ${c.o.gradClipNorm}`}, ${c.o.doubleDqn ? "double" : "single"} DQN, ${c.shareTarget ? "target === online" : "target network"}`;

test("tdUpdate with makeOptimizer matches the reference update over 100 updates (losses and weights within 1e-6), no leaks", () => {
  for (const c of cases) {
    const ours = makePair([48, 48], c.shareTarget, makeOptimizer(1e-3));
    const ref = makePair([48, 48], c.shareTarget, tf.train.adam(1e-3));
    const r = compare(ours, ref, c.o, 100);
    assert.ok(r.loss <= 1e-6, `${label(c)}: losses differ by ${r.loss} (relative)`);
    assert.ok(r.weights <= 1e-6, `${label(c)}: weights differ by ${r.weights} (relative)`);
    assert.equal(r.leaked, 0, `${label(c)}: ${r.leaked} tensors leaked over the updates`);
    disposePair(ours);
    disposePair(ref);
  }
});

test("tdUpdate still takes any tf.Optimizer (tf.train.adam) and any model (autodiff fallback), with the reference's results", () => {
  const o: TdOptions = { gamma: 0.99, loss: "huber", doubleDqn: true, gradClipNorm: 1 };
  // A plain tf.train.adam, as notebook 03 passes it.
  let ours = makePair([32], false, tf.train.adam(1e-3));
  let ref = makePair([32], false, tf.train.adam(1e-3));
  let r = compare(ours, ref, o, 30);
  assert.ok(r.loss <= 1e-6 && r.weights <= 1e-6 && r.leaked === 0, JSON.stringify(r));
  disposePair(ours);
  disposePair(ref);
  // A model that is not a chain of relu/linear Dense layers (tanh): tf.layers' forward pass and autodiff.
  const tanhNet = (seed: number) => {
    const m = tf.sequential();
    m.add(tf.layers.dense({ units: 16, activation: "tanh", inputShape: [6], kernelInitializer: tf.initializers.glorotUniform({ seed }) }));
    m.add(tf.layers.dense({ units: 3, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }));
    return m;
  };
  ours = makePair([], false, makeOptimizer(1e-3), tanhNet);
  ref = makePair([], false, tf.train.adam(1e-3), tanhNet);
  r = compare(ours, ref, o, 30);
  assert.ok(r.loss <= 1e-6 && r.weights <= 1e-6 && r.leaked === 0, JSON.stringify(r));
  disposePair(ours);
  disposePair(ref);
});

async function kernelsPerUpdate(update: typeof tdUpdate, pair: Pair, o: TdOptions, batch: Batch): Promise<number> {
  update(batch, pair.online, pair.target, pair.optimizer, o); // first update makes Adam's moments
  const profile = await tf.profile(() => {
    update(batch, pair.online, pair.target, pair.optimizer, o);
  });
  return profile.kernels.length;
}

test("kernels per update: at most half the reference's (6-256-256-3, batch 128; and the lesson's 6-512x3-3 with Double DQN)", async () => {
  const settings: { hidden: number[]; batch: number; o: TdOptions }[] = [
    { hidden: [256, 256], batch: 128, o: { gamma: 0.99, loss: "huber", doubleDqn: false, gradClipNorm: 10 } },
    { hidden: [256, 256], batch: 128, o: { gamma: 0.99, loss: "mse", doubleDqn: false, gradClipNorm: null } },
    { hidden: [512, 512, 512], batch: 64, o: { gamma: 0.99, loss: "huber", doubleDqn: true, gradClipNorm: 10 } },
  ];
  for (const s of settings) {
    const batch = randomBatch(makeRng(1), s.batch);
    const ours = makePair(s.hidden, false, makeOptimizer(1e-3));
    const ref = makePair(s.hidden, false, tf.train.adam(1e-3));
    const n = await kernelsPerUpdate(tdUpdate, ours, s.o, batch);
    const nRef = await kernelsPerUpdate(referenceTdUpdate, ref, s.o, batch);
    assert.ok(n * 2 <= nRef, `${s.hidden.join("-")}, ${s.o.loss}: ${n} kernels per update against the reference's ${nRef}`);
    disposePair(ours);
    disposePair(ref);
  }
});

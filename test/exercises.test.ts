/** The chapters' exercise checks: the right answer passes, each usual slip gets its own hint, nothing throws. */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { initBackend, tf } from "../lib/tf";
import { checkTdTarget, libraryTdTarget, type TdTargetFn } from "../lib/exercises/td-target";
import { checkSampleIndices, librarySampleIndices, type SampleIndicesFn } from "../lib/exercises/replay-sample";
import { checkTargetNetwork, libraryTargetValues, librarySyncAfter } from "../lib/exercises/target-network";
import { maxQ } from "../lib/agent/step-toward";

before(async () => {
  await initBackend();
});

test("chapter 1, the TD target: the formula passes; each slip is named", () => {
  assert.equal(checkTdTarget(libraryTdTarget).ok, true);
  const slips: [TdTargetFn, RegExp][] = [
    [(r, _d, q, g) => r + g * q, /it always bootstraps/],
    [(r) => r, /it never bootstraps/],
    [(r, d, q, g) => (d ? r + g * q : r), /done and not done are swapped/],
    [(r, d, q) => (d ? r : r + q), /gamma is missing/],
    [(r, d, q, g) => (d ? r : g * q), /the reward is missing/],
    [(r, d, q, g) => (d ? 0 : r + g * q), /for a terminal transition the target is r, not 0/],
    [(r, d, q, g) => (d ? r : r + g * q * 2), /Non-terminal transitions are right|Terminal transitions are right/],
  ];
  for (const [fn, hint] of slips) {
    const c = checkTdTarget(fn);
    assert.equal(c.ok, false);
    assert.match(c.message, /^Not yet: /);
    assert.match(c.message, hint);
  }
  assert.match(checkTdTarget(() => { throw new Error("boom"); }).message, /your tdTarget threw: boom/);
  assert.match(checkTdTarget((() => NaN) as TdTargetFn).message, /must return a finite number/);
  assert.match(checkTdTarget(42 as unknown as TdTargetFn).message, /must be a function/);
});

test("chapter 2, drawing a batch: uniform with replacement from the filled rows passes; each slip is named", () => {
  assert.equal(checkSampleIndices(librarySampleIndices).ok, true);
  const slips: [SampleIndicesFn, RegExp][] = [
    [(m, n, rng) => Array.from({ length: n }, () => rng.int(m.capacity)), /not memory\.capacity/],
    [(m, n, rng) => Array.from({ length: n }, () => rng.int(m.size - 1)), /the last filled row is never drawn/],
    [(m, n) => Array.from({ length: Math.min(n, m.size) }, (_, i) => i), /draw with replacement, batchSize times/],
    [(m, n, rng) => { const all = Array.from({ length: m.size }, (_, i) => i); for (let i = all.length - 1; i > 0; i--) { const j = rng.int(i + 1); [all[i], all[j]] = [all[j], all[i]]; } return all.length >= n ? all.slice(0, n) : Array.from({ length: n }, () => rng.int(m.size)); }, /without replacement/],
    [(m, n) => Array.from({ length: n }, () => Math.floor(Math.random() * m.size)), /the same seed gave different batches/],
    [(m, n, rng) => Array.from({ length: n }, () => (rng.float() < 0.5 ? 0 : rng.int(m.size))), /equally likely/],
  ];
  for (const [fn, hint] of slips) {
    const c = checkSampleIndices(fn);
    assert.equal(c.ok, false, hint.source);
    assert.match(c.message, hint);
  }
});

test("chapter 3, the target network: baseModel and every 50th episode pass; each slip is named, and no tensor is left behind", () => {
  const before = tf.memory().numTensors;
  assert.equal(checkTargetNetwork(libraryTargetValues, librarySyncAfter).ok, true);
  const fromModel = (m: tf.LayersModel, _b: tf.LayersModel, s: Float32Array) => maxQ(m, s);
  assert.match(checkTargetNetwork(fromModel, librarySyncAfter).message, /values of the network being trained \(model\)/);
  assert.match(checkTargetNetwork(libraryTargetValues, () => false).message, /it never syncs/);
  assert.match(checkTargetNetwork(libraryTargetValues, () => true).message, /after every episode: then baseModel is always model again/);
  assert.match(checkTargetNetwork(libraryTargetValues, (e) => e % 50 === 1).message, /off by one/);
  assert.match(checkTargetNetwork(libraryTargetValues, (e) => e % 10 === 0).message, /every 50 episodes/);
  assert.equal(tf.memory().numTensors, before);
});

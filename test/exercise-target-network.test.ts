/**
 * Chapter 3's check, the target network: max_a' Q(s', a') from baseModel and a sync after every 50th
 * episode pass however they are written; each wrong targetValues or syncAfter is refused with a hint
 * naming what it does; no tensor is left behind, whatever the answer does.
 */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { initBackend, tf } from "../lib/tf";
import { checkTargetNetwork, libraryTargetValues, librarySyncAfter, type SyncAfterFn, type TargetValuesFn } from "../lib/exercises/target-network";
import { maxQ } from "../lib/agent/step-toward";
import { copyWeights } from "../lib/agent/q-network";

before(async () => {
  await initBackend();
});

/** Q values of a batch as a [n, 3] tensor (inside the check's tidy). */
const q = (net: tf.LayersModel, s: Float32Array) => net.predict(tf.tensor2d(s, [s.length / 6, 6])) as tf.Tensor2D;
const reduce = (net: tf.LayersModel, s: Float32Array, f: (t: tf.Tensor2D) => tf.Tensor) => f(q(net, s)).dataSync() as Float32Array;

test("chapter 3, the target network: correct answers pass however they are written, leaving no tensor behind", () => {
  const rightValues: [string, TargetValuesFn][] = [
    ["the library's", libraryTargetValues],
    ["predict, then max over axis 1", (_m, b, s) => reduce(b, s, (t) => t.max(1))],
    ["tf.tidy and argMax + gather by hand", (_m, b, s) => tf.tidy(() => { const t = q(b, s); const v = t.arraySync(); return Float32Array.from(v.map((r) => Math.max(...r))); })],
    ["row by row with qValues", (_m, b, s) => Array.from({ length: s.length / 6 }, (_, i) => Math.max(...Array.from((b.predict(tf.tensor2d(s.slice(i * 6, i * 6 + 6), [1, 6])) as tf.Tensor).dataSync())))],
    ["a plain array from maxQ", (_m, b, s) => Array.from(maxQ(b, s))],
  ];
  const rightSync: [string, SyncAfterFn][] = [
    ["the library's", librarySyncAfter],
    ["=== 0 with the remainder in a variable", (e) => { const r = e % 50; return r === 0; }],
    ["Number.isInteger(e / 50)", (e) => Number.isInteger(e / 50)],
    ["e > 0 && e % 50 == 0", (e) => e > 0 && e % 50 == 0],
    ["!(e % 50)", (e) => !(e % 50)],
  ];
  const tensors = tf.memory().numTensors;
  for (let i = 0; i < Math.max(rightValues.length, rightSync.length); i++) {
    const [vName, v] = rightValues[i % rightValues.length], [sName, s] = rightSync[i % rightSync.length];
    const c = checkTargetNetwork(v, s);
    assert.equal(c.ok, true, `${vName} + ${sName}: ${c.message}`);
    assert.match(c.message, /^Correct: /);
  }
  assert.equal(tf.memory().numTensors, tensors);
});

test("chapter 3, targetValues: each wrong answer is refused and its hint names the network, the reduction or the slip", () => {
  const wrong: [string, TargetValuesFn, RegExp][] = [
    ["model (the starter)", (m, _b, s) => maxQ(m, s), /values of the network being trained \(model\)/],
    ["model, via predict", (m, _b, s) => reduce(m, s, (t) => t.max(1)), /values of the network being trained \(model\)/],
    ["the mean over actions", (_m, b, s) => reduce(b, s, (t) => t.mean(1)), /mean over the 3 actions/],
    ["the sum over actions", (_m, b, s) => reduce(b, s, (t) => t.sum(1)), /adds up the 3 actions' values/],
    ["the min over actions", (_m, b, s) => reduce(b, s, (t) => t.min(1)), /min over the actions/],
    ["argmax", (_m, b, s) => reduce(b, s, (t) => t.argMax(1)), /which action is best \(0, 1 or 2\), not its value/],
    ["the first action", (_m, b, s) => reduce(b, s, (t) => t.slice([0, 0], [-1, 1]).reshape([-1])), /first action's value \(column 0\)/],
    ["model and the mean", (m, _b, s) => reduce(m, s, (t) => t.mean(1)), /network being trained \(model\).*Also, it takes the mean/],
    ["all Q values", (_m, b, s) => reduce(b, s, (t) => t), /baseModel's Q values of all 3 actions/],
    ["all of model's Q values", (m, _b, s) => reduce(m, s, (t) => t), /model's Q values of all 3 actions/],
    ["one number for the batch", (_m, b, s) => [Math.max(...maxQ(b, s))], /returns 1 number for 5 next states/],
    ["Double DQN", (m, b, s) => { const a = Array.from(reduce(m, s, (t) => t.argMax(1))); const qb = reduce(b, s, (t) => t); return a.map((k, i) => qb[i * 3 + k]); }, /Double DQN's target/],
    ["max over both networks", (m, b, s) => { const x = maxQ(m, s), y = maxQ(b, s); return Array.from(x, (v, i) => Math.max(v, y[i])); }, /max over both networks/],
    ["syncs inside", (m, b, s) => { copyWeights(m, b); return maxQ(b, s); }, /changed baseModel's weights/],
    ["changes nextStates", (_m, b, s) => { const v = maxQ(b, s); s.fill(0); return v; }, /changed its input nextStates/],
    ["a tensor", ((_m: tf.LayersModel, b: tf.LayersModel, s: Float32Array) => q(b, s).max(1)) as unknown as TargetValuesFn, /returned a tensor \(shape \[5\]\)/],
    ["async", (async (_m: tf.LayersModel, b: tf.LayersModel, s: Float32Array) => maxQ(b, s)) as unknown as TargetValuesFn, /returned a Promise: the function is async/],
    ["NaN values", (_m, _b, s) => new Float32Array(s.length / 6).fill(NaN), /gave NaN for next state 0/],
    ["undefined", (() => undefined) as unknown as TargetValuesFn, /returned undefined/],
    ["negated", (_m, b, s) => maxQ(b, s).map((v) => -v), /matches neither network's max, mean or sum/],
    ["assumes 5 rows", (_m, b, s) => maxQ(b, s.length === 30 ? s : new Float32Array(30)).slice(0, s.length / 6), /for 1 next state|for 64 next states/],
  ];
  assert.ok(wrong.length >= 15);
  const tensors = tf.memory().numTensors;
  for (const [name, fn, hint] of wrong) {
    const c = checkTargetNetwork(fn, librarySyncAfter);
    assert.equal(c.ok, false, `${name} passed`);
    assert.match(c.message, /^Not yet: /, name);
    assert.match(c.message, hint, `${name}: ${c.message}`);
    assert.doesNotMatch(c.message, /Not yet: syncAfter/, `${name}: the right syncAfter is not blamed`);
  }
  assert.equal(tf.memory().numTensors, tensors, "the check frees whatever tensors the answers make");
  assert.match(checkTargetNetwork(() => { throw new Error("boom"); }, librarySyncAfter).message, /your targetValues threw: boom/);
});

test("chapter 3, syncAfter: each wrong schedule is refused and its hint says what the schedule is", () => {
  const counter = () => { let n = 0; return (() => ++n % 50 === 0) as SyncAfterFn; };
  const wrong: [string, SyncAfterFn, RegExp][] = [
    ["never (the starter)", () => false, /it never syncs/],
    ["always", () => true, /after every episode: then baseModel is always model again/],
    ["% 50 === 1", (e) => e % 50 === 1, /off by one: the lesson syncs after episodes 50, 100, 150.*this one syncs after episodes 1, 51/],
    ["(e - 1) % 50 === 0", (e) => (e - 1) % 50 === 0, /off by one: the lesson syncs after episodes 50, 100, 150.*this one syncs after episodes 1, 51/],
    ["(e + 1) % 50 === 0, counting from 0", (e) => (e + 1) % 50 === 0, /off by one: the lesson syncs after episodes 50, 100, 150.*this one syncs after episodes 49, 99.*counting episodes from 0/],
    ["% 51", (e) => e % 51 === 0, /every 51 episodes.*every 50 episodes/],
    ["% 49", (e) => e % 49 === 0, /every 49 episodes/],
    ["% 25", (e) => e % 25 === 0, /every 25 episodes/],
    ["% 10", (e) => e % 10 === 0, /every 10 episodes/],
    ["% 100", (e) => e % 100 === 0, /every 100 episodes/],
    ["% 500", (e) => e % 500 === 0, /every 500 episodes/],
    ["skips 50", (e) => e % 50 === 0 && e > 50, /starts late: the first sync is after episode 100/],
    ["% 50 === 25", (e) => e % 50 === 25, /the period is right but it syncs after episodes 25, 75/],
    ["only once", (e) => e === 50, /only once, after episode 50/],
    ["from 50 on", (e) => e >= 50, /from episode 50 on it syncs after every episode/],
    ["stops after 1000", (e) => e % 50 === 0 && e <= 1000, /misses some of the lesson's syncs \(after 1050/],
    ["also after 1", (e) => e % 50 === 0 || e === 1, /also syncs after episodes 1/],
    ["a counter", counter(), /answered .* the first time and .* the second.*counter/],
    ["returns the remainder", ((e: number) => e % 50) as unknown as SyncAfterFn, /returned the number 1.*return true or false/],
    ["returns a string", ((e: number) => (e % 50 === 0 ? "yes" : "")) as unknown as SyncAfterFn, /returned the string ""/],
    ["async", (async (e: number) => e % 50 === 0) as unknown as SyncAfterFn, /returned a Promise/],
    ["undefined", (() => undefined) as unknown as SyncAfterFn, /returned undefined/],
  ];
  assert.ok(wrong.length >= 15);
  for (const [name, fn, hint] of wrong) {
    const c = checkTargetNetwork(libraryTargetValues, fn);
    assert.equal(c.ok, false, `${name} passed`);
    assert.match(c.message, /^Not yet: syncAfter/, name);
    assert.match(c.message, hint, `${name}: ${c.message}`);
  }
});

test("chapter 3: both wrong, both named; not functions, said so", () => {
  const c = checkTargetNetwork((m, _b, s) => maxQ(m, s), () => false);
  assert.equal(c.ok, false);
  assert.match(c.message, /network being trained \(model\).* Also: Not yet: syncAfter .*it never syncs/);
  assert.match(checkTargetNetwork(1 as unknown as TargetValuesFn, librarySyncAfter).message, /must be a function/);
});

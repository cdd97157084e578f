import { test } from "node:test";
import assert from "node:assert/strict";
import { ReplayMemory } from "../lib/agent/replay-memory";
import { makeRng } from "../lib/random";

/** Transition number k: every field encodes k so rows can be checked for consistency. */
function pushNumbered(m: ReplayMemory, k: number): void {
  m.push([k, k, k, k, k, k], k % 3, -k, [k + 0.5, k + 0.5, k + 0.5, k + 0.5, k + 0.5, k + 0.5], k % 2 === 0);
}

test("stores up to capacity, then overwrites the oldest first", () => {
  const m = new ReplayMemory(5);
  for (let k = 0; k < 3; k++) pushNumbered(m, k);
  assert.equal(m.size, 3);
  assert.deepEqual(Array.from(m.all().rewards), [-0, -1, -2]);
  for (let k = 3; k < 12; k++) pushNumbered(m, k);
  assert.equal(m.size, 5);
  const all = m.all();
  assert.deepEqual(Array.from(all.rewards), [-7, -8, -9, -10, -11]);
  assert.deepEqual(Array.from(all.actions), [7, 8, 9, 10, 11].map((k) => k % 3));
  assert.deepEqual(Array.from(all.dones), [7, 8, 9, 10, 11].map((k) => (k % 2 === 0 ? 1 : 0)));
  assert.deepEqual(Array.from(all.states.subarray(6, 12)), [8, 8, 8, 8, 8, 8]);
  assert.deepEqual(Array.from(all.nextStates.subarray(24, 30)), Array(6).fill(11.5));
  m.clear();
  assert.equal(m.size, 0);
  assert.throws(() => m.sample(1, makeRng(0)), /empty/);
});

test("samples only stored transitions, each row intact", () => {
  const m = new ReplayMemory(100);
  for (let k = 1000; k < 1250; k++) pushNumbered(m, k); // wrapped 2.5 times: 1150..1249 remain
  const b = m.sample(5000, makeRng(1));
  for (let j = 0; j < b.size; j++) {
    const k = -b.rewards[j];
    assert.ok(k >= 1150 && k <= 1249, `sampled ${k}, which was overwritten`);
    assert.equal(b.states[j * 6 + 3], k);
    assert.equal(b.nextStates[j * 6 + 5], k + 0.5);
    assert.equal(b.actions[j], k % 3);
    assert.equal(b.dones[j], k % 2 === 0 ? 1 : 0);
  }
});

test("sampling is uniform over the stored transitions (chi-square, fixed seed)", () => {
  const n = 50, draws = 100_000;
  const m = new ReplayMemory(n);
  for (let k = 0; k < n + 17; k++) pushNumbered(m, k); // wrapped, so slot order != age order
  const counts = new Array(n + 17).fill(0);
  const b = m.sample(draws, makeRng(12345));
  for (let j = 0; j < draws; j++) counts[-b.rewards[j]]++;
  const stored = counts.slice(17);
  assert.ok(counts.slice(0, 17).every((c) => c === 0));
  const expected = draws / n;
  const chi2 = stored.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
  // 49 degrees of freedom: the 99.9% quantile is about 85.4.
  assert.ok(chi2 < 85.4, `chi-square ${chi2.toFixed(1)} says the sampling is not uniform`);
});

test("the same seed draws the same batch", () => {
  const m = new ReplayMemory(1000);
  for (let k = 0; k < 1000; k++) pushNumbered(m, k);
  assert.deepEqual(m.sample(64, makeRng(9)).rewards, m.sample(64, makeRng(9)).rewards);
  assert.notDeepEqual(m.sample(64, makeRng(9)).rewards, m.sample(64, makeRng(10)).rewards);
});

test("bad capacity is refused", () => {
  assert.throws(() => new ReplayMemory(0), /from 1 to/);
  assert.throws(() => new ReplayMemory(2.5), /whole number/);
});

test("issue 17 §6: bad input is refused where it enters, with what is allowed, and a refused push stores nothing", () => {
  for (const [cap, size, actions, re] of [
    [NaN, 6, 3, /capacity must be a whole number from 1 to/], [0, 6, 3, /capacity/], [-5, 6, 3, /capacity/], [2.5, 6, 3, /capacity/], [1e12, 6, 3, /capacity/],
    [10, NaN, 3, /stateSize must be a whole number from 1 to 4096, got NaN/], [10, 0, 3, /stateSize/], [10, 1.5, 3, /stateSize/],
    [10, 6, 0, /actions \(how many there are\) must be a whole number/], [10, 6, NaN, /actions/],
  ] as const) {
    assert.throws(() => new ReplayMemory(cap, size, actions), re, `new ReplayMemory(${cap}, ${size}, ${actions})`);
  }
  const m = new ReplayMemory(2);
  const s = [1, 2, 3, 4, 5, 6];
  m.push(s, 0, -1, s, false);
  m.push(s, 1, -2, s, true); // full: the next push overwrites slot 0
  const bad: [string, () => void, RegExp][] = [
    ["action 7", () => m.push(s, 7, -1, s, false), /action must be a whole number from 0 to 2, got 7/],
    ["action 1.5", () => m.push(s, 1.5, -1, s, false), /action must be a whole number from 0 to 2, got 1\.5/],
    ["action -1", () => m.push(s, -1, -1, s, false), /got -1/],
    ["action NaN", () => m.push(s, NaN, -1, s, false), /got NaN/],
    ["reward NaN", () => m.push(s, 0, NaN, s, false), /reward must be a finite number, got NaN/],
    ["reward Infinity", () => m.push(s, 0, Infinity, s, false), /reward must be a finite number, got Infinity/],
    ["a short state", () => m.push([1, 2, 3], 0, -1, s, false), /state and nextState must hold 6 numbers each, got 3 and 6/],
    ["a long nextState", () => m.push(s, 0, -1, [...s, 7], false), /got 6 and 7/],
    ["a NaN in nextState", () => m.push(s, 0, -1, [1, 2, 3, 4, NaN, 6], false), /nextState\[4\] must be a finite number, got NaN/],
    ["done not a boolean", () => m.push(s, 0, -1, s, 1 as unknown as boolean), /done must be true or false/],
  ];
  for (const [what, push, re] of bad) assert.throws(push, re, what);
  const all = m.all();
  assert.equal(m.size, 2);
  assert.deepEqual(Array.from(all.actions), [0, 1], "the refused pushes stored nothing, overwrote nothing");
  assert.deepEqual(Array.from(all.rewards), [-1, -2]);
  assert.deepEqual(Array.from(all.nextStates), [...s, ...s]);
  const five = new ReplayMemory(3, 2, 5);
  five.push([0, 0], 4, 0, [0, 0], false);
  assert.throws(() => five.push([0, 0], 5, 0, [0, 0], false), /from 0 to 4, got 5/);
});

test("latest(n) gives the n most recent transitions, oldest first, also across the ring's wrap", () => {
  const m = new ReplayMemory(5);
  for (let k = 0; k < 3; k++) pushNumbered(m, k);
  assert.deepEqual(Array.from(m.latest(2).rewards), [-1, -2]);
  assert.deepEqual(Array.from(m.latest(3).states.subarray(0, 6)), Array(6).fill(0));
  assert.equal(m.latest(0).rewards.length, 0);
  for (let k = 3; k < 12; k++) pushNumbered(m, k); // slots now hold 10, 11, 7, 8, 9
  assert.deepEqual(Array.from(m.latest(4).rewards), [-8, -9, -10, -11]);
  assert.deepEqual(Array.from(m.latest(5).rewards), Array.from(m.all().rewards));
  assert.deepEqual(Array.from(m.latest(3).nextStates.subarray(12, 18)), Array(6).fill(11.5));
  assert.deepEqual(Array.from(m.latest(3).dones), [9, 10, 11].map((k) => (k % 2 === 0 ? 1 : 0)));
  assert.throws(() => m.latest(6), /from 0 to the 5 transitions stored/);
  assert.throws(() => m.latest(-1), /whole number/);
  assert.throws(() => m.latest(1.5), /whole number/);
});

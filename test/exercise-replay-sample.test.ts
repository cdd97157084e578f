/**
 * Chapter 2's check, drawing a batch: every uniform draw with replacement from the filled rows passes,
 * whatever random stream it takes from the given generator; each wrong one is refused with a hint naming
 * what it does, over filling and full memories.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { checkSampleIndices, librarySampleIndices, sameDrawsAsLibrary, type SampleIndicesFn } from "../lib/exercises/replay-sample";
import { makeRng } from "../lib/random";

const times = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i));

/** Right answers; the first three (and the Float64Array) draw exactly the library's stream. */
const RIGHT: [string, SampleIndicesFn][] = [
  ["the library's", librarySampleIndices],
  ["a loop with push", (m, n, rng) => { const rows: number[] = []; for (let i = 0; i < n; i++) rows.push(rng.int(m.size)); return rows; }],
  ["floor of rng.float() * size", (m, n, rng) => times(n, () => Math.floor(rng.float() * m.size))],
  ["counted from the end", (m, n, rng) => times(n, () => m.size - 1 - rng.int(m.size))],
  ["rejection from capacity", (m, n, rng) => times(n, () => { for (;;) { const r = rng.int(m.capacity); if (r < m.size) return r; } })],
  ["a generator seeded from rng", (m, n, rng) => { const mine = makeRng(rng.int(1_000_000)); return times(n, () => mine.int(m.size)); }],
];
RIGHT.splice(2, 0, ["a Float64Array", (m, n, rng) => Float64Array.from({ length: n }, () => rng.int(m.size))]);

test("chapter 2, drawing a batch: correct answers pass however they draw", () => {
  for (const [name, fn] of RIGHT) {
    const c = checkSampleIndices(fn);
    assert.equal(c.ok, true, `${name}: ${c.message}`);
    assert.match(c.message, /^Correct: /);
  }
});

test("chapter 2, drawing a batch: each wrong answer is refused and its hint names the slip", () => {
  const shuffled = (m: { size: number }, n: number, rng: { int(n: number): number }) => {
    const all = times(m.size, (i) => i);
    for (let i = all.length - 1; i > 0; i--) { const j = rng.int(i + 1); [all[i], all[j]] = [all[j], all[i]]; }
    return all.length >= n ? all.slice(0, n) : times(n, () => rng.int(m.size));
  };
  const wrong: [string, SampleIndicesFn, RegExp][] = [
    ["the starter (empty)", () => [], /you returned 0.*it returns an empty list/],
    ["from capacity", (m, n, rng) => times(n, () => rng.int(m.capacity)), /draw from memory\.size, not memory\.capacity/],
    ["size - 1", (m, n, rng) => times(n, () => rng.int(m.size - 1)), /the last filled row \(6\) is never drawn.*do not subtract 1/],
    ["plus one", (m, n, rng) => times(n, () => rng.int(m.size) + 1), /one past the last.*and row 0 never.*do not add 1/],
    ["Math.round", (m, n, rng) => times(n, () => Math.round(rng.float() * m.size)), /one past the last.*not Math\.round/],
    ["Math.ceil", (m, n, rng) => times(n, () => Math.ceil(rng.float() * m.size)), /one past the last.*and row 0 never.*Math\.ceil/],
    ["no floor", (m, n, rng) => times(n, () => rng.float() * m.size), /is not a row index.*needs Math\.floor/],
    ["the first rows in order", (m, n) => times(Math.min(n, m.size), (i) => i), /you returned 7 \(rows 0, 1, 2, \.\.\. in order.*stop at memory\.size: draw with replacement, batchSize times/],
    ["rows i % size in order", (m, n) => times(n, (i) => i % m.size), /different seeds give the same batch.*rows 0, 1, 2, \.\.\. in order: the first rows/],
    ["the newest rows", (m, n) => times(n, (i) => ((m.size - n + i) % m.size + m.size) % m.size), /different seeds give the same batch.*the last rows in order: the newest/],
    ["always row 0", (_m, n) => times(n, () => 0), /different seeds give the same batch.*row 0 every time/],
    ["its own generator", (m, n) => { const own = makeRng(0); return times(n, () => own.int(m.size)); }, /different seeds give the same batch/],
    ["Math.random", (m, n) => times(n, () => Math.floor(Math.random() * m.size)), /the same seed gave different batches.*not Math\.random/],
    ["without replacement", shuffled, /without replacement/],
    ["the first rows of a full memory: min(size, batchSize)", (m, n, rng) => times(n, () => rng.int(Math.min(m.size, n))), /never go above 999: only the first 1000 rows.*rng\.int\(batchSize\)\? or min\(memory\.size, batchSize\)/],
    ["the first 4096 rows", (m, n, rng) => times(n, () => rng.int(Math.min(m.size, 4096))), /never go above 4095: only the first 4096 rows/],
    ["the newest half", (m, n, rng) => times(n, () => m.size - 1 - rng.int(Math.ceil(m.size / 2))), /rows 0 to \d+ are never drawn/],
    ["half the draws on row 0", (m, n, rng) => times(n, () => (rng.float() < 0.5 ? 0 : rng.int(m.size))), /row 0 came up \d+ times.*uniform.*equally likely/],
    ["squared: low rows favoured", (m, n, rng) => times(n, () => Math.floor(rng.float() ** 2 * m.size)), /came up \d+ times, where a uniform draw gives about \d+/],
    ["modulo bias: rng.int(capacity) % size", (m, n, rng) => times(n, () => rng.int(Math.max(m.capacity, 16)) % m.size), /row 9 came up \d+ times, where a uniform draw gives about 100/],
    ["one row, batchSize times", (m, n, rng) => { const r = rng.int(m.size); return times(n, () => r); }, /each batch is one row repeated batchSize times/],
    ["one short", (m, n, rng) => times(n - 1, () => rng.int(m.size)), /you returned 6999.*off by one/],
    ["one number, not a list", (m, _n, rng) => rng.int(m.size) as unknown as number[], /returned one number, \d+, not one per row/],
    ["async", (async (m: { size: number }, n: number, rng: { int(n: number): number }) => times(n, () => rng.int(m.size))) as unknown as SampleIndicesFn, /returned a Promise: the function is async/],
    ["a string", (m, n, rng) => times(n, () => rng.int(m.size)).join(",") as unknown as number[], /returned the string/],
    ["undefined", (() => undefined) as unknown as SampleIndicesFn, /returned undefined/],
    ["changes the memory", (m, n, rng) => { (m as { size: number }).size = 0; return times(n, () => rng.int(1)); }, /changed its input memory/],
  ];
  assert.ok(wrong.length >= 15);
  for (const [name, fn, hint] of wrong) {
    const c = checkSampleIndices(fn);
    assert.equal(c.ok, false, `${name} passed: ${c.message}`);
    assert.match(c.message, /^Not yet: /, name);
    assert.match(c.message, hint, `${name}: ${c.message}`);
  }
  assert.match(checkSampleIndices(() => { throw new Error("boom"); }).message, /your sampleIndices threw: boom/);
  assert.match(checkSampleIndices(7 as unknown as SampleIndicesFn).message, /must be a function/);
});

test("chapter 2: sameDrawsAsLibrary tells the library's stream from other correct ones, and says why episodes would differ", () => {
  assert.equal(sameDrawsAsLibrary(librarySampleIndices).same, true);
  for (const [name, fn] of RIGHT.slice(0, 3)) assert.equal(sameDrawsAsLibrary(fn).same, true, `${name}: rng.int(size) once per row is the library's stream`);
  for (const [name, fn] of RIGHT.slice(3)) {
    const s = sameDrawsAsLibrary(fn);
    assert.equal(s.same, false, name);
    assert.match(s.message, /learn from different batches|more \(or fewer\) random numbers/, name);
    assert.match(s.message, /uses the library's sampler/, name);
  }
  const extraDraw: SampleIndicesFn = (m, n, rng) => { const rows = librarySampleIndices(m, n, rng); rng.float(); return rows; };
  const s = sameDrawsAsLibrary(extraDraw);
  assert.equal(s.same, false);
  assert.match(s.message, /draws the library's rows but takes more \(or fewer\) random numbers/);
});

test("chapter 2: the statistical tests are not too tight: uniform draws from 30 other streams of the generator all pass", () => {
  for (let skip = 1; skip <= 30; skip++) {
    const shifted: SampleIndicesFn = (m, n, rng) => { for (let k = 0; k < skip; k++) rng.float(); return times(n, () => Math.floor(rng.float() * m.size)); };
    const c = checkSampleIndices(shifted);
    assert.equal(c.ok, true, `stream shifted by ${skip}: ${c.message}`);
  }
});

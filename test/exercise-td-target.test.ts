/** Chapter 1's check, the TD target: every way of writing the formula passes; each wrong answer is refused with a hint naming what it does. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { checkTdTarget, libraryTdTarget, type TdTargetFn } from "../lib/exercises/td-target";

test("chapter 1, the TD target: correct answers pass however they are written", () => {
  const right: [string, TdTargetFn][] = [
    ["the library's", libraryTdTarget],
    ["if / else", (r, d, q, g) => { if (d) return r; return r + g * q; }],
    ["a (1 - done) mask", (r, d, q, g) => r + g * q * (1 - Number(d))],
    ["a ternary inside", (r, d, q, g) => r + (d ? 0 : g * q)],
    ["factors swapped", (r, d, q, g) => (d ? r : q * g + r)],
    ["!done as a number", (r, d, q, g) => r + +!d * g * q],
  ];
  for (const [name, fn] of right) {
    const c = checkTdTarget(fn);
    assert.equal(c.ok, true, `${name}: ${c.message}`);
    assert.match(c.message, /^Correct: /);
  }
});

test("chapter 1, the TD target: each wrong answer is refused and its hint names the slip", () => {
  const wrong: [string, TdTargetFn, RegExp][] = [
    ["the starter (0)", () => 0, /it returns 0 for every transition: it does not use its arguments/],
    ["always bootstraps", (r, _d, q, g) => r + g * q, /it always bootstraps/],
    ["never bootstraps", (r) => r, /it never bootstraps/],
    ["done and not done swapped", (r, d, q, g) => (d ? r + g * q : r), /done and not done are swapped/],
    ["no gamma", (r, d, q) => (d ? r : r + q), /gamma is missing/],
    ["no reward", (r, d, q, g) => (d ? r : g * q), /the reward is missing/],
    ["0 when done", (r, d, q, g) => (d ? 0 : r + g * q), /for a terminal transition the target is r, not 0/],
    ["minus the bootstrap", (r, d, q, g) => (d ? r : r - g * q), /it subtracts gamma \* max Q/],
    ["gamma squared", (r, d, q, g) => (d ? r : r + g * g * q), /discounts twice/],
    ["1 - gamma", (r, d, q, g) => (d ? r : r + (1 - g) * q), /1 - gamma/],
    ["gamma on the reward too", (r, d, q, g) => (d ? r : g * (r + q)), /gamma multiplies the reward too/],
    ["reward sign flipped", (r, d, q, g) => (d ? r : -r + g * q), /the reward's sign is flipped/],
    ["a constant added", (r, d, q, g) => (d ? r : r + g * q + 1), /adds a constant 1/],
    ["gamma || 1", (r, d, q, g) => (d ? r : r + (g || 1) * q), /with gamma = 0 it still adds/],
    ["max(q, 0)", (r, d, q, g) => (d ? r : r + g * Math.max(q, 0)), /wrong only when max Q\(s', a'\) is negative/],
    ["abs(reward)", (r, d, q, g) => (d ? Math.abs(r) : Math.abs(r) + g * q), /wrong only when the reward is negative/],
    ["twice the bootstrap", (r, d, q, g) => (d ? r : r + 2 * g * q), /Terminal transitions are right.*multiplies max Q\(s', a'\) by 1\.8/],
    ["bootstraps after done without gamma", (r, d, q, g) => (d ? r + q : r + g * q), /Non-terminal transitions are right.*adds max Q\(s', a'\) although there is no next state/],
    ["done === 1 (never true for a boolean)", (r, d, q, g) => ((d as unknown) === 1 ? r : r + g * q), /it always bootstraps.*boolean/],
    ["rounded", (r, d, q, g) => Math.round(d ? r : r + g * q), /not of the form/],
    ["Math.random", (r, d, q, g) => (d ? r : r + g * q) + (Math.random() < 0.5 ? 0 : 1e-3), /gave .*, then .*depends on something besides its four arguments/],
    ["a counter kept between calls", (() => { let n = 0; return (r: number, d: boolean, q: number, g: number) => (n++ < 200 ? libraryTdTarget(r, d, q, g) : 0); })(), /depends on something besides/],
  ];
  assert.ok(wrong.length >= 15);
  for (const [name, fn, hint] of wrong) {
    const c = checkTdTarget(fn);
    assert.equal(c.ok, false, `${name} passed`);
    assert.match(c.message, /^Not yet: /, name);
    assert.match(c.message, hint, `${name}: ${c.message}`);
  }
});

test("chapter 1, the TD target: a wrong kind of value is named, and nothing is thrown", () => {
  const kinds: [string, unknown, RegExp][] = [
    ["NaN", () => NaN, /returned NaN/],
    ["undefined", () => undefined, /returned undefined: is a return statement missing\?/],
    ["a string", (r: number) => r.toFixed(2), /returned the string "0\.00"/],
    ["a Promise", async (r: number) => r, /returned a Promise: the function is async/],
    ["an array", (r: number) => [r], /returned 1 numbers, not one number/],
    ["Infinity", () => Infinity, /an infinite value/],
    ["a boolean", () => true, /returned a boolean/],
  ];
  for (const [name, fn, hint] of kinds) assert.match(checkTdTarget(fn as TdTargetFn).message, hint, name);
  assert.match(checkTdTarget(() => { throw new Error("boom"); }).message, /your tdTarget threw: boom/);
  assert.match(checkTdTarget((() => { throw "a string"; }) as TdTargetFn).message, /your tdTarget threw: a string/);
  assert.match(checkTdTarget(42 as unknown as TdTargetFn).message, /must be a function/);
});

/**
 * The shape every exercise check's test shares: each right answer passes (however it is written),
 * each wrong one is refused with "Not yet: " and a hint naming its slip, and, for the checks that
 * run tensors, nothing is left behind.
 */
import assert from "node:assert/strict";
import { tf } from "../lib/tf";

interface Check { ok: boolean; message: string }

/** Every right answer passes with "Correct: ". `tensors`: also count tensors, none may be left behind. */
export function expectRight<F>(check: (fn: F) => Check, right: readonly [string, F][], opts: { tensors?: boolean } = {}): void {
  assert.ok(right.length >= 5, `at least 5 right answers (${right.length})`);
  const before = tf.memory().numTensors;
  for (const [name, fn] of right) {
    const c = check(fn);
    assert.equal(c.ok, true, `${name}: ${c.message}`);
    assert.match(c.message, /^Correct: /, name);
  }
  if (opts.tensors === true) assert.equal(tf.memory().numTensors, before, "no tensor leaks");
}

/** Every wrong answer is refused with "Not yet: " and its own hint. `tensors`: none may be left behind. */
export function expectWrong<F>(check: (fn: F) => Check, wrong: readonly [string, F, RegExp][], opts: { tensors?: boolean } = {}): void {
  assert.ok(wrong.length >= 15, `at least 15 wrong answers (${wrong.length})`);
  const before = tf.memory().numTensors;
  for (const [name, fn, hint] of wrong) {
    const c = check(fn);
    assert.equal(c.ok, false, `${name} passed`);
    assert.match(c.message, /^Not yet: /, name);
    assert.match(c.message, hint, `${name}: ${c.message}`);
  }
  if (opts.tensors === true) assert.equal(tf.memory().numTensors, before, "no tensor leaks");
}

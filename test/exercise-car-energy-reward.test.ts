/**
 * Notebook 08's check, MountainCar's energy reward: every way of writing -1 + 0.5 min(1, E / E_goal)
 * passes; each wrong reward is refused with a hint naming what it computes (the flag's terminal
 * step, the direction of travel and the kinds of value included).
 */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { initBackend, tf } from "../lib/tf";
import { checkCarEnergyReward, libraryCarEnergyReward } from "../lib/exercises/car-energy-reward";
import { carEnergy, CAR_GOAL_ENERGY, rewardFunctions, type RewardFn } from "../lib/train/rewards";
import type { StepResult } from "../lib/env/task";

before(async () => {
  await initBackend();
});

const G = 0.0025;
const P = (x: number) => (G / 3) * (Math.sin(3 * x) + 1);
const E = (s: ArrayLike<number>) => 0.5 * s[1] * s[1] + P(s[0]);
const EG = P(0.5);
const want = (s: ArrayLike<number>) => -1 + 0.5 * Math.min(1, E(s) / EG);

test("car energy reward: correct answers pass however they are written", () => {
  const right: [string, RewardFn][] = [
    ["the library's", rewardFunctions.carEnergy],
    ["the notebook's fallback", libraryCarEnergyReward],
    ["the solution", (step, state) => {
      const [position, velocity] = state;
      const energy = 0.5 * velocity * velocity + (0.0025 / 3) * (Math.sin(3 * position) + 1);
      const goalEnergy = (0.0025 / 3) * (Math.sin(3 * 0.5) + 1);
      return step.reward + 0.5 * Math.min(1, energy / goalEnergy);
    }],
    ["-1 written out, an if for the cap", (_step, s) => { let share = E(s) / EG; if (share > 1) share = 1; return -1 + share / 2; }],
    ["from the float32 observation", (step) => want(step.observation)],
    ["the library's pieces", (step, s) => step.reward + 0.5 * Math.min(1, carEnergy(s) / CAR_GOAL_ENERGY)],
    ["v ** 2 and Math.pow", (_step, s) => -1 + 0.5 * Math.min(1, (s[1] ** 2 / 2 + Math.pow(1, 1) * (G / 3) * (1 + Math.sin(3 * s[0]))) / EG)],
  ];
  for (const [name, fn] of right) {
    const c = checkCarEnergyReward(fn);
    assert.equal(c.ok, true, `${name}: ${c.message}`);
    assert.match(c.message, /^Correct: your reward equals -1 \+ 0\.5 \* min\(1, E \/ E_goal\) on all \d+ states checked \([1-9]\d* of them at the flag/);
  }
});

test("car energy reward: each wrong answer is refused and its hint names the slip", () => {
  const wrong: [string, RewardFn, RegExp][] = [
    ["the starter (the task's reward)", (step) => step.reward, /the task's own reward \(-1 per step\)/],
    ["a constant 0", () => 0, /returns 0 for every state: it does not depend on the state/],
    ["no step cost", (_st, s) => 0.5 * Math.min(1, E(s) / EG), /no step cost: add step\.reward/],
    ["no cap", (_st, s) => -1 + 0.5 * (E(s) / EG), /not capped/],
    ["velocity ignored", (_st, s) => -1 + 0.5 * Math.min(1, P(s[0]) / EG), /ignores the velocity/],
    ["position ignored", (_st, s) => -1 + 0.5 * Math.min(1, (0.5 * s[1] * s[1]) / EG), /ignores the position/],
    ["v^2 without the half", (_st, s) => -1 + 0.5 * Math.min(1, (s[1] * s[1] + P(s[0])) / EG), /0\.5 \* v\^2, not v\^2/],
    ["height without + 1", (_st, s) => -1 + 0.5 * Math.min(1, (0.5 * s[1] ** 2 + (G / 3) * Math.sin(3 * s[0])) / EG), /measured from the valley floor/],
    ["cos for sin", (_st, s) => -1 + 0.5 * Math.min(1, (0.5 * s[1] ** 2 + (G / 3) * (Math.cos(3 * s[0]) + 1)) / EG), /uses cos\(3 x\) where the height needs sin\(3 x\)/],
    ["not divided by E_goal", (_st, s) => -1 + 0.5 * Math.min(1, E(s)), /not divided by E_goal/],
    ["energy charged, not paid", (_st, s) => -1 - 0.5 * Math.min(1, E(s) / EG), /wrong sign: it charges for energy/],
    ["weight 1", (_st, s) => -1 + Math.min(1, E(s) / EG), /weighted 1, not 0\.5/],
    ["weight 0.1", (_st, s) => -1 + 0.1 * Math.min(1, E(s) / EG), /weighted 0\.1, not 0\.5/],
    ["pays for going right (position)", (_st, s) => -1 + 0.5 * Math.min(1, Math.max(0, (s[0] + 1.2) / 1.7)), /pays for the position/],
    ["rewards going left (velocity's sign)", (_st, s) => -1 + 0.5 * Math.min(1, (P(s[0]) - 0.01 * s[1]) / EG), /pays more for moving left than for moving right/],
    ["rewards going right (velocity's sign)", (_st, s) => -1 + 0.5 * Math.min(1, (P(s[0]) + 0.01 * s[1]) / EG), /pays more for moving right than for moving left/],
    ["0 at the flag", (step, s) => (step.terminated ? 0 : want(s)), /on the terminal step it gives 0 whatever the car's energy/],
    ["a goal bonus", (step, s) => want(s) + (step.terminated ? 100 : 0), /on the terminal step it adds 100: a goal bonus/],
    ["a bonus scaled by speed at the flag", (step, s) => want(s) + (step.terminated ? 10 * s[1] + 1 : 0), /on the terminal step \(position >= 0\.5, velocity >= 0\) it is not/],
    ["0 on a time-out", (step, s) => (step.truncated ? 0 : want(s)), /where the time limit ran out \(step\.truncated\)/],
    ["mutates the state", (_st, s) => { s[1] = Math.abs(s[1]); return want(s); }, /changed its input state: state\[1\] was/],
    ["mutates the observation", (step, s) => { step.observation[0] = 0; return want(s); }, /changed its input step: step\.observation\[0\]/],
    ["remembers the previous state", (() => { let prev = -1; return (_st: StepResult, s: Float64Array) => { const r = prev; prev = want(s); return r; }; })(), /gave .*, then .*depends on something besides \(step, state\)/],
    ["a string", ((_st: StepResult, s: Float64Array) => want(s).toFixed(3)) as unknown as RewardFn, /returned the string "-1\.000".*toFixed/],
    ["async", (async (_st: StepResult, s: Float64Array) => want(s)) as unknown as RewardFn, /returned a Promise: the function is async/],
    ["a tensor", ((_st: StepResult, s: Float64Array) => tf.scalar(want(s))) as unknown as RewardFn, /returned a tensor \(shape \[\]\)/],
    ["undefined", (() => undefined) as unknown as RewardFn, /returned undefined/],
    ["NaN from a missing field", (_st, s) => -1 + 0.5 * Math.min(1, (0.5 * (s as unknown as { velocity: number }).velocity ** 2 + P(s[0])) / EG), /returned NaN/],
    ["squared", (_st, s) => want(s) ** 2, /none of the usual slips: at rest on the valley floor it gives 1 \(should be -1\)/],
  ];
  assert.ok(wrong.length >= 15);
  const tensors = tf.memory().numTensors;
  const missed = wrong.flatMap(([name, fn, hint]) => {
    const c = checkCarEnergyReward(fn);
    return !c.ok && /^Not yet: /.test(c.message) && hint.test(c.message) ? [] : [`${name}: ${c.ok ? "passed" : c.message}`];
  });
  assert.deepEqual(missed, [], "each wrong answer gets its own hint");
  assert.equal(tf.memory().numTensors, tensors, "a returned tensor is freed");
  assert.match(checkCarEnergyReward(() => { throw new Error("boom"); }).message, /your carReward threw: boom/);
  assert.match(checkCarEnergyReward("x" as unknown as RewardFn).message, /must be a function/);
});

test("car energy reward: the hint quotes the flag's terminal step when that is where it goes wrong", () => {
  const c = checkCarEnergyReward((step, s) => (step.terminated ? 0 : want(s)));
  assert.match(c.message, /\(at the flag: the terminal step\) your reward is 0\.0000, but -1 \+ 0\.5 \* min\(1, E \/ E_goal\) is -0\.5000/);
});

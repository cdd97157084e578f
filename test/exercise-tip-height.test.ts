/**
 * Chapter 5's check, the tip-height reward: every way of writing tip height - 1 passes; each wrong
 * reward is refused with a hint naming what it computes (the states above the line and the terminal
 * step included). And a reward function cannot change what train() and evaluate() give it.
 */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { initBackend, tf } from "../lib/tf";
import { checkTipHeightReward } from "../lib/exercises/tip-height";
import { tipHeight, linkPositions, type StepResult } from "../lib/env/acrobot";
import { rewardFunctions, type RewardFn } from "../lib/train/rewards";
import { train } from "../lib/train/trainer";
import { evaluate } from "../lib/train/evaluate";
import { presets } from "../lib/train/presets";

before(async () => {
  await initBackend();
});

const h = (s: Float64Array) => -Math.cos(s[0]) - Math.cos(s[0] + s[1]);

test("tip-height reward: correct answers pass however they are written", () => {
  const right: [string, RewardFn][] = [
    ["the library's", rewardFunctions.tipHeight],
    ["the solution", (_step, state) => { const [theta1, theta2] = state; return -Math.cos(theta1) - Math.cos(theta1 + theta2) - 1; }],
    ["minus a sum", (_step, s) => -(Math.cos(s[0]) + Math.cos(s[1] + s[0]) + 1)],
    ["from the observation (cos/sin of the angles)", (step) => { const [c1, s1, c2, s2] = step.observation; return -c1 - (c1 * c2 - s1 * s2) - 1; }],
    ["dqn.env.tipHeight", (_step, s) => tipHeight(s) - 1],
    ["the tip's y from linkPositions", (_step, s) => linkPositions(s).tip[1] - 1],
  ];
  for (const [name, fn] of right) {
    const c = checkTipHeightReward(fn);
    assert.equal(c.ok, true, `${name}: ${c.message}`);
    assert.match(c.message, /^Correct: your reward equals tip height - 1 on all \d+ states checked \(\d+ of them above the line/);
  }
});

test("tip-height reward: each wrong answer is refused and its hint names the slip", () => {
  const wrong: [string, RewardFn, RegExp][] = [
    ["the starter (0)", () => 0, /returns 0 for every state: it does not depend on the state/],
    ["the environment's reward", (step) => step.reward, /the environment's own reward/],
    ["the env reward added", (step, s) => step.reward + h(s) - 1, /adds the environment's reward/],
    ["no -1", (_st, s) => h(s), /it looks like the tip height itself\. Subtract 1/],
    ["+1", (_st, s) => h(s) + 1, /it adds 1 to the tip height; subtract 1 instead/],
    ["-2", (_st, s) => h(s) - 2, /tip height minus 2; the offset is -1/],
    ["halved", (_st, s) => (h(s) - 1) / 2, /times 0\.5.*not scaled/],
    ["doubled height", (_st, s) => 2 * h(s) - 1, /times 2 minus 1: the reward is tip height - 1 as it is, not scaled/],
    ["the whole sign flipped", (_st, s) => 1 - h(s), /the whole reward's sign is flipped/],
    ["cos with + signs", (_st, s) => Math.cos(s[0]) + Math.cos(s[0] + s[1]) - 1, /the sign of the height is flipped: hanging straight down the tip is at -2/],
    ["theta2 as absolute", (_st, s) => -Math.cos(s[0]) - Math.cos(s[1]) - 1, /theta2 is measured from the first link.*The -1 is right/],
    ["theta1 - theta2", (_st, s) => -Math.cos(s[0]) - Math.cos(s[0] - s[1]) - 1, /theta1 \+ theta2, not theta1 - theta2/],
    ["the elbow only", (_st, s) => -Math.cos(s[0]) - 1, /only the elbow's height/],
    ["sin for cos", (_st, s) => -Math.sin(s[0]) - Math.sin(s[0] + s[1]) - 1, /uses sin where the height needs cos/],
    ["degrees", (_st, s) => -Math.cos((s[0] * Math.PI) / 180) - Math.cos(((s[0] + s[1]) * Math.PI) / 180) - 1, /already radians/],
    ["the speeds", (_st, s) => -Math.cos(s[2]) - Math.cos(s[2] + s[3]) - 1, /reads state\[2\] and state\[3\], the angular speeds/],
    ["observation[2] as the second link", (step) => -step.observation[0] - step.observation[2] - 1, /theta2 is measured from the first link|observation\[2\] is cos\(theta2\)/],
    ["clipped at 0", (_st, s) => Math.min(0, h(s) - 1), /above the line \(the terminal step\) it gives 0: is it clipped at 0/],
    ["0 on the terminal step", (step, s) => (step.terminated ? 0 : h(s) - 1), /above the line \(the terminal step\) it gives 0/],
    ["a goal bonus", (step, s) => h(s) - 1 + (step.terminated ? 10 : 0), /above the line \(the terminal step\) it adds 10: a bonus/],
    ["clipped at 0.5", (_st, s) => Math.min(0.5, h(s) - 1), /above the line .* it is not: the reward there is tip height - 1/],
    ["clipped at 0.95", (_st, s) => Math.min(0.95, h(s) - 1), /above the line .* it is not: the reward there is tip height - 1/],
    ["1 on the terminal step", (step, s) => (step.terminated ? 1 : h(s) - 1), /above the line \(the terminal step\) it gives 1 whatever the height/],
    ["Math.abs", (_st, s) => Math.abs(h(s) - 1), /below the line it is positive: Math\.abs\?/],
    ["clipped below at -1", (_st, s) => Math.max(-1, h(s) - 1), /below the line it is too high: is it clipped from below/],
    ["0 on a time-out", (step, s) => (step.truncated ? 0 : h(s) - 1), /where the time limit ran out \(step\.truncated\)/],
    ["squared", (_st, s) => (h(s) - 1) ** 2, /none of the usual slips: hanging straight down it gives 9 \(should be -3\)/],
    ["mutates the state", (_st, s) => { s[0] = 0; return -1 - Math.cos(s[1]) - 1; }, /your function changed its input state: state\[0\] was/],
    ["mutates the observation", (step, s) => { step.observation[0] = 9; return h(s) - 1; }, /changed its input step: step\.observation\[0\]/],
    ["remembers the previous state", (() => { let prev = 0; return (_st: StepResult, s: Float64Array) => { const r = prev; prev = h(s) - 1; return r; }; })(), /gave .*, then .*depends on something besides \(step, state\)/],
    ["Math.random", (_st, s) => h(s) - 1 + Math.random() * 1e-3, /depends on something besides|none of the usual/],
    ["a string", ((_st: StepResult, s: Float64Array) => (h(s) - 1).toFixed(3)) as unknown as RewardFn, /returned the string "-3\.000".*toFixed/],
    ["async", (async (_st: StepResult, s: Float64Array) => h(s) - 1) as unknown as RewardFn, /returned a Promise: the function is async/],
    ["a tensor", ((_st: StepResult, s: Float64Array) => tf.scalar(h(s) - 1)) as unknown as RewardFn, /returned a tensor \(shape \[\]\)/],
    ["undefined", (() => undefined) as unknown as RewardFn, /returned undefined/],
    ["NaN", (_st, s) => h(s) - 1 + (s as unknown as number[])[7], /returned NaN/],
  ];
  assert.ok(wrong.length >= 15);
  const tensors = tf.memory().numTensors;
  for (const [name, fn, hint] of wrong) {
    const c = checkTipHeightReward(fn);
    assert.equal(c.ok, false, `${name} passed`);
    assert.match(c.message, /^Not yet: /, name);
    assert.match(c.message, hint, `${name}: ${c.message}`);
  }
  assert.equal(tf.memory().numTensors, tensors, "a returned tensor is freed");
  assert.match(checkTipHeightReward(() => { throw new Error("boom"); }).message, /your tipReward threw: boom/);
  assert.match(checkTipHeightReward("x" as unknown as RewardFn).message, /must be a function/);
});

test("tip-height reward: the hint quotes a state above the line when that is where it goes wrong", () => {
  const c = checkTipHeightReward((_st, s) => Math.min(0, h(s) - 1));
  assert.match(c.message, /\(tip above the line: the terminal step\) your reward is 0\.0000, but tip height - 1 is [01]\.\d+/);
});

test("train() and evaluate() give a reward function copies: one that changes them or keeps them changes nothing", async () => {
  const config = { ...presets.fast, reward: "tipHeight" as const, seed: 3, maxEnvSteps: 300, learningStarts: 100 };
  const clean = await train(config);
  const kept: Float64Array[] = [], seen: number[][] = [];
  const meddling: RewardFn = (step, state) => {
    const r = h(state) - 1;
    kept.push(state);
    seen.push(Array.from(state));
    state[0] = 0; state[1] = 0; state[2] = 0; // would stop the arm if it were the environment's own state
    step.observation.fill(0); // would corrupt the memory if it were the stored observation
    return r;
  };
  const meddled = await train({ ...config, reward: meddling });
  for (const r of [clean, meddled]) r.model.dispose();
  assert.deepEqual(meddled.records.map((r) => [r.return, r.steps, r.loss]), clean.records.map((r) => [r.return, r.steps, r.loss]));
  // What the function kept is its own: later steps did not write into it (it holds only the function's own zeros).
  assert.ok(kept.length >= 300);
  assert.notDeepEqual(seen[0], seen[1]);
  for (const s of kept) assert.deepEqual(Array.from(s.subarray(0, 3)), [0, 0, 0]);
  assert.ok(kept.every((s, i) => s[3] === seen[i][3]), "each kept state still holds the state it was given");

  const model = (await train({ ...config, maxEnvSteps: 10 })).model;
  const played = (reward: RewardFn) => evaluate(model, { episodes: 2, seed: 5, maxEpisodeSteps: 60, reward });
  const plain = played(rewardFunctions.tipHeight), meddledPlay = played(meddling);
  model.dispose();
  assert.deepEqual([meddledPlay.returns, meddledPlay.lengths], [plain.returns, plain.lengths]);
});

/**
 * The exercise's check: does a learner's reward function pay "tip height
 * minus 1"? It compares the function with the environment on many states and,
 * when it is wrong, recognises the usual slips and says what to fix.
 */
import { Acrobot, tipHeight, type StepResult } from "./env/acrobot";
import type { RewardFn } from "./train/rewards";
import { makeRng } from "./random";

export interface RewardCheck {
  ok: boolean;
  /** What was right or wrong, in a sentence or two. */
  message: string;
  /** States checked. */
  checked: number;
}

/** Likely mistakes, each with the function it computes and the hint to give. */
const SLIPS: { hint: string; fn: (s: Float64Array, step: StepResult) => number }[] = [
  { hint: "it looks like the environment's own reward (-1 per step). Use the height of the tip instead.", fn: (_s, step) => step.reward },
  { hint: "it looks like the tip height itself. Subtract 1: the line to cross is at height 1, so the reward is tip height - 1.", fn: (s) => tipHeight(s) },
  { hint: "the second link's angle theta2 is measured from the first link, so its absolute angle is theta1 + theta2: height = -cos(theta1) - cos(theta1 + theta2).", fn: (s) => -Math.cos(s[0]) - Math.cos(s[1]) - 1 },
  { hint: "the sign is flipped: hanging straight down, the tip is at height -2, so height = -cos(theta1) - cos(theta1 + theta2).", fn: (s) => Math.cos(s[0]) + Math.cos(s[0] + s[1]) - 1 },
  { hint: "that is only the elbow's height (-cos(theta1)); add the second link: -cos(theta1) - cos(theta1 + theta2).", fn: (s) => -Math.cos(s[0]) - 1 },
  { hint: "it uses sin where the height needs cos: with the angle measured from straight down, height = -cos(theta1) - cos(theta1 + theta2).", fn: (s) => -Math.sin(s[0]) - Math.sin(s[0] + s[1]) - 1 },
];

/** Checks `fn` against tip height - 1 on states from random play; never throws. */
export function checkTipHeightReward(fn: RewardFn, samples = 500): RewardCheck {
  if (typeof fn !== "function") return { ok: false, message: "tipReward must be a function (step, state) => number.", checked: 0 };
  const env = new Acrobot();
  const rng = makeRng(2024);
  env.reset({ seed: 2024, low: -Math.PI, high: Math.PI });
  const cases: { state: Float64Array; step: StepResult; got: number }[] = [];
  for (let i = 0; i < samples; i++) {
    const step = env.step(rng.int(3));
    const state = env.state.slice();
    let got: number;
    try {
      got = fn(step, state);
    } catch (e) {
      return { ok: false, message: `your function threw: ${(e as Error).message}`, checked: i };
    }
    if (typeof got !== "number" || Number.isNaN(got)) {
      return { ok: false, message: `your function returned ${String(got)} (${typeof got}); it must return a number for every step.`, checked: i };
    }
    cases.push({ state, step, got });
    if (step.terminated || step.truncated) env.reset({ low: -Math.PI, high: Math.PI });
  }
  const close = (a: number, b: number) => Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b));
  const wrong = cases.find((c) => !close(c.got, tipHeight(c.state) - 1));
  if (!wrong) return { ok: true, message: `Correct: your reward equals tip height - 1 on all ${samples} states checked.`, checked: samples };
  const slip = SLIPS.find((s) => cases.every((c) => close(c.got, s.fn(c.state, c.step))));
  const [t1, t2] = wrong.state;
  const expected = tipHeight(wrong.state) - 1;
  return {
    ok: false,
    message:
      `Not yet: for theta1 = ${t1.toFixed(3)}, theta2 = ${t2.toFixed(3)} your reward is ${wrong.got.toFixed(4)}, but tip height - 1 is ${expected.toFixed(4)}. ` +
      (slip ? `Hint: ${slip.hint}` : "Hint: find where Gymnasium's acrobot.py decides that the episode is over; the tip's height is in that test."),
    checked: samples,
  };
}

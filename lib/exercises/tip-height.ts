/**
 * Chapter 5's exercise: a reward function paying "tip height minus 1",
 * reward = -cos(theta1) - cos(theta1 + theta2) - 1 on the state after the step,
 * on every step, the terminal one too (rewards.ts). The check runs the
 * learner's function on states all round the circle, below and above the line,
 * with terminal and time-out steps, each time on copies; it finds from the
 * answers what the function computes (which height, which sign, scale and
 * offset, what it does above the line) and names that.
 */
import { Acrobot, tipHeight, type StepResult } from "../env/acrobot";
import type { RewardFn } from "../train/rewards";
import { makeRng } from "../random";
import { attempt, changed, close, fmt, wrongKind, type ExerciseCheck } from "./check";

/** The verdict, with how many states were checked. */
export interface RewardCheck extends ExerciseCheck {
  checked: number;
}

interface Case { state: Float64Array; step: StepResult; want: number }

/** States after a step from starts all round the circle (a grid, then random ones), on two time limits. */
function cases(): Case[] {
  const out: Case[] = [];
  const rng = makeRng(2024);
  const add = (env: Acrobot, start: number[], action: number) => {
    env.reset({ state: start });
    const step = env.step(action);
    out.push({ state: env.state.slice(), step, want: tipHeight(env.state) - 1 });
  };
  const env = new Acrobot();
  const timeout = new Acrobot({ maxEpisodeSteps: 1 }); // every step a time-out
  add(env, [0, 0, 0, 0], 1); // hanging straight down, at rest: stays there, reward -3
  add(env, [Math.PI, 0, 0, 0], 1); // balanced straight up: stays there, reward 1 (the most there is)
  add(env, [Math.PI - 0.05, 0.1, 0, 0], 0);
  const n = 16;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    const t1 = -Math.PI + (2 * Math.PI * (i + 0.5)) / n, t2 = -Math.PI + (2 * Math.PI * (j + 0.5)) / n;
    add(env, [t1, t2, 0, 0], (i + j) % 3);
  }
  for (let k = 0; k < 200; k++) {
    const a = () => (rng.float() * 2 - 1) * Math.PI;
    add(k % 4 === 0 ? timeout : env, [a(), a(), (rng.float() * 2 - 1) * 4, (rng.float() * 2 - 1) * 8], rng.int(3));
  }
  return out;
}

const angle = (x: number) => (Math.abs(x) < 5e-4 ? "0" : x.toFixed(3));
const copyStep = (s: StepResult): StepResult => ({ observation: s.observation.slice(), reward: s.reward, terminated: s.terminated, truncated: s.truncated });

/** Candidate heights a learner may have computed, each with what it is. */
const HEIGHTS: { name: string; h: (s: Float64Array, step: StepResult) => number; slip: string | null }[] = [
  { name: "height", h: (s) => tipHeight(s), slip: null },
  { name: "relative", h: (s) => -Math.cos(s[0]) - Math.cos(s[1]), slip: "theta2 is measured from the first link, so the second link's absolute angle is theta1 + theta2: height = -cos(theta1) - cos(theta1 + theta2)." },
  { name: "difference", h: (s) => -Math.cos(s[0]) - Math.cos(s[0] - s[1]), slip: "the second link's absolute angle is theta1 + theta2, not theta1 - theta2." },
  { name: "elbow", h: (s) => -Math.cos(s[0]), slip: "that is only the elbow's height (-cos(theta1)); add the second link: -cos(theta1) - cos(theta1 + theta2)." },
  { name: "sin", h: (s) => -Math.sin(s[0]) - Math.sin(s[0] + s[1]), slip: "it uses sin where the height needs cos: with the angle measured from straight down, height = -cos(theta1) - cos(theta1 + theta2)." },
  { name: "degrees", h: (s) => -Math.cos((s[0] * Math.PI) / 180) - Math.cos(((s[0] + s[1]) * Math.PI) / 180), slip: "it converts the angles from degrees, but the state's angles are already radians: Math.cos(theta1) as it is." },
  { name: "speeds", h: (s) => -Math.cos(s[2]) - Math.cos(s[2] + s[3]), slip: "it reads state[2] and state[3], the angular speeds; the angles are state[0] (theta1) and state[1] (theta2)." },
  { name: "observation", h: (_s, step) => -step.observation[0] - step.observation[2], slip: "observation[2] is cos(theta2), the relative angle's; the second link's height needs cos(theta1 + theta2) = cos(theta1)cos(theta2) - sin(theta1)sin(theta2)." },
];

/** got = a * x + b over the cases, exactly (up to float rounding); null when not. */
function affine(xs: number[], ys: number[]): { a: number; b: number } | null {
  const n = xs.length;
  if (n < 2) return null;
  const mx = xs.reduce((s, x) => s + x, 0) / n, my = ys.reduce((s, y) => s + y, 0) / n;
  let sxy = 0, sxx = 0;
  for (let i = 0; i < n; i++) { sxy += (xs[i] - mx) * (ys[i] - my); sxx += (xs[i] - mx) ** 2; }
  if (sxx < 1e-9) return null;
  const a = sxy / sxx, b = my - a * mx;
  return xs.every((x, i) => close(ys[i], a * x + b, 1e-5)) ? { a: round(a), b: round(b) } : null;
}
const round = (x: number) => (Math.abs(x - Math.round(x * 1000) / 1000) < 1e-6 ? Math.round(x * 1000) / 1000 : x);

/** Checks `fn` against tip height - 1 on states below and above the line; never throws. */
export function checkTipHeightReward(fn: RewardFn): RewardCheck {
  if (typeof fn !== "function") return { ok: false, message: "tipReward must be a function (step, state) => number.", checked: 0 };
  const all = cases();
  const got: number[] = [];
  for (const pass of [0, 1]) { // twice, the second time backwards: a function of (step, state) alone answers the same
    for (let k = 0; k < all.length; k++) {
      const i = pass === 0 ? k : all.length - 1 - k;
      const c = all[i];
      const state = c.state.slice(), step = copyStep(c.step);
      const out = attempt("tipReward", () => fn(step, state) as unknown);
      if ("problem" in out) return { ok: false, message: out.problem, checked: k };
      const moved = changed(c.state, state) ?? changed(c.step.observation, step.observation);
      if (moved !== null || step.reward !== c.step.reward || step.terminated !== c.step.terminated || step.truncated !== c.step.truncated) {
        const what = changed(c.state, state) !== null ? `state: state${moved}` : moved !== null ? `step: step.observation${moved}` : "step (its reward or flags)";
        return { ok: false, message: `Not yet: your function changed its input ${what}. Hint: a reward function only reads what it is given; compute into new local variables (const [theta1, theta2] = state).`, checked: k };
      }
      const kind = wrongKind(out.value, "number");
      if (kind !== null) return { ok: false, message: `Not yet: at theta1 = ${angle(c.state[0])}, theta2 = ${angle(c.state[1])} your tipReward ${kind}`, checked: k };
      const v = out.value as number;
      if (pass === 1 && got[i] !== v) {
        return { ok: false, message: `Not yet: for the same step and state your tipReward gave ${got[i]}, then ${v}. Hint: it depends on something besides (step, state): a variable kept between calls, or Math.random. The reward of a step must come from that step alone.`, checked: all.length };
      }
      got[i] = v;
    }
  }
  const checked = all.length;
  const above = all.filter((c) => c.want > 0).length;
  const bad = all.findIndex((c, i) => !close(got[i], c.want));
  if (bad < 0) return { ok: true, message: `Correct: your reward equals tip height - 1 on all ${checked} states checked (${above} of them above the line, on the terminal step).`, checked };
  const example = pickExample(all, got);
  const c = all[example];
  return {
    ok: false,
    message:
      `Not yet: for theta1 = ${angle(c.state[0])}, theta2 = ${angle(c.state[1])}${c.step.terminated ? " (tip above the line: the terminal step)" : ""} your reward is ${got[example].toFixed(4)}, but tip height - 1 is ${c.want.toFixed(4)}. ` +
      `Hint: ${diagnose(all, got)}`,
    checked,
  };
}

/** The state to quote: hanging straight down when that is wrong, else the first wrong one. */
function pickExample(all: Case[], got: number[]): number {
  if (!close(got[0], all[0].want)) return 0;
  return all.findIndex((c, i) => !close(got[i], c.want));
}

/** What the function computes, in words. */
function diagnose(all: Case[], got: number[]): string {
  if (got.every((v) => v === got[0])) return `it returns ${fmt(got[0])} for every state: it does not depend on the state. Compute the tip's height from theta1 = state[0] and theta2 = state[1].`;
  if (all.every((c, i) => close(got[i], c.step.reward))) return "it looks like the environment's own reward (-1 per step, 0 at the goal). Use the height of the tip instead.";
  if (all.every((c, i) => close(got[i], c.step.reward + c.want))) return "it adds the environment's reward (-1 per step) to tip height - 1; the tip-height reward replaces it.";
  for (const H of HEIGHTS) {
    const fit = affine(all.map((c) => H.h(c.state, c.step)), got);
    if (fit === null) continue;
    const scale = scaleSlip(fit, H.name === "height" ? "the tip height" : "that height");
    return H.slip === null ? scale! : scale === null ? `${H.slip} (The -1 is right.)` : `${H.slip} Also: ${scale}`;
  }
  // Right on part of the states only: which part?
  const isAbove = (c: Case) => c.want > 0;
  const part = (p: (c: Case) => boolean) => all.map((c, i) => ({ c, v: got[i] })).filter((x) => p(x.c));
  const rightOn = (p: (c: Case) => boolean) => part(p).every((x) => close(x.v, x.c.want));
  if (rightOn((c) => !isAbove(c))) {
    const up = part(isAbove);
    if (up.every((x) => x.v === 0)) return "below the line it is right, but above the line (the terminal step) it gives 0: is it clipped at 0 (Math.min) or is the terminal step special-cased? The reward there is tip height - 1 as well, a positive number: reaching the top pays most.";
    if (up.every((x) => x.v <= 0)) return "below the line it is right, but above the line (the terminal step) it is never positive: is it clipped? The reward there is tip height - 1 as well, a positive number.";
    if (up.every((x) => x.v === up[0].v)) return `below the line it is right, but above the line (the terminal step) it gives ${fmt(up[0].v)} whatever the height: pay tip height - 1 there too.`;
    const d = up.map((x) => x.v - x.c.want);
    if (d.every((v) => close(v, d[0]))) return `below the line it is right, but above the line (the terminal step) it adds ${fmt(d[0])}: a bonus for the goal is not part of this reward; pay tip height - 1 there too.`;
    return "below the line it is right, but above the line (the terminal step) it is not: the reward there is tip height - 1 as well.";
  }
  if (rightOn(isAbove)) {
    const down = part((c) => !isAbove(c));
    if (down.every((x) => close(x.v, Math.abs(x.c.want)))) return "below the line it is positive: Math.abs? Below the line the reward is negative (hanging straight down: -3), so the agent is pushed upward.";
    if (down.every((x) => x.v >= x.c.want)) return "below the line it is too high: is it clipped from below (Math.max)? Hanging straight down the reward is -3.";
    return "above the line it is right, but below it is not: hanging straight down the reward is -3.";
  }
  if (rightOn((c) => !c.step.truncated)) return "it is wrong on the steps where the time limit ran out (step.truncated): the reward does not depend on the time limit; pay tip height - 1 on every step.";
  if (rightOn((c) => !c.step.terminated && !c.step.truncated)) return "on ordinary steps it is right, but on the steps that end an episode (terminated, or truncated by the time limit) it is not: pay tip height - 1 on every step.";
  const up = all.findIndex((c) => c.want > 0);
  return `it is none of the usual slips: hanging straight down it gives ${fmt(got[0])} (should be -3), and at tip height ${fmt(all[up].want + 1)} above the line ${fmt(got[up])} (should be ${fmt(all[up].want)}). Find where Gymnasium's acrobot.py decides that the episode is over; the tip's height is in that test.`;
}

/** How got = a * height + b differs from height - 1; null when it does not. */
function scaleSlip(f: { a: number; b: number }, what: string): string | null {
  const is = (x: number, v: number) => close(x, v, 1e-4);
  if (is(f.a, 1) && is(f.b, -1)) return null;
  if (is(f.a, 1) && is(f.b, 0)) return `it looks like ${what} itself. Subtract 1: the line to cross is at height 1, so the reward is tip height - 1.`;
  if (is(f.a, 1) && is(f.b, 1)) return `it adds 1 to ${what}; subtract 1 instead (the line is at height 1).`;
  if (is(f.a, 1)) return `it is ${what} ${f.b < 0 ? "minus" : "plus"} ${fmt(Math.abs(f.b))}; the offset is -1 (the line is at height 1).`;
  if (is(f.a, -1) && is(f.b, 1)) return `the whole reward's sign is flipped (1 - height): a higher tip must pay more, so tip height - 1.`;
  if (is(f.a, -1)) return `the sign of the height is flipped: hanging straight down the tip is at -2, so height = -cos(theta1) - cos(theta1 + theta2)${is(f.b, -1) ? "" : `, and the offset is -1, not ${fmt(f.b)}`}.`;
  return `it is ${what} times ${fmt(f.a)}${is(f.b, -1) ? " minus 1" : ` ${f.b < 0 ? "minus" : "plus"} ${fmt(Math.abs(f.b))}`}: the reward is tip height - 1 as it is, not scaled.`;
}

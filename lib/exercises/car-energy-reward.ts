/**
 * Notebook 08's exercise: a shaped reward for MountainCar-v0, the car's energy
 * reward (rewards.ts's "carEnergy"):
 *
 *   reward = step.reward + 0.5 * min(1, E / E_goal),
 *   E = 0.5 v^2 + (0.0025 / 3) (sin(3 x) + 1),   E_goal = (0.0025 / 3) (sin(1.5) + 1),
 *
 * on every step, the terminal one too. The check calls the learner's function
 * on car states across the valley (both directions of travel, the wall, the
 * flag, time-outs), each time on copies; it finds from the answers what the
 * function computes (which energy, which share, which sign, what it does at
 * the flag) and names that.
 */
import { MountainCar, GOAL_POSITION } from "../env/mountain-car";
import type { StepResult } from "../env/task";
import { carEnergy, CAR_GOAL_ENERGY, type RewardFn } from "../train/rewards";
import { makeRng } from "../random";
import { attempt, changed, close, fmt, wrongKind, type ExerciseCheck } from "./check";

/** The verdict, with how many states were checked. */
export interface CarRewardCheck extends ExerciseCheck {
  checked: number;
}

interface Case { state: Float64Array; step: StepResult; want: number }

const GRAVITY = 0.0025;
const MAX_SPEED = 0.07;
const potential = (x: number) => (GRAVITY / 3) * (Math.sin(3 * x) + 1);
const kinetic = (v: number) => 0.5 * v * v;
const share = (e: number) => Math.min(1, e / CAR_GOAL_ENERGY);
/** The library's answer (rewards.ts), for the notebook's fallback. */
export const libraryCarEnergyReward: RewardFn = (step, state) => step.reward + 0.5 * share(carEnergy(state));

/** A step that ends in `state`, as MountainCar's step reports it: -1, terminated at the flag with velocity >= 0, truncated on a time-out. */
function stepInto(x: number, v: number, timeOut: boolean): Case {
  const state = Float64Array.of(x, v);
  const terminated = x >= GOAL_POSITION && v >= 0;
  const step: StepResult = { observation: Float32Array.from(state), reward: -1, terminated, truncated: timeOut };
  return { state, step, want: -1 + 0.5 * share(carEnergy(state)) };
}

/** States across the valley, each speed in both directions, the wall, the flag, time-outs, and a few real steps. */
function cases(): Case[] {
  const out: Case[] = [];
  out.push(stepInto(-Math.PI / 6, 0, false)); // at rest on the valley floor: energy 0, reward -1
  out.push(stepInto(-1.2, 0, false)); // stopped by the left wall
  out.push(stepInto(GOAL_POSITION, 0, false)); // at the flag, at rest: the terminal step
  out.push(stepInto(0.55, 0.03, false)); // past the flag, moving right: terminal
  out.push(stepInto(0.52, -0.01, false)); // past the flag but rolling back: not terminal
  for (let i = 0; i < 12; i++) {
    const x = -1.2 + (1.8 * (i + 0.5)) / 12;
    for (const v of [0.004, 0.015, 0.035, 0.06]) {
      out.push(stepInto(x, v, false));
      out.push(stepInto(x, -v, false)); // the same speed to the left: the same energy
    }
  }
  const rng = makeRng(2025);
  for (let k = 0; k < 60; k++) {
    const x = -1.2 + rng.float() * 1.8, v = (rng.float() * 2 - 1) * MAX_SPEED;
    out.push(stepInto(x, v, k % 5 === 0)); // every fifth one a time-out
  }
  const env = new MountainCar(); // and real steps of the port: the states it really reports
  env.reset({ seed: 7 });
  for (let k = 0; k < 40; k++) {
    const step = env.step(k % 20 < 10 ? 0 : 2);
    out.push({ state: env.state.slice(), step, want: -1 + 0.5 * share(carEnergy(env.state)) });
  }
  return out;
}

const copyStep = (s: StepResult): StepResult => ({ observation: s.observation.slice(), reward: s.reward, terminated: s.terminated, truncated: s.truncated });
const where = (c: Case) => `position ${fmt(c.state[0])}, velocity ${fmt(c.state[1])}${c.step.terminated ? " (at the flag: the terminal step)" : ""}`;

/** Rewards a learner may have written instead, each with what it is. */
const SLIPS: { f: (x: number, v: number) => number; hint: string }[] = [
  { f: (x, v) => 0.5 * share(kinetic(v) + potential(x)), hint: "it has no step cost: add step.reward (-1). Without it a step at full energy pays 0.5, so the car is paid to keep rocking instead of ending the episode." },
  { f: (x, v) => -1 + 0.5 * ((kinetic(v) + potential(x)) / CAR_GOAL_ENERGY), hint: "the energy share is not capped: with min(1, E / E_goal) no step pays more than -0.5. Uncapped, a fast car past the flag's height earns more per step than ending the episode gives." },
  { f: (x) => -1 + 0.5 * share(potential(x)), hint: "it ignores the velocity: that is the height (potential energy) alone. Add the kinetic energy 0.5 * v^2: a car rushing through the valley floor has as much energy as one standing high on the slope." },
  { f: (_x, v) => -1 + 0.5 * share(kinetic(v)), hint: "it ignores the position: that is the kinetic energy 0.5 * v^2 alone. Add the potential energy (0.0025 / 3) * (sin(3 x) + 1): height counts as much as speed." },
  { f: (x, v) => -1 + 0.5 * share(v * v + potential(x)), hint: "the kinetic energy is 0.5 * v^2, not v^2." },
  { f: (x, v) => -1 + 0.5 * share(kinetic(v) + (GRAVITY / 3) * Math.sin(3 * x)), hint: "the height is measured from the valley floor: (0.0025 / 3) * (sin(3 x) + 1), so the energy is 0 at rest at the bottom. Without the + 1 it is negative there." },
  { f: (x, v) => -1 + 0.5 * Math.min(1, (kinetic(v) + (GRAVITY / 3) * Math.sin(3 * x)) / ((GRAVITY / 3) * Math.sin(3 * GOAL_POSITION))), hint: "the height is measured from the valley floor: (0.0025 / 3) * (sin(3 x) + 1), in E and in E_goal alike, so the energy is 0 at rest at the bottom." },
  { f: (x, v) => -1 + 0.5 * share(kinetic(v) + (GRAVITY / 3) * (Math.cos(3 * x) + 1)), hint: "it uses cos(3 x) where the height needs sin(3 x): the track's height is sin(3 x), its lowest point at x = -pi/6 (about -0.52)." },
  { f: (x, v) => -1 + 0.5 * Math.min(1, kinetic(v) + potential(x)), hint: "the energy is not divided by E_goal: the energies are tiny (at most about 0.003), so the share must be E / E_goal, the fraction of what reaching the flag takes." },
  { f: (x, v) => -1 + 0.5 * (kinetic(v) + potential(x)), hint: "the energy is not divided by E_goal: the energies are tiny (at most about 0.003), so the share must be min(1, E / E_goal), the fraction of what reaching the flag takes." },
  { f: (x, v) => -1 - 0.5 * share(kinetic(v) + potential(x)), hint: "the energy term has the wrong sign: it charges for energy instead of paying for it, so the car learns to sit still at the bottom. Add 0.5 * min(1, E / E_goal)." },
  { f: (x) => -1 + 0.5 * Math.min(1, Math.max(0, (x + 1.2) / (GOAL_POSITION + 1.2))), hint: "it pays for the position (how far right the car is), not for its energy: the car can only get up the right slope by first going up the left one, so a reward for going right punishes the rocking it needs. Pay for the energy E = 0.5 v^2 + (0.0025 / 3)(sin(3 x) + 1)." },
];

/** got = -1 + a * share exactly over the cases: the share's weight a; null when not. */
function weight(all: Case[], got: number[]): number | null {
  const xs = all.map((c) => share(carEnergy(c.state)));
  const k = xs.findIndex((x) => x > 0.2);
  if (k < 0) return null;
  const a = (got[k] + 1) / xs[k];
  return all.every((_c, i) => close(got[i], -1 + a * xs[i], 1e-5)) ? a : null;
}

/** Checks `fn` against the energy reward on states across the valley; never throws. */
export function checkCarEnergyReward(fn: RewardFn): CarRewardCheck {
  if (typeof fn !== "function") return { ok: false, message: "carReward must be a function (step, state) => number.", checked: 0 };
  const all = cases();
  const got: number[] = [];
  for (const pass of [0, 1]) { // twice, the second time backwards: a function of (step, state) alone answers the same
    for (let k = 0; k < all.length; k++) {
      const i = pass === 0 ? k : all.length - 1 - k;
      const c = all[i];
      const state = c.state.slice(), step = copyStep(c.step);
      const out = attempt("carReward", () => fn(step, state) as unknown);
      if ("problem" in out) return { ok: false, message: out.problem, checked: k };
      const moved = changed(c.state, state) ?? changed(c.step.observation, step.observation);
      if (moved !== null || step.reward !== c.step.reward || step.terminated !== c.step.terminated || step.truncated !== c.step.truncated) {
        const what = changed(c.state, state) !== null ? `state: state${moved}` : moved !== null ? `step: step.observation${moved}` : "step (its reward or flags)";
        return { ok: false, message: `Not yet: your function changed its input ${what}. Hint: a reward function only reads what it is given; compute into new local variables (const [position, velocity] = state).`, checked: k };
      }
      const kind = wrongKind(out.value, "number");
      if (kind !== null) return { ok: false, message: `Not yet: at ${where(c)} your carReward ${kind}`, checked: k };
      const v = out.value as number;
      if (pass === 1 && got[i] !== v) {
        return { ok: false, message: `Not yet: for the same step and state your carReward gave ${got[i]}, then ${v}. Hint: it depends on something besides (step, state): a variable kept between calls, or Math.random. The reward of a step must come from that step alone.`, checked: all.length };
      }
      got[i] = v;
    }
  }
  const checked = all.length;
  const bad = all.findIndex((c, i) => !close(got[i], c.want));
  const flags = all.filter((c) => c.step.terminated).length;
  if (bad < 0) return { ok: true, message: `Correct: your reward equals -1 + 0.5 * min(1, E / E_goal) on all ${checked} states checked (${flags} of them at the flag, on the terminal step).`, checked };
  const c = all[bad];
  return {
    ok: false,
    message: `Not yet: at ${where(c)} your reward is ${got[bad].toFixed(4)}, but -1 + 0.5 * min(1, E / E_goal) is ${c.want.toFixed(4)}. Hint: ${diagnose(all, got)}`,
    checked,
  };
}

/** What the function computes, in words. */
function diagnose(all: Case[], got: number[]): string {
  if (all.every((c, i) => close(got[i], c.step.reward))) return "it looks like the task's own reward (-1 per step). Add the energy term 0.5 * min(1, E / E_goal).";
  if (got.every((v) => v === got[0])) return `it returns ${fmt(got[0])} for every state: it does not depend on the state. Compute the car's energy from position = state[0] and velocity = state[1].`;
  for (const s of SLIPS) if (all.every((c, i) => close(got[i], s.f(c.state[0], c.state[1]), 1e-5))) return s.hint;
  const a = weight(all, got);
  if (a !== null) return `the energy share is weighted ${fmt(a)}, not 0.5: ${a >= 1 ? "a step at full energy then costs nothing or pays, so the car is paid to keep rocking instead of ending the episode" : "0.5 keeps every step costing at least 0.5, while paying clearly for the rocking"}.`;
  // Right on part of the states only: which part?
  const part = (p: (c: Case) => boolean) => all.map((c, i) => ({ c, v: got[i] })).filter((x) => p(x.c));
  const rightOn = (p: (c: Case) => boolean) => part(p).every((x) => close(x.v, x.c.want));
  if (rightOn((c) => !c.step.terminated)) {
    const flag = part((c) => c.step.terminated);
    const d = flag.map((x) => x.v - x.c.want); // at the flag the share is capped: the right reward is -0.5 there
    if (d.every((v) => close(v, d[0])) && d[0] > 0 && flag[0].v !== 0) return `it is right until the flag, but on the terminal step it adds ${fmt(d[0])}: a goal bonus is not part of this reward; pay -1 + 0.5 * min(1, E / E_goal) there too (-0.5 at the flag).`;
    if (flag.every((x) => x.v === flag[0].v)) return `it is right until the flag, but on the terminal step it gives ${fmt(flag[0].v)} whatever the car's energy: pay -1 + 0.5 * min(1, E / E_goal) there too (-0.5 at the flag). A 0 there, or a penalty, changes what the car learns reaching the flag is worth.`;
    return "it is right until the flag, but on the terminal step (position >= 0.5, velocity >= 0) it is not: the reward there is the same formula.";
  }
  if (rightOn((c) => !c.step.truncated)) return "it is wrong on the steps where the time limit ran out (step.truncated): the reward does not depend on the time limit; pay the same on every step.";
  // The energy does not depend on the direction of travel: a reward that does favours one way.
  const pairs = pairsBySpeed(all);
  const diffs = pairs.map(([right, left]) => got[left] - got[right]);
  if (diffs.length > 0 && diffs.every((d) => d > 1e-9)) return "it pays more for moving left than for moving right at the same speed (negative velocity pays): the energy 0.5 * v^2 is the same either way. Square the velocity; do not use its sign.";
  if (diffs.length > 0 && diffs.every((d) => d < -1e-9)) return "it pays more for moving right than for moving left at the same speed: the car must swing left too to build up energy. The kinetic energy is 0.5 * v^2, the same either way; do not use the velocity's sign.";
  const floor = all.findIndex((x) => x.state[1] === 0 && Math.abs(x.state[0] + Math.PI / 6) < 1e-12);
  return `it is none of the usual slips: at rest on the valley floor it gives ${fmt(got[floor])} (should be -1). Build it step by step: E = 0.5 * v^2 + (0.0025 / 3) * (sin(3 * position) + 1), E_goal = (0.0025 / 3) * (sin(3 * 0.5) + 1), reward = step.reward + 0.5 * Math.min(1, E / E_goal).`;
}

/** Indices of the cases at the same position moving right and left at the same speed. */
function pairsBySpeed(all: Case[]): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i + 1 < all.length; i++) {
    const a = all[i], b = all[i + 1];
    if (a.state[0] === b.state[0] && a.state[1] > 0 && b.state[1] === -a.state[1] && !a.step.terminated) out.push([i, i + 1]);
  }
  return out;
}

/**
 * Chapter 4's check, the linear epsilon schedule: right answers pass however they are written; each
 * wrong one is refused with a hint naming what it does (found from its answers).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { checkEpsilonSchedule, libraryEpsilonAt, type EpsilonScheduleFn } from "../lib/exercises/epsilon-schedule";
import { epsilonAt } from "../lib/train/schedule";
import { expectRight, expectWrong } from "./exercise-answers";

test("chapter 4, epsilon: right schedules pass however they are written", () => {
  const right: [string, EpsilonScheduleFn][] = [
    ["the library's", libraryEpsilonAt],
    ["the trainer's epsilonAt", (t, s, e, d) => epsilonAt({ epsilonStart: s, epsilonEnd: e, epsilonDecaySteps: d }, t)],
    ["Math.max with the floor", (t, s, e, d) => Math.max(e, s - (s - e) * (t / d))],
    ["an if after the decay", (t, s, e, d) => { if (t >= d) return e; return s + (e - s) * t / d; }],
    ["CleanRL's linear_schedule", (t, s, e, d) => { const slope = (e - s) / d; return Math.max(slope * t + s, e); }],
    ["interpolation weights", (t, s, e, d) => { const f = Math.min(t / d, 1); return (1 - f) * s + f * e; }],
  ];
  expectRight(checkEpsilonSchedule, right);
});

test("chapter 4, epsilon: each wrong schedule is refused with a hint naming its slip", () => {
  let counter = 1;
  const wrong: [string, EpsilonScheduleFn, RegExp][] = [
    ["constant start", (_t, s) => s, /it never decays/],
    ["the floor from the start", (_t, _s, e) => e, /at the floor from step 0/],
    ["no floor", (t, s, e, d) => s + (e - s) * (t / d), /does not stop at the floor/],
    ["rising", (t, s, e, d) => e + (s - e) * Math.min(1, t / d), /goes the wrong way/],
    ["one step ahead", (t, s, e, d) => libraryEpsilonAt(t + 1, s, e, d), /one step ahead/],
    ["one step behind", (t, s, e, d) => libraryEpsilonAt(t - 1, s, e, d), /one step behind/],
    ["one step behind, clamped", (t, s, e, d) => libraryEpsilonAt(Math.max(0, t - 1), s, e, d), /one step behind/],
    ["a jump", (t, s, e, d) => (t < d ? s : e), /jumps from start to end/],
    ["Math.floor of the fraction", (t, s, e, d) => s + (e - s) * Math.min(1, Math.floor(t / d)), /jumps from start to end/],
    ["geometric", (t, s, e) => Math.max(e, s * Math.pow(0.995, t)), /geometrically/],
    ["slope 1 / decaySteps", (t, s, e, d) => Math.max(e, s - t / d), /its slope is 1 \/ decaySteps/],
    ["the preset's numbers", (t) => libraryEpsilonAt(t, 1, 0.05, 12_000), /ignores its arguments/],
    ["start hard-coded", (t, _s, e, d) => libraryEpsilonAt(t, 1, e, d), /ignores start/],
    ["end hard-coded", (t, s, _e, d) => libraryEpsilonAt(t, s, 0.05, d), /ignores end/],
    ["decay hard-coded", (t, s, e) => libraryEpsilonAt(t, s, e, 12_000), /ignores decaySteps/],
    ["the fraction", (t, _s, _e, d) => Math.min(1, t / d), /returns the fraction/],
    ["1 to 0", (t, _s, _e, d) => 1 - Math.min(1, t / d), /falls from 1 to 0/],
    ["a percentage", (t, s, e, d) => 100 * libraryEpsilonAt(t, s, e, d), /percentage/],
    ["a string", (t, s, e, d) => libraryEpsilonAt(t, s, e, d).toFixed(3) as unknown as number, /returned the string "1\.000".*toFixed/],
    ["a Promise", (async (t: number, s: number, e: number, d: number) => libraryEpsilonAt(t, s, e, d)) as unknown as EpsilonScheduleFn, /returned a Promise/],
    ["no return", (() => undefined) as unknown as EpsilonScheduleFn, /returned undefined/],
    ["a counter kept between calls", () => Math.max(0.05, 1 - 0.001 * counter++), /gave .*, then .*keeps something between calls/],
    ["a throw", () => { throw new Error("boom"); }, /threw: boom/],
    ["NaN", (t, s, e) => s + (e - s) * t / (undefined as unknown as number), /NaN usually means/],
  ];
  expectWrong(checkEpsilonSchedule, wrong);
  assert.match(checkEpsilonSchedule(42 as unknown as EpsilonScheduleFn).message, /must be a function/);
});

/**
 * Chapter 1's exercise: the TD target of one transition,
 *   y = r                              if the transition ended the episode (done)
 *   y = r + gamma * max_a' Q(s', a')   otherwise.
 * The check tries it on terminal and non-terminal transitions and several
 * gammas, and names the usual slips.
 */
import { attempt, close, type ExerciseCheck } from "./check";

export type TdTargetFn = (reward: number, done: boolean, maxNextQ: number, gamma: number) => number;

export const libraryTdTarget: TdTargetFn = (reward, done, maxNextQ, gamma) => (done ? reward : reward + gamma * maxNextQ);

interface Case { reward: number; done: boolean; maxNextQ: number; gamma: number }
const CASES: Case[] = [];
for (const reward of [-1, 0, 0.5]) for (const done of [false, true]) for (const maxNextQ of [-3.5, 2.25]) for (const gamma of [1, 0.9, 0.5]) CASES.push({ reward, done, maxNextQ, gamma });

const SLIPS: { hint: string; fn: TdTargetFn }[] = [
  { hint: "it always bootstraps. When the transition ended the episode (done) there is no next state to value: the target is r alone.", fn: (r, _d, q, g) => r + g * q },
  { hint: "it never bootstraps. r alone fits only a transition that ended the episode; otherwise add gamma * max Q(s', a').", fn: (r) => r },
  { hint: "done and not done are swapped: bootstrap only when the episode goes on.", fn: (r, d, q, g) => (d ? r + g * q : r) },
  { hint: "gamma is missing: r + gamma * max Q(s', a'). The lesson's gamma is 1, which hides this; with 0.9 it shows.", fn: (r, d, q) => (d ? r : r + q) },
  { hint: "the reward is missing: the target is r + gamma * max Q(s', a'), not gamma * max Q(s', a') alone.", fn: (r, d, q, g) => (d ? r : g * q) },
  { hint: "for a terminal transition the target is r, not 0: the last reward still counts.", fn: (r, d, q, g) => (d ? 0 : r + g * q) },
];

export function checkTdTarget(fn: TdTargetFn): ExerciseCheck {
  if (typeof fn !== "function") return { ok: false, message: "tdTarget must be a function (reward, done, maxNextQ, gamma) => number." };
  const got: number[] = [];
  for (const c of CASES) {
    const out = attempt("tdTarget", () => fn(c.reward, c.done, c.maxNextQ, c.gamma));
    if ("problem" in out) return { ok: false, message: out.problem };
    if (typeof out.value !== "number" || !Number.isFinite(out.value)) {
      return { ok: false, message: `your tdTarget returned ${String(out.value)} for reward ${c.reward}, done ${c.done}, maxNextQ ${c.maxNextQ}, gamma ${c.gamma}; it must return a finite number.` };
    }
    got.push(out.value);
  }
  const matches = (f: TdTargetFn, only?: boolean) => CASES.every((c, i) => (only !== undefined && c.done !== only) || close(got[i], f(c.reward, c.done, c.maxNextQ, c.gamma)));
  if (matches(libraryTdTarget)) return { ok: true, message: `Correct: your tdTarget gives r for a terminal transition and r + gamma * max Q(s', a') otherwise, on all ${CASES.length} cases.` };
  const wrong = CASES.findIndex((c, i) => !close(got[i], libraryTdTarget(c.reward, c.done, c.maxNextQ, c.gamma)));
  const c = CASES[wrong];
  const slip = SLIPS.find((s) => matches(s.fn));
  const half = matches(libraryTdTarget, true) ? "Terminal transitions are right; the others are not." : matches(libraryTdTarget, false) ? "Non-terminal transitions are right; the terminal ones are not." : "";
  return {
    ok: false,
    message:
      `Not yet: for reward ${c.reward}, done ${c.done}, maxNextQ ${c.maxNextQ}, gamma ${c.gamma} your target is ${got[wrong]}, but it should be ${libraryTdTarget(c.reward, c.done, c.maxNextQ, c.gamma)}. ` +
      (slip ? `Hint: ${slip.hint}` : `Hint: ${half || "write the two cases of the slide's formula with an if on done."}`),
  };
}

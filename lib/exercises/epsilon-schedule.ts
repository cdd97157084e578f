/**
 * Chapter 4's exercise: the linear epsilon schedule,
 *
 *     epsilon(t) = start + (end - start) * min(1, t / decaySteps),
 *
 * 1 at step 0, falling in a straight line to the floor `end` at step
 * `decaySteps`, then flat. The check asks the learner's function about many
 * steps under several schedules (twice, in two orders) and names the slip
 * from its answers: no floor, the wrong way, one step off, a jump, the
 * preset's numbers hard-coded, a geometric decay...
 */
import { attempt, fmt, wrongKind, type ExerciseCheck } from "./check";
import { firstDifference, nameSlip, type Slip } from "./hypotheses";

export type EpsilonScheduleFn = (t: number, start: number, end: number, decaySteps: number) => number;

/** The library's schedule (the trainer's epsilonAt, for decaySteps >= 1). */
export const libraryEpsilonAt: EpsilonScheduleFn = (t, start, end, decaySteps) => start + (end - start) * Math.min(1, t / decaySteps);

interface Case { t: number; start: number; end: number; decaySteps: number }
const SCHEDULES = [[1, 0.05, 12_000], [1, 0.1, 1000], [0.9, 0.2, 7], [0.5, 0.01, 250], [1, 0, 1]] as const;
const CASES: Case[] = SCHEDULES.flatMap(([start, end, decaySteps]) =>
  [0, 1, 2, 3, Math.floor(decaySteps / 3), Math.floor(decaySteps / 2), decaySteps - 1, decaySteps, decaySteps + 1, 2 * decaySteps, 3 * decaySteps + 5, 100_000]
    .filter((t, i, all) => t >= 0 && all.indexOf(t) === i)
    .map((t) => ({ t, start, end, decaySteps })));

const lib = (c: Case, t = c.t) => libraryEpsilonAt(t, c.start, c.end, c.decaySteps);
const SLIPS: Slip<Case>[] = [
  { f: (c) => [c.start], hint: "it never decays: it stays at start. Epsilon falls in a straight line from start to end over decaySteps steps." },
  { f: (c) => [c.end], hint: "it is at the floor from step 0: the agent would hardly explore at all. Start at start (1: every action random) and fall to end over decaySteps steps." },
  { f: (c) => [c.start + (c.end - c.start) * (c.t / c.decaySteps)], hint: "it does not stop at the floor: after decaySteps it keeps falling, below end and then below 0. Cap the fraction with Math.min(1, t / decaySteps)." },
  { f: (c) => [c.end + (c.start - c.end) * Math.min(1, c.t / c.decaySteps)], hint: "it goes the wrong way: it rises from end to start. Epsilon starts at start (explore) and falls to end (exploit)." },
  { f: (c) => [c.start + (c.end - c.start) * (1 - Math.min(1, c.t / c.decaySteps))], hint: "it goes the wrong way: it rises from end to start. Epsilon starts at start (explore) and falls to end (exploit)." },
  { f: (c) => [lib(c, c.t + 1)], hint: "off by one: it is one step ahead (at step t it gives the value for t + 1). At step 0 epsilon is start exactly." },
  { f: (c) => [lib(c, c.t - 1)], hint: "off by one: it is one step behind (at step t it gives the value for t - 1, above start at step 0). At step 0 epsilon is start exactly; at decaySteps it reaches end." },
  { f: (c) => [lib(c, Math.max(0, c.t - 1))], hint: "off by one: it is one step behind (it reaches end at decaySteps + 1). At step t the fraction is t / decaySteps." },
  { f: (c) => [c.t < c.decaySteps ? c.start : c.end], hint: "it jumps from start to end at decaySteps instead of falling steadily (an integer division, or Math.floor of t / decaySteps?). Use the fraction t / decaySteps as it is, capped at 1." },
  { f: (c) => [c.start + (c.end - c.start) * Math.min(1, Math.floor(c.t / c.decaySteps))], hint: "it jumps from start to end at decaySteps instead of falling steadily (an integer division, or Math.floor of t / decaySteps?). Use the fraction t / decaySteps as it is, capped at 1." },
  { f: (c) => [c.start * Math.pow(c.end / c.start, Math.min(1, c.t / c.decaySteps))], hint: "it decays geometrically (a constant factor per step), not linearly. Linear: start + (end - start) * min(1, t / decaySteps)." },
  { f: (c) => [Math.max(c.end, c.start * Math.pow(0.995, c.t))], hint: "it decays geometrically (epsilon times a factor each step), not linearly. Linear: start + (end - start) * min(1, t / decaySteps)." },
  { f: (c) => [Math.max(c.end, c.start - c.t / c.decaySteps)], hint: "its slope is 1 / decaySteps, so it reaches end too early or too late: it should fall by (start - end), not by 1, over decaySteps steps." },
  { f: (c) => [libraryEpsilonAt(c.t, 1, 0.05, 12_000)], hint: "it ignores its arguments: it always uses 1, 0.05 and 12000 (the preset's numbers). Use start, end and decaySteps as given." },
  { f: (c) => [libraryEpsilonAt(c.t, 1, c.end, c.decaySteps)], hint: "it ignores start (it always starts at 1). Use start as given." },
  { f: (c) => [libraryEpsilonAt(c.t, c.start, 0.05, c.decaySteps)], hint: "it ignores end (the floor is always 0.05). Use end as given." },
  { f: (c) => [libraryEpsilonAt(c.t, c.start, c.end, 12_000)], hint: "it ignores decaySteps (always 12000). Use decaySteps as given." },
  { f: (c) => [Math.min(1, c.t / c.decaySteps)], hint: "it returns the fraction of the decay done (0 to 1), not epsilon. Epsilon is start + (end - start) times that fraction." },
  { f: (c) => [1 - Math.min(1, c.t / c.decaySteps)], hint: "it falls from 1 to 0, whatever start and end are. Epsilon is start + (end - start) * min(1, t / decaySteps)." },
  { f: (c) => [100 * lib(c)], hint: "it gives a percentage (times 100); epsilon is a probability, from 0 to 1." },
];

export function checkEpsilonSchedule(fn: EpsilonScheduleFn): ExerciseCheck {
  if (typeof fn !== "function") return { ok: false, message: "epsilonAt must be a function (t, start, end, decaySteps) => number." };
  const got = new Map<Case, number>();
  for (const pass of [CASES, [...CASES].reverse()]) { // twice, in two orders: a function of its arguments alone answers the same
    for (const c of pass) {
      const out = attempt("epsilonAt", () => fn(c.t, c.start, c.end, c.decaySteps) as unknown);
      if ("problem" in out) return { ok: false, message: out.problem };
      const kind = wrongKind(out.value, "number");
      if (kind !== null) return { ok: false, message: `Not yet: epsilonAt(${c.t}, ${c.start}, ${c.end}, ${c.decaySteps}) ${kind}` };
      const before = got.get(c);
      if (before !== undefined && before !== out.value) {
        return { ok: false, message: `Not yet: epsilonAt(${c.t}, ${c.start}, ${c.end}, ${c.decaySteps}) gave ${before}, then ${out.value}. Hint: it keeps something between calls (a counter, a variable it lowers?); compute epsilon from t and the schedule alone: the loop asks about any step.` };
      }
      got.set(c, out.value as number);
    }
  }
  const answers = CASES.map((c) => [got.get(c)!]);
  const wrong = firstDifference(CASES, answers, (c) => [lib(c)]);
  if (wrong === null) return { ok: true, message: `Correct: epsilon falls in a straight line from start to end over decaySteps steps, then stays at end (${CASES.length} steps under ${SCHEDULES.length} schedules).` };
  const c = CASES[wrong.index];
  const hint = nameSlip(CASES, answers, SLIPS)
    ?? (answers.some(([e]) => e < 0 || e > 1) ? "it leaves the range 0 to 1 somewhere; a probability cannot. Epsilon is start + (end - start) * min(1, t / decaySteps)." : "it is not the straight line from start to end: start + (end - start) * min(1, t / decaySteps).");
  return { ok: false, message: `Not yet: epsilonAt(${c.t}, ${c.start}, ${c.end}, ${c.decaySteps}) gives ${fmt(wrong.got[0])}, but it should be ${fmt(wrong.want[0])}. Hint: ${hint}` };
}

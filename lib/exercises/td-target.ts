/**
 * Chapter 1's exercise: the TD target of one transition,
 *   y = r                              if the transition ended the episode (done)
 *   y = r + gamma * max_a' Q(s', a')   otherwise.
 * The check runs the learner's function on a grid of rewards, next-state
 * values and gammas, terminal and not, and finds from its answers what it
 * computes: y = a + b*r + c*maxNextQ per (done, gamma). The hint names the
 * coefficients that are off (no bootstrap, no gamma, a flipped sign, ...).
 */
import { attempt, close, fmt, wrongKind, type ExerciseCheck } from "./check";

export type TdTargetFn = (reward: number, done: boolean, maxNextQ: number, gamma: number) => number;

export const libraryTdTarget: TdTargetFn = (reward, done, maxNextQ, gamma) => (done ? reward : reward + gamma * maxNextQ);

interface Case { reward: number; done: boolean; maxNextQ: number; gamma: number }
const REWARDS = [0, 1, -1, 0.5, -3];
const QS = [0, 1, -3.5, 2.25, 40];
const GAMMAS = [0.9, 1, 0.5, 0.99, 0];
const CASES: Case[] = [];
for (const gamma of GAMMAS) for (const done of [false, true]) for (const reward of REWARDS) for (const maxNextQ of QS) CASES.push({ reward, done, maxNextQ, gamma });
const key = (c: Case) => `${c.reward}|${c.done}|${c.maxNextQ}|${c.gamma}`;

/** y = a + b*r + c*q, found from the answers at (0,0), (1,0), (0,1); null when the answers are not of that form. */
interface Linear { a: number; b: number; c: number }

export function checkTdTarget(fn: TdTargetFn): ExerciseCheck {
  if (typeof fn !== "function") return { ok: false, message: "tdTarget must be a function (reward, done, maxNextQ, gamma) => number." };
  const got = new Map<string, number>();
  for (const pass of [CASES, [...CASES].reverse()]) { // twice, in two orders: a function of its arguments alone answers the same
    for (const c of pass) {
      const out = attempt("tdTarget", () => fn(c.reward, c.done, c.maxNextQ, c.gamma) as unknown);
      if ("problem" in out) return { ok: false, message: out.problem };
      const kind = wrongKind(out.value, "number");
      if (kind !== null) return { ok: false, message: `Not yet: for reward ${c.reward}, done ${c.done}, maxNextQ ${c.maxNextQ}, gamma ${c.gamma} your tdTarget ${kind}` };
      const before = got.get(key(c));
      if (before !== undefined && before !== out.value) {
        return { ok: false, message: `Not yet: for reward ${c.reward}, done ${c.done}, maxNextQ ${c.maxNextQ}, gamma ${c.gamma} your tdTarget gave ${before}, then ${out.value}. Hint: it depends on something besides its four arguments (a variable kept between calls, Math.random); compute the target from them alone.` };
      }
      got.set(key(c), out.value as number);
    }
  }
  const y = (c: Case) => got.get(key(c))!;
  const wrong = CASES.find((c) => !close(y(c), libraryTdTarget(c.reward, c.done, c.maxNextQ, c.gamma)));
  if (wrong === undefined) return { ok: true, message: `Correct: your tdTarget gives r for a terminal transition and r + gamma * max Q(s', a') otherwise, on all ${CASES.length} cases.` };
  const want = libraryTdTarget(wrong.reward, wrong.done, wrong.maxNextQ, wrong.gamma);
  return {
    ok: false,
    message: `Not yet: for reward ${wrong.reward}, done ${wrong.done}, maxNextQ ${wrong.maxNextQ}, gamma ${wrong.gamma} your target is ${fmt(y(wrong))}, but it should be ${fmt(want)}. Hint: ${diagnose(y)}`,
  };
}

/** The learner's y = a + b*r + c*q for one (done, gamma), or null when it is not of that form. */
function linearFit(y: (c: Case) => number, done: boolean, gamma: number): Linear | null {
  const at = (reward: number, maxNextQ: number) => y({ reward, done, maxNextQ, gamma });
  const a = at(0, 0), b = at(1, 0) - a, c = at(0, 1) - a;
  for (const reward of REWARDS) for (const maxNextQ of QS) if (!close(at(reward, maxNextQ), a + b * reward + c * maxNextQ, 1e-6)) return null;
  return { a, b, c };
}

/** What the learner's function does, in words, from its answers. */
function diagnose(y: (c: Case) => number): string {
  const first = y(CASES[0]);
  if (CASES.every((c) => y(c) === first)) return `it returns ${fmt(first)} for every transition: it does not use its arguments. Write the slide's formula: r if done, else r + gamma * max Q(s', a').`;
  const fits = (done: boolean) => GAMMAS.map((g) => ({ g, fit: linearFit(y, done, g) }));
  const live = fits(false), end = fits(true);
  if ([...live, ...end].some((f) => f.fit === null)) return nonlinear(y);
  const at = (rows: { g: number; fit: Linear | null }[], g: number) => rows.find((r) => r.g === g)!.fit!;
  const g = 0.9; // gamma != 1 tells "times gamma" from "times 1"
  const L = at(live, g), E = at(end, g);
  const firstWrong = (rows: { g: number; fit: Linear | null }[], want: (gg: number) => number) =>
    rows.find((r) => !(close(r.fit!.a, 0) && close(r.fit!.b, 1) && close(r.fit!.c, want(r.g)))) ?? rows[0];
  const is = (x: number, v: number) => close(x, v);
  const liveOk = GAMMAS.every((gg) => { const f = at(live, gg); return is(f.a, 0) && is(f.b, 1) && is(f.c, gg); });
  const endOk = GAMMAS.every((gg) => { const f = at(end, gg); return is(f.a, 0) && is(f.b, 1) && is(f.c, 0); });
  const endBootstraps = is(E.a, 0) && is(E.b, 1) && is(E.c, g);
  const liveNoBootstrap = is(L.a, 0) && is(L.b, 1) && is(L.c, 0);

  if (endBootstraps && liveNoBootstrap) return "done and not done are swapped: it bootstraps when the episode ended and not when it goes on. Bootstrap only when the episode goes on (not done).";
  if (endBootstraps && liveOk) return "it always bootstraps. When the transition ended the episode (done) there is no next state to value: the target is r alone (done is a boolean: true or false).";
  if (liveNoBootstrap && endOk) return "it never bootstraps: it gives r alone, also when the episode goes on. r alone fits only a transition that ended the episode; otherwise add gamma * max Q(s', a').";

  const parts: string[] = [];
  if (!liveOk) { const w = firstWrong(live, (gg) => gg); parts.push(`When the episode goes on (not done): ${describe(w.fit!, w.g, false)}`); }
  if (!endOk) { const w = firstWrong(end, () => 0); parts.push(`When the transition ended the episode (done): ${describe(w.fit!, w.g, true)}`); }
  if (liveOk) parts.unshift("Non-terminal transitions are right.");
  if (endOk) parts.unshift("Terminal transitions are right.");
  return parts.join(" ");
}

/** One (done, gamma)'s y = a + b*r + c*q against what it should be, in words. */
function describe(f: Linear, g: number, done: boolean): string {
  const is = (x: number, v: number) => close(x, v);
  const says: string[] = [];
  const wantC = done ? 0 : g;
  if (!is(f.c, wantC)) {
    if (done) says.push(is(f.c, 1) ? "it adds max Q(s', a') although there is no next state: the target is r alone" : `it uses max Q(s', a') (times ${fmt(f.c)}) although there is no next state: the target is r alone`);
    else if (is(f.c, 0)) says.push("it never bootstraps: add gamma * max Q(s', a')");
    else if (g === 0 && is(f.c, 1)) says.push("with gamma = 0 it still adds max Q(s', a'): is gamma replaced by a default (gamma || 1)? gamma = 0 is allowed and means no bootstrap at all");
    else if (is(f.c, 1)) says.push("gamma is missing: r + gamma * max Q(s', a'). The lesson's gamma is 1, which hides this; with gamma = 0.9 it shows");
    else if (is(f.c, -g)) says.push("it subtracts gamma * max Q(s', a'); the target adds it");
    else if (is(f.c, g * g)) says.push("it discounts twice (gamma * gamma); once is enough");
    else if (is(f.c, 1 - g)) says.push("it multiplies max Q(s', a') by 1 - gamma; the factor is gamma");
    else says.push(`with gamma = ${g} it multiplies max Q(s', a') by ${fmt(f.c)}; the factor is gamma`);
  }
  if (!is(f.b, 1)) {
    if (is(f.b, 0)) says.push(done ? "for a terminal transition the target is r, not 0: the last reward still counts" : "the reward is missing: the target is r + gamma * max Q(s', a'), not gamma * max Q(s', a') alone");
    else if (is(f.b, -1)) says.push("the reward's sign is flipped: add r, do not subtract it");
    else if (is(f.b, g)) says.push("gamma multiplies the reward too; only the next state's value is discounted: r + gamma * max Q(s', a')");
    else says.push(`it multiplies the reward by ${fmt(f.b)}; the reward counts once, as it is`);
  }
  if (!is(f.a, 0)) says.push(`it adds a constant ${fmt(f.a)} that does not belong in the target`);
  return says.join("; ") + ".";
}

/** For answers that are not a + b*r + c*q: where they go wrong. */
function nonlinear(y: (c: Case) => number): string {
  const wrong = CASES.filter((c) => !close(y(c), libraryTdTarget(c.reward, c.done, c.maxNextQ, c.gamma)));
  const only = (p: (c: Case) => boolean) => wrong.length > 0 && wrong.every(p);
  if (only((c) => c.maxNextQ < 0)) return "it is wrong only when max Q(s', a') is negative (a Math.max, Math.abs or a clip?). Values are often negative here: use them as they are, y = r + gamma * max Q(s', a').";
  if (only((c) => c.reward < 0)) return "it is wrong only when the reward is negative (a Math.max, Math.abs or a clip?). Acrobot's rewards are -1: use them as they are.";
  if (only((c) => c.gamma !== 1)) return "it is right only for gamma = 1: use gamma as given, y = r + gamma * max Q(s', a').";
  return "it is not of the form a + b * r + c * max Q(s', a'): write the two cases of the slide's formula with an if on done, with no rounding or clipping.";
}

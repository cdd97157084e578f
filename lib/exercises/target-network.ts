/**
 * Chapter 3's exercise: the target network. Two questions: which network's
 * max_a' Q(s', a') goes into the TD target (baseModel, which stands still
 * between syncs), and after which episodes baseModel is refreshed from
 * model (every 50: i_episode % 50 == 0).
 *
 * The check gives targetValues copies of batches of 1, 5 and 64 next states
 * and two networks with different weights; it finds which network and which
 * reduction over the actions the answer matches, and whether it changed its
 * input or a network's weights. It asks syncAfter about episodes 1..2000,
 * twice, and describes the schedule it gives (never, always, every p from e).
 */
import { tf } from "../tf";
import { buildQNetwork } from "../agent/q-network";
import { maxQ } from "../agent/step-toward";
import { attempt, changed, close, fmt, wrongKind, type ExerciseCheck } from "./check";
import { maxOf, minOf } from "../extent";

export type TargetValuesFn = (model: tf.LayersModel, baseModel: tf.LayersModel, nextStates: Float32Array) => ArrayLike<number>;
export type SyncAfterFn = (iEpisode: number) => boolean;

export const libraryTargetValues: TargetValuesFn = (_model, baseModel, nextStates) => maxQ(baseModel, nextStates);
export const librarySyncAfter: SyncAfterFn = (iEpisode) => iEpisode % 50 === 0;

export function checkTargetNetwork(targetValues: TargetValuesFn, syncAfter: SyncAfterFn): ExerciseCheck {
  if (typeof targetValues !== "function" || typeof syncAfter !== "function") {
    return { ok: false, message: "targetValues must be a function (model, baseModel, nextStates) => values and syncAfter a function (iEpisode) => boolean." };
  }
  const problems = [checkTargetValues(targetValues), checkSyncAfter(syncAfter)].filter((p): p is string => p !== null);
  if (problems.length === 0) return { ok: true, message: "Correct: the target comes from baseModel (max over the actions), which is refreshed from model after every 50th episode." };
  return { ok: false, message: problems.join(" Also: ") };
}

// ---------------------------------------------------------------- targetValues

type Reduce = (q: Float32Array, actions: number, base: Float32Array) => number[];
const rowsOf = (q: Float32Array, k: number) => Array.from({ length: q.length / k }, (_, i) => Array.from(q.subarray(i * k, i * k + k)));
const argmaxOf = (xs: number[]) => xs.reduce((best, x, i) => (x > xs[best] ? i : best), 0);
const REDUCTIONS: { name: string; hint: string; f: Reduce }[] = [
  { name: "max", hint: "", f: (q, k) => rowsOf(q, k).map((r) => maxOf(r)) },
  { name: "mean", hint: "it takes the mean over the 3 actions; the target values the best next action: the max over the actions (dqn.agent.maxQ).", f: (q, k) => rowsOf(q, k).map((r) => r.reduce((s, x) => s + x, 0) / k) },
  { name: "sum", hint: "it adds up the 3 actions' values; the target values the best next action: the max over the actions (dqn.agent.maxQ).", f: (q, k) => rowsOf(q, k).map((r) => r.reduce((s, x) => s + x, 0)) },
  { name: "min", hint: "it takes the min over the actions; the target values the best next action: the max (dqn.agent.maxQ).", f: (q, k) => rowsOf(q, k).map((r) => minOf(r)) },
  { name: "first", hint: "it takes the first action's value (column 0); the target values the best next action: the max over the actions (dqn.agent.maxQ).", f: (q, k) => rowsOf(q, k).map((r) => r[0]) },
  { name: "argmax", hint: "it returns which action is best (0, 1 or 2), not its value: max, not argmax (dqn.agent.maxQ).", f: (q, k) => rowsOf(q, k).map(argmaxOf) },
];

/** Q values of a network for a batch, as plain numbers. */
const qOf = (net: tf.LayersModel, states: Float32Array) => tf.tidy(() => (net.apply(tf.tensor2d(states, [states.length / 6, 6])) as tf.Tensor).dataSync() as Float32Array);
const weightsOf = (net: tf.LayersModel) => net.getWeights().map((w) => w.dataSync().slice());

function checkTargetValues(targetValues: TargetValuesFn): string | null {
  // Two small networks and states spread as wide as Acrobot's (speeds up to 12): every action is the best for
  // some of the rows, in each network, so max, argmax, the first column and the networks all tell apart.
  const model = buildQNetwork({ hiddenLayers: [16], seed: 1 });
  const baseModel = buildQNetwork({ hiddenLayers: [16], seed: 2 });
  try {
    for (const [rows, salt] of [[5, 1.7], [1, 0.3], [64, 2.9]] as const) {
      const nextStates = Float32Array.from({ length: rows * 6 }, (_, i) => Math.sin(i * salt + 0.5) * (i % 6 >= 4 ? 12 : 4));
      const given = nextStates.slice();
      const w = [weightsOf(model), weightsOf(baseModel)];
      let kind: string | null = null, got: number[] = [];
      const out = attempt("targetValues", () => tf.tidy(() => { // tidy: whatever tensors the answer makes are freed
        const v = targetValues(model, baseModel, given) as unknown;
        kind = wrongKind(v, "numbers");
        if (kind === null) got = Array.from(v as ArrayLike<number>);
      }));
      if ("problem" in out) return out.problem;
      const moved = changed(nextStates, given);
      if (moved !== null) return `Not yet: your targetValues changed its input nextStates (nextStates${moved}). Hint: only read the states; compute the values into a new array.`;
      for (const [net, name] of [[model, "model"], [baseModel, "baseModel"]] as const) {
        const before = w[name === "model" ? 0 : 1], after = weightsOf(net);
        if (before.some((b, i) => changed(b, after[i]) !== null)) {
          return `Not yet: your targetValues changed ${name}'s weights. Hint: it should only read the networks: copying weights (the sync) is syncAfter's part, done by the loop after an episode, and training is finishEpisode's.`;
        }
      }
      if (kind !== null) return `Not yet: your targetValues ${kind}`;
      const bad = got.findIndex((x) => typeof x !== "number" || !Number.isFinite(x));
      if (bad >= 0) return `Not yet: your targetValues gave ${got[bad]} for next state ${bad}; every value must be a finite number.`;
      const problem = judgeValues(got, rows, model, baseModel, nextStates);
      if (problem !== null) return problem;
    }
    return null;
  } finally {
    model.dispose();
    baseModel.dispose();
  }
}

/** Names what `got` matches: which network, which reduction; null when it is max_a' Q_baseModel. */
function judgeValues(got: number[], rows: number, model: tf.LayersModel, baseModel: tf.LayersModel, nextStates: Float32Array): string | null {
  const qBase = qOf(baseModel, nextStates), qModel = qOf(model, nextStates);
  const want = REDUCTIONS[0].f(qBase, 3, qBase);
  const same = (xs: ArrayLike<number>) => got.length === xs.length && got.every((v, i) => close(v, xs[i], 1e-5));
  if (same(want)) return null;
  const head = `Not yet: for ${rows} next state${rows === 1 ? "" : "s"} targetValues gives ${got.slice(0, 3).map(fmt).join(", ")}${got.length > 3 ? ", ..." : ""}, expected ${want.slice(0, 3).map(fmt).join(", ")}${want.length > 3 ? ", ..." : ""}. Hint: `;
  if (got.length === rows * 3) {
    const which = same(qBase) ? "baseModel's" : same(qModel) ? "model's" : "";
    return head + `it returns ${got.length} numbers for ${rows} next state${rows === 1 ? "" : "s"}: ${which ? `${which} ` : ""}Q values of all 3 actions. Return one number per next state: the maximum over the actions (dqn.agent.maxQ(baseModel, nextStates)).`;
  }
  if (got.length !== rows) return head + `it returns ${got.length} number${got.length === 1 ? "" : "s"} for ${rows} next state${rows === 1 ? "" : "s"}; return one value per next state, in order.`;
  // Double DQN: the online network picks a', the target network values it (chapter 4).
  const pick = rowsOf(qModel, 3).map(argmaxOf), pickB = rowsOf(qBase, 3).map(argmaxOf);
  if (same(pick.map((a, i) => qBase[i * 3 + a]))) return head + "that is Double DQN's target (model picks a', baseModel values it), one of chapter 4's improvements. Chapter 3's target is simpler: max_a' Q(s', a') from baseModel alone.";
  if (same(pickB.map((a, i) => qModel[i * 3 + a]))) return head + "it values baseModel's best action with model; chapter 3's target is max_a' Q(s', a') from baseModel alone.";
  for (const [q, net] of [[qBase, "baseModel"], [qModel, "model"]] as const) {
    for (const r of REDUCTIONS) {
      if (!same(r.f(q, 3, qBase))) continue;
      const netHint = net === "model"
        ? "these are the values of the network being trained (model): that is chapter 2's target, which moves with every update. Take the values from baseModel."
        : "";
      return head + [netHint, r.hint].filter(Boolean).join(" Also, ");
    }
  }
  const mixed = rowsOf(qBase, 3).map((r, i) => Math.max(maxOf(r), maxOf(rowsOf(qModel, 3)[i])));
  if (same(mixed)) return head + "it takes the max over both networks' values; the target comes from baseModel alone.";
  return head + "it matches neither network's max, mean or sum over the actions. Return dqn.agent.maxQ(baseModel, nextStates): one max_a' Q(s', a') per next state, in order.";
}

// ---------------------------------------------------------------- syncAfter

const EPISODES = 2000;
const LESSON = "the lesson syncs after episodes 50, 100, 150, ... (i_episode % 50 == 0)";

function checkSyncAfter(syncAfter: SyncAfterFn): string | null {
  const answers: boolean[] = [];
  for (const order of ["forward", "backward"] as const) { // twice, in two orders: a function of iEpisode alone answers the same
    for (let k = 1; k <= EPISODES; k++) {
      const e = order === "forward" ? k : EPISODES + 1 - k;
      const out = attempt("syncAfter", () => syncAfter(e) as unknown);
      if ("problem" in out) return out.problem;
      const v = out.value;
      if (typeof v !== "boolean") {
        const kind = wrongKind(v, "number");
        const what = typeof v === "number" ? `returned the number ${v}` : kind ?? `returned ${String(v)}`;
        return `Not yet: syncAfter(${e}) ${what}. Hint: return true or false, e.g. with a comparison (===); the loop asks "sync after this episode?".`;
      }
      if (order === "backward" && answers[e] !== v) {
        return `Not yet: syncAfter(${e}) answered ${answers[e]} the first time and ${v} the second. Hint: it keeps something between calls (a counter?). Decide from iEpisode alone: the comparison at the end of the notebook plays from episode 1 again.`;
      }
      answers[e] = v;
    }
  }
  const syncs: number[] = [];
  for (let e = 1; e <= EPISODES; e++) if (answers[e]) syncs.push(e);
  const want: number[] = [];
  for (let e = 1; e <= EPISODES; e++) if (librarySyncAfter(e)) want.push(e);
  if (syncs.join() === want.join()) return null;
  const list = (xs: number[]) => (xs.length === 0 ? "none" : xs.slice(0, 5).join(", ") + (xs.length > 5 ? ", ..." : ""));
  const head = `Not yet: syncAfter is true after episodes ${list(syncs)} (of 1 to ${EPISODES}). Hint: `;
  return head + describeSchedule(syncs, want);
}

function describeSchedule(syncs: number[], want: number[]): string {
  if (syncs.length === 0) return `it never syncs: baseModel would keep its initial random weights for ever; ${LESSON}.`;
  if (syncs.length === EPISODES) return "it syncs after every episode: then baseModel is always model again, which is chapter 2. The target network must stand still for 50 episodes.";
  const first = syncs[0];
  const period = syncs.length > 1 ? syncs[1] - syncs[0] : null;
  const periodic = period !== null && syncs.every((e, i) => e === first + i * period) && syncs[syncs.length - 1] + period > EPISODES;
  const tail = syncs[syncs.length - 1];
  if (syncs.length === tail - first + 1 && tail === EPISODES) return `from episode ${first} on it syncs after every episode; ${LESSON}.`;
  if (periodic && period === 50) {
    if (first === 51 || first === 1) return `off by one: ${LESSON}; this one syncs after episodes ${first}, ${first + 50}, ... (one late).`;
    if (first === 49) return `off by one: ${LESSON}; this one syncs after episodes 49, 99, ... (one early: counting episodes from 0?).`;
    if (first % 50 === 0) return `it starts late: the first sync is after episode ${first}; ${LESSON}.`;
    return `the period is right but it syncs after episodes ${first}, ${first + 50}, ...; ${LESSON}.`;
  }
  if (periodic) return `it syncs every ${period} episodes (after ${first}, ${first + period!}, ...); the lesson refreshes baseModel every 50 episodes: ${LESSON.replace("the lesson syncs ", "")}.`;
  if (syncs.length === 1) return `it syncs only once, after episode ${first}; ${LESSON}.`;
  const missing = want.filter((e) => !syncs.includes(e)), extra = syncs.filter((e) => !want.includes(e));
  if (extra.length === 0) return `it misses some of the lesson's syncs (after ${missing.slice(0, 5).join(", ")}${missing.length > 5 ? ", ..." : ""}); ${LESSON}.`;
  if (missing.length === 0) return `it also syncs after episodes ${extra.slice(0, 5).join(", ")}${extra.length > 5 ? ", ..." : ""}; ${LESSON}.`;
  return `it does not follow the lesson's schedule; ${LESSON}.`;
}

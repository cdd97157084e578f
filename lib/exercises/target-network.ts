/**
 * Chapter 3's exercise: the target network. Two questions: which network's
 * max_a' Q(s', a') goes into the TD target (base_model, which stands still
 * between syncs), and after which episodes base_model is refreshed from
 * model (every 50: i_episode % 50 == 0).
 */
import { tf } from "../tf";
import { buildQNetwork } from "../agent/q-network";
import { maxQ } from "../agent/step-toward";
import { attempt, close, type ExerciseCheck } from "./check";

export type TargetValuesFn = (model: tf.LayersModel, baseModel: tf.LayersModel, nextStates: Float32Array) => ArrayLike<number>;
export type SyncAfterFn = (iEpisode: number) => boolean;

export const libraryTargetValues: TargetValuesFn = (_model, baseModel, nextStates) => maxQ(baseModel, nextStates);
export const librarySyncAfter: SyncAfterFn = (iEpisode) => iEpisode % 50 === 0;

export function checkTargetNetwork(targetValues: TargetValuesFn, syncAfter: SyncAfterFn): ExerciseCheck {
  if (typeof targetValues !== "function" || typeof syncAfter !== "function") {
    return { ok: false, message: "targetValues must be a function (model, baseModel, nextStates) => values and syncAfter a function (iEpisode) => boolean." };
  }
  const model = buildQNetwork({ hiddenLayers: [8], seed: 1 });
  const baseModel = buildQNetwork({ hiddenLayers: [8], seed: 2 });
  try {
    const nextStates = Float32Array.from({ length: 5 * 6 }, (_, i) => Math.sin(i * 1.7));
    const states = Float32Array.from({ length: 5 * 6 }, (_, i) => Math.cos(i * 0.9));
    const want = maxQ(baseModel, nextStates);
    const out = attempt("targetValues", () => Array.from(targetValues(model, baseModel, nextStates)));
    if ("problem" in out) return { ok: false, message: out.problem };
    const got = out.value;
    const same = (xs: ArrayLike<number>) => got.length === xs.length && got.every((v, i) => close(v, xs[i]));
    if (!same(want)) {
      const hint = same(maxQ(model, nextStates))
        ? "these are the values of the network being trained (model): that is chapter 2's target, which moves with every update. Take max Q(s', a') from baseModel."
        : got.length === 15
          ? "return one number per transition: the maximum over the 3 actions (dqn.agent.maxQ does that), not all three Q values."
          : same(maxQ(baseModel, states)) || same(maxQ(model, states))
            ? "the target values the next states s', the states the transitions lead to."
            : "return dqn.agent.maxQ(network, nextStates) for the right network.";
      return { ok: false, message: `Not yet: targetValues gives ${got.slice(0, 3).map((v) => v.toFixed(4)).join(", ")}..., expected ${Array.from(want.slice(0, 3)).map((v) => v.toFixed(4)).join(", ")}... Hint: ${hint}` };
    }
  } finally {
    model.dispose();
    baseModel.dispose();
  }
  const episodes = Array.from({ length: 300 }, (_, i) => i + 1);
  const syncs: number[] = [];
  for (const e of episodes) {
    const out = attempt("syncAfter", () => syncAfter(e));
    if ("problem" in out) return { ok: false, message: out.problem };
    if (typeof out.value !== "boolean") return { ok: false, message: `syncAfter(${e}) returned ${String(out.value)}; it must return true or false.` };
    if (out.value) syncs.push(e);
  }
  const want = episodes.filter(librarySyncAfter);
  if (syncs.join() !== want.join()) {
    const hint = syncs.length === 0
      ? "it never syncs: baseModel would keep its initial random weights forever."
      : syncs.length === 300
        ? "it syncs after every episode: then baseModel is always model again, which is chapter 2."
        : syncs.every((e) => (e - 1) % 50 === 0) || syncs.every((e) => (e + 1) % 50 === 0)
          ? "off by one: the lesson syncs after episodes 50, 100, 150, ... (i_episode % 50 == 0)."
          : "the lesson refreshes baseModel every 50 episodes: after episodes 50, 100, 150, ...";
    return { ok: false, message: `Not yet: syncAfter is true after episodes ${syncs.slice(0, 5).join(", ")}${syncs.length > 5 ? ", ..." : ""}${syncs.length === 0 ? "(none)" : ""}. Hint: ${hint}` };
  }
  return { ok: true, message: "Correct: the target comes from baseModel, which is refreshed from model after every 50th episode." };
}

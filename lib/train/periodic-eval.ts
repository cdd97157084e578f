/**
 * Periodic greedy evaluation, as Stable-Baselines3's EvalCallback and
 * CleanRL's `evaluate` do it: every `evalEvery` environment steps, the online
 * network plays `evalEpisodes` episodes greedily (no exploration) on an
 * environment of its own. It touches neither the training environment nor
 * the training generator, so the training episodes are exactly those of a
 * run without it.
 *
 * Every evaluation starts from the same reset seed (the training seed +
 * PERIODIC_EVAL_SEED_OFFSET; later episodes continue that env's stream), so
 * two evaluations of one run differ only by the network: the curve shows
 * learning, not luck of the start states. It also means nothing but the list
 * of evaluations needs to go into a snapshot to resume.
 */
import type { tf } from "../tf";
import type { TrainConfig } from "./config";
import { evaluate } from "./evaluate";

/** The seed of every periodic evaluation's first reset, past the training seed (the final evaluation uses +1000). */
export const PERIODIC_EVAL_SEED_OFFSET = 2000;

/** One periodic evaluation: where training was, and how the greedy network played. */
export interface Evaluation {
  /** Environment steps of training when it ran. */
  envSteps: number;
  /** The training episode it ran in (it may run mid-episode). */
  episode: number;
  /** Each greedy episode's return, in the config's reward (as the training curve). */
  returns: number[];
  /** Steps per greedy episode. */
  lengths: number[];
  mean: number;
  /** Population standard deviation of the returns (as np.std). */
  std: number;
  /** Episodes that ended before the time limit (terminated): the tip reached the line, the car the flag; for CartPole, the pole fell. */
  successes: number;
}

export interface PeriodicEvaluator {
  /** Whether an evaluation is due after this many environment steps. */
  due(envSteps: number): boolean;
  /** Plays the evaluation episodes with `model` (greedy, on the evaluator's own environment). */
  run(model: tf.LayersModel, at: { envSteps: number; episode: number }): Evaluation;
}

/** The evaluator for a config; `due` is never true when `evalEvery` is 0 (off). */
export function periodicEvaluator(c: Pick<TrainConfig, "env" | "evalEvery" | "evalEpisodes" | "seed" | "dynamics" | "maxEpisodeSteps" | "reward">): PeriodicEvaluator {
  return {
    due: (envSteps) => c.evalEvery > 0 && envSteps > 0 && envSteps % c.evalEvery === 0,
    run(model, at) {
      const e = evaluate(model, { env: c.env, episodes: c.evalEpisodes, seed: c.seed + PERIODIC_EVAL_SEED_OFFSET, dynamics: c.dynamics, maxEpisodeSteps: c.maxEpisodeSteps, reward: c.reward }); // a user's function gets copies, as in training
      return { envSteps: at.envSteps, episode: at.episode, returns: e.returns, lengths: e.lengths, mean: e.mean, std: e.std, successes: e.successes };
    },
  };
}

/** What is wrong with an evaluation record read back from a file or snapshot, or null. */
export function evaluationProblem(e: unknown): string | null {
  if (e === null || typeof e !== "object" || Array.isArray(e)) return "is not an object";
  const r = e as Record<string, unknown>;
  for (const k of ["envSteps", "episode", "successes"]) if (!Number.isSafeInteger(r[k]) || (r[k] as number) < 0) return `has ${k} ${JSON.stringify(r[k])}, expected a whole number`;
  for (const k of ["returns", "lengths"] as const) {
    const list = r[k];
    if (!Array.isArray(list) || list.length === 0 || !list.every((x) => typeof x === "number" && Number.isFinite(x))) return `has ${k} that is not a non-empty list of numbers`;
  }
  if ((r.returns as number[]).length !== (r.lengths as number[]).length) return "has returns and lengths of different counts";
  for (const k of ["mean", "std"]) if (typeof r[k] !== "number" || !Number.isFinite(r[k])) return `has ${k} ${JSON.stringify(r[k])}, expected a finite number`;
  return null;
}

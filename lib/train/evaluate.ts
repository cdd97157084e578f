/**
 * Greedy play: the trained network picks the best action every step (no
 * exploration) over fresh episodes; how a learner checks what it learned.
 */
import { Acrobot, type Dynamics } from "../env/acrobot";
import type { tf } from "../tf";
import { greedyAction } from "../agent/q-network";
import { rewardFunctions, type RewardFn, type RewardName } from "./rewards";

export interface EvaluateOptions {
  /** Number of episodes (default 10). */
  episodes?: number;
  /** Seeds the first reset; later episodes continue the stream (default 0). */
  seed?: number;
  /** Time limit per episode (default 500). */
  maxEpisodeSteps?: number;
  dynamics?: Dynamics;
  /** What the returns sum: "env" (-1 per step, default), "tipHeight", or a function. */
  reward?: RewardName | RewardFn;
  /** Record the internal states of this episode (0-based) for an animation. */
  recordEpisode?: number;
}

export interface EvaluateResult {
  returns: number[];
  /** Steps per episode. */
  lengths: number[];
  mean: number;
  /** Episodes in which the tip reached the line. */
  successes: number;
  /** `[t1, t2, dt1, dt2]` from the reset on, if `recordEpisode` was given. */
  states?: number[][];
  /** The actions of the recorded episode. */
  actions?: number[];
}

export function evaluate(model: tf.LayersModel, options: EvaluateOptions = {}): EvaluateResult {
  const { episodes = 10, seed = 0, maxEpisodeSteps = 500, dynamics = "book", reward = "env", recordEpisode } = options;
  if (!Number.isInteger(episodes) || episodes < 1) throw new RangeError(`episodes must be a whole number of at least 1, got ${episodes}`);
  if (recordEpisode !== undefined && !(Number.isInteger(recordEpisode) && recordEpisode >= 0 && recordEpisode < episodes)) {
    throw new RangeError(`recordEpisode must be an episode index from 0 to ${episodes - 1}, got ${recordEpisode}`);
  }
  const rewardFn = typeof reward === "function" ? reward : rewardFunctions[reward];
  if (rewardFn === undefined) throw new RangeError(`reward must be one of ${Object.keys(rewardFunctions).join(", ")} or a function`);
  const env = new Acrobot({ dynamics, maxEpisodeSteps });
  const result: EvaluateResult = { returns: [], lengths: [], mean: 0, successes: 0 };
  for (let e = 0; e < episodes; e++) {
    let obs = env.reset(e === 0 ? { seed } : {});
    const record = e === recordEpisode;
    if (record) {
      result.states = [Array.from(env.state)];
      result.actions = [];
    }
    let total = 0, steps = 0;
    for (;;) {
      const action = greedyAction(model, obs);
      const r = env.step(action);
      total += rewardFn(r, env.state);
      steps++;
      obs = r.observation;
      if (record) {
        result.states!.push(Array.from(env.state));
        result.actions!.push(action);
      }
      if (r.terminated) result.successes++;
      if (r.terminated || r.truncated) break;
    }
    result.returns.push(total);
    result.lengths.push(steps);
  }
  result.mean = result.returns.reduce((a, b) => a + b, 0) / episodes;
  return result;
}

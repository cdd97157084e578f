/**
 * Reward functions: what the agent is paid for each step. The environment's
 * own reward is -1 per step (0 on reaching the goal); the exercise pays the
 * tip's height instead, so higher is better even before the goal is reached.
 */
import { tipHeight, type StepResult } from "../env/acrobot";

/** Reward for one step, from the environment's result and the new internal state `[t1, t2, dt1, dt2]`. */
export type RewardFn = (step: StepResult, state: Float64Array) => number;

export const rewardFunctions = {
  /** Acrobot-v1's reward: -1 per step, 0 on the step that reaches the line. */
  env: ((step) => step.reward) as RewardFn,
  /** The exercise: tip height minus 1 (negative below the line, positive above). */
  tipHeight: ((_step, state) => tipHeight(state) - 1) as RewardFn,
};

export type RewardName = keyof typeof rewardFunctions;

/**
 * A reward function of the user's own, called on fresh copies of the step and the state: the live
 * environment state and the observation the memory stores stay out of its reach, and a copy it
 * keeps is its own (a reused scratch array would change under it on the next step).
 */
export function onCopies(fn: RewardFn): RewardFn {
  return (step, state) => fn({ observation: step.observation.slice(), reward: step.reward, terminated: step.terminated, truncated: step.truncated }, state.slice());
}

/**
 * Reward functions: what the agent is paid for each step. "env" is the task's
 * own reward. The others reshape a sparse one so progress shows before the
 * goal is reached: the exercise pays Acrobot's tip height, and MountainCar's
 * car is paid for its mechanical energy (it must rock to build it up).
 */
import { tipHeight } from "../env/acrobot";
import { GOAL_POSITION } from "../env/mountain-car";
import { TASK_IDS, type StepResult, type TaskId } from "../env/task";

/** Reward for one step, from the environment's result and the task's new internal float64 state (Acrobot: `[t1, t2, dt1, dt2]`). */
export type RewardFn = (step: StepResult, state: Float64Array) => number;

// MountainCar's velocity changes by -0.0025 cos(3 position) per step, so its potential is
// (0.0025 / 3) sin(3 position); measured from the valley floor, it is 0 there.
const CAR_GRAVITY = 0.0025;
const carPotential = (position: number) => (CAR_GRAVITY / 3) * (Math.sin(3 * position) + 1);
/** MountainCar's mechanical energy (kinetic + potential, 0 at rest on the valley floor). */
export function carEnergy(state: ArrayLike<number>): number {
  return 0.5 * state[1] * state[1] + carPotential(state[0]);
}
/** The energy of the car at rest on the flag: with at least this much, it can get there. */
export const CAR_GOAL_ENERGY = carPotential(GOAL_POSITION);

export const rewardFunctions = {
  /** The task's own reward (Acrobot-v1: -1 per step, 0 on the step that reaches the line). */
  env: ((step) => step.reward) as RewardFn,
  /** The exercise (Acrobot-v1): tip height minus 1 (negative below the line, positive above). */
  tipHeight: ((_step, state) => tipHeight(state) - 1) as RewardFn,
  /**
   * MountainCar-v0, shaped: -1 per step as the task pays, plus up to 0.5 for the car's energy as a
   * share of what reaching the flag takes. Every step still costs at least 0.5, so getting there
   * sooner still pays; the energy term rewards the rocking that a random policy never finds.
   */
  carEnergy: ((step, state) => step.reward + 0.5 * Math.min(1, carEnergy(state) / CAR_GOAL_ENERGY)) as RewardFn,
};

export type RewardName = keyof typeof rewardFunctions;

/** The tasks each named reward is for. */
export const rewardTasks: Readonly<Record<RewardName, readonly TaskId[]>> = {
  env: TASK_IDS,
  tipHeight: ["Acrobot-v1"],
  carEnergy: ["MountainCar-v0"],
};

export function rewardFitsTask(name: RewardName, task: TaskId): boolean {
  return rewardTasks[name].includes(task);
}

export function rewardNamesFor(task: TaskId): RewardName[] {
  return (Object.keys(rewardTasks) as RewardName[]).filter((k) => rewardFitsTask(k, task));
}

/**
 * A reward function of the user's own, called on fresh copies of the step and the state: the live
 * environment state and the observation the memory stores stay out of its reach, and a copy it
 * keeps is its own (a reused scratch array would change under it on the next step).
 */
export function onCopies(fn: RewardFn): RewardFn {
  return (step, state) => fn({ observation: step.observation.slice(), reward: step.reward, terminated: step.terminated, truncated: step.truncated }, state.slice());
}

/**
 * What a task is, to the DQN: Gymnasium's `Env` cut to what training needs,
 * and a registry that names the tasks. The agent takes every size from here
 * (observation length, number of actions, time limit, the bar to clear), so
 * the same loop runs Acrobot-v1, CartPole-v1 and MountainCar-v0.
 */
import { Acrobot, type Dynamics } from "./acrobot";
import { CartPole } from "./cartpole";
import { MountainCar } from "./mountain-car";

export interface StepResult {
  /** What the agent sees after the step, float32 like Gymnasium's. */
  observation: Float32Array;
  /** The task's own reward for this step. */
  reward: number;
  /** The task itself ended (goal reached, pole fell): do not bootstrap. */
  terminated: boolean;
  /** The time limit ran out: the task did not end. */
  truncated: boolean;
}

export interface BoxSpace {
  readonly shape: readonly [number];
  readonly low: Float32Array;
  readonly high: Float32Array;
  readonly dtype: "float32";
}

export interface DiscreteSpace {
  readonly n: number;
  readonly start: number;
}

export interface TaskResetOptions {
  /** Seeds the task's generator exactly as Gymnasium's `reset(seed=...)` (a bigint for seeds above 2^53). */
  seed?: number | bigint;
}

/** One environment, with Gymnasium's TimeLimit built in. */
export interface Task {
  /** Gymnasium's id, e.g. "CartPole-v1". */
  readonly id: TaskId;
  readonly observationSpace: BoxSpace;
  readonly actionSpace: DiscreteSpace;
  /** Steps before `truncated` (Gymnasium's registration: 500, 500, 200). */
  readonly maxEpisodeSteps: number;
  /** Gymnasium's `reward_threshold`: the 100-episode average that counts as solved. */
  readonly rewardThreshold: number;
  /** The internal float64 state after the last reset or step (what a reward function or a drawing reads). */
  readonly state: Float64Array;
  /** Steps since the last reset (the TimeLimit's counter). */
  readonly elapsedSteps: number;
  /** Starts an episode; returns its first observation. */
  reset(options?: TaskResetOptions): Float32Array;
  /** Applies an action index from 0 to `actionSpace.n - 1`. */
  step(action: number): StepResult;
  /** The reset generator's state (null before the first reset), so a resumed run continues its stream. */
  getRngState(): [string, string] | null;
  setRngState(state: readonly [string, string] | null): void;
}

export const TASK_IDS = ["Acrobot-v1", "CartPole-v1", "MountainCar-v0"] as const;
export type TaskId = (typeof TASK_IDS)[number];

/** A task's sizes and numbers, known without building it. */
export interface TaskInfo {
  id: TaskId;
  observationSize: number;
  actions: number;
  maxEpisodeSteps: number;
  rewardThreshold: number;
  /** What each action does, for errors and displays. */
  actionLabels: readonly string[];
  /** What `terminated` means here, said of one episode and of several: a success for Acrobot and MountainCar, a failure for CartPole. */
  ended: { one: string; some: string };
}

export const TASKS: Readonly<Record<TaskId, TaskInfo>> = {
  "Acrobot-v1": { id: "Acrobot-v1", observationSize: 6, actions: 3, maxEpisodeSteps: 500, rewardThreshold: -100, actionLabels: ["torque -1", "torque 0", "torque +1"], ended: { one: "the tip reached the line", some: "reached the line" } },
  "CartPole-v1": { id: "CartPole-v1", observationSize: 4, actions: 2, maxEpisodeSteps: 500, rewardThreshold: 475, actionLabels: ["push left", "push right"], ended: { one: "the pole fell", some: "ended with the pole down" } },
  "MountainCar-v0": { id: "MountainCar-v0", observationSize: 2, actions: 3, maxEpisodeSteps: 200, rewardThreshold: -110, actionLabels: ["accelerate left", "none", "accelerate right"], ended: { one: "the car reached the flag", some: "reached the flag" } },
};

export function isTaskId(v: unknown): v is TaskId {
  return typeof v === "string" && (TASK_IDS as readonly string[]).includes(v);
}

/** A task's facts by id, with a clear error for an unknown one. */
export function taskInfo(id: string): TaskInfo {
  if (!isTaskId(id)) throw new RangeError(`unknown task ${JSON.stringify(id)}; the tasks are: ${TASK_IDS.join(", ")}`);
  return TASKS[id];
}

export interface MakeTaskOptions {
  /** Steps before `truncated` (default: the task's registered limit). */
  maxEpisodeSteps?: number;
  /** Acrobot-v1 only: "book" (default) or "nips". */
  dynamics?: Dynamics;
}

/** Builds a task by its Gymnasium id (`gym.make`). */
export function makeTask(id: string, options: MakeTaskOptions = {}): Task {
  const info = taskInfo(id);
  const { maxEpisodeSteps = info.maxEpisodeSteps, dynamics } = options;
  if (dynamics !== undefined && dynamics !== "book" && info.id !== "Acrobot-v1") {
    throw new RangeError(`dynamics ${JSON.stringify(dynamics)} applies to Acrobot-v1 only; ${info.id} has one set of equations`);
  }
  switch (info.id) {
    case "Acrobot-v1": return new Acrobot({ dynamics, maxEpisodeSteps });
    case "CartPole-v1": return new CartPole({ maxEpisodeSteps });
    case "MountainCar-v0": return new MountainCar({ maxEpisodeSteps });
  }
}

/** `dqn.env`: the tasks, as Gymnasium has them: Acrobot-v1 (the lesson's), CartPole-v1 and MountainCar-v0, and the registry that names them. */
export { Acrobot, tipHeight, linkPositions, AVAIL_TORQUE, DEFAULT_MAX_EPISODE_STEPS, REWARD_THRESHOLD, MAX_VEL_1, MAX_VEL_2 } from "../env/acrobot";
export type { AcrobotOptions, Dynamics, ResetOptions } from "../env/acrobot";
export { CartPole } from "../env/cartpole";
export type { CartPoleOptions } from "../env/cartpole";
export { MountainCar, trackHeight } from "../env/mountain-car";
export type { MountainCarOptions } from "../env/mountain-car";
export { makeTask, taskInfo, isTaskId, TASKS, TASK_IDS } from "../env/task";
export type { Task, TaskId, TaskInfo, StepResult, BoxSpace, DiscreteSpace, TaskResetOptions } from "../env/task";

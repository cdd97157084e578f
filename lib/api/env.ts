/** `dqn.env`: the task, Acrobot-v1 as Gymnasium has it. */
export { Acrobot, tipHeight, linkPositions, AVAIL_TORQUE, DEFAULT_MAX_EPISODE_STEPS, REWARD_THRESHOLD, MAX_VEL_1, MAX_VEL_2 } from "../env/acrobot";
export type { AcrobotOptions, Dynamics, ResetOptions, StepResult, BoxSpace, DiscreteSpace } from "../env/acrobot";

/**
 * MountainCar-v0, ported from Gymnasium's `classic_control/mountain_car.py`
 * with its `TimeLimit(200)` wrapper built in.
 *
 * A car in a valley must reach the flag at position 0.5 on the right hill, but
 * its engine is too weak to drive straight up: it has to rock back and forth.
 * -1 per step until it gets there, so a random policy sees no signal at all.
 * Same constants, clip order and left-wall rule as Gymnasium's.
 */
import type { BoxSpace, DiscreteSpace, StepResult, Task, TaskResetOptions } from "./task";
import { badAction, checkState, checkTimeLimit, EpisodeClock, ResetGenerator } from "./seeding";

export const MIN_POSITION = -1.2;
export const MAX_POSITION = 0.6;
export const MAX_SPEED = 0.07;
export const GOAL_POSITION = 0.5;
const GOAL_VELOCITY = 0;
const FORCE = 0.001;
const GRAVITY = 0.0025;
export const MOUNTAIN_CAR_MAX_EPISODE_STEPS = 200;
export const MOUNTAIN_CAR_REWARD_THRESHOLD = -110;

export interface MountainCarOptions {
  /** Steps before `truncated` (Gymnasium's registration: 200). */
  maxEpisodeSteps?: number;
}

export interface MountainCarResetOptions extends TaskResetOptions {
  /** Start from this state `[position, velocity]` instead of a random one. */
  state?: ArrayLike<number>;
}

/** The track's height at a position (Gymnasium's `_height`), for drawing and for a height-based reward. */
export function trackHeight(position: number): number {
  return Math.sin(3 * position) * 0.45 + 0.55;
}

const clip = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);

export class MountainCar implements Task {
  readonly id = "MountainCar-v0" as const;
  readonly maxEpisodeSteps: number;
  readonly rewardThreshold = MOUNTAIN_CAR_REWARD_THRESHOLD;
  readonly observationSpace: BoxSpace = {
    shape: [2], low: Float32Array.of(MIN_POSITION, -MAX_SPEED), high: Float32Array.of(MAX_POSITION, MAX_SPEED), dtype: "float32",
  };
  readonly actionSpace: DiscreteSpace = { n: 3, start: 0 };
  /** Internal float64 state `[position, velocity]`. */
  readonly state = new Float64Array(2);
  /** Steps since the last reset (the TimeLimit's counter). */
  get elapsedSteps(): number {
    return this.clock.elapsed;
  }

  private readonly resetGenerator = new ResetGenerator();
  private readonly clock = new EpisodeClock();

  constructor(options: MountainCarOptions = {}) {
    this.maxEpisodeSteps = checkTimeLimit(options.maxEpisodeSteps ?? MOUNTAIN_CAR_MAX_EPISODE_STEPS);
  }

  reset(options: MountainCarResetOptions = {}): Float32Array {
    const { seed, state } = options;
    this.resetGenerator.reseed(seed);
    if (state !== undefined) {
      checkState("MountainCar", state, ["position", "velocity"], [[MIN_POSITION, MAX_POSITION], [-MAX_SPEED, MAX_SPEED]]);
      this.state[0] = state[0];
      this.state[1] = state[1];
    } else {
      this.state[0] = this.resetGenerator.draws().uniform(-0.6, -0.4); // one draw; the car starts at rest
      this.state[1] = 0;
    }
    this.clock.restart();
    return Float32Array.from(this.state);
  }

  getRngState(): [string, string] | null {
    return this.resetGenerator.getState();
  }

  setRngState(state: readonly [string, string] | null): void {
    this.resetGenerator.setState(state);
  }

  /** Accelerates left (0), not at all (1) or right (2) for one step. */
  step(action: number): StepResult {
    if (action !== 0 && action !== 1 && action !== 2) throw badAction("MountainCar", "0, 1 or 2 (accelerate left, none, right)", action);
    this.clock.checkStarted("MountainCar");
    let position = this.state[0], velocity = this.state[1];
    velocity += (action - 1) * FORCE + Math.cos(3 * position) * -GRAVITY; // right-hand side summed first, as Python's +=
    velocity = clip(velocity, -MAX_SPEED, MAX_SPEED);
    position += velocity;
    position = clip(position, MIN_POSITION, MAX_POSITION);
    if (position === MIN_POSITION && velocity < 0) velocity = 0; // the left wall stops the car; the right end does not
    const terminated = position >= GOAL_POSITION && velocity >= GOAL_VELOCITY;
    this.state[0] = position;
    this.state[1] = velocity;
    const truncated = this.clock.tick(this.maxEpisodeSteps);
    return { observation: Float32Array.from(this.state), reward: -1.0, terminated, truncated };
  }
}

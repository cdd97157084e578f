/**
 * CartPole-v1, ported from Gymnasium's `classic_control/cartpole.py` with its
 * `TimeLimit(500)` wrapper built in.
 *
 * A pole stands on a cart that the agent pushes left or right; +1 per step
 * while the pole stays within 12 degrees and the cart within 2.4 of the
 * centre. The state stays float64 and the observation is its float32 cast,
 * the dynamics are explicit Euler in Gymnasium's order of operations, and
 * stepping on after the pole fell behaves as Gymnasium's does (a warning,
 * then reward 0 while it stays fallen), so every recorded trajectory replays.
 */
import type { BoxSpace, DiscreteSpace, StepResult, Task, TaskResetOptions } from "./task";
import { badAction, checkState, checkTimeLimit, EpisodeClock, ResetGenerator } from "./seeding";

const GRAVITY = 9.8;
const MASSCART = 1.0;
const MASSPOLE = 0.1;
const TOTAL_MASS = MASSPOLE + MASSCART;
const LENGTH = 0.5; // half the pole's length
const POLEMASS_LENGTH = MASSPOLE * LENGTH;
const FORCE_MAG = 10.0;
const TAU = 0.02; // seconds per step
export const X_THRESHOLD = 2.4;
export const THETA_THRESHOLD_RADIANS = (12 * 2 * Math.PI) / 360;
export const CARTPOLE_MAX_EPISODE_STEPS = 500;
export const CARTPOLE_REWARD_THRESHOLD = 475;

export interface CartPoleOptions {
  /** Steps before `truncated` (Gymnasium's registration: 500). */
  maxEpisodeSteps?: number;
  /** Gymnasium's `sutton_barto_reward`: 0 per step, -1 when the pole falls. */
  suttonBartoReward?: boolean;
  /** Called once when `step` goes on after `terminated` (Gymnasium's `logger.warn`); default: console.warn. */
  onWarning?: (message: string) => void;
}

export interface CartPoleResetOptions extends TaskResetOptions {
  /** Start from this float64 state `[x, x_dot, theta, theta_dot]` instead of a random one. */
  state?: ArrayLike<number>;
}

const STATE_NAMES = ["x", "x_dot", "theta", "theta_dot"] as const;
// A set state the dynamics handle without overflow: positions within the observation space, speeds within 1000.
const STATE_LIMITS = [[-2 * X_THRESHOLD, 2 * X_THRESHOLD], [-1000, 1000], [-2 * THETA_THRESHOLD_RADIANS, 2 * THETA_THRESHOLD_RADIANS], [-1000, 1000]] as const;

export const AFTER_TERMINATION_WARNING =
  "You are calling 'step()' even though this environment has already returned terminated = True. " +
  "You should always call 'reset()' once you receive 'terminated = True' -- any further steps are undefined behavior.";

export class CartPole implements Task {
  readonly id = "CartPole-v1" as const;
  readonly maxEpisodeSteps: number;
  readonly rewardThreshold = CARTPOLE_REWARD_THRESHOLD;
  readonly observationSpace: BoxSpace;
  readonly actionSpace: DiscreteSpace = { n: 2, start: 0 };
  /** Internal float64 state `[x, x_dot, theta, theta_dot]`. */
  readonly state = new Float64Array(4);
  /** Steps since the last reset (the TimeLimit's counter). */
  get elapsedSteps(): number {
    return this.clock.elapsed;
  }

  private readonly resetGenerator = new ResetGenerator();
  private readonly clock = new EpisodeClock();
  /** Gymnasium's `steps_beyond_terminated`: null until the pole falls. */
  private stepsBeyondTerminated: number | null = null;
  private readonly suttonBartoReward: boolean;
  private readonly onWarning: (message: string) => void;

  constructor(options: CartPoleOptions = {}) {
    this.maxEpisodeSteps = checkTimeLimit(options.maxEpisodeSteps ?? CARTPOLE_MAX_EPISODE_STEPS);
    this.suttonBartoReward = options.suttonBartoReward ?? false;
    this.onWarning = options.onWarning ?? ((m) => console.warn(m));
    const high = Float32Array.of(X_THRESHOLD * 2, Infinity, THETA_THRESHOLD_RADIANS * 2, Infinity);
    this.observationSpace = { shape: [4], low: high.map((v) => -v), high, dtype: "float32" };
  }

  reset(options: CartPoleResetOptions = {}): Float32Array {
    const { seed, state } = options;
    this.resetGenerator.reseed(seed);
    if (state !== undefined) {
      checkState("CartPole", state, STATE_NAMES, STATE_LIMITS);
      for (let i = 0; i < 4; i++) this.state[i] = state[i];
    } else {
      const rng = this.resetGenerator.draws();
      // uniform(-0.05, 0.05, size=(4,)): float64, drawn x, x_dot, theta, theta_dot.
      for (let i = 0; i < 4; i++) this.state[i] = rng.uniform(-0.05, 0.05);
    }
    this.stepsBeyondTerminated = null;
    this.clock.restart();
    return Float32Array.from(this.state);
  }

  getRngState(): [string, string] | null {
    return this.resetGenerator.getState();
  }

  setRngState(state: readonly [string, string] | null): void {
    this.resetGenerator.setState(state);
  }

  /** Pushes the cart left (0) or right (1) for 0.02 s. */
  step(action: number): StepResult {
    if (action !== 0 && action !== 1) throw badAction("CartPole", "0 or 1 (push left, push right)", action);
    this.clock.checkStarted("CartPole");
    const s = this.state;
    let x = s[0], xDot = s[1], theta = s[2], thetaDot = s[3];
    const force = action === 1 ? FORCE_MAG : -FORCE_MAG;
    const costheta = Math.cos(theta);
    const sintheta = Math.sin(theta);
    // Gymnasium's expressions, evaluated left to right as Python does.
    const temp = (force + POLEMASS_LENGTH * (thetaDot * thetaDot) * sintheta) / TOTAL_MASS;
    const thetaacc = (GRAVITY * sintheta - costheta * temp) / (LENGTH * (4.0 / 3.0 - (MASSPOLE * (costheta * costheta)) / TOTAL_MASS));
    const xacc = temp - (POLEMASS_LENGTH * thetaacc * costheta) / TOTAL_MASS;
    // Explicit Euler: positions move with the old velocities.
    x = x + TAU * xDot;
    xDot = xDot + TAU * xacc;
    theta = theta + TAU * thetaDot;
    thetaDot = thetaDot + TAU * thetaacc;
    s[0] = x; s[1] = xDot; s[2] = theta; s[3] = thetaDot;

    const terminated = x < -X_THRESHOLD || x > X_THRESHOLD || theta < -THETA_THRESHOLD_RADIANS || theta > THETA_THRESHOLD_RADIANS;
    let reward: number;
    if (!terminated) {
      reward = this.suttonBartoReward ? 0.0 : 1.0;
    } else if (this.stepsBeyondTerminated === null) {
      this.stepsBeyondTerminated = 0; // the pole just fell
      reward = this.suttonBartoReward ? -1.0 : 1.0;
    } else {
      if (this.stepsBeyondTerminated === 0) this.onWarning(AFTER_TERMINATION_WARNING);
      this.stepsBeyondTerminated++;
      reward = this.suttonBartoReward ? -1.0 : 0.0;
    }
    const truncated = this.clock.tick(this.maxEpisodeSteps);
    return { observation: Float32Array.from(s), reward, terminated, truncated };
  }
}

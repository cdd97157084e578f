/**
 * Acrobot-v1, ported from Gymnasium's `classic_control/acrobot.py` with its
 * `TimeLimit(500)` wrapper built in.
 *
 * Two links hang from a fixed pivot; only the joint between them is driven.
 * The episode ends (`terminated`) once the tip rises above the line one link
 * length over the pivot, and is cut off (`truncated`) after `maxEpisodeSteps`.
 * Same constants, RK4 step, angle wrapping, velocity bounds and seeding as
 * Gymnasium: `reset({ seed })` gives the very state Gymnasium's does.
 */
import type { BoxSpace, DiscreteSpace, StepResult, Task } from "./task";
import { ResetGenerator } from "./seeding";

export type Dynamics = "book" | "nips";

export interface AcrobotOptions {
  /** "book" (Sutton & Barto, Gymnasium's default) or "nips" (the 1996 paper's equations). */
  dynamics?: Dynamics;
  /** Steps before `truncated` (Gymnasium's TimeLimit: 500; the lesson also tries 1000). */
  maxEpisodeSteps?: number;
}

export interface ResetOptions {
  /** Seeds the environment's generator, exactly as Gymnasium's `reset(seed=...)` (a bigint for seeds above 2^53). */
  seed?: number | bigint;
  /** Start from this internal state `[theta1, theta2, dtheta1, dtheta2]` instead of a random one. */
  state?: ArrayLike<number>;
  /** Bounds of the uniform initial state (Gymnasium's reset options; default -0.1 and 0.1). */
  low?: number;
  high?: number;
}

export type { StepResult, BoxSpace, DiscreteSpace } from "./task";

// Physical constants, as in Gymnasium.
export const DT = 0.2;
export const LINK_LENGTH_1 = 1.0;
export const LINK_LENGTH_2 = 1.0;
const LINK_MASS_1 = 1.0;
const LINK_MASS_2 = 1.0;
const LINK_COM_POS_1 = 0.5;
const LINK_COM_POS_2 = 0.5;
const LINK_MOI = 1.0;
const G = 9.8;
export const MAX_VEL_1 = 4 * Math.PI;
export const MAX_VEL_2 = 9 * Math.PI;
/** Action index -> torque on the middle joint. */
export const AVAIL_TORQUE: readonly number[] = [-1.0, 0.0, 1.0];
export const DEFAULT_MAX_EPISODE_STEPS = 500;
/** Gymnasium's `reward_threshold` for Acrobot-v1. */
export const REWARD_THRESHOLD = -100;

/** Height of the arm's tip above the pivot, in link lengths; the goal is above 1. */
export function tipHeight(state: ArrayLike<number>): number {
  return -Math.cos(state[0]) - Math.cos(state[1] + state[0]);
}

/** Elbow and tip positions (x right, y up, pivot at the origin), for drawing. */
export function linkPositions(state: ArrayLike<number>): { elbow: [number, number]; tip: [number, number] } {
  const t1 = state[0];
  const t12 = state[0] + state[1];
  const elbow: [number, number] = [LINK_LENGTH_1 * Math.sin(t1), -LINK_LENGTH_1 * Math.cos(t1)];
  return { elbow, tip: [elbow[0] + LINK_LENGTH_2 * Math.sin(t12), elbow[1] - LINK_LENGTH_2 * Math.cos(t12)] };
}

/** Gymnasium's `wrap`: shift x by whole turns into [m, M]. */
function wrap(x: number, m: number, M: number): number {
  const diff = M - m;
  while (x > M) x = x - diff;
  while (x < m) x = x + diff;
  return x;
}

function bound(x: number, m: number, M: number): number {
  return Math.min(Math.max(x, m), M);
}

/**
 * Equations of motion: writes d/dt of `[t1, t2, dt1, dt2]` into `out`.
 * Transcribed term by term (same order of operations) from Gymnasium's `_dsdt`.
 */
function dsdt(s: Float64Array, torque: number, nips: boolean, out: Float64Array): void {
  const m1 = LINK_MASS_1, m2 = LINK_MASS_2, l1 = LINK_LENGTH_1;
  const lc1 = LINK_COM_POS_1, lc2 = LINK_COM_POS_2, I1 = LINK_MOI, I2 = LINK_MOI;
  const theta1 = s[0], theta2 = s[1], dtheta1 = s[2], dtheta2 = s[3];
  const cos2 = Math.cos(theta2), sin2 = Math.sin(theta2);
  const d1 = m1 * lc1 * lc1 + m2 * (l1 * l1 + lc2 * lc2 + 2 * l1 * lc2 * cos2) + I1 + I2;
  const d2 = m2 * (lc2 * lc2 + l1 * lc2 * cos2) + I2;
  const phi2 = m2 * lc2 * G * Math.cos(theta1 + theta2 - Math.PI / 2.0);
  const phi1 =
    -m2 * l1 * lc2 * (dtheta2 * dtheta2) * sin2 -
    2 * m2 * l1 * lc2 * dtheta2 * dtheta1 * sin2 +
    (m1 * lc1 + m2 * l1) * G * Math.cos(theta1 - Math.PI / 2) +
    phi2;
  const ddtheta2 = nips
    ? (torque + (d2 / d1) * phi1 - phi2) / (m2 * lc2 * lc2 + I2 - (d2 * d2) / d1)
    : (torque + (d2 / d1) * phi1 - m2 * l1 * lc2 * (dtheta1 * dtheta1) * sin2 - phi2) /
      (m2 * lc2 * lc2 + I2 - (d2 * d2) / d1);
  const ddtheta1 = -(d2 * ddtheta2 + phi1) / d1;
  out[0] = dtheta1;
  out[1] = dtheta2;
  out[2] = ddtheta1;
  out[3] = ddtheta2;
}

const ALLOWED_ACTIONS = "0, 1 or 2 (torque -1, 0, +1)";

export class Acrobot implements Task {
  readonly id = "Acrobot-v1" as const;
  readonly rewardThreshold = REWARD_THRESHOLD;
  readonly dynamics: Dynamics;
  readonly maxEpisodeSteps: number;
  readonly observationSpace: BoxSpace;
  readonly actionSpace: DiscreteSpace = { n: 3, start: 0 };

  /** Internal state `[t1, t2, dt1, dt2]` after the last reset or step. */
  readonly state = new Float64Array(4);
  /** Steps taken since the last reset (the TimeLimit's counter). */
  elapsedSteps = 0;

  private readonly resetGenerator = new ResetGenerator();
  private phase: "new" | "running" | "done" = "new";
  private readonly nips: boolean;
  // RK4 scratch space, reused so a step allocates only its observation.
  private readonly k1 = new Float64Array(4);
  private readonly k2 = new Float64Array(4);
  private readonly k3 = new Float64Array(4);
  private readonly k4 = new Float64Array(4);
  private readonly y = new Float64Array(4);

  constructor(options: AcrobotOptions = {}) {
    const { dynamics = "book", maxEpisodeSteps = DEFAULT_MAX_EPISODE_STEPS } = options;
    if (dynamics !== "book" && dynamics !== "nips") {
      throw new RangeError(`Acrobot dynamics must be "book" or "nips", got ${JSON.stringify(dynamics)}`);
    }
    if (!Number.isInteger(maxEpisodeSteps) || maxEpisodeSteps < 1) {
      throw new RangeError(`maxEpisodeSteps must be a whole number of at least 1, got ${maxEpisodeSteps}`);
    }
    this.dynamics = dynamics;
    this.nips = dynamics === "nips";
    this.maxEpisodeSteps = maxEpisodeSteps;
    const high = Float32Array.of(1, 1, 1, 1, MAX_VEL_1, MAX_VEL_2);
    this.observationSpace = { shape: [6], low: high.map((v) => -v), high, dtype: "float32" };
  }

  /** Starts an episode and returns its first observation. */
  reset(options: ResetOptions = {}): Float32Array {
    const { seed, state, low, high } = options;
    this.resetGenerator.reseed(seed);
    if (state !== undefined) {
      if (low !== undefined || high !== undefined) {
        throw new RangeError("reset: give either an explicit state or low/high bounds, not both");
      }
      if (state.length !== 4 || !Array.prototype.every.call(state, (v: unknown) => typeof v === "number" && Number.isFinite(v))) {
        throw new RangeError("reset: state must be four finite numbers [theta1, theta2, dtheta1, dtheta2]");
      }
      // A state the environment can reach: step() wraps angles and bounds speeds only after
      // integrating, so a huge one would spin its wrap loop for ever or overflow to NaN.
      const limits = [Math.PI, Math.PI, MAX_VEL_1, MAX_VEL_2];
      const names = ["theta1", "theta2", "dtheta1", "dtheta2"];
      for (let i = 0; i < 4; i++) {
        if (Math.abs(state[i]) > limits[i]) {
          throw new RangeError(
            `reset: state ${names[i]} must be from ${-limits[i].toFixed(4)} to ${limits[i].toFixed(4)} (${i < 2 ? "an angle in [-pi, pi]" : `a speed within the environment's bound of ${i === 2 ? "4" : "9"} pi`}), got ${state[i]}`,
          );
        }
      }
      for (let i = 0; i < 4; i++) this.state[i] = state[i];
    } else {
      const lo = low ?? -0.1;
      const hi = high ?? 0.1;
      // The draw sets angles and speeds alike: within [-pi, pi] both are states the environment can reach.
      if (typeof lo !== "number" || typeof hi !== "number" || !(lo >= -Math.PI && hi <= Math.PI && lo <= hi)) {
        throw new RangeError(`reset: low and high must be finite numbers from -pi to pi with low <= high (Gymnasium's default: -0.1 and 0.1), got low=${lo}, high=${hi}`);
      }
      // Unseeded first reset: a fresh seed, as Gymnasium draws one from the OS.
      const rng = this.resetGenerator.draws();
      // Gymnasium draws float64 then casts the state to float32.
      for (let i = 0; i < 4; i++) this.state[i] = Math.fround(rng.uniform(lo, hi));
    }
    this.elapsedSteps = 0;
    this.phase = "running";
    return this.observe();
  }

  /** The state of the reset generator (null before the first reset), to continue its stream after a restart. */
  getRngState(): [string, string] | null {
    return this.resetGenerator.getState();
  }

  setRngState(state: readonly [string, string] | null): void {
    this.resetGenerator.setState(state);
  }

  /** Applies action 0, 1 or 2 (torque -1, 0, +1) for one 0.2 s step. */
  step(action: number): StepResult {
    if (action !== 0 && action !== 1 && action !== 2) throw this.badAction(action);
    if (this.phase !== "running") {
      throw new Error(
        this.phase === "new"
          ? "Acrobot.step called before reset(): call env.reset() to start an episode"
          : "Acrobot.step called after the episode ended (terminated or truncated): call env.reset() first",
      );
    }
    const s = this.state;
    this.rk4(AVAIL_TORQUE[action]);
    s[0] = wrap(s[0], -Math.PI, Math.PI);
    s[1] = wrap(s[1], -Math.PI, Math.PI);
    s[2] = bound(s[2], -MAX_VEL_1, MAX_VEL_1);
    s[3] = bound(s[3], -MAX_VEL_2, MAX_VEL_2);
    const terminated = tipHeight(s) > 1.0;
    this.elapsedSteps++;
    const truncated = this.elapsedSteps >= this.maxEpisodeSteps;
    if (terminated || truncated) this.phase = "done";
    return { observation: this.observe(), reward: terminated ? 0.0 : -1.0, terminated, truncated };
  }

  /** One RK4 step of length DT, in place on `this.state` (Gymnasium's `rk4` over t = [0, dt]). */
  private rk4(torque: number): void {
    const { k1, k2, k3, k4, y, nips } = this;
    const s = this.state;
    const dt = DT, dt2 = DT / 2.0;
    dsdt(s, torque, nips, k1);
    for (let i = 0; i < 4; i++) y[i] = s[i] + dt2 * k1[i];
    dsdt(y, torque, nips, k2);
    for (let i = 0; i < 4; i++) y[i] = s[i] + dt2 * k2[i];
    dsdt(y, torque, nips, k3);
    for (let i = 0; i < 4; i++) y[i] = s[i] + dt * k3[i];
    dsdt(y, torque, nips, k4);
    for (let i = 0; i < 4; i++) s[i] = s[i] + (dt / 6.0) * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
  }

  private observe(): Float32Array {
    const s = this.state;
    const o = new Float32Array(6);
    o[0] = Math.cos(s[0]);
    o[1] = Math.sin(s[0]);
    o[2] = Math.cos(s[1]);
    o[3] = Math.sin(s[1]);
    o[4] = s[2];
    o[5] = s[3];
    return o;
  }

  private badAction(action: unknown): RangeError {
    const shown = typeof action === "number" ? String(action) : `${JSON.stringify(action)} (${typeof action})`;
    return new RangeError(
      `Acrobot action must be the integer ${ALLOWED_ACTIONS}, got ${shown}. ` +
        "(The lesson's labels -1/0/1 are torques, not action indices.)",
    );
  }
}

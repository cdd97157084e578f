/**
 * What every task shares about seeding and bad input: Gymnasium's
 * `np_random` from a seed (or from the OS when none was ever given), and the
 * one-line errors for a bad seed, a bad action or a bad time limit.
 */
import { Pcg64 } from "./numpy-random";

/** 128 bits from the OS, as NumPy's `SeedSequence()` draws when no seed is given. */
export function freshEntropy(): bigint {
  const words = crypto.getRandomValues(new Uint32Array(4));
  return words.reduce((acc, w) => (acc << 32n) | BigInt(w), 0n);
}

/**
 * A task's reset generator, Gymnasium's `np_random`: reseeded by `reset({ seed })`, drawn from the
 * OS on a first reset without a seed, and saved and restored whole for snapshots.
 */
export class ResetGenerator {
  private rng: Pcg64 | null = null;

  /** `reset(seed=...)`: a new generator when a seed is given (refused with a clear error when bad), else the stream goes on. */
  reseed(seed: unknown): void {
    if (seed !== undefined) this.rng = seededGenerator(seed);
  }

  /** The generator a random start draws from; an unseeded first reset seeds it from the OS, as Gymnasium does. */
  draws(): Pcg64 {
    return (this.rng ??= new Pcg64(freshEntropy()));
  }

  /** The generator's state (null before the first reset), to continue its stream after a restart. */
  getState(): [string, string] | null {
    return this.rng === null ? null : this.rng.getState();
  }

  setState(state: readonly [string, string] | null): void {
    this.rng = state === null ? null : Pcg64.fromState(state);
  }
}

/**
 * Gymnasium's TimeLimit counter and the "reset first" rule: steps since the last reset, and
 * whether there was one.
 */
export class EpisodeClock {
  /** Steps since the last reset. */
  elapsed = 0;
  private started = false;

  /** A reset: the count starts again. */
  restart(): void {
    this.elapsed = 0;
    this.started = true;
  }

  /** Refuses a step before the first reset, with the task's one-line error. */
  checkStarted(task: string): void {
    if (!this.started) throw stepBeforeReset(task);
  }

  /** Counts a step; true when it reaches the time limit (Gymnasium's `truncated`). */
  tick(maxEpisodeSteps: number): boolean {
    this.elapsed++;
    return this.elapsed >= maxEpisodeSteps;
  }
}

/** `np.random.default_rng(seed)`; refuses what NumPy would (negative, fractional, not a number). */
export function seededGenerator(seed: unknown): Pcg64 {
  const ok = (typeof seed === "number" && Number.isSafeInteger(seed) && seed >= 0) || (typeof seed === "bigint" && seed >= 0n);
  if (!ok) {
    throw new RangeError(`seed must be a non-negative integer, got ${typeof seed === "bigint" ? `${seed}n` : String(seed)}` +
      (typeof seed === "number" && Number.isInteger(seed) && seed > Number.MAX_SAFE_INTEGER ? " (above 2^53 pass a bigint, e.g. 2n ** 64n)" : ""));
  }
  return new Pcg64(seed as number | bigint);
}

export function checkTimeLimit(maxEpisodeSteps: unknown): number {
  if (!Number.isInteger(maxEpisodeSteps) || (maxEpisodeSteps as number) < 1) {
    throw new RangeError(`maxEpisodeSteps must be a whole number of at least 1, got ${maxEpisodeSteps}`);
  }
  return maxEpisodeSteps as number;
}

/** The error for an action that is not one of the task's indices. */
export function badAction(task: string, allowed: string, action: unknown): RangeError {
  const shown = typeof action === "number" ? String(action) : `${JSON.stringify(action)} (${typeof action})`;
  return new RangeError(`${task} action must be the integer ${allowed}, got ${shown}`);
}

export function stepBeforeReset(task: string): Error {
  return new Error(`${task}.step called before reset(): call env.reset() to start an episode`);
}

/** Checks a state given to `reset({ state })`: the right length, finite, within the bounds the dynamics accept. */
export function checkState(task: string, state: ArrayLike<number>, names: readonly string[], limits: readonly (readonly [number, number])[]): void {
  if (state.length !== names.length || !Array.prototype.every.call(state, (v: unknown) => typeof v === "number" && Number.isFinite(v))) {
    throw new RangeError(`${task} reset: state must be ${names.length} finite numbers [${names.join(", ")}]`);
  }
  for (let i = 0; i < names.length; i++) {
    const [lo, hi] = limits[i];
    if (!(state[i] >= lo && state[i] <= hi)) throw new RangeError(`${task} reset: state ${names[i]} must be from ${lo} to ${hi}, got ${state[i]}`);
  }
}

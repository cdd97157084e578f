/**
 * Seeded random numbers for everything the agent draws (exploration, replay
 * sampling, weight-initialiser seeds): one seed, one reproducible run.
 * Built on pure-rand's xoroshiro128+, mutated in place for speed.
 */
import { xoroshiro128plus, unsafeUniformIntDistribution } from "pure-rand";

export interface Rng {
  /** Uniform in [0, 1), 53 random bits. */
  float(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** A 31-bit seed for a derived generator (e.g. a layer's initialiser). */
  seed(): number;
  /** The generator's state, to continue the same stream later (checkpoints). */
  state(): number[];
}

/** A generator seeded with `seed`, or continuing from a saved `state()`. */
export function makeRng(seed: number, state?: readonly number[]): Rng {
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
  const g = state ? xoroshiro128plus.fromState(state) : xoroshiro128plus(seed);
  return {
    float: () => ((g.unsafeNext() >>> 5) * 67108864 + (g.unsafeNext() >>> 6)) / 9007199254740992,
    int: (n) => unsafeUniformIntDistribution(0, n - 1, g),
    seed: () => g.unsafeNext() >>> 1,
    state: () => Array.from(g.getState()),
  };
}

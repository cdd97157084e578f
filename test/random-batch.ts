/** Shared by the learning-step tests: a random batch of Acrobot-sized transitions, and a network's weights as plain numbers. */
import type { tf } from "../lib/tf";
import { emptyBatch, type Batch } from "../lib/agent/replay-memory";
import type { Rng } from "../lib/random";

/** `n` transitions with states in [-2, 2), any of 3 actions, reward -1 (70%) or 0, and about 10% real endings. */
export function randomBatch(rng: Rng, n: number): Batch {
  const b = emptyBatch(n, 6);
  for (let i = 0; i < n * 6; i++) {
    b.states[i] = 4 * rng.float() - 2;
    b.nextStates[i] = 4 * rng.float() - 2;
  }
  for (let i = 0; i < n; i++) {
    b.actions[i] = rng.int(3);
    b.rewards[i] = rng.float() < 0.7 ? -1 : 0;
    b.dones[i] = rng.float() < 0.1 ? 1 : 0;
  }
  return b;
}

export const weightsOf = (m: tf.LayersModel): number[][] => m.getWeights().map((w) => Array.from(w.dataSync()));

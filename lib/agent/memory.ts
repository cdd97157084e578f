/**
 * What the training loop learns from, as one interface: remember each
 * transition, hand over the batch for a gradient step, hear when a round of
 * learning is over. Each kind is chosen by `config.memory`:
 *
 *  - "episode" (chapter 1): the current episode's transitions, all of them as
 *    one batch, forgotten once learned from;
 *  - "replay" (chapters 2-4): the last `capacity` transitions, batches drawn
 *    uniformly with replacement (replay-memory.ts).
 *
 * Another kind (a prioritized memory, say) is one more entry in `memoryKinds`;
 * the config's allowed values follow from it (docs/CONTRIBUTING.md).
 */
import type { Rng } from "../random";
import { ReplayMemory, type Batch, type MemorySnapshot } from "./replay-memory";

export interface Memory {
  /** Transitions stored. */
  readonly size: number;
  push(state: ArrayLike<number>, action: number, reward: number, nextState: ArrayLike<number>, done: boolean): void;
  /** The batch one gradient step learns from. */
  batch(batchSize: number, rng: Rng): Batch;
  /** Called after each round of gradient steps. */
  learned(): void;
  /** Everything stored, for a checkpoint (copies); `saved` of the same kind and sizes brings it back. */
  snapshot(): MemorySnapshot;
}

/** The sizes a memory is made for: the replay capacity, the longest episode, the numbers in a state. */
export interface MemorySizes {
  capacity: number;
  episodeSteps: number;
  stateSize: number;
  /** How many actions the task has (pushes of others are refused); Acrobot's 3 if not given. */
  actions?: number;
}

export const memoryKinds = {
  episode: (s: MemorySizes, saved?: MemorySnapshot): Memory => {
    const m = ringOf(s.episodeSteps, s.stateSize, s.actions, saved);
    return memoryOf(m, () => m.all(), () => m.clear());
  },
  replay: (s: MemorySizes, saved?: MemorySnapshot): Memory => {
    const m = ringOf(s.capacity, s.stateSize, s.actions, saved);
    return memoryOf(m, (batchSize, rng) => m.sample(batchSize, rng), () => {});
  },
};

export type MemoryKind = keyof typeof memoryKinds;

/** A fresh ring buffer, or one restored from `saved` (which must be of these sizes). */
function ringOf(capacity: number, stateSize: number, actions = 3, saved?: MemorySnapshot): ReplayMemory {
  if (saved === undefined) return new ReplayMemory(capacity, stateSize, actions);
  if (saved.capacity !== capacity || saved.stateSize !== stateSize) {
    throw new Error(`cannot restore the memory: it was saved holding ${saved.capacity} transitions of ${saved.stateSize} numbers, but this run's holds ${capacity} of ${stateSize}`);
  }
  return ReplayMemory.restore(saved, actions);
}

function memoryOf(m: ReplayMemory, batch: Memory["batch"], learned: () => void): Memory {
  return {
    get size() {
      return m.size;
    },
    push: (state, action, reward, nextState, done) => m.push(state, action, reward, nextState, done),
    batch,
    learned,
    snapshot: () => m.snapshot(),
  };
}

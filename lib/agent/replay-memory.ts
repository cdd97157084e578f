/**
 * Replay memory (lesson, chapter 2): the last `capacity` transitions in a
 * ring buffer of typed arrays; when full, the oldest is overwritten. Sampling
 * is uniform with replacement, as the lesson's `random.choice`, in O(batch).
 */
import type { Rng } from "../random";

/** A batch of transitions laid out row by row, ready to become tensors. */
export interface Batch {
  size: number;
  states: Float32Array; // size x stateSize
  actions: Int32Array;
  rewards: Float32Array;
  nextStates: Float32Array; // size x stateSize
  /** 1 where the target must not bootstrap (the episode really ended), else 0. */
  dones: Float32Array;
}

export interface MemorySnapshot {
  capacity: number;
  stateSize: number;
  next: number;
  count: number;
  states: Float32Array;
  actions: Int32Array;
  rewards: Float32Array;
  nextStates: Float32Array;
  dones: Float32Array;
}

export function emptyBatch(size: number, stateSize: number): Batch {
  return {
    size,
    states: new Float32Array(size * stateSize),
    actions: new Int32Array(size),
    rewards: new Float32Array(size),
    nextStates: new Float32Array(size * stateSize),
    dones: new Float32Array(size),
  };
}

/** Bounds on a memory's shape: far above Acrobot's (6 observations, 3 actions), low enough that a typo is not a many-GB allocation. */
export const MEMORY_LIMITS = { capacity: 100_000_000, stateSize: 4096, actions: 65536 } as const;

const wholeIn = (v: unknown, lo: number, hi: number): boolean => Number.isSafeInteger(v) && (v as number) >= lo && (v as number) <= hi;

export class ReplayMemory {
  readonly capacity: number;
  readonly stateSize: number;
  /** Actions are the whole numbers 0 to actions - 1 (Acrobot: 3). */
  readonly actions: number;
  private readonly data: Batch;
  private next = 0; // slot the next push writes
  private count = 0;

  constructor(capacity: number, stateSize = 6, actions = 3) {
    if (!wholeIn(capacity, 1, MEMORY_LIMITS.capacity)) {
      throw new RangeError(`replay memory capacity must be a whole number from 1 to ${MEMORY_LIMITS.capacity}, got ${capacity}`);
    }
    if (!wholeIn(stateSize, 1, MEMORY_LIMITS.stateSize)) throw new RangeError(`replay memory stateSize must be a whole number from 1 to ${MEMORY_LIMITS.stateSize}, got ${stateSize}`);
    if (!wholeIn(actions, 1, MEMORY_LIMITS.actions)) throw new RangeError(`replay memory actions (how many there are) must be a whole number from 1 to ${MEMORY_LIMITS.actions}, got ${actions}`);
    this.capacity = capacity;
    this.stateSize = stateSize;
    this.actions = actions;
    this.data = emptyBatch(capacity, stateSize);
  }

  /** Number of transitions stored (at most `capacity`). */
  get size(): number {
    return this.count;
  }

  /**
   * Stores one transition, checked where it enters (a bad one would be
   * learned from silently): the action a whole number below `actions`, the
   * reward and every state value finite, both states `stateSize` long. The
   * checks cost a few comparisons per value, nothing next to a learning step.
   */
  push(state: ArrayLike<number>, action: number, reward: number, nextState: ArrayLike<number>, done: boolean): void {
    const i = this.next, d = this.data, n = this.stateSize;
    if (!(action >= 0 && action < this.actions && (action | 0) === action)) {
      throw new RangeError(`replay memory push: action must be a whole number from 0 to ${this.actions - 1}, got ${action}`);
    }
    if (typeof reward !== "number" || reward - reward !== 0) throw new RangeError(`replay memory push: reward must be a finite number, got ${reward}`);
    if (typeof done !== "boolean") throw new TypeError(`replay memory push: done must be true or false, got ${JSON.stringify(done)}`);
    if (state?.length !== n || nextState?.length !== n) {
      throw new RangeError(`replay memory push: state and nextState must hold ${n} numbers each, got ${state?.length} and ${nextState?.length}`);
    }
    for (let k = 0; k < n; k++) {
      const s = state[k], x = nextState[k];
      if (s - s !== 0 || x - x !== 0) throw new RangeError(`replay memory push: ${s - s !== 0 ? "state" : "nextState"}[${k}] must be a finite number, got ${s - s !== 0 ? s : x}`);
    }
    for (let k = 0; k < n; k++) { // written only once all is checked: a refused push leaves the slot's old transition whole
      d.states[i * n + k] = state[k];
      d.nextStates[i * n + k] = nextState[k];
    }
    d.actions[i] = action;
    d.rewards[i] = reward;
    d.dones[i] = done ? 1 : 0;
    this.next = (i + 1) % this.capacity;
    if (this.count < this.capacity) this.count++;
  }

  /** `batchSize` transitions drawn uniformly with replacement. */
  sample(batchSize: number, rng: Rng): Batch {
    if (this.count === 0) throw new Error("cannot sample from an empty replay memory");
    const out = emptyBatch(batchSize, this.stateSize);
    for (let j = 0; j < batchSize; j++) this.copyRow(rng.int(this.count), out, j);
    return out;
  }

  /** The transitions at these row indices (0 <= index < size), in that order: a batch drawn by the caller. */
  rows(indices: ArrayLike<number>): Batch {
    const out = emptyBatch(indices.length, this.stateSize);
    for (let j = 0; j < indices.length; j++) {
      const i = indices[j];
      if (!Number.isInteger(i) || i < 0 || i >= this.count) {
        throw new RangeError(`replay memory row ${i} does not exist: the memory holds ${this.count} transitions, rows 0 to ${this.count - 1}`);
      }
      this.copyRow(i, out, j);
    }
    return out;
  }

  /** Every stored transition, oldest first (chapter 1 learns from a whole episode at once). */
  all(): Batch {
    const out = emptyBatch(this.count, this.stateSize);
    const oldest = this.count < this.capacity ? 0 : this.next;
    for (let j = 0; j < this.count; j++) this.copyRow((oldest + j) % this.capacity, out, j);
    return out;
  }

  /** The `n` most recent transitions, oldest first: the episode just played, for its mean max Q. */
  latest(n: number): Batch {
    if (!Number.isInteger(n) || n < 0 || n > this.count) {
      throw new RangeError(`replay memory latest(${n}): allowed is a whole number from 0 to the ${this.count} transitions stored`);
    }
    const out = emptyBatch(n, this.stateSize);
    for (let j = 0; j < n; j++) this.copyRow((this.next - n + j + this.capacity) % this.capacity, out, j);
    return out;
  }

  /** Everything stored, for a checkpoint (copies). */
  snapshot(): MemorySnapshot {
    const d = this.data;
    return {
      capacity: this.capacity, stateSize: this.stateSize, next: this.next, count: this.count,
      states: d.states.slice(), actions: d.actions.slice(), rewards: d.rewards.slice(), nextStates: d.nextStates.slice(), dones: d.dones.slice(),
    };
  }

  static restore(s: MemorySnapshot, actions = 3): ReplayMemory {
    const m = new ReplayMemory(s.capacity, s.stateSize, actions);
    const d = m.data;
    if (s.states.length !== d.states.length || s.actions.length !== d.actions.length || !wholeIn(s.count, 0, s.capacity) || !wholeIn(s.next, 0, s.capacity - 1)) {
      throw new Error("corrupt replay memory snapshot: its arrays do not match its capacity");
    }
    d.states.set(s.states); d.actions.set(s.actions); d.rewards.set(s.rewards); d.nextStates.set(s.nextStates); d.dones.set(s.dones);
    m.next = s.next;
    m.count = s.count;
    return m;
  }

  clear(): void {
    this.next = 0;
    this.count = 0;
  }

  private copyRow(i: number, out: Batch, j: number): void {
    const d = this.data, n = this.stateSize;
    out.states.set(d.states.subarray(i * n, i * n + n), j * n);
    out.nextStates.set(d.nextStates.subarray(i * n, i * n + n), j * n);
    out.actions[j] = d.actions[i];
    out.rewards[j] = d.rewards[i];
    out.dones[j] = d.dones[i];
  }
}

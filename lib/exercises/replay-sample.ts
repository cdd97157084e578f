/**
 * Chapter 2's exercise: which rows of the replay memory make up a batch.
 * The lesson draws `random.choice` 1000 times: uniformly, with replacement,
 * and only from the rows that hold a transition (the memory fills up over
 * time). The check draws many batches and names the usual slips.
 */
import { makeRng, type Rng } from "../random";
import { attempt, type ExerciseCheck } from "./check";

/** The part of a replay memory the exercise needs. */
export interface MemoryShape {
  /** Rows holding a transition (0 .. size-1). */
  readonly size: number;
  /** Rows the memory can hold once full. */
  readonly capacity: number;
}

export type SampleIndicesFn = (memory: MemoryShape, batchSize: number, rng: Rng) => ArrayLike<number>;

/** What `ReplayMemory.sample` draws: `batchSize` times rng.int(size). */
export const librarySampleIndices: SampleIndicesFn = (memory, batchSize, rng) => {
  const picks = new Int32Array(batchSize);
  for (let j = 0; j < batchSize; j++) picks[j] = rng.int(memory.size);
  return picks;
};

export function checkSampleIndices(fn: SampleIndicesFn): ExerciseCheck {
  if (typeof fn !== "function") return { ok: false, message: "sampleIndices must be a function (memory, batchSize, rng) => indices." };
  const draw = (size: number, capacity: number, batchSize: number, seed: number) => attempt("sampleIndices", () => Array.from(fn({ size, capacity }, batchSize, makeRng(seed))));

  // Not full yet: 7 rows filled out of 100.
  const small = draw(7, 100, 7000, 1);
  if ("problem" in small) return { ok: false, message: small.problem };
  const xs = small.value;
  if (xs.length !== 7000) {
    return { ok: false, message: `Not yet: asked for 7000 indices from a memory holding 7 transitions, you returned ${xs.length}. Hint: draw with replacement, batchSize times (the lesson calls random.choice 1000 times), so a row may come up more than once.` };
  }
  const bad = xs.find((i) => !Number.isInteger(i) || i < 0);
  if (bad !== undefined) return { ok: false, message: `Not yet: ${bad} is not a row index. Hint: indices are whole numbers from 0 to memory.size - 1; rng.int(n) gives one.` };
  if (xs.some((i) => i >= 7)) {
    return { ok: false, message: `Not yet: with 7 of 100 rows filled you drew row ${Math.max(...xs)}. Hint: only rows 0 to memory.size - 1 hold transitions; draw from memory.size, not memory.capacity (the memory is not full yet).` };
  }
  const counts = Array.from({ length: 7 }, (_, r) => xs.filter((i) => i === r).length);
  if (counts[6] === 0) return { ok: false, message: "Not yet: the last filled row is never drawn. Hint: rng.int(n) already gives 0 to n - 1; do not subtract 1." };
  if (counts.some((k) => k < 800 || k > 1200)) {
    return { ok: false, message: `Not yet: over 7000 draws from 7 rows each should come up about 1000 times, yours: ${counts.join(", ")}. Hint: every filled row must be equally likely (uniform), e.g. rng.int(memory.size).` };
  }
  // Full memory, fewer draws than rows: with replacement, repeats still happen.
  const big = draw(5000, 5000, 1000, 2);
  if ("problem" in big) return { ok: false, message: big.problem };
  if (big.value.length !== 1000) return { ok: false, message: `Not yet: asked for 1000 indices, you returned ${big.value.length}. Hint: return exactly batchSize indices.` };
  if (new Set(big.value).size === 1000) {
    return { ok: false, message: "Not yet: 1000 draws from 5000 rows never repeated a row, so this draws without replacement. Hint: the lesson draws with replacement (random.choice each time): about 100 repeats are expected." };
  }
  const again = draw(5000, 5000, 1000, 2);
  if ("problem" in again || again.value.some((v, i) => v !== big.value[i])) {
    return { ok: false, message: "Not yet: the same seed gave different batches. Hint: draw with the rng you are given (rng.int), not Math.random, so one seed gives one run." };
  }
  return { ok: true, message: "Correct: uniform over the filled rows, with replacement, reproducible from the seed." };
}

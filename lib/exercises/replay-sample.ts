/**
 * Chapter 2's exercise: which rows of the replay memory make up a batch.
 * The lesson draws `random.choice` 1000 times: uniformly, with replacement,
 * and only from the rows that hold a transition (all of them once the ring
 * buffer is full and wraps). The check draws batches from filling and full
 * memories with fixed seeds and tests what can be wrong: the count, whole
 * numbers in range, the given generator (one seed, one batch), coverage of
 * every filled row, uniformity (a chi-square test with a threshold no correct
 * sampler reaches by chance: p < 1e-6), and repeats. Each call gets its own
 * copy of the memory's shape.
 */
import { makeRng, type Rng } from "../random";
import { attempt, fmt, wrongKind, type ExerciseCheck } from "./check";
import { maxOf, minOf } from "../extent";

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

interface Draw { size: number; capacity: number; batchSize: number; seed: number; rows: number[] }
type Drawn = { draw: Draw } | { problem: string };

/** One call on a fresh copy of the memory's shape; a problem when it throws, returns the wrong kind, or changes its input. */
function drawWith(fn: SampleIndicesFn, size: number, capacity: number, batchSize: number, seed: number): Drawn {
  const memory = { size, capacity };
  let kind: string | null = null, rows: number[] = [];
  const out = attempt("sampleIndices", () => {
    const v = fn(memory, batchSize, makeRng(seed)) as unknown;
    kind = wrongKind(v, "numbers");
    if (kind === null) rows = Array.from(v as ArrayLike<number>);
  });
  if ("problem" in out) return out;
  if (memory.size !== size || memory.capacity !== capacity) {
    return { problem: `Not yet: your function changed its input memory (size ${size} -> ${memory.size}, capacity ${capacity} -> ${memory.capacity}). Hint: only read memory.size; it is the replay memory itself in the training loop.` };
  }
  if (kind !== null) return { problem: `Not yet: your sampleIndices ${kind}` };
  return { draw: { size, capacity, batchSize, seed, rows } };
}

const memoryName = (d: Draw) => `a memory holding ${d.size} transition${d.size === 1 ? "" : "s"} of ${d.capacity}${d.size === d.capacity ? " (full)" : ""}`;
const head = (xs: number[]) => xs.slice(0, 6).map(fmt).join(", ") + (xs.length > 6 ? ", ..." : "");
const inOrder = (xs: number[], size: number) => xs.length > 2 && xs.every((x, i) => x === i % size);
const newest = (xs: number[], size: number) => xs.length > 2 && xs.every((x, i) => x === size - xs.length + i);

/** Chi-square's upper tail beyond `x` with `k` degrees of freedom, as a z score (Wilson-Hilferty). */
function chiSquareZ(counts: number[], expected: number): number {
  const chi = counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
  const k = counts.length - 1;
  return (Math.cbrt(chi / k) - (1 - 2 / (9 * k))) / Math.sqrt(2 / (9 * k));
}
const Z_REJECT = 5; // p about 3e-7: a fixed-seed test that a correct sampler passes, whatever stream it draws from

export function checkSampleIndices(fn: SampleIndicesFn): ExerciseCheck {
  if (typeof fn !== "function") return { ok: false, message: "sampleIndices must be a function (memory, batchSize, rng) => indices." };
  const plan: { name: string; size: number; capacity: number; batchSize: number; seeds: number[] }[] = [
    { name: "filling", size: 7, capacity: 100, batchSize: 7000, seeds: [11] },
    { name: "early", size: 300, capacity: 100_000, batchSize: 1000, seeds: [21, 22, 23, 24, 25, 26, 27, 28, 29, 30] },
    { name: "full", size: 5000, capacity: 5000, batchSize: 1000, seeds: [31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50] },
    { name: "lesson", size: 100_000, capacity: 100_000, batchSize: 1000, seeds: [51, 52, 53, 54, 55, 56, 57, 58, 59, 60] },
    { name: "one", size: 1, capacity: 1, batchSize: 3, seeds: [61] },
    { name: "small-full", size: 10, capacity: 10, batchSize: 1000, seeds: [62] },
  ];
  const draws = new Map<string, Draw[]>();
  for (const p of plan) {
    const list: Draw[] = [];
    for (const seed of p.seeds) {
      const d = drawWith(fn, p.size, p.capacity, p.batchSize, seed);
      if ("problem" in d) return { ok: false, message: d.problem };
      list.push(d.draw);
    }
    draws.set(p.name, list);
  }
  // The one-row memory last: there rng.int(size - 1) gives NaN, and the filling memory names that slip better.
  const ordinary = plan.filter((p) => p.name !== "one").map((p) => draws.get(p.name)!);
  const one = draws.get("one")!;
  const full = draws.get("full")!;
  for (const list of ordinary) for (const d of list) {
    const problem = countAndKind(d);
    if (problem !== null) return { ok: false, message: problem };
  }

  // The generator: one seed gives one batch, and different seeds different batches.
  const again = drawWith(fn, 5000, 5000, 1000, 31);
  if ("problem" in again) return { ok: false, message: again.problem };
  if (full.every((d) => d.rows.join() === full[0].rows.join())) {
    const rows = full[0].rows;
    const what = inOrder(rows, 5000) ? "rows 0, 1, 2, ... in order: the first rows, not a random draw" : newest(rows, 5000) ? "the last rows in order: the newest transitions, not a random draw" : rows.every((r) => r === rows[0]) ? `row ${rows[0]} every time` : `the same rows (${head(rows)})`;
    return { ok: false, message: `Not yet: different seeds give the same batch from a full memory of 5000: ${what}. Hint: draw each row at random with the rng you are given: rng.int(memory.size).` };
  }
  if (again.draw.rows.join() !== full[0].rows.join()) {
    return { ok: false, message: "Not yet: the same seed gave different batches. Hint: draw with the rng you are given (rng.int), not Math.random or a generator of your own, so one seed gives one run." };
  }

  if (ordinary.every((list) => list.every((d) => d.rows.every((r) => r === d.rows[0])))) {
    return { ok: false, message: "Not yet: each batch is one row repeated batchSize times. Hint: draw a new row for every place in the batch: call rng.int(memory.size) inside the loop, once per index." };
  }
  for (const list of ordinary) {
    for (const d of list) {
      const problem = inRange(d);
      if (problem !== null) return { ok: false, message: problem };
    }
    const problem = coverage(list);
    if (problem !== null) return { ok: false, message: problem };
  }
  if (full.every((d) => new Set(d.rows).size === d.rows.length)) {
    return { ok: false, message: "Not yet: batches of 1000 from a full memory of 5000 rows never repeat a row, so this draws without replacement. Hint: the lesson draws with replacement (random.choice each time): about 95 repeats per batch are expected." };
  }
  for (const d of one) {
    const problem = countAndKind(d) ?? inRange(d);
    if (problem !== null) return { ok: false, message: problem };
  }
  return { ok: true, message: "Correct: uniform over the filled rows (filling and full memories), with replacement, reproducible from the seed." };
}

function countAndKind(d: Draw): string | null {
  const n = d.rows.length;
  if (n !== d.batchSize) {
    const pattern = inOrder(d.rows, d.size) ? ` (rows 0, 1, 2, ... in order: the first rows, not a random draw)` : "";
    const why = n === Math.min(d.batchSize, d.size)
      ? "it seems to stop at memory.size: draw with replacement, batchSize times (the lesson calls random.choice 1000 times), so a row may come up more than once."
      : n === 0 ? "it returns an empty list: fill it with batchSize row numbers." : `return exactly batchSize indices${Math.abs(n - d.batchSize) === 1 ? " (a loop bound off by one?)" : ""}.`;
    return `Not yet: asked for ${d.batchSize} indices from ${memoryName(d)}, you returned ${n}${pattern}. Hint: ${why}`;
  }
  const bad = d.rows.find((i) => typeof i !== "number" || !Number.isInteger(i));
  if (bad !== undefined && Number.isNaN(bad) && d.size === 1) {
    return `Not yet: from a memory holding 1 transition you returned NaN, which is what rng.int(0) gives. Hint: with one filled row, row 0 must come out: rng.int(memory.size) already gives 0 to n - 1; do not subtract 1.`;
  }
  if (bad !== undefined) {
    return `Not yet: ${String(bad)} is not a row index. Hint: indices are whole numbers from 0 to memory.size - 1; ${typeof bad === "number" && Number.isFinite(bad) ? "rng.float() * size needs Math.floor, or use " : ""}rng.int(n) gives one.`;
  }
  return null;
}

function inRange(d: Draw): string | null {
  const lo = minOf(d.rows), hi = maxOf(d.rows);
  if (lo < 0) return `Not yet: from ${memoryName(d)} you drew row ${lo}. Hint: rows are numbered 0 to memory.size - 1; draw with rng.int(memory.size).`;
  if (hi < d.size) return null;
  if (d.size < d.capacity && hi > d.size) {
    return `Not yet: with ${d.size} of ${d.capacity} rows filled you drew row ${hi}. Hint: only rows 0 to memory.size - 1 hold transitions; draw from memory.size, not memory.capacity (the memory is not full yet).`;
  }
  const zero = d.rows.filter((r) => r === 0).length;
  return `Not yet: from ${memoryName(d)} you drew row ${hi}, one past the last (rows are 0 to memory.size - 1)${zero === 0 ? ", and row 0 never" : ""}. Hint: rng.int(n) already gives 0 to n - 1: do not add 1 or round up (Math.floor, not Math.round or Math.ceil).`;
}

/** Every filled row drawn, about equally often, over all batches of one memory. */
function coverage(list: Draw[]): string | null {
  const d = list[0];
  if (d.size === 1) return null;
  const rows = list.flatMap((x) => x.rows);
  const n = rows.length;
  const bins = Math.min(d.size, 50); // rows grouped in equal ranges, so each expects enough draws
  const per = d.size / bins;
  const counts = new Array<number>(bins).fill(0);
  for (const r of rows) counts[Math.min(bins - 1, Math.floor(r / per))]++;
  const hi = maxOf(rows), lo = minOf(rows);
  const name = memoryName(d);
  if (d.size <= 50) {
    const last = d.size - 1;
    if (counts[last] === 0 && counts.every((c, r) => r === last || c > 0)) return `Not yet: from ${name} the last filled row (${last}) is never drawn. Hint: rng.int(n) already gives 0 to n - 1; do not subtract 1.`;
    const never = counts.flatMap((c, r) => (c === 0 ? [r] : []));
    if (never.length > 0 && never.every((r, i) => r === i)) {
      return `Not yet: from ${name} ${never.length === 1 ? "row 0 is" : `rows 0 to ${never.length - 1} are`} never drawn. Hint: every filled row must be possible, the oldest ones too; rows are numbered from 0: rng.int(memory.size) gives 0 to size - 1.`;
    }
    if (never.length > 0) return `Not yet: from ${name} rows ${never.join(", ")} are never drawn. Hint: every filled row must be possible: rng.int(memory.size).`;
  }
  if (hi < d.size - per) {
    const firstRows = hi + 1;
    const guess = firstRows === d.batchSize ? " (rng.int(batchSize)? or min(memory.size, batchSize)?)" : "";
    return `Not yet: over ${n} draws from ${name} your rows never go above ${hi}: only the first ${firstRows} rows are drawn${guess}. Hint: every filled row must be possible: draw from all memory.size rows (when the memory is full, the ring has wrapped and every row holds a transition).`;
  }
  if (lo >= per) return `Not yet: over ${n} draws from ${name} rows 0 to ${lo - 1} are never drawn. Hint: every filled row must be possible, the oldest ones too: rng.int(memory.size).`;
  const expected = n / bins;
  if (chiSquareZ(counts, expected) > Z_REJECT) {
    const worst = counts.reduce((w, c, i) => (Math.abs(c - expected) > Math.abs(counts[w] - expected) ? i : w), 0);
    const range = per === 1 ? `row ${worst}` : `rows ${Math.round(worst * per)} to ${Math.round((worst + 1) * per) - 1}`;
    return `Not yet: over ${n} draws from ${name} ${range} came up ${counts[worst]} times, where a uniform draw gives about ${Math.round(expected)} (a chi-square test rejects uniform at p < 1e-6). Hint: every filled row must be equally likely; rng.int(memory.size) is.`;
  }
  return null;
}

/**
 * Does `fn` draw exactly what the library's sampler draws: the same rows, using the generator the same way?
 * When not, a run with it learns from other rows than train() does, so its episodes differ; the message says so.
 */
export function sameDrawsAsLibrary(fn: SampleIndicesFn): { same: boolean; message: string } {
  for (const [size, capacity, batchSize, seed] of [[7, 100, 50, 1], [5000, 5000, 1000, 2], [300, 100_000, 1000, 3]]) {
    const mine = makeRng(seed), lib = makeRng(seed);
    let rows: number[];
    try {
      rows = Array.from(fn({ size, capacity }, batchSize, mine));
    } catch (e) {
      return { same: false, message: `your sampleIndices threw: ${(e as Error).message}` };
    }
    const want = Array.from(librarySampleIndices({ size, capacity }, batchSize, lib));
    if (rows.join() !== want.join()) {
      return {
        same: false,
        message: `From the same seed your sampleIndices draws other rows than the library's (rng.int(memory.size), once per row): from ${size} rows, seed ${seed}, yours ${head(rows)} and the library's ${head(want)}. ` +
          "Both can be uniform, but then the two runs learn from different batches from the first update on and play different episodes. So that the comparison below tests the loop itself, the notebook's loop uses the library's sampler (dqn.exercises.librarySampleIndices) for it.",
      };
    }
    if (mine.state().join() !== lib.state().join()) {
      return {
        same: false,
        message: "Your sampleIndices draws the library's rows but takes more (or fewer) random numbers from rng, so every later exploration choice differs from train()'s. So that the comparison below tests the loop itself, the notebook's loop uses the library's sampler (dqn.exercises.librarySampleIndices) for it.",
      };
    }
  }
  return { same: true, message: "Your sampleIndices draws exactly the library's rows from the same random numbers." };
}

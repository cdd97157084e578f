/**
 * What every exercise check shares: the verdict's shape, running a learner's
 * function without letting it throw through, saying what a wrong kind of
 * value is, and one tolerance for "the same number".
 */
export interface ExerciseCheck {
  ok: boolean;
  /** What was right, or what was wrong with a hint naming the slip. */
  message: string;
}

/** Runs a learner's function, turning a throw into a message. */
export function attempt<T>(what: string, call: () => T): { value: T } | { problem: string } {
  try {
    return { value: call() };
  } catch (e) {
    return { problem: `Not yet: your ${what} threw: ${e instanceof Error ? e.message : String(e)}. Hint: read the error; the check calls it as the exercise's cell shows.` };
  }
}

/** Equal up to float rounding: 1e-6 relative (absolute below 1). */
export const close = (a: number, b: number, tolerance = 1e-6) => Math.abs(a - b) <= tolerance * Math.max(1, Math.abs(b));

interface TensorLike { shape: number[]; dataSync(): ArrayLike<number>; dispose(): void }
export const isTensor = (v: unknown): v is TensorLike =>
  typeof v === "object" && v !== null && typeof (v as TensorLike).dataSync === "function" && Array.isArray((v as TensorLike).shape);
const isPromise = (v: unknown): v is Promise<unknown> => typeof v === "object" && v !== null && typeof (v as Promise<unknown>).then === "function";

/**
 * What a value that is not the kind asked for is, and what to do instead; null when it is a finite
 * number (`want: "number"`) or an array of numbers (`want: "numbers"`, not checked element by element).
 * A returned tensor is disposed (the check owns it); a returned Promise is silenced (it is not awaited).
 */
export function wrongKind(v: unknown, want: "number" | "numbers"): string | null {
  if (want === "number" && typeof v === "number" && Number.isFinite(v)) return null;
  if (want === "numbers" && (Array.isArray(v) || ArrayBuffer.isView(v)) && !(v instanceof DataView)) return null;
  const plain = want === "number" ? "a plain number" : "plain numbers (an array or a Float32Array)";
  if (isPromise(v)) {
    v.then(() => undefined, () => undefined);
    return `returned a Promise: the function is async (or returns one). Remove async and return ${plain} directly; nothing here needs awaiting.`;
  }
  if (isTensor(v)) {
    const shape = JSON.stringify(v.shape);
    v.dispose();
    return `returned a tensor (shape ${shape}), not ${plain}. ${want === "number" ? "Compute with Math.cos and friends" : "Read its values with .dataSync() (dqn.agent.maxQ already returns plain numbers)"}.`;
  }
  if (v === undefined) return "returned undefined: is a return statement missing?";
  if (v === null) return `returned null; return ${plain}.`;
  if (want === "numbers" && typeof v === "number") return `returned one number, ${v}, not one per row.`;
  if (typeof v === "number") return `returned ${v}: ${Number.isNaN(v) ? "NaN usually means arithmetic on undefined (a missing value or a misspelt name)" : "an infinite value"}; return a finite number.`;
  if (typeof v === "string") return `returned the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v)}, not ${plain}${want === "number" ? " (is there a .toFixed() or a template string?)" : ""}.`;
  if (want === "number" && (Array.isArray(v) || ArrayBuffer.isView(v))) return `returned ${(v as ArrayLike<number>).length} numbers, not one number.`;
  return `returned ${typeof v === "object" ? "an object" : `a ${typeof v}`} (${String(v).slice(0, 40)}), not ${plain}.`;
}

/** The first element that is not a finite number, as a sentence; null when all are. */
export function notFinite(xs: ArrayLike<unknown>): string | null {
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i];
    if (typeof x !== "number" || !Number.isFinite(x)) return `element ${i} is ${typeof x === "number" ? x : `${typeof x} ${JSON.stringify(x)}`}`;
  }
  return null;
}

/** The first index where two arrays differ, as "index i: before -> after"; null when equal. */
export function changed(before: ArrayLike<number>, after: ArrayLike<number>): string | null {
  for (let i = 0; i < before.length; i++) if (!Object.is(before[i], after[i])) return `[${i}] was ${before[i]}, now ${after[i]}`;
  return null;
}

/** A number for a message: at most 4 decimals, no trailing zeros. */
export const fmt = (x: number) => (Number.isFinite(x) ? String(Number(x.toFixed(4))) : String(x));

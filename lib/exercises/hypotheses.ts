/**
 * Naming a slip from behaviour: a wrong answer is run on many inputs, and the
 * first of a list of typical slips that gives the same outputs on all of them
 * names it. Shared by chapter 4's checks.
 */

/** A typical slip: what a wrong answer computes, and the hint that says so. */
export interface Slip<I> {
  /** What the slip computes for one input; null where it gives no answer to compare. */
  f: (input: I) => number[] | null;
  hint: string;
}

/** Equal up to float32 rounding (1e-5 relative, absolute below 1). */
export const near = (a: number, b: number, tolerance = 1e-5) => Math.abs(a - b) <= tolerance * Math.max(1, Math.abs(b));

const sameNumbers = (a: readonly number[], b: readonly number[] | null) => b !== null && a.length === b.length && a.every((x, i) => near(x, b[i]));

/** The hint of the first slip that matches the answer on every input, or null. */
export function nameSlip<I>(inputs: readonly I[], got: readonly (readonly number[])[], slips: readonly Slip<I>[]): string | null {
  for (const s of slips) if (inputs.every((x, i) => sameNumbers(got[i], s.f(x)))) return s.hint;
  return null;
}

/** The first input on which the answer differs from the right one, with both outputs; null if none. */
export function firstDifference<I>(inputs: readonly I[], got: readonly (readonly number[])[], right: (input: I) => number[]): { index: number; got: readonly number[]; want: number[] } | null {
  for (let i = 0; i < inputs.length; i++) {
    const want = right(inputs[i]);
    if (!sameNumbers(got[i], want)) return { index: i, got: got[i], want };
  }
  return null;
}

/** A few numbers for a message. */
export const list = (xs: readonly number[], n = 3) => xs.slice(0, n).map((x) => String(Number(x.toFixed(4)))).join(", ") + (xs.length > n ? ", ..." : "");

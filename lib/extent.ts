/**
 * The largest and smallest of a list of numbers, for lists of any length.
 * `Math.max(...list)` passes every element as an argument, and past about
 * 10^5 of them V8 throws "Maximum call stack size exceeded" (a long run's
 * log does that). Same answers as Math.max/Math.min: -Infinity/Infinity for
 * an empty list, NaN if any element is NaN.
 */
export function maxOf(values: ArrayLike<number>): number {
  let m = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v !== v) return NaN;
    if (v > m || (v === 0 && m === 0 && Object.is(m, -0))) m = v; // Math.max(-0, 0) is 0
  }
  return m;
}

export function minOf(values: ArrayLike<number>): number {
  let m = Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v !== v) return NaN;
    if (v < m || (v === 0 && m === 0 && Object.is(v, -0))) m = v; // Math.min(0, -0) is -0
  }
  return m;
}

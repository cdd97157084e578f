/**
 * Mean and standard deviation of a list of returns, as evaluations report
 * them ("-85.2 ± 9.1"). The standard deviation is the population one
 * (divide by n), as numpy's `np.std` and so Stable-Baselines3's
 * `evaluate_policy` report it.
 */

/** The mean; NaN for an empty list (there is nothing to average, and NaN says so rather than 0). */
export function mean(xs: ArrayLike<number>): number {
  if (xs.length === 0) return NaN;
  let sum = 0;
  for (let i = 0; i < xs.length; i++) sum += xs[i];
  return sum / xs.length;
}

/** The population standard deviation (n in the denominator); 0 for one value, NaN for none. */
export function std(xs: ArrayLike<number>): number {
  if (xs.length === 0) return NaN;
  const m = mean(xs);
  let sq = 0;
  for (let i = 0; i < xs.length; i++) sq += (xs[i] - m) ** 2;
  return Math.sqrt(sq / xs.length);
}

/** "mean ± std" with `digits` decimals, e.g. "-85.20 ± 9.10". */
export function meanStdText(xs: ArrayLike<number>, digits = 2): string {
  return `${mean(xs).toFixed(digits)} ± ${std(xs).toFixed(digits)}`;
}

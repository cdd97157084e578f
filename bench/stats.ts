import { median as medianOrNull } from "../lib/runs/compare";

/** The median of a non-empty list (lib's median, which gives null for an empty one). */
export function median(xs: number[]): number {
  const m = medianOrNull(xs);
  if (m === null) throw new Error("median of an empty list");
  return m;
}

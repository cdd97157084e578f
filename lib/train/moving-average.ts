/**
 * Mean of the last `window` values: the lesson's 100-episode average. Early
 * on it averages what there is (never padded with zeros or nulls, which would
 * bias the first part of the curve).
 */
export class MovingAverage {
  private readonly values: Float64Array;
  private count = 0;
  private next = 0;
  private sum = 0;

  constructor(readonly window: number) {
    this.values = new Float64Array(window);
  }

  push(x: number): void {
    if (this.count === this.window) this.sum -= this.values[this.next];
    else this.count++;
    this.values[this.next] = x;
    this.sum += x;
    this.next = (this.next + 1) % this.window;
  }

  mean(): number {
    return this.count === 0 ? NaN : this.sum / this.count;
  }

  full(): boolean {
    return this.count === this.window;
  }
}

/** Moving averages of a whole series (for charts of records loaded from disk). */
export function movingAverages(xs: ArrayLike<number>, window = 100): number[] {
  const m = new MovingAverage(window);
  return Array.from(xs, (x) => (m.push(x), m.mean()));
}

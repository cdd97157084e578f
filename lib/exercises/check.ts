/** What every exercise check returns. */
export interface ExerciseCheck {
  ok: boolean;
  /** What was right, or what was wrong with a hint naming the slip. */
  message: string;
}

/** Runs a learner's function, turning a throw or a non-number into a message. */
export function attempt<T>(what: string, call: () => T): { value: T } | { problem: string } {
  try {
    return { value: call() };
  } catch (e) {
    return { problem: `your ${what} threw: ${(e as Error).message}` };
  }
}

export const close = (a: number, b: number) => Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b));

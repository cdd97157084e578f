/**
 * Running a learner's tensor function for a check: inside tf.tidy (whatever
 * it makes is freed), its answer read back as plain numbers, and a wrong kind
 * of answer (a Promise, plain numbers, a string, the wrong shape) put in words.
 */
import { tf } from "../tf";
import { attempt, isTensor } from "./check";

export type TensorAnswer = { values: number[]; shape: number[] } | { problem: string };

/** Calls `call` in a tidy scope and reads its tensor answer; `what` names the function for messages. */
export function tensorAnswer(what: string, call: () => unknown, inputs: readonly tf.Tensor[] = []): TensorAnswer {
  let read: TensorAnswer = { problem: "" };
  const out = attempt(what, () => tf.tidy(() => {
    read = describe(what, call());
  }));
  if ("problem" in out) return { problem: out.problem };
  const gone = inputs.findIndex((t) => t.isDisposed);
  if (gone >= 0) return { problem: `Not yet: your ${what} disposed one of its inputs (argument ${gone + 1}). Hint: only read the tensors it is given; the loop still needs them (tf.tidy frees what you make).` };
  return read;
}

function describe(what: string, v: unknown): TensorAnswer {
  if (isTensor(v)) return { values: Array.from(v.dataSync()), shape: v.shape };
  if (typeof v === "object" && v !== null && typeof (v as Promise<unknown>).then === "function") {
    (v as Promise<unknown>).then(() => undefined, () => undefined);
    return { problem: `Not yet: your ${what} returned a Promise: it is async (or awaits .data()). Remove async and return the tensor itself; nothing here needs awaiting.` };
  }
  if (v === undefined) return { problem: `Not yet: your ${what} returned undefined: is a return statement missing?` };
  if (typeof v === "number") return { problem: `Not yet: your ${what} returned the plain number ${v}, not a tensor. Hint: keep the result a tensor (no .dataSync(), .arraySync() or .data() at the end): the loop goes on computing with it.` };
  if (Array.isArray(v) || ArrayBuffer.isView(v)) return { problem: `Not yet: your ${what} returned plain numbers (an array), not a tensor. Hint: keep the result a tensor (no .dataSync() or .arraySync() at the end), e.g. tf.add(...).` };
  if (typeof v === "string") return { problem: `Not yet: your ${what} returned the string ${JSON.stringify(v.slice(0, 40))}, not a tensor.` };
  return { problem: `Not yet: your ${what} returned ${v === null ? "null" : `a ${typeof v}`}, not a tensor.` };
}

/** Deterministic numbers in [lo, hi) for test inputs (a sine hash, so checks need no generator). */
export function spread(n: number, salt: number, lo: number, hi: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => lo + (hi - lo) * (0.5 + 0.5 * Math.sin(i * 12.9898 * salt + 78.233 * salt)));
}

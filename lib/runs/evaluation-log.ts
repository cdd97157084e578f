/**
 * Reading evaluations.jsonl back: the periodic greedy evaluations of a run
 * (config.evalEvery). Like the other run files it is read only from inside
 * the run folder (no link out of it) and only up to a size bound, and every
 * line is checked; a last line cut off mid-write (a killed process) is
 * skipped.
 */
import { closeSync, existsSync, fstatSync, lstatSync, openSync, readSync, realpathSync } from "node:fs";
import { join, relative, isAbsolute } from "node:path";
import { evaluationProblem } from "../train/periodic-eval";
import { FILES, type EvaluationLine } from "./format";

/** Far above any real run's (a line is about 100 bytes plus 10 per episode): a bigger file is not ours. */
export const MAX_EVALUATION_LOG_BYTES = 64 * 1024 * 1024;

/** The evaluations logged in run folder `dir`; none when the run made none. */
export function readEvaluationLog(dir: string): EvaluationLine[] {
  const path = join(dir, FILES.evaluations);
  if (!existsSync(path)) return [];
  if (lstatSync(path).isSymbolicLink()) throw new Error(`${path} is a link; a run's files are read only from inside its folder`);
  const inside = relative(realpathSync(dir), realpathSync(path));
  if (inside.startsWith("..") || isAbsolute(inside)) throw new Error(`${path} leads out of the run folder ${dir}; refusing to read it`);
  const text = readBounded(path);
  const lines = text.split("\n");
  const out: EvaluationLine[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === "") return;
    let e: unknown;
    try {
      e = JSON.parse(line);
    } catch {
      if (lines.slice(i + 1).every((l) => l.trim() === "")) return; // torn by a kill mid-write
      throw new Error(`${path} line ${i + 1} is not a JSON evaluation record`);
    }
    const problem = evaluationProblem(e);
    if (problem !== null) throw new Error(`${path} line ${i + 1} ${problem}`);
    const ev = e as EvaluationLine;
    const prev = out[out.length - 1];
    if (prev !== undefined && ev.envSteps <= prev.envSteps) throw new Error(`${path} line ${i + 1} has envSteps ${ev.envSteps}, not after the line before (${prev.envSteps})`);
    out.push(ev);
  });
  return out;
}

function readBounded(path: string): string {
  const fd = openSync(path, "r");
  try {
    const size = fstatSync(fd).size;
    if (!fstatSync(fd).isFile()) throw new Error(`${path} is not a file`);
    if (size > MAX_EVALUATION_LOG_BYTES) throw new Error(`${path} is ${size} bytes; an evaluation log of a run is at most ${MAX_EVALUATION_LOG_BYTES} bytes, so this is not one of ours`);
    const buf = Buffer.alloc(size);
    let got = 0;
    while (got < size) {
      const n = readSync(fd, buf, got, size - got, got);
      if (n === 0) break;
      got += n;
    }
    return buf.subarray(0, got).toString("utf8");
  } finally {
    closeSync(fd);
  }
}

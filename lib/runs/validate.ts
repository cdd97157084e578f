/**
 * Checks on what a run folder holds, as strict as the typed API: a
 * hand-edited or damaged file is refused with the file and the field named.
 */
import { RUN_FORMAT, type RunMeta } from "./format";

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

export const MAX_LABEL_LENGTH = 100;

/** What is wrong with a run's label (`train --label`), or null. */
export function labelProblem(label: unknown): string | null {
  if (typeof label !== "string" || label.trim() === "") return "a name that is not empty";
  if (label.length > MAX_LABEL_LENGTH) return `at most ${MAX_LABEL_LENGTH} characters, got ${label.length}`;
  if (/[\u0000-\u001f]/.test(label)) return "one line of text (no control characters)";
  return null;
}

/** meta.json, checked field by field. */
export function checkRunMeta(value: unknown, path: string): RunMeta {
  const bad = (field: string, what: string): never => {
    throw new Error(`${path}: field ${field} must be ${what}`);
  };
  if (!isObj(value)) return bad("(the whole file)", "an object");
  if (value.format !== RUN_FORMAT) bad("format", JSON.stringify(RUN_FORMAT));
  if (typeof value.preset !== "string" || value.preset === "") bad("preset", "a preset name");
  if (!isObj(value.overrides)) bad("overrides", "an object of config fields");
  if (value.label !== undefined && labelProblem(value.label) !== null) bad("label", labelProblem(value.label)!);
  if (!Number.isSafeInteger(value.seed) || (value.seed as number) < 0) bad("seed", `a whole number >= 0, got ${JSON.stringify(value.seed)}`);
  if (value.resumes !== undefined && !Array.isArray(value.resumes)) bad("resumes", "a list");
  return value as unknown as RunMeta;
}

/** What is wrong with line `i` (0-based) of episodes.jsonl, or null. Non-finite numbers are logged as null (JSON has no NaN). */
export function episodeLineProblem(r: unknown, i: number): string | null {
  if (!isObj(r)) return "is not an object";
  if (r.episode !== i + 1) return `has episode ${JSON.stringify(r.episode)}, expected ${i + 1} (episodes are logged in order from 1)`;
  for (const k of ["steps", "envSteps"]) if (!Number.isSafeInteger(r[k]) || (r[k] as number) < 0) return `has ${k} ${JSON.stringify(r[k])}, expected a whole number`;
  for (const k of ["return", "average100"]) if (r[k] !== null && (typeof r[k] !== "number" || !Number.isFinite(r[k]))) return `has ${k} ${JSON.stringify(r[k])}, expected a number`;
  if (r.cut !== undefined && typeof r.cut !== "boolean") return `has cut ${JSON.stringify(r.cut)}, expected true or false`;
  return null;
}

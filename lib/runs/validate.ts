/**
 * Checks on what a run folder holds, as strict as the typed API: a
 * hand-edited or damaged file is refused with the file and the field named.
 */
import { RUN_FORMAT, type RunConfig, type RunMeta, type RunSummary } from "./format";
import { resolveConfig, type TrainConfig } from "../train/config";

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

const STATUSES = ["running", "solved", "unsolved", "interrupted", "diverged", "failed"];
const whole = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0;
const finite = (v: unknown) => typeof v === "number" && Number.isFinite(v);
const show = (v: unknown) => (JSON.stringify(v) ?? String(v)).slice(0, 60);

/** summary.json, checked field by field (the report formats every one of them). */
export function checkRunSummary(value: unknown, path: string): RunSummary {
  const bad = (field: string, what: string, v: unknown): never => {
    throw new Error(`${path}: field ${field} must be ${what}, got ${show(v)}`);
  };
  if (!isObj(value)) return bad("(the whole file)", "an object", value);
  const s = value;
  if (!STATUSES.includes(s.status as string)) bad("status", `one of ${STATUSES.join(", ")}`, s.status);
  if (s.stopReason !== null && typeof s.stopReason !== "string") bad("stopReason", "a string or null", s.stopReason);
  if (typeof s.message !== "string") bad("message", "a string", s.message);
  if (s.solvedAtEpisode !== null && !whole(s.solvedAtEpisode)) bad("solvedAtEpisode", "a whole number or null", s.solvedAtEpisode);
  if (!finite(s.solvedAt)) bad("solvedAt", "a finite number", s.solvedAt);
  for (const k of ["episodes", "envSteps"]) if (!whole(s[k])) bad(k, "a whole number >= 0", s[k]);
  if (s.cutEpisodes !== undefined && !whole(s.cutEpisodes)) bad("cutEpisodes", "a whole number >= 0", s.cutEpisodes);
  if (!finite(s.seconds) || (s.seconds as number) < 0) bad("seconds", "a number >= 0", s.seconds);
  if (s.toBar !== null) {
    const t = s.toBar;
    if (!isObj(t) || !whole(t.episode) || !whole(t.envSteps) || !finite(t.seconds)) bad("toBar", "null or {episode, envSteps, seconds} numbers", t);
  }
  for (const k of ["bestAverage100", "finalAverage100"]) if (s[k] !== null && !finite(s[k])) bad(k, "a finite number or null", s[k]);
  if (s.evaluation !== null && s.evaluation !== undefined) {
    const e = s.evaluation;
    if (!isObj(e) || !whole(e.episodes) || !Number.isSafeInteger(e.seed) || !finite(e.mean) || !whole(e.successes)) bad("evaluation", "null or {episodes, seed, returns, lengths, mean, successes}", e);
    const ev = e as Record<string, unknown>;
    if (!Array.isArray(ev.returns) || !ev.returns.every(finite)) bad("evaluation.returns", "a list of finite numbers", ev.returns);
    if (ev.lengths !== undefined && (!Array.isArray(ev.lengths) || !ev.lengths.every(whole))) bad("evaluation.lengths", "a list of whole numbers", ev.lengths);
  }
  if (s.checkpointEpisode !== null && s.checkpointEpisode !== undefined && !whole(s.checkpointEpisode)) bad("checkpointEpisode", "a whole number or null", s.checkpointEpisode);
  if (s.updatedAt !== undefined && typeof s.updatedAt !== "string") bad("updatedAt", "a date as text", s.updatedAt);
  return s as unknown as RunSummary;
}

/** config.json: each config field it holds checked as resolveConfig checks it (a custom reward is stored as "custom"; fields of older versions are left alone). */
export function checkRunConfig(value: unknown, path: string): RunConfig {
  if (!isObj(value)) throw new Error(`${path}: must be an object of config fields, got ${show(value)}`);
  const known = Object.keys(resolveConfig({}));
  const fields = Object.fromEntries(Object.entries(value).filter(([k]) => known.includes(k)));
  if (fields.reward === "custom") fields.reward = "env";
  try {
    resolveConfig(fields as Partial<TrainConfig>);
  } catch (e) {
    throw new Error(`${path}: ${(e as Error).message}`);
  }
  return value as unknown as RunConfig;
}

/**
 * Reading run folders back: for `acrobot-dqn report`, and for the notebooks'
 * comparison chapter (`listRuns("runs")`, then `readRun(dir)`).
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { committedFolder } from "../files";
import { FILE_LIMITS, isMissing, readTextInFolder, subfolderOf } from "../folder-read";
import { checkRunConfig, checkRunMeta, checkRunSummary, episodeLineProblem } from "./validate";
import { FILES, RUN_FORMAT, type EpisodeLine, type EvaluationLine, type RunConfig, type RunMeta, type RunStatus, type RunSummary } from "./format";
import { readEvaluationLog } from "./evaluation-log";

export interface Run {
  /** The folder, as given. */
  dir: string;
  /** The folder's name, e.g. "improved-seed1-20250101-120000". */
  name: string;
  config: RunConfig;
  meta: RunMeta;
  /** Every logged episode, in order. */
  records: EpisodeLine[];
  /** The periodic greedy evaluations (evaluations.jsonl); empty when the run made none. */
  evaluations: EvaluationLine[];
  /** null when the run never wrote one (killed before its first summary). */
  summary: RunSummary | null;
  /** Paths of the saved model and the checkpoint, or null when absent. */
  modelDir: string | null;
  checkpointDir: string | null;
}

/** One line of `listRuns`: enough to choose runs without reading their episodes. */
export interface RunListing {
  dir: string;
  name: string;
  preset: string;
  seed: number;
  status: RunStatus | "unknown";
  episodes: number | null;
  solvedAtEpisode: number | null;
  startedAt: string;
}

/** Whether `dir` is a run folder (its meta.json says so). */
export function isRunFolder(dir: string): boolean {
  if (!existsSync(join(dir, FILES.meta))) return false;
  try {
    const meta = JSON.parse(readTextInFolder(dir, FILES.meta, FILE_LIMITS.smallJson)) as { format?: unknown } | null;
    return meta !== null && typeof meta === "object" && meta.format === RUN_FORMAT;
  } catch {
    return false;
  }
}

/** A run folder's JSON file (`name` inside `dir`, bounded, see folder-read), or an error naming it. */
function readJson<T>(dir: string, name: string, what: string): T {
  const path = join(dir, name);
  let text: string;
  try {
    text = readTextInFolder(dir, name, FILE_LIMITS.smallJson);
  } catch (e) {
    if (isMissing(e)) throw new Error(`${what} is missing: ${path}`);
    throw e;
  }
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new Error(`${what} is not valid JSON: ${path} (${(e as Error).message})`);
  }
}

/**
 * The episodes in a log. A last line cut off mid-write (the process was
 * killed) is skipped; a bad line anywhere else is an error.
 */
export function readEpisodeLog(path: string): EpisodeLine[] {
  if (!existsSync(path)) return [];
  const lines = readTextInFolder(dirname(path), basename(path), FILE_LIMITS.episodeLog).split("\n");
  const records: EpisodeLine[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === "") return;
    let r: EpisodeLine;
    try {
      r = JSON.parse(line) as EpisodeLine;
    } catch {
      const isLast = lines.slice(i + 1).every((l) => l.trim() === "");
      if (!isLast) throw new Error(`${path} line ${i + 1} is not a JSON episode record`);
      return;
    }
    const problem = episodeLineProblem(r, records.length);
    if (problem !== null) throw new Error(`${path} line ${i + 1} ${problem}`);
    // One field for "did not run to its end": logs from before it existed say partial, or nothing.
    const { partial, ...rest } = r;
    records.push({ ...rest, cut: r.cut ?? partial === true });
  });
  return records;
}

/** Everything recorded about one run. */
export function readRun(dir: string): Run {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new Error(`no run at ${dir}: the folder does not exist`);
  if (!isRunFolder(dir)) throw new Error(`${dir} is not a run folder (no ${FILES.meta} written by acrobot-dqn)`);
  const summaryPath = join(dir, FILES.summary);
  // committedFolder: a save killed between its two renames left the previous folder set aside.
  const modelDir = subfolderOf(dir, committedFolder(join(dir, FILES.model))), checkpointDir = subfolderOf(dir, committedFolder(join(dir, FILES.checkpoint)));
  return {
    dir,
    name: basename(resolve(dir)),
    config: checkRunConfig(readJson<unknown>(dir, FILES.config, "the run's config"), join(dir, FILES.config)),
    meta: checkRunMeta(readJson<unknown>(dir, FILES.meta, "the run's meta"), join(dir, FILES.meta)),
    records: readEpisodeLog(join(dir, FILES.episodes)),
    evaluations: readEvaluationLog(dir),
    summary: existsSync(summaryPath) ? checkRunSummary(readJson<unknown>(dir, FILES.summary, "the run's summary"), summaryPath) : null,
    modelDir: existsSync(join(modelDir, "model.json")) ? modelDir : null,
    checkpointDir: existsSync(join(checkpointDir, "snapshot.json")) ? checkpointDir : null,
  };
}

/**
 * The run folders at `dir`: `dir` itself if it is one, else those below it
 * (a `runs/` folder, a compare folder, or runs/ holding compare folders),
 * sorted by path.
 */
export function findRunFolders(dir: string, depth = 3): string[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return [];
  if (isRunFolder(dir)) return [dir];
  if (depth === 0) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && e.name !== FILES.model && e.name !== FILES.checkpoint)
    .map((e) => e.name)
    .sort()
    .flatMap((name) => findRunFolders(join(dir, name), depth - 1));
}

/** A short listing of the runs at or below `dir` (see `findRunFolders`). */
export function listRuns(dir = "runs"): RunListing[] {
  return findRunFolders(dir).map((d) => {
    const meta = checkRunMeta(readJson<unknown>(d, FILES.meta, "the run's meta"), join(d, FILES.meta));
    const summary = existsSync(join(d, FILES.summary)) ? checkRunSummary(readJson<unknown>(d, FILES.summary, "the run's summary"), join(d, FILES.summary)) : null;
    return {
      dir: d,
      name: basename(resolve(d)),
      preset: meta.preset,
      seed: meta.seed,
      status: summary?.status ?? "unknown",
      episodes: summary?.episodes ?? null,
      solvedAtEpisode: summary?.solvedAtEpisode ?? null,
      startedAt: meta.startedAt,
    };
  });
}

/** The run folders at or below each of `dirs` (each a run folder or a folder of runs), each once; an error for a folder with none. */
export function runFoldersIn(dirs: string | readonly string[]): string[] {
  const list = typeof dirs === "string" ? [dirs] : dirs;
  const found = list.flatMap((d) => {
    if (!existsSync(d)) throw new Error(`no run at ${d}: the folder does not exist`);
    const runs = findRunFolders(d);
    if (runs.length === 0) throw new Error(`no run folders at or below ${d} (a run folder has a ${FILES.meta} written by acrobot-dqn)`);
    return runs;
  });
  return [...new Set(found.map((d) => resolve(d)))].map((abs) => found.find((d) => resolve(d) === abs) ?? abs);
}

/** Reads every run at or below each of `dirs` (each a run folder or a folder of runs). */
export function readRuns(dirs: string | readonly string[]): Run[] {
  return runFoldersIn(dirs).map(readRun);
}

/** The label runs are grouped under in comparisons: the preset, plus any overridden fields. */
export function runLabel(meta: Pick<RunMeta, "preset" | "overrides" | "label">): string {
  if (meta.label !== undefined) return meta.label;
  const extra = Object.entries(meta.overrides ?? {}).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  return extra.length > 0 ? `${meta.preset} (${extra.join(", ")})` : meta.preset;
}

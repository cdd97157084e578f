/**
 * Runs side by side: per preset, what it took each to reach the bar, as
 * rows and table cells (the learning curves are drawn from the same runs by
 * lib/viz/run-figures.ts). The `compare` and `report` commands and the
 * comparison notebook all show this.
 */
import { runLabel, type Run } from "./read";
import { isCut, recordFigures } from "./summary";
import { lockHolder } from "./lock";

export interface RunRow {
  preset: string;
  /** The task (Gymnasium id); runs saved before other tasks existed are Acrobot-v1's. */
  task: string;
  seed: number;
  status: string;
  episodesToBar: number | null;
  envStepsToBar: number | null;
  secondsToBar: number | null;
  episodes: number;
  /** Episodes cut short (not counted toward the bar). */
  cutEpisodes: number;
  bestAverage100: number | null;
  greedyMean: number | null;
  folder: string;
}

export interface PresetRow {
  preset: string;
  /** The task(s) its runs trained on, e.g. "CartPole-v1". */
  task: string;
  runs: number;
  solved: number;
  /** Medians over the runs that reached the bar; null when none did. */
  episodesToBar: number | null;
  envStepsToBar: number | null;
  secondsToBar: number | null;
  bestAverage100: number | null;
}

/** The run's task: config.env, or Acrobot-v1 for runs saved before the field existed. */
export function taskOf(run: Run): string {
  return (run.config as { env?: string }).env ?? "Acrobot-v1";
}

export function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b), mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export function runRow(run: Run): RunRow {
  const s = run.summary;
  // The bar counts only when the run says it was solved (a summary written by the trainer's own check).
  const f = recordFigures(run.records, s?.status === "solved" ? s.solvedAtEpisode : null, run.config.solvedWindow);
  const running = s?.status === "running" ? (lockHolder(run.dir) !== null ? "running" : "killed while running") : null;
  return {
    preset: runLabel(run.meta),
    task: taskOf(run),
    seed: run.meta.seed,
    status: running ?? s?.status ?? "no summary",
    cutEpisodes: run.records.filter(isCut).length,
    episodesToBar: f.toBar?.episode ?? null,
    envStepsToBar: f.toBar?.envSteps ?? null,
    secondsToBar: f.toBar ? Math.round(f.toBar.seconds * 10) / 10 : null,
    episodes: run.records.length,
    bestAverage100: f.bestAverage100,
    greedyMean: s?.evaluation?.mean ?? null,
    folder: run.name,
  };
}

/** One row per preset (label), in the order the presets first appear. */
export function presetRows(rows: readonly RunRow[]): PresetRow[] {
  return [...new Set(rows.map((r) => r.preset))].map((preset) => {
    const rs = rows.filter((r) => r.preset === preset);
    const solved = rs.filter((r) => r.episodesToBar !== null);
    const med = (f: (r: RunRow) => number | null) => median(solved.map(f).filter((x): x is number => x !== null));
    return {
      preset,
      task: [...new Set(rs.map((r) => r.task))].join(", "),
      runs: rs.length,
      solved: solved.length,
      episodesToBar: med((r) => r.episodesToBar),
      envStepsToBar: med((r) => r.envStepsToBar),
      secondsToBar: med((r) => r.secondsToBar),
      bestAverage100: median(rs.map((r) => r.bestAverage100).filter((x): x is number => x !== null)),
    };
  });
}

export const NOT_SOLVED = "not solved";

/** A table cell (lib/viz/html.ts draws tables of these). */
export type Cell = string | number | null;

/** Table rows per preset: seeds that reached the bar, and medians of episodes, env steps and seconds to it. */
export function presetTable(runs: readonly Run[]): Record<string, Cell>[] {
  return presetRows(runs.map(runRow)).map((p) => ({
    preset: p.preset,
    task: p.task,
    "seeds solved": `${p.solved} of ${p.runs}`,
    "episodes to bar": p.episodesToBar ?? NOT_SOLVED,
    "env steps to bar": p.envStepsToBar ?? NOT_SOLVED,
    "seconds to bar": p.secondsToBar ?? NOT_SOLVED,
    "best 100-ep. average": p.bestAverage100,
  }));
}

/** Table rows per run. */
export function runTable(runs: readonly Run[]): Record<string, Cell>[] {
  return runs.map(runRow).map((r) => ({
    preset: r.preset,
    task: r.task,
    seed: r.seed,
    status: r.status,
    "episodes to bar": r.episodesToBar ?? NOT_SOLVED,
    "env steps to bar": r.envStepsToBar ?? NOT_SOLVED,
    "seconds to bar": r.secondsToBar ?? NOT_SOLVED,
    "episodes run": r.episodes,
    "cut short": r.cutEpisodes,
    "best 100-ep. average": r.bestAverage100,
    "greedy mean return": r.greedyMean,
    folder: r.folder,
  }));
}

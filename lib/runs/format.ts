/**
 * The run-record format: one folder per training run, plain files that
 * pandas, a notebook or `cat` can read.
 *
 *   config.json     the full resolved config (configToJson)
 *   meta.json       what ran it: backend, versions, command line, start time, resumes
 *   episodes.jsonl  one EpisodeRecord per line, appended as each episode ends
 *   monitor.csv     the same episodes in Stable-Baselines3's Monitor format (r,l,t), for its plotting tools
 *   evaluations.jsonl  one periodic greedy Evaluation per line (config.evalEvery), appended as each ends
 *   summary.json    status, when the bar was cleared, totals, greedy evaluation
 *   model/          the latest network (saveModel: model.json + weights.bin)
 *   checkpoint/     a trainer snapshot to resume from (writeSnapshot)
 *   chart.html      the learning curve (interactive, with a static picture), chart.svg the same picture
 *   writer.lock     while a process writes the folder: which one (see lock.ts)
 *
 * Every file is replaced whole (see ../files.ts): a crash leaves the old
 * version or the new one, and `*.tmp-PID` scratch files that the next writer
 * removes.
 */
import type { TaskId } from "../env/task";
import type { EpisodeRecord } from "../train/trainer";
import type { TrainConfig } from "../train/config";
import type { Evaluation } from "../train/periodic-eval";

export const RUN_FORMAT = "acrobot-dqn-run";
export const RUN_FORMAT_VERSION = 1;

export const FILES = {
  config: "config.json",
  meta: "meta.json",
  episodes: "episodes.jsonl",
  monitor: "monitor.csv",
  evaluations: "evaluations.jsonl",
  summary: "summary.json",
  model: "model",
  checkpoint: "checkpoint",
  chartHtml: "chart.html",
  chartSvg: "chart.svg",
} as const;

/** The config as stored: JSON, so a custom reward function reads back as "custom". */
export type RunConfig = Omit<TrainConfig, "reward"> & { reward: string };

/**
 * One line of episodes.jsonl. `cut`: the episode did not run to its natural
 * end (the env-step budget, a Ctrl-C, divergence), so its return covers only
 * the steps played and it never counts toward the bar. Logs written before
 * the field existed read as `cut: false`, or `partial: true` for an
 * interrupted one (readEpisodeLog turns both into `cut`).
 */
export type EpisodeLine = EpisodeRecord & { cut?: boolean; partial?: true };

export interface RunMeta {
  format: typeof RUN_FORMAT;
  version: typeof RUN_FORMAT_VERSION;
  /** The preset the config started from ("custom" when none). */
  preset: string;
  /** Fields set on top of the preset (`--set key=value`), budgets excluded. */
  overrides: Record<string, unknown>;
  /** The name charts and tables show it under (`train --label`); absent: the preset and its overrides. */
  label?: string;
  seed: number;
  /** describeBackend() when the run started. */
  backend: string;
  tfjsVersion: string;
  nodeVersion: string;
  acrobotDqnVersion: string;
  commandLine: string;
  startedAt: string;
  /** One entry per `train --resume`. */
  resumes: { at: string; commandLine: string; backend: string; fromEpisode: number }[];
}

/** "failed": stopped by an error (a full disk, too little memory); the message says which. */
export type RunStatus = "running" | "solved" | "unsolved" | "interrupted" | "diverged" | "failed";

export interface RunEvaluation {
  episodes: number;
  seed: number;
  returns: number[];
  lengths: number[];
  mean: number;
  /** Population standard deviation of the returns; missing in runs saved before it was recorded. */
  std?: number;
  /** Episodes in which the tip reached the line. */
  successes: number;
}

/** One line of evaluations.jsonl: a periodic greedy evaluation (see train/periodic-eval.ts). */
export type EvaluationLine = Evaluation;

export interface RunSummary {
  status: RunStatus;
  /** The trainer's stop reason ("solved", "maxEpisodes", "maxEnvSteps", "aborted", "diverged"), null while running. */
  stopReason: string | null;
  /** Why it stopped, in a sentence. */
  message: string;
  solvedAtEpisode: number | null;
  /** The bar and its window, copied from the config for readers of the summary alone. */
  solvedAt: number;
  episodes: number;
  /** Episodes cut short (see EpisodeLine.cut): logged, but not counted toward the bar. */
  cutEpisodes?: number;
  envSteps: number;
  /** Training seconds (summed over resumes). */
  seconds: number;
  /** At the episode that cleared the bar; null if it was not cleared. */
  toBar: { episode: number; envSteps: number; seconds: number } | null;
  bestAverage100: number | null;
  finalAverage100: number | null;
  /** Greedy play of the final network; null when skipped (interrupted, diverged, --eval-episodes 0). */
  evaluation: RunEvaluation | null;
  /** The episode the checkpoint/ folder continues after; null if none was written. */
  checkpointEpisode: number | null;
  updatedAt: string;
}

/** The first JSON line of `train --json`: what is being run, where. */
export interface RunStart {
  runDir: string;
  backend: string;
  preset: string;
  seed: number;
  solvedAt: number;
  maxEpisodes: number;
  maxEnvSteps: number;
  /** Episodes already done when resuming (0 for a new run). */
  resumedAfter: number;
  /** The task, for what its episodes' endings mean. */
  env: TaskId;
}

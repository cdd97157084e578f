/**
 * Figures derived from a run's episode records, shared by the summary the
 * CLI writes and the reports that read runs back.
 */
import type { EpisodeRecord, TrainResult } from "../train/trainer";
import type { RunStatus, RunSummary } from "./format";

export interface RecordFigures {
  toBar: RunSummary["toBar"];
  /** Best 100-episode average over full windows only (as the bar counts), null before the first full window. */
  bestAverage100: number | null;
  finalAverage100: number | null;
}

export function recordFigures(records: readonly EpisodeRecord[], solvedAtEpisode: number | null, window = 100): RecordFigures {
  const at = solvedAtEpisode === null ? undefined : records.find((r) => r.episode === solvedAtEpisode);
  const full = records.filter((r) => r.episode >= window).map((r) => r.average100);
  return {
    toBar: at ? { episode: at.episode, envSteps: at.envSteps, seconds: at.seconds } : null,
    bestAverage100: full.length > 0 ? Math.max(...full) : null,
    finalAverage100: records.length > 0 ? records[records.length - 1].average100 : null,
  };
}

/** A finished run's status, from how the trainer stopped. */
export function runStatus(result: Pick<TrainResult, "stopReason" | "solved">): RunStatus {
  if (result.stopReason === "diverged") return "diverged";
  if (result.stopReason === "aborted") return "interrupted";
  return result.solved ? "solved" : "unsolved";
}

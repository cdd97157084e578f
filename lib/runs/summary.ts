/**
 * Figures derived from a run's episode records, shared by the summary the
 * CLI writes and the reports that read runs back, and the summary itself.
 */
import type { EpisodeRecord, TrainResult } from "../train/trainer";
import type { TrainConfig } from "../train/config";
import type { EpisodeLine, RunEvaluation, RunStatus, RunSummary } from "./format";
import { maxOf } from "../extent";

export interface RecordFigures {
  toBar: RunSummary["toBar"];
  /** Best 100-episode average over full windows only (as the bar counts), null before the first full window. */
  bestAverage100: number | null;
  finalAverage100: number | null;
}

/** Whether an episode was cut short (see EpisodeLine.cut); old logs mark an interrupted one `partial`. */
export function isCut(r: EpisodeRecord): boolean {
  const line = r as EpisodeLine;
  return line.cut === true || line.partial === true;
}

export function recordFigures(records: readonly EpisodeRecord[], solvedAtEpisode: number | null, window = 100): RecordFigures {
  const at = solvedAtEpisode === null ? undefined : records.find((r) => r.episode === solvedAtEpisode);
  const full = records.filter((r) => r.episode >= window).map((r) => r.average100);
  return {
    toBar: at ? { episode: at.episode, envSteps: at.envSteps, seconds: at.seconds } : null,
    bestAverage100: full.length > 0 ? maxOf(full) : null,
    finalAverage100: records.length > 0 ? records[records.length - 1].average100 : null,
  };
}

/** A finished run's status, from how the trainer stopped: "solved" only when the trainer says so. */
export function runStatus(result: Pick<TrainResult, "stopReason" | "solved">): RunStatus {
  if (result.stopReason === "diverged") return "diverged";
  if (result.stopReason === "aborted") return "interrupted";
  return result.solved ? "solved" : "unsolved";
}

/** summary.json for a run at this point. */
export function runSummary(s: {
  status: RunStatus; stopReason: string | null; message: string; records: readonly EpisodeRecord[]; config: Pick<TrainConfig, "solvedAt" | "solvedWindow">;
  solvedAtEpisode: number | null; envSteps: number; seconds: number; evaluation: RunEvaluation | null; checkpointEpisode: number | null;
}): RunSummary {
  // Never a bar cleared unless the status says solved (a hand-made result, an error after the fact).
  const solvedAtEpisode = s.status === "solved" ? s.solvedAtEpisode : null;
  return {
    status: s.status,
    stopReason: s.stopReason,
    message: s.message,
    solvedAtEpisode,
    solvedAt: s.config.solvedAt,
    episodes: s.records.length,
    cutEpisodes: s.records.filter(isCut).length,
    envSteps: s.envSteps,
    seconds: s.seconds,
    ...recordFigures(s.records, solvedAtEpisode, s.config.solvedWindow),
    evaluation: s.evaluation,
    checkpointEpisode: s.checkpointEpisode,
    updatedAt: new Date().toISOString(),
  };
}

/**
 * Record keeping for the training loop: one EpisodeRecord per episode, the
 * 100-episode average a learner watches, and the bar check. Episodes that did
 * not run to their natural end (`cut`: stopped by a budget, a stop request or
 * a bad reward) are recorded but left out of both averages and never count
 * toward the bar, so "solved" only ever rests on complete episodes.
 */
import type { TrainConfig } from "./config";
import { MovingAverage } from "./moving-average";
import type { EpisodeRecord } from "./trainer";

/** How one episode went, as the loop knows it. */
export type EpisodeEnd = Omit<EpisodeRecord, "average100" | "envReturn"> & {
  /** The task's own return, summed by the loop; missing (records saved before other tasks existed): Acrobot's, from the steps. */
  envReturn?: number;
};

export interface Tally {
  readonly records: EpisodeRecord[];
  /** Adds an episode's record (average and environment return filled in). */
  add(end: EpisodeEnd): EpisodeRecord;
  /** The episode at which the bar was first cleared, or null. */
  readonly solvedAtEpisode: number | null;
  /** The windowed average the bar is checked on (NaN before any complete episode). */
  readonly barAverage: number;
}

export function tally(c: Pick<TrainConfig, "solvedAt" | "solvedWindow"> & Partial<Pick<TrainConfig, "solvedOn">>, earlier: readonly EpisodeRecord[] = []): Tally {
  const records: EpisodeRecord[] = [];
  const bar = new MovingAverage(c.solvedWindow);
  const average100 = new MovingAverage(100);
  let solvedAtEpisode: number | null = null;

  const add = (end: EpisodeEnd): EpisodeRecord => {
    const envReturn = end.envReturn ?? (end.terminated ? 1 - end.steps : -end.steps);
    if (!end.cut) {
      bar.push(c.solvedOn === "env" ? envReturn : end.return);
      average100.push(end.return);
    }
    // The lesson checks the bar before learning from the episode; we wait for a full window and use >= (see notebook 01).
    if (solvedAtEpisode === null && !end.cut && bar.full() && bar.mean() >= c.solvedAt) solvedAtEpisode = end.episode;
    const average = average100.mean();
    const record: EpisodeRecord = {
      ...end,
      average100: Number.isNaN(average) ? end.return : average, // no complete episode yet: its own return, for charts
      envReturn,
    };
    records.push(record);
    return record;
  };
  // Resuming replays the records so far: a run that had already cleared the bar stays solved at that episode.
  for (const r of earlier) add({ ...r, cut: r.cut ?? false });
  return {
    records,
    add,
    get solvedAtEpisode() {
      return solvedAtEpisode;
    },
    get barAverage() {
      return bar.mean();
    },
  };
}

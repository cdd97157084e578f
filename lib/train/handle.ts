/**
 * A training handle for notebooks. Jupyter's stop button abandons an awaited
 * cell, and with it the cell's declarations (`const r = await train(...)`
 * never binds `r`). Create the handle in an earlier cell; the run it starts
 * stops itself on the stop button and leaves its result here, so the next
 * cells still get the records and the model.
 */
import { train, type EpisodeRecord, type TrainHooks, type TrainResult } from "./trainer";
import type { TrainConfig } from "./config";
import type { Evaluation } from "./periodic-eval";

/** What a live display needs (`liveTraining()` fits). */
export interface Follower {
  onEpisode(record: EpisodeRecord): void;
  /** Called after each periodic greedy evaluation (config.evalEvery), if the display draws them. */
  onEvaluation?(evaluation: Evaluation): void;
  finish(result?: { message?: string; records?: readonly EpisodeRecord[] }): void;
}

export interface TrainingHandle {
  /** Trains as `train(config, hooks)` does, following it with `live`; the result is kept on the handle. */
  run(config: Partial<TrainConfig>, live?: Follower, hooks?: TrainHooks): Promise<TrainResult>;
  /** The last run's result; waits while a stopped run is still finishing its last step. */
  result(): Promise<TrainResult>;
  /** The last run's records so far (also while it runs). */
  readonly records: readonly EpisodeRecord[];
}

export function trainingHandle(): TrainingHandle {
  let running: Promise<TrainResult> | null = null;
  let records: EpisodeRecord[] = [];
  return {
    run(config, live, hooks = {}) {
      records = [];
      running = train(config, {
        ...hooks,
        onEpisode: async (record, context) => {
          records.push(record);
          live?.onEpisode(record);
          await hooks.onEpisode?.(record, context);
        },
        onEvaluation: (e) => {
          live?.onEvaluation?.(e);
          hooks.onEvaluation?.(e);
        },
        onFinish: async (result, context) => {
          live?.finish(result);
          await hooks.onFinish?.(result, context);
        },
      });
      return running;
    },
    result() {
      if (running === null) return Promise.reject(new Error("nothing trained yet: run the training cell first"));
      return running;
    },
    get records() {
      return records;
    },
  };
}

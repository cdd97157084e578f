/**
 * A TrainResult from records a notebook's own loop kept (notebooks 01-03
 * write the loop themselves), so their runs can be saved and compared like
 * `train()`'s: solved or not is decided by the same bar check.
 */
import { describeBackend, type tf } from "../tf";
import { resolveConfig, type TrainConfig } from "./config";
import { tally } from "./tally";
import type { EpisodeRecord, TrainResult } from "./trainer";
import type { Evaluation } from "./periodic-eval";

/** `evaluations`: periodic greedy evaluations the notebook's loop made (dqn.training.periodicEvaluator), if any. */
export function resultFromRecords(config: Partial<TrainConfig>, records: readonly EpisodeRecord[], model: tf.LayersModel, evaluations: readonly Evaluation[] = []): TrainResult {
  const c = resolveConfig(config);
  const log = tally(c, records);
  const solvedAtEpisode = log.solvedAtEpisode;
  const last = records[records.length - 1];
  const [stopReason, message]: [TrainResult["stopReason"], string] =
    solvedAtEpisode !== null ? ["solved", `solved at episode ${solvedAtEpisode}`]
      : records.length >= c.maxEpisodes ? ["maxEpisodes", `reached the episode budget (${c.maxEpisodes})`]
        : (last?.envSteps ?? 0) >= c.maxEnvSteps ? ["maxEnvSteps", `reached the env-step budget (${c.maxEnvSteps})`]
        : ["aborted", `stopped after episode ${records.length}`];
  return {
    solved: solvedAtEpisode !== null, solvedAtEpisode, stopReason, message, model,
    records: log.records, evaluations: [...evaluations], config: c, envSteps: last?.envSteps ?? 0, seconds: last?.seconds ?? 0, backend: describeBackend(),
  };
}

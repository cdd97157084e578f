/**
 * One training run into its run folder: the trainer with hooks that append
 * each episode to episodes.jsonl (and each periodic greedy evaluation to
 * evaluations.jsonl) and checkpoint every so often, then the
 * model, a greedy evaluation, the summary and the chart (in that order: the
 * summary before the large optional page). `npm start`, `train`,
 * `train --resume` and every `compare` job go through here. The caller holds
 * the run folder's lock (lockRunFolder).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { train, type EpisodeRecord, type TrainContext, type TrainResult } from "../train/trainer";
import { configToJson, type TrainConfig } from "../train/config";
import type { TrainerSnapshot } from "../train/snapshot";
import { writeSnapshot } from "../train/snapshot-file";
import { evaluateAsync } from "../train/evaluate";
import { saveModel } from "../agent/model-io";
import { describeBackend, initBackend } from "../tf";
import type { Evaluation } from "../train/periodic-eval";
import { FILES, type RunEvaluation, type RunMeta, type RunStatus, type RunSummary } from "../runs/format";
import { alignEpisodeLog, alignEvaluationLog, EpisodeLog, writeJsonFile } from "../runs/write";
import { readEpisodeLog } from "../runs/read";
import { isCut, runStatus, runSummary } from "../runs/summary";
import { commandLine, newRunMeta, packageVersion } from "../runs/meta";
import { writeRunChart } from "../viz/run-pages";
import { errorLine } from "./errors";
import { alignMonitor, MonitorLog, nowSeconds } from "../runs/monitor";
import { checkOwnedFolder } from "../runs/owned";
import type { TrainProgress } from "./progress";
import type { StopRequests } from "./signals";
import type { Overrides, PlotlyMode } from "./options";
import { EXIT } from "./errors";

export interface TrainRunOptions {
  dir: string;
  config: TrainConfig;
  preset: string;
  /** The `--set` fields, recorded in meta.json. */
  overrides: Overrides;
  /** `--label`, recorded in meta.json. */
  label?: string;
  /** Continue from this checkpoint, with this meta.json (from the run folder). */
  resume?: { snapshot: TrainerSnapshot; meta: RunMeta };
  /** Start a run folder that has no checkpoint afresh (killed before its first one), keeping its meta.json. */
  restart?: { meta: RunMeta };
  /** Said in the summary's message too (e.g. that the episode cap alone meets the bar). */
  warning?: string;
  progress: TrainProgress;
  stops: StopRequests;
  /** Greedy episodes after training (0: none). */
  evalEpisodes: number;
  plotly: PlotlyMode;
  /** Checkpoint after this many episodes or seconds, whichever comes first. */
  checkpointEvery?: { episodes: number; seconds: number };
}

export interface TrainRunOutcome {
  dir: string;
  summary: RunSummary;
  exitCode: number;
  modelDir: string | null;
  chart: { html: string; svg: string };
}

/** Seeds greedy evaluation away from the training seed's first episode. */
export const EVAL_SEED_OFFSET = 1000;

export async function trainRun(o: TrainRunOptions): Promise<TrainRunOutcome> {
  const { dir, config: c, progress, stops } = o;
  const every = o.checkpointEvery ?? { episodes: 25, seconds: 60 };
  await initBackend();
  const path = (f: string) => join(dir, f);
  const resumedAfter = o.resume?.snapshot.records.length ?? 0;

  // What the run folder says it is: a new run gets its meta now; a resumed run notes the resume once training has started.
  const earlier = o.resume?.meta ?? o.restart?.meta;
  const meta: RunMeta = earlier
    ? { ...earlier, resumes: [...(earlier.resumes ?? []), { at: new Date().toISOString(), commandLine: commandLine(), backend: describeBackend(), fromEpisode: resumedAfter }] }
    : newRunMeta({ preset: o.preset, overrides: o.overrides, seed: c.seed, label: o.label });
  let startWritten = false;
  const writeStart = () => {
    if (startWritten) return;
    startWritten = true;
    writeJsonFile(path(FILES.config), configToJson(c));
    writeJsonFile(path(FILES.meta), meta);
  };
  const startRecords = o.resume?.snapshot.records ?? [];
  if (!o.resume) {
    writeStart();
    if (o.restart) alignEpisodeLog(dir, []); // the episodes before the kill are played again from the start
  } else {
    const dropped = alignEpisodeLog(dir, o.resume.snapshot.records);
    alignEvaluationLog(dir, o.resume.snapshot.evaluations ?? []);
    if (dropped > 0 && progress.human) console.error(`episodes.jsonl held ${dropped} episode(s) after the checkpoint; they will be played again`);
  }
  // From here the folder says "running" (with the checkpoint's figures), so a kill -9 leaves a summary that
  // readers show as killed (running, but nobody holds the lock) rather than the state of an earlier run.
  {
    const last = startRecords[startRecords.length - 1];
    writeJsonFile(path(FILES.summary), runSummary({
      status: "running", stopReason: null, message: "training", records: startRecords, config: c, solvedAtEpisode: null,
      envSteps: last?.envSteps ?? 0, seconds: last?.seconds ?? 0, evaluation: null, checkpointEpisode: o.resume ? resumedAfter : null,
    }));
  }

  const startedAt = o.restart || !o.resume ? nowSeconds() : Date.parse(meta.startedAt) / 1000;
  const monitor = new MonitorLog(path(FILES.monitor), alignMonitor(path(FILES.monitor), startRecords, Number.isFinite(startedAt) ? startedAt : nowSeconds()));
  const log = new EpisodeLog(path(FILES.episodes));
  // Opened only when the run evaluates (or resumes one that did), so other runs' folders stay as they were.
  const evalLog = c.evalEvery > 0 || existsSync(path(FILES.evaluations)) ? new EpisodeLog<Evaluation>(path(FILES.evaluations)) : null;
  let checkpointEpisode: number | null = o.resume ? resumedAfter : null;
  let lastCheckpoint = performance.now();
  const checkpoint = async (context: TrainContext, episode: number) => {
    // The checkpoint folder is replaced whole: never over a file someone put there while the run went on.
    checkOwnedFolder(dir, FILES.checkpoint, `write the checkpoint of ${dir}`);
    writeSnapshot(await context.snapshot(), path(FILES.checkpoint));
    checkpointEpisode = episode;
    lastCheckpoint = performance.now();
  };
  stops.onStop((signal) => progress.stopping(signal));
  const records: EpisodeRecord[] = [...(o.resume?.snapshot.records ?? [])];
  // The episodes logged as cut (from before a resume too), for the summary's count.
  const cutEpisodes = new Set(o.resume ? readEpisodeLog(path(FILES.episodes)).filter(isCut).map((r) => r.episode) : []);
  const withCut = (rs: readonly EpisodeRecord[]) => rs.map((r) => ({ ...r, cut: isCut(r) || cutEpisodes.has(r.episode) }));
  // An error (a full disk, too little memory) still ends with a summary that says what happened.
  const failed = (e: unknown): never => {
    try {
      const last = records[records.length - 1];
      writeJsonFile(path(FILES.summary), runSummary({
        status: "failed", stopReason: null, message: `failed: ${errorLine(e)}`, records: withCut(records), config: c, solvedAtEpisode: null,
        envSteps: last?.envSteps ?? 0, seconds: last?.seconds ?? 0, evaluation: null, checkpointEpisode,
      }));
    } catch {
      // the disk may be what failed; the error itself is reported by the caller
    }
    throw e;
  };

  progress.start({ runDir: dir, backend: describeBackend(), preset: meta.preset, seed: c.seed, solvedAt: c.solvedAt, maxEpisodes: c.maxEpisodes, maxEnvSteps: c.maxEnvSteps, resumedAfter });
  let result: TrainResult;
  try {
    result = await train(
      c,
      {
        signal: stops.signal,
        handleSignals: false, // StopRequests handles them and knows the exit code
        onEpisode: async (record: EpisodeRecord, context: TrainContext) => {
          writeStart();
          records.push(record);
          // Cut (a budget, a Ctrl-C or divergence ended it before its natural end): the trainer says so.
          log.append(record);
          monitor.append(record);
          if (record.cut) cutEpisodes.add(record.episode);
          progress.episode(record);
          const healthy = Number.isFinite(record.return) && (record.loss === null || Number.isFinite(record.loss));
          const due = record.episode % every.episodes === 0 || performance.now() - lastCheckpoint >= every.seconds * 1000;
          if (healthy && due && stops.received === null) await checkpoint(context, record.episode);
        },
        onEvaluation: (e: Evaluation) => {
          writeStart();
          evalLog?.append(e);
          progress.evaluation?.(e);
        },
        onFinish: async (r: TrainResult, context: TrainContext) => {
          writeStart();
          // A diverged network is not worth resuming from: keep the last healthy checkpoint.
          if (r.stopReason !== "diverged" && r.records.length > 0) await checkpoint(context, r.records.length);
        },
      },
      { resume: o.resume?.snapshot },
    );
  } catch (e) {
    return failed(e);
  } finally {
    log.close();
    monitor.close();
    evalLog?.close();
    progress.end();
  }

  const status = runStatus(result);
  let modelDir: string | null = null;
  let evaluation: RunEvaluation | null = null;
  let message = o.warning ? `${result.message} (warning: ${o.warning})` : result.message;
  try {
    if (status !== "diverged") {
      checkOwnedFolder(dir, FILES.model, `save the model of ${dir}`);
      modelDir = await saveModel(result.model, path(FILES.model), modelMetadata(meta, c, status, result));
    }
    if ((status === "solved" || status === "unsolved") && o.evalEpisodes > 0 && stops.received === null) {
      const seed = c.seed + EVAL_SEED_OFFSET;
      const e = await evaluateAsync(result.model, { env: c.env, episodes: o.evalEpisodes, seed, maxEpisodeSteps: c.maxEpisodeSteps, dynamics: c.dynamics, reward: c.reward, signal: stops.signal, handleSignals: false });
      if (e.stopped) message += `; the greedy evaluation was stopped by ${stops.received ?? "request"} after ${e.returns.length} of ${o.evalEpisodes} episodes`;
      else evaluation = { episodes: o.evalEpisodes, seed, returns: e.returns, lengths: e.lengths, mean: e.mean, std: e.std, successes: e.successes };
    }
  } catch (e) {
    return failed(e);
  } finally {
    result.model.dispose();
  }

  const summary = runSummary({
    status, stopReason: result.stopReason, message, records: withCut(result.records), config: c, solvedAtEpisode: result.solvedAtEpisode,
    envSteps: result.envSteps, seconds: result.seconds, evaluation, checkpointEpisode,
  });
  writeJsonFile(path(FILES.summary), summary);
  const chart = writeRunChart(dir, `${meta.preset}, seed ${c.seed}: ${status}`, result.records, summary, o.plotly, result.evaluations);
  const exitCode = stops.received !== null ? stops.exitCode() ?? EXIT.SIGINT : status === "diverged" ? EXIT.failure : EXIT.ok;
  return { dir, summary, exitCode, modelDir, chart };
}

/** Stored in model.json, so `play` can tell what it is playing. Values must be non-null for saveModel. */
function modelMetadata(meta: RunMeta, c: TrainConfig, status: RunStatus, r: TrainResult): { [key: string]: {} } {
  return {
    trainedBy: `acrobot-dqn ${packageVersion()}`,
    preset: meta.preset,
    seed: c.seed,
    status,
    episodes: r.records.length,
    envSteps: r.envSteps,
    ...(r.solvedAtEpisode !== null ? { solvedAtEpisode: r.solvedAtEpisode } : {}),
    config: configToJson(c),
  };
}

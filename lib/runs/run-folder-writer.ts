/**
 * The one writer of a run folder (format.ts lists its files): config.json
 * and meta.json, episodes.jsonl and monitor.csv a line per episode,
 * evaluations.jsonl, the checkpoint, summary.json, the model and the chart.
 * Two ways in, one set of files:
 *
 *  - `trainIntoRunFolder`: a training written as it goes (the command
 *    line's `train`, `--resume`, and every job of jobs.ts), so a kill keeps
 *    every finished episode and a checkpoint to resume from;
 *  - `writeRunFolder`: a finished result written whole (saveRun, the
 *    notebooks' saved runs).
 *
 * runs/ never draws: the chart is a function passed in (lib/viz's
 * writeRunChart, by lib/api and lib/cli). The caller holds the folder's lock.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type * as tf from "@tensorflow/tfjs";
import { train, type EpisodeRecord, type TrainContext, type TrainResult } from "../train/trainer";
import { configToJson, type TrainConfig } from "../train/config";
import type { TrainerSnapshot } from "../train/snapshot";
import { writeSnapshot } from "../train/snapshot-file";
import { evaluateAsync } from "../train/evaluate";
import type { Evaluation } from "../train/periodic-eval";
import { modelFiles, writeModelFiles } from "../agent/model-io";
import { describeBackend, initBackend } from "../tf";
import { FILES, type EvaluationLine, type RunEvaluation, type RunMeta, type RunStart, type RunStatus, type RunSummary } from "./format";
import { alignEpisodeLog, alignEvaluationLog, createRunFolder, EpisodeLog, writeJsonFile } from "./write";
import { readEpisodeLog, readRun } from "./read";
import { isCut, runStatus, runSummary } from "./summary";
import { commandLine, newRunMeta, packageVersion } from "./meta";
import { alignMonitor, MonitorLog, nowSeconds } from "./monitor";
import { checkOwnedFolder } from "./owned";

/** What a chart is drawn from. */
export interface ChartedRun {
  records: readonly EpisodeRecord[];
  summary: RunSummary;
  evaluations: readonly EvaluationLine[];
}

/** Draws a run's chart into its folder (chart.html, chart.svg) and returns their paths: lib/viz's, passed in. */
export type RunChart = (dir: string, title: string, run: ChartedRun) => { html: string; svg: string };

/**
 * A run folder open for writing. Each file is written whole (JSON replaced
 * atomically, the model and checkpoint folders swapped in) or appended a
 * line at a time (the logs); a class because it owns the open logs.
 */
export class RunFolderWriter {
  private readonly log: EpisodeLog;
  private readonly monitor: MonitorLog;
  private readonly evalLog: EpisodeLog<Evaluation> | null;
  private started = false;
  /** Lines episodes.jsonl held past the checkpoint resumed from (they will be played again). */
  readonly droppedLines: number;

  /**
   * Opens the logs of `dir` for appending. `resumeFrom`: the records a
   * checkpoint holds (the logs are cut back to them first); `tStart`:
   * monitor.csv's clock when the file has none yet; `evaluations`: open
   * evaluations.jsonl (default: when the run evaluates, or resumes one that did).
   */
  constructor(readonly dir: string, private readonly config: TrainConfig, private readonly meta: RunMeta, o: { resumeFrom?: TrainerSnapshot; restart?: boolean; tStart: number; evaluations?: boolean }) {
    const start = o.resumeFrom?.records ?? [];
    // A new run's folder says what it is before anything else; a resumed one once training has started (see start()).
    if (!o.resumeFrom) this.start();
    this.droppedLines = 0;
    if (o.resumeFrom) {
      this.droppedLines = alignEpisodeLog(dir, start);
      alignEvaluationLog(dir, o.resumeFrom.evaluations ?? []);
    } else if (o.restart) {
      alignEpisodeLog(dir, []); // the episodes before the kill are played again from the start
    }
    this.monitor = new MonitorLog(this.path(FILES.monitor), alignMonitor(this.path(FILES.monitor), start, o.tStart));
    this.log = new EpisodeLog(this.path(FILES.episodes));
    // Opened only when the run evaluates (or resumes one that did), so other runs' folders stay as they were.
    this.evalLog = (o.evaluations ?? (config.evalEvery > 0 || existsSync(this.path(FILES.evaluations)))) ? new EpisodeLog<Evaluation>(this.path(FILES.evaluations)) : null;
  }

  path(file: string): string {
    return join(this.dir, file);
  }

  /** config.json and meta.json, once (a resumed run: when training has started, so a failed start leaves them as they were). */
  start(): void {
    if (this.started) return;
    this.started = true;
    writeJsonFile(this.path(FILES.config), configToJson(this.config));
    writeJsonFile(this.path(FILES.meta), this.meta);
  }

  /** One episode: a line of episodes.jsonl and a row of monitor.csv (`seconds`: its time since t_start, default the wall clock). */
  episode(record: EpisodeRecord, seconds?: number): void {
    this.start();
    this.log.append(record);
    if (seconds === undefined) this.monitor.append(record);
    else this.monitor.appendSince(record, seconds);
  }

  evaluation(e: Evaluation): void {
    this.start();
    this.evalLog?.append(e);
  }

  /** The checkpoint folder, replaced whole: never over a file someone put there while the run went on. */
  checkpoint(snapshot: TrainerSnapshot): void {
    checkOwnedFolder(this.dir, FILES.checkpoint, `write the checkpoint of ${this.dir}`);
    writeSnapshot(snapshot, this.path(FILES.checkpoint));
  }

  /** The model folder (model.json + weights.bin), replaced whole. */
  async model(model: tf.LayersModel, metadata: { [key: string]: {} }): Promise<string> {
    const files = await modelFiles(model, metadata);
    checkOwnedFolder(this.dir, FILES.model, `save the model of ${this.dir}`);
    return writeModelFiles(files, this.path(FILES.model));
  }

  summary(s: RunSummary): void {
    writeJsonFile(this.path(FILES.summary), s);
  }

  /** The chart, after the summary: if the disk fills, the large optional page is what is missing. */
  chart(draw: RunChart, title: string, run: ChartedRun): { html: string; svg: string } {
    return draw(this.dir, title, run);
  }

  close(): void {
    this.log.close();
    this.monitor.close();
    this.evalLog?.close();
  }
}

/** Draws the chart of a finished run folder from what it holds (jobs.ts: the parent draws what a job wrote). */
export function chartRunFolder(dir: string, draw: RunChart, title: string): { html: string; svg: string } | null {
  const run = readRun(dir);
  if (run.summary === null) return null;
  return draw(dir, title, { records: run.records, summary: run.summary, evaluations: run.evaluations });
}

/** A chart's title: "improved, seed 1: solved". */
export function chartTitle(preset: string, seed: number, status?: RunStatus): string {
  return `${preset}, seed ${seed}${status !== undefined ? `: ${status}` : ""}`;
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

/**
 * Writes a finished result into `dir` as a complete run folder (a new or
 * empty folder, refused otherwise; saveRun's scratch folder, swapped in whole). Training seconds stand in
 * for the wall clock: monitor.csv's t_start is when this result's training began.
 */
export async function writeRunFolder(dir: string, result: TrainResult, o: { preset: string; overrides?: Record<string, unknown>; chart?: RunChart; chartTitle?: string }): Promise<RunSummary> {
  const c = result.config;
  const meta = newRunMeta({ preset: o.preset, overrides: o.overrides ?? {}, seed: c.seed });
  createRunFolder(dir);
  const tStart = nowSeconds() - (result.records[result.records.length - 1]?.seconds ?? 0);
  const writer = new RunFolderWriter(dir, c, meta, { tStart, evaluations: result.evaluations.length > 0 });
  try {
    for (const r of result.records) writer.episode(r, r.seconds);
    for (const e of result.evaluations) writer.evaluation(e);
  } finally {
    writer.close();
  }
  const status = runStatus(result);
  const summary = runSummary({
    status, stopReason: result.stopReason, message: result.message, records: result.records, config: c,
    solvedAtEpisode: result.solvedAtEpisode, envSteps: result.envSteps, seconds: result.seconds, evaluation: null, checkpointEpisode: null,
  });
  writer.summary(summary);
  await writer.model(result.model, { ...modelMetadata(meta, c, status, result), solved: result.solved });
  if (o.chart) writer.chart(o.chart, o.chartTitle ?? chartTitle(o.preset, c.seed), { records: result.records, summary, evaluations: result.evaluations });
  return summary;
}

/** How a training reports as it goes (the command line's progress modes, or a job's messages to its parent). */
export interface RunProgress {
  start(info: RunStart): void;
  episode(record: EpisodeRecord): void;
  /** A periodic greedy evaluation finished (config.evalEvery); optional. */
  evaluation?(e: Evaluation): void;
  /** A stop was requested: say that the run is being saved. */
  stopping(signal: string): void;
  /** Training ended: release the terminal before the final lines. */
  end(): void;
  /** Whether to say things for a person (false: only the messages above). */
  readonly human: boolean;
}

/** Stop requests: the command line's StopRequests (signals) or a job's stop message. */
export interface RunStops {
  readonly signal: AbortSignal;
  /** The first stop received (e.g. "SIGINT"), or null. */
  readonly received: string | null;
  onStop(listener: (signal: string) => void): void;
}

export interface TrainIntoOptions {
  dir: string;
  config: TrainConfig;
  preset: string;
  /** The changed fields, recorded in meta.json. */
  overrides: Record<string, unknown>;
  /** Recorded in meta.json (`--label`, a job's name). */
  label?: string;
  /** meta.json's commandLine (default: this process's). */
  commandLine?: string;
  /** Continue from this checkpoint, with this meta.json (from the run folder). */
  resume?: { snapshot: TrainerSnapshot; meta: RunMeta };
  /** Start a run folder that has no checkpoint afresh (killed before its first one), keeping its meta.json. */
  restart?: { meta: RunMeta };
  /** Said in the summary's message too (e.g. that the episode cap alone meets the bar). */
  warning?: string;
  progress: RunProgress;
  stops: RunStops;
  /** Greedy episodes after training (0: none). */
  evalEpisodes: number;
  /** Draws the chart at the end; none without it. */
  chart?: RunChart;
  /** Checkpoint after this many episodes or seconds, whichever comes first. */
  checkpointEvery?: { episodes: number; seconds: number };
}

export interface TrainedRun {
  dir: string;
  summary: RunSummary;
  modelDir: string | null;
  chart: { html: string; svg: string } | null;
}

/** Seeds greedy evaluation away from the training seed's first episode. */
export const EVAL_SEED_OFFSET = 1000;

const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));

/**
 * One training into its run folder: the trainer with hooks that write each
 * episode and evaluation and checkpoint every so often, then the model, a
 * greedy evaluation, the summary and the chart (in that order). An error
 * still leaves a summary that says what happened, and is thrown on.
 */
export async function trainIntoRunFolder(o: TrainIntoOptions): Promise<TrainedRun> {
  const { dir, config: c, progress, stops } = o;
  const every = o.checkpointEvery ?? { episodes: 25, seconds: 60 };
  await initBackend();
  const resumedAfter = o.resume?.snapshot.records.length ?? 0;

  // What the run folder says it is: a new run gets its meta now; a resumed run notes the resume once training has started.
  const earlier = o.resume?.meta ?? o.restart?.meta;
  const meta: RunMeta = earlier
    ? { ...earlier, resumes: [...(earlier.resumes ?? []), { at: new Date().toISOString(), commandLine: o.commandLine ?? commandLine(), backend: describeBackend(), fromEpisode: resumedAfter }] }
    : { ...newRunMeta({ preset: o.preset, overrides: o.overrides, seed: c.seed, label: o.label }), ...(o.commandLine !== undefined ? { commandLine: o.commandLine } : {}) };
  const startRecords = o.resume?.snapshot.records ?? [];
  const startedAt = o.restart || !o.resume ? nowSeconds() : Date.parse(meta.startedAt) / 1000;
  const writer = new RunFolderWriter(dir, c, meta, { resumeFrom: o.resume?.snapshot, restart: o.restart !== undefined, tStart: Number.isFinite(startedAt) ? startedAt : nowSeconds() });
  if (writer.droppedLines > 0 && progress.human) console.error(`episodes.jsonl held ${writer.droppedLines} episode(s) after the checkpoint; they will be played again`);
  // The episodes logged as cut (from before a resume too), for the summary's count.
  const cutEpisodes = new Set(o.resume ? readEpisodeLog(join(dir, FILES.episodes)).filter(isCut).map((r) => r.episode) : []);
  // From here the folder says "running" (with the checkpoint's figures), so a kill -9 leaves a summary that
  // readers show as killed (running, but nobody holds the lock) rather than the state of an earlier run.
  const last0 = startRecords[startRecords.length - 1];
  writer.summary(runSummary({
    status: "running", stopReason: null, message: "training", records: startRecords, config: c, solvedAtEpisode: null,
    envSteps: last0?.envSteps ?? 0, seconds: last0?.seconds ?? 0, evaluation: null, checkpointEpisode: o.resume ? resumedAfter : null,
  }));

  let checkpointEpisode: number | null = o.resume ? resumedAfter : null;
  let lastCheckpoint = performance.now();
  const checkpoint = async (context: TrainContext, episode: number) => {
    writer.checkpoint(await context.snapshot());
    checkpointEpisode = episode;
    lastCheckpoint = performance.now();
  };
  stops.onStop((signal) => progress.stopping(signal));
  const records: EpisodeRecord[] = [...startRecords];
  const withCut = (rs: readonly EpisodeRecord[]) => rs.map((r) => ({ ...r, cut: isCut(r) || cutEpisodes.has(r.episode) }));
  // An error (a full disk, too little memory) still ends with a summary that says what happened.
  const failed = (e: unknown): never => {
    try {
      const last = records[records.length - 1];
      writer.summary(runSummary({
        status: "failed", stopReason: null, message: `failed: ${messageOf(e)}`, records: withCut(records), config: c, solvedAtEpisode: null,
        envSteps: last?.envSteps ?? 0, seconds: last?.seconds ?? 0, evaluation: null, checkpointEpisode,
      }));
    } catch {
      // the disk may be what failed; the error itself is reported by the caller
    }
    throw e;
  };

  progress.start({ runDir: dir, backend: describeBackend(), preset: meta.preset, seed: c.seed, solvedAt: c.solvedAt, maxEpisodes: c.maxEpisodes, maxEnvSteps: c.maxEnvSteps, resumedAfter, env: c.env });
  let result: TrainResult;
  try {
    result = await train(
      c,
      {
        signal: stops.signal,
        handleSignals: false, // the caller handles them and knows the exit code
        onEpisode: async (record: EpisodeRecord, context: TrainContext) => {
          records.push(record);
          // Cut (a budget, a stop or divergence ended it before its natural end): the trainer says so.
          writer.episode(record);
          if (record.cut) cutEpisodes.add(record.episode);
          progress.episode(record);
          const healthy = Number.isFinite(record.return) && (record.loss === null || Number.isFinite(record.loss));
          const due = record.episode % every.episodes === 0 || performance.now() - lastCheckpoint >= every.seconds * 1000;
          if (healthy && due && stops.received === null) await checkpoint(context, record.episode);
        },
        onEvaluation: (e: Evaluation) => {
          writer.evaluation(e);
          progress.evaluation?.(e);
        },
        onFinish: async (r: TrainResult, context: TrainContext) => {
          writer.start();
          // A diverged network is not worth resuming from: keep the last healthy checkpoint.
          if (r.stopReason !== "diverged" && r.records.length > 0) await checkpoint(context, r.records.length);
        },
      },
      { resume: o.resume?.snapshot },
    );
  } catch (e) {
    return failed(e);
  } finally {
    writer.close();
    progress.end();
  }

  const status = runStatus(result);
  let modelDir: string | null = null;
  let evaluation: RunEvaluation | null = null;
  let message = o.warning ? `${result.message} (warning: ${o.warning})` : result.message;
  try {
    if (status !== "diverged") modelDir = await writer.model(result.model, modelMetadata(meta, c, status, result));
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
  writer.summary(summary);
  const chart = o.chart ? writer.chart(o.chart, chartTitle(meta.preset, c.seed, status), { records: result.records, summary, evaluations: result.evaluations }) : null;
  return { dir, summary, modelDir, chart };
}

/**
 * `train` (and `npm start`, which is `train` on the improved preset): works
 * out the config and the run folder from the flags, or from the run folder
 * when resuming, runs it, and says where everything is.
 */
import { existsSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { resolveConfig, type TrainConfig } from "../train/config";
import { preset as presetConfig } from "../train/presets";
import type { TrainerSnapshot } from "../train/snapshot";
import { readSnapshot } from "../train/snapshot-file";
import { describeBackend, initBackend } from "../tf";
import { FILES, type RunMeta, type RunSummary } from "../runs/format";
import { createRunFolder } from "../runs/write";
import { isRunFolder } from "../runs/read";
import { asUsage, EXIT, UsageError } from "./errors";
import { makeProgress, progressMode } from "./progress";
import { StopRequests } from "./signals";
import { trainRun, type TrainRunOutcome } from "./run-training";
import { packageVersion } from "./meta";
import type { Overrides, PlotlyMode } from "./options";

export interface TrainFlags {
  preset?: string;
  seed?: number;
  episodes?: number;
  steps?: number;
  out?: string;
  set?: Overrides;
  quiet?: boolean;
  lessonLog?: boolean;
  json?: boolean;
  resume?: string;
  evalEpisodes: number;
  plotly: PlotlyMode;
}

/** The folder a new run gets by default: runs/<preset>-seed<N>-<date>-<time>, made unique. */
export function defaultRunDir(preset: string, seed: number, root = "runs"): string {
  const d = new Date();
  const two = (n: number) => String(n).padStart(2, "0");
  const stamp = `${d.getFullYear()}${two(d.getMonth() + 1)}${two(d.getDate())}-${two(d.getHours())}${two(d.getMinutes())}${two(d.getSeconds())}`;
  const base = join(root, `${preset}-seed${seed}-${stamp}`);
  let dir = base;
  for (let i = 2; existsSync(dir); i++) dir = `${base}-${i}`;
  return dir;
}

/** How to point the user at a path: relative to where they are when that is shorter. */
export function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel !== "" && !rel.startsWith("..") && rel.length < path.length ? rel : path;
}

interface Plan {
  dir: string;
  config: TrainConfig;
  preset: string;
  overrides: Overrides;
  resume?: { snapshot: TrainerSnapshot; meta: RunMeta };
}

function planNewRun(flags: TrainFlags, defaults: { preset?: string }): Plan {
  const name = flags.preset ?? defaults.preset;
  if (name === undefined) throw new UsageError("train needs --preset NAME (or --resume RUN_DIR)");
  const overrides = flags.set ?? {};
  const config = asUsage(() =>
    resolveConfig({
      ...presetConfig(name),
      ...overrides,
      seed: flags.seed ?? 1,
      ...(flags.episodes !== undefined ? { maxEpisodes: flags.episodes } : {}),
      ...(flags.steps !== undefined ? { maxEnvSteps: flags.steps } : {}),
    }),
  );
  if ("seed" in overrides) throw new UsageError("set the seed with --seed N, not --set seed=N");
  const dir = flags.out ?? defaultRunDir(name, config.seed);
  createRunFolder(dir);
  return { dir, config, preset: name, overrides };
}

function planResume(flags: TrainFlags): Plan {
  const dir = flags.resume as string;
  const clash = (["preset", "seed", "out"] as const).filter((k) => flags[k] !== undefined);
  if (clash.length > 0) throw new UsageError(`--resume continues a run with its own config and folder; drop ${clash.map((k) => `--${k}`).join(", ")} (allowed with --resume: --episodes, --steps, --set)`);
  if (!existsSync(dir)) throw new Error(`cannot resume ${dir}: the folder does not exist`);
  if (!isRunFolder(dir)) throw new Error(`cannot resume ${dir}: not a run folder (no ${FILES.meta} written by acrobot-dqn)`);
  const meta = JSON.parse(readFileSync(join(dir, FILES.meta), "utf8")) as RunMeta;
  const stored = JSON.parse(readFileSync(join(dir, FILES.config), "utf8")) as Record<string, unknown>;
  const summaryPath = join(dir, FILES.summary);
  const summary = existsSync(summaryPath) ? (JSON.parse(readFileSync(summaryPath, "utf8")) as RunSummary) : null;
  if (summary?.status === "solved") throw new Error(`${dir} already cleared the bar at episode ${summary.solvedAtEpisode}; nothing to resume`);
  if (stored.reward === "custom") throw new Error(`cannot resume ${dir} from the command line: it was trained with a custom reward function`);
  const snapshot = readSnapshot(join(dir, FILES.checkpoint));
  const overrides = flags.set ?? {};
  if ("seed" in overrides) throw new UsageError("--resume keeps the run's seed; drop --set seed=...");
  const config = asUsage(() =>
    resolveConfig({
      ...(stored as Partial<TrainConfig>),
      ...overrides,
      ...(flags.episodes !== undefined ? { maxEpisodes: flags.episodes } : {}),
      ...(flags.steps !== undefined ? { maxEnvSteps: flags.steps } : {}),
    }),
  );
  const done = snapshot.records.length;
  if (done >= config.maxEpisodes || snapshot.envSteps >= config.maxEnvSteps) {
    throw new Error(
      `${dir} has used its budget (${done} of ${config.maxEpisodes} episodes, ${snapshot.envSteps} of ${config.maxEnvSteps} env steps); raise it with --episodes N or --steps N`,
    );
  }
  return { dir, config, preset: meta.preset, overrides: { ...meta.overrides, ...overrides }, resume: { snapshot, meta: { ...meta, overrides: { ...meta.overrides, ...overrides } } } };
}

export async function trainCommand(flags: TrainFlags, defaults: { preset?: string } = {}): Promise<number> {
  if (flags.resume === undefined && flags.preset === undefined && defaults.preset === undefined) {
    throw new UsageError("train needs --preset NAME (or --resume RUN_DIR)");
  }
  const plan = flags.resume !== undefined ? planResume(flags) : planNewRun(flags, defaults);
  await initBackend();
  const mode = progressMode(flags);
  // With --lesson-log, stdout carries exactly the lesson's lines; everything else goes to stderr.
  const info = mode === "lesson" ? (l: string) => console.error(l) : (l: string) => console.log(l);
  if (mode !== "json") info(`acrobot-dqn ${packageVersion()}: ${describeBackend()}`);
  const stops = new StopRequests();
  // A compare job: if the compare process dies, its IPC channel closes; stop and save as if told to.
  if (process.send !== undefined) {
    process.once("disconnect", () => stops.received === null && stops.request("SIGTERM"));
    process.channel?.unref();
  }
  try {
    const outcome = await trainRun({
      dir: plan.dir, config: plan.config, preset: plan.preset, overrides: plan.overrides, resume: plan.resume,
      progress: makeProgress(mode), stops, evalEpisodes: flags.evalEpisodes, plotly: flags.plotly,
    });
    if (mode === "json") console.log(JSON.stringify({ event: "end", runDir: outcome.dir, exitCode: outcome.exitCode, summary: outcome.summary }));
    else printOutcome(outcome, plan.config, flags.quiet === true, info);
    if (outcome.summary.status === "diverged") console.error(outcome.summary.message);
    return outcome.exitCode;
  } finally {
    stops.dispose();
  }
}

function clock(seconds: number): string {
  const s = Math.round(seconds);
  return s >= 60 ? `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, "0")} s` : `${seconds.toFixed(1)} s`;
}

function printOutcome(o: TrainRunOutcome, c: TrainConfig, quiet: boolean, info: (line: string) => void): void {
  const s = o.summary;
  const dir = shown(o.dir);
  const lines: string[] = [];
  const head = s.message.startsWith(s.status) ? s.message : `${s.status}: ${s.message}`;
  lines.push(`${head} (${s.episodes} episodes, ${s.envSteps} env steps, ${clock(s.seconds)} of training)`);
  if (s.evaluation) {
    const e = s.evaluation;
    lines.push(
      `greedy evaluation: mean return ${e.mean.toFixed(2)} over ${e.episodes} episodes (min ${Math.min(...e.returns)}, max ${Math.max(...e.returns)}; ` +
        `${e.successes} of ${e.episodes} reached the line; reset seed ${e.seed})`,
    );
  }
  if (!quiet || s.status !== "solved") {
    lines.push(`run folder: ${dir}`);
    if (o.modelDir) lines.push(`  model:      ${shown(o.modelDir)}`);
    lines.push(`  chart:      ${shown(o.chart.html)} (interactive), ${shown(o.chart.svg)}`);
    lines.push(`  episodes:   ${shown(join(o.dir, FILES.episodes))}`);
    lines.push(`  summary:    ${shown(join(o.dir, FILES.summary))}`);
    if (s.checkpointEpisode !== null) lines.push(`  checkpoint: ${shown(join(o.dir, FILES.checkpoint))} (after episode ${s.checkpointEpisode})`);
  }
  if (s.status === "interrupted") lines.push(`continue it with: npm start -- train --resume ${dir}`);
  if (s.status === "unsolved") {
    const flag = s.stopReason === "maxEpisodes" ? `--episodes ${c.maxEpisodes * 2}` : `--steps ${c.maxEnvSteps * 2}`;
    lines.push(`continue it with a larger budget: npm start -- train --resume ${dir} ${flag}`);
  }
  if (s.status === "diverged") {
    lines.push(`the records are kept; ${s.checkpointEpisode !== null ? `resume from the checkpoint after episode ${s.checkpointEpisode} with changed settings, e.g. npm start -- train --resume ${dir} --set learningRate=${c.learningRate / 10}` : "no healthy checkpoint was written"}`);
  }
  info(lines.join("\n"));
  // The lesson's own last line.
  if (s.solvedAtEpisode !== null) console.log(`Clear at episode ${s.solvedAtEpisode}`);
}

/**
 * `train` (and `npm start`, which is `train` on the fast preset): works
 * out the config and the run folder from the flags, or from the run folder
 * when resuming (every field of it checked), takes the folder's lock, runs
 * it, and says where everything is.
 */
import { TASKS } from "../env/task";
import { existsSync, readdirSync, readFileSync, rmdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { capMeetsBar, resolveConfig, type TrainConfig } from "../train/config";
import { preset as presetConfig, type PresetName } from "../train/presets";
import { configDifferences, nearestPreset } from "../runs/training-job";
import { checkOwned } from "../runs/owned";
import { readEpisodeLog } from "../runs/read";
import { readConfigFile } from "./config-file";
import type { TrainerSnapshot } from "../train/snapshot";
import { readSnapshot } from "../train/snapshot-file";
import { describeBackend, initBackend } from "../tf";
import { FILES, type RunMeta, type RunSummary } from "../runs/format";
import { claimNewFolder, cleanRunFolder, createRunFolder } from "../runs/write";
import { isRunFolder } from "../runs/read";
import { LOCK_FILE, lockRunFolder, type RunLock } from "../runs/lock";
import { checkRunMeta } from "../runs/validate";
import { clock } from "../text-format";
import { asUsage, EXIT, UsageError } from "./errors";
import { makeProgress, progressMode } from "./progress";
import { StopRequests } from "./signals";
import { trainRun, type TrainRunOutcome } from "./run-training";
import { commandLine, packageVersion } from "../runs/meta";
import type { Overrides, PlotlyMode } from "./options";
import { maxOf, minOf } from "../extent";
import { FILE_LIMITS, isMissing, readTextInFolder } from "../folder-read";

export interface TrainFlags {
  preset?: string;
  seed?: number;
  episodes?: number;
  steps?: number;
  out?: string;
  set?: Overrides;
  label?: string;
  quiet?: boolean;
  lessonLog?: boolean;
  json?: boolean;
  resume?: string;
  /** A JSON file of config fields (a run's config.json), under --set. */
  config?: string;
  evalEpisodes: number;
  plotly: PlotlyMode;
}

/** runs/<preset>-seed<N>-<date>-<time>: the base of a new run's default folder. */
function defaultRunBase(preset: string, seed: number, root = "runs"): string {
  const d = new Date();
  const two = (n: number) => String(n).padStart(2, "0");
  const stamp = `${d.getFullYear()}${two(d.getMonth() + 1)}${two(d.getDate())}-${two(d.getHours())}${two(d.getMinutes())}${two(d.getSeconds())}`;
  return join(root, `${preset}-seed${seed}-${stamp}`);
}

/** Creates a new run's default folder, runs/<preset>-seed<N>-<date>-<time>, made unique (exclusively: two runs never share one). */
export function defaultRunDir(preset: string, seed: number, root = "runs"): string {
  return claimNewFolder(defaultRunBase(preset, seed, root));
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
  label?: string;
  resume?: { snapshot: TrainerSnapshot; meta: RunMeta };
  lock: RunLock;
  /** The folder was made by this command (so a stop before training may remove it again). */
  created: boolean;
  /** A run with no checkpoint (killed before its first one), started afresh with its own meta.json. */
  restart?: { meta: RunMeta };
}

/** Refuses `--out` naming something that is not a folder, as a usage error (exit 2). */
export function checkOutFolder(out: string): void {
  let st;
  try {
    st = statSync(out);
  } catch {
    return; // missing: it will be created
  }
  if (!st.isDirectory()) throw new UsageError(`--out ${out} is an existing file, not a folder; allowed: a new or empty folder`);
}

function planNewRun(flags: TrainFlags, defaults: { preset?: string }): Plan {
  const base = flags.preset ?? defaults.preset;
  if (base === undefined && flags.config === undefined) throw new UsageError("train needs --preset NAME, --config FILE or --resume RUN_DIR");
  const set = flags.set ?? {};
  if (Object.hasOwn(set, "seed")) throw new UsageError("set the seed with --seed N, not --set seed=N");
  const file = flags.config !== undefined ? readConfigFile(flags.config) : {};
  const config = asUsage(() =>
    resolveConfig({
      ...(base !== undefined ? presetConfig(base) : {}),
      ...file,
      ...set,
      seed: flags.seed ?? (file.seed as number | undefined) ?? 1,
      ...(flags.episodes !== undefined ? { maxEpisodes: flags.episodes } : {}),
      ...(flags.steps !== undefined ? { maxEnvSteps: flags.steps } : {}),
    }),
  );
  // With a file (and no --preset), the run records the preset it differs from least, and every field that differs from it.
  const name = base ?? nearestPreset(config);
  const overrides = flags.config !== undefined ? configDifferences(config, name as PresetName) : set;
  if (flags.out !== undefined) checkOutFolder(flags.out);
  let dir: string, created: boolean;
  if (flags.out === undefined) {
    dir = defaultRunDir(name, config.seed);
    created = true;
  } else {
    dir = flags.out;
    created = !existsSync(dir);
    createRunFolder(dir);
  }
  const lock = lockRunFolder(dir, commandLine());
  // Between the emptiness check and the lock another process may have started here: then it holds files now.
  const others = readdirSync(dir).filter((n) => n !== LOCK_FILE);
  if (others.length > 0) {
    lock.release();
    throw new Error(`${dir} already exists and is not empty: choose another --out, or continue that run with --resume ${dir}`);
  }
  return { dir, config, preset: name, overrides, label: flags.label, lock, created };
}

/** A run folder's JSON file, or an error naming it. */
function readRunJson(dir: string, file: string): unknown {
  const path = join(dir, file);
  let text: string;
  try {
    text = readTextInFolder(dir, file, FILE_LIMITS.smallJson);
  } catch (e) {
    if (isMissing(e)) throw new Error(`cannot resume ${dir}: ${file} is missing`);
    throw new Error(`cannot resume ${dir}: ${(e as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`cannot resume ${dir}: ${path} is not valid JSON (${(e as Error).message})`);
  }
}

/** Budgets may change on resume; every other field of config.json must be what the checkpoint was trained with. */
const BUDGETS = new Set(["maxEpisodes", "maxEnvSteps"]);

function planResume(flags: TrainFlags): Plan {
  const dir = flags.resume as string;
  const clash = (["preset", "seed", "out", "label", "config"] as const).filter((k) => flags[k] !== undefined);
  if (clash.length > 0) throw new UsageError(`--resume continues a run with its own config and folder; drop ${clash.map((k) => `--${k}`).join(", ")} (allowed with --resume: --episodes, --steps, --set)`);
  const overrides = flags.set ?? {};
  if (Object.hasOwn(overrides, "seed")) throw new UsageError("--resume keeps the run's seed; drop --set seed=...");
  if (!existsSync(dir)) throw new Error(`cannot resume ${dir}: the folder does not exist`);
  if (!isRunFolder(dir)) throw new Error(`cannot resume ${dir}: not a run folder (no ${FILES.meta} written by acrobot-dqn)`);
  const lock = lockRunFolder(dir, commandLine());
  try {
    // Before anything is replaced or tidied: a file of the user's in the folder is refused, never deleted.
    checkOwned(dir, `resume ${dir}`);
    const removed = cleanRunFolder(dir);
    if (removed.length > 0 && !flags.json) console.error(`removed what a killed process left in ${dir}: ${removed.join(", ")}`);
    const meta = checkRunMeta(readRunJson(dir, FILES.meta), join(dir, FILES.meta));
    const stored = readRunJson(dir, FILES.config);
    const configPath = join(dir, FILES.config);
    if (stored === null || typeof stored !== "object" || Array.isArray(stored)) throw new Error(`cannot resume ${dir}: ${configPath} must hold an object of config fields`);
    const fields = stored as Record<string, unknown>;
    if (fields.reward === "custom") throw new Error(`cannot resume ${dir} from the command line: it was trained with a custom reward function`);
    const summary = existsSync(join(dir, FILES.summary)) ? (readRunJson(dir, FILES.summary) as Partial<RunSummary> | null) : null;
    if (summary?.status === "solved") throw new Error(`${dir} already cleared the bar at episode ${summary.solvedAtEpisode}; nothing to resume`);
    const checkpointPath = join(dir, FILES.checkpoint, "snapshot.json");
    if (!existsSync(checkpointPath)) return planRestart(dir, flags, fields, meta, overrides, lock);
    const snapshot = readSnapshot(join(dir, FILES.checkpoint));
    const inFile = (path: string, f: () => TrainConfig): TrainConfig => {
      try {
        return f();
      } catch (e) {
        if (e instanceof RangeError) throw new Error(`cannot resume ${dir}: ${path}: ${e.message}`);
        throw e;
      }
    };
    const fromFile = inFile(configPath, () => resolveConfig(fields as Partial<TrainConfig>));
    const trainedWith = inFile(checkpointPath, () => resolveConfig(snapshot.config as Partial<TrainConfig>));
    for (const key of Object.keys(fromFile) as (keyof TrainConfig)[]) {
      if (BUDGETS.has(key) || Object.hasOwn(overrides, key)) continue; // a field set now replaces what the file says
      const a = JSON.stringify(fromFile[key]), b = JSON.stringify(trainedWith[key]);
      if (a !== b) {
        throw new Error(
          `cannot resume ${dir}: ${configPath} says ${key} = ${a}, but the checkpoint (${checkpointPath}) was trained with ${b}; ` +
            `put config.json back as it was, or change the field on purpose with --set ${key}=...`,
        );
      }
    }
    if (meta.seed !== fromFile.seed) throw new Error(`cannot resume ${dir}: ${join(dir, FILES.meta)} says seed ${meta.seed}, but ${configPath} says ${fromFile.seed}`);
    const config = asUsage(() =>
      resolveConfig({
        ...fromFile,
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
    const merged = { ...meta.overrides, ...overrides };
    return { dir, config, preset: meta.preset, overrides: merged, resume: { snapshot, meta: { ...meta, overrides: merged } }, lock, created: false };
  } catch (e) {
    lock.release();
    throw e;
  }
}

/**
 * A run killed before its first checkpoint (the first 25 episodes or 60 s)
 * has its config and meta but nothing to continue from: it starts afresh
 * from its config.json, in its own folder, and says so.
 */
function planRestart(dir: string, flags: TrainFlags, fields: Record<string, unknown>, meta: RunMeta, overrides: Overrides, lock: RunLock): Plan {
  const configPath = join(dir, FILES.config);
  let config: TrainConfig;
  try {
    config = resolveConfig({
      ...(fields as Partial<TrainConfig>),
      ...overrides,
      ...(flags.episodes !== undefined ? { maxEpisodes: flags.episodes } : {}),
      ...(flags.steps !== undefined ? { maxEnvSteps: flags.steps } : {}),
    });
  } catch (e) {
    if (e instanceof RangeError) throw new UsageError(Object.keys(overrides).length > 0 ? e.message : `cannot resume ${dir}: ${configPath}: ${e.message}`);
    throw e;
  }
  if (meta.seed !== config.seed) throw new Error(`cannot resume ${dir}: ${join(dir, FILES.meta)} says seed ${meta.seed}, but ${configPath} says ${config.seed}`);
  const logged = readEpisodeLog(join(dir, FILES.episodes)).length;
  const merged = { ...meta.overrides, ...overrides };
  const note =
    `${dir} has no checkpoint (it was stopped before its first one): starting it afresh from its ${FILES.config}` +
    (logged > 0 ? `; the ${logged} episode(s) logged before are played again` : "");
  if (flags.json) console.log(JSON.stringify({ event: "restart", runDir: dir, reason: "no checkpoint", discardedEpisodes: logged }));
  else console.error(note);
  return { dir, config, preset: meta.preset, overrides: merged, lock, created: false, restart: { meta: { ...meta, overrides: merged } } };
}

export async function trainCommand(flags: TrainFlags, defaults: { preset?: string } = {}): Promise<number> {
  if (flags.resume === undefined && flags.preset === undefined && defaults.preset === undefined && flags.config === undefined) {
    throw new UsageError("train needs --preset NAME, --config FILE or --resume RUN_DIR");
  }
  // From the very start, so a Ctrl-C during start-up (loading TensorFlow.js) stops cleanly too.
  const stops = new StopRequests();
  try {
    const plan = flags.resume !== undefined ? planResume(flags) : planNewRun(flags, defaults);
    try {
      return await runPlan(plan, flags, stops);
    } finally {
      plan.lock.release();
      // Stopped before training wrote anything: leave no empty folder behind.
      if (plan.created && existsSync(plan.dir) && readdirSync(plan.dir).length === 0) rmdirSync(plan.dir);
    }
  } finally {
    stops.dispose();
  }
}

async function runPlan(plan: Plan, flags: TrainFlags, stops: StopRequests): Promise<number> {
  await initBackend();
  const mode = progressMode(flags);
  // With --lesson-log, stdout carries exactly the lesson's lines; everything else goes to stderr.
  const info = mode === "lesson" ? (l: string) => console.error(l) : (l: string) => console.log(l);
  if (stops.received !== null) {
    console.error(`${stops.received}: stopped before training started; ${plan.resume ? `${plan.dir} is unchanged` : "nothing was written"}`);
    return stops.exitCode() ?? EXIT.SIGINT;
  }
  if (mode !== "json") info(`acrobot-dqn ${packageVersion()}: ${describeBackend()}`);
  // Started by a parent process with an IPC channel: if the parent dies, the channel closes; stop and save as if told to.
  if (process.send !== undefined) {
    process.once("disconnect", () => stops.received === null && stops.request("SIGTERM"));
    process.channel?.unref();
  }
  const warning = capMeetsBar(plan.config) ?? undefined;
  if (warning !== undefined) console.error(`acrobot-dqn: warning: ${warning}; raise the cap or lower solvedAt for a bar that means something`);
  const outcome = await trainRun({
    dir: plan.dir, config: plan.config, preset: plan.preset, overrides: plan.overrides, label: plan.label, resume: plan.resume, restart: plan.restart, warning,
    progress: makeProgress(mode), stops, evalEpisodes: flags.evalEpisodes, plotly: flags.plotly,
  });
  if (mode === "json") console.log(JSON.stringify({ event: "end", runDir: outcome.dir, exitCode: outcome.exitCode, summary: outcome.summary }));
  else printOutcome(outcome, plan.config, flags.quiet === true, info);
  if (outcome.summary.status === "diverged") console.error(outcome.summary.message);
  return outcome.exitCode;
}

function printOutcome(o: TrainRunOutcome, c: TrainConfig, quiet: boolean, info: (line: string) => void): void {
  const s = o.summary;
  const dir = shown(o.dir);
  const lines: string[] = [];
  const head = s.message.startsWith(s.status) ? s.message : `${s.status}: ${s.message}`;
  const cut = s.cutEpisodes ? `, ${s.cutEpisodes} cut short and not counted toward the bar` : "";
  lines.push(`${head} (${s.episodes} episodes${cut}, ${s.envSteps} env steps, ${clock(s.seconds)} of training)`);
  if (s.evaluation) {
    const e = s.evaluation;
    lines.push(
      `greedy evaluation: mean return ${e.mean.toFixed(2)}${e.std !== undefined ? ` ± ${e.std.toFixed(2)} (std)` : ""} over ${e.episodes} episodes (min ${minOf(e.returns)}, max ${maxOf(e.returns)}; ` +
        `${e.successes} of ${e.episodes} ${TASKS[c.env].ended.some}; reset seed ${e.seed})`,
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
  if (s.status === "solved" && s.solvedAtEpisode !== null) console.log(`Clear at episode ${s.solvedAtEpisode}`);
}

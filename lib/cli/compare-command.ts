/**
 * `compare`: every preset x seed as a job of lib/runs/jobs.ts (a worker
 * process training it as `train` would), several at a time,
 * each into a run folder under one compare folder; then the report over
 * them (report.html, report.svg) and compare.json saying what was run.
 */
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join, resolve } from "node:path";
import { capMeetsBar, resolveConfig } from "../train/config";
import { preset as presetConfig } from "../train/presets";
import { isRunFolder, readRun, type Run } from "../runs/read";
import { claimNewFolder, writeJsonFile } from "../runs/write";
import { LOCK_FILE, lockRunFolder } from "../runs/lock";
import { fileError } from "../files";
import { asUsage, EXIT, UsageError } from "./errors";
import { makeJob, runJobs, type Job, type JobResult, type Jobs } from "../runs/jobs";
import { runChart } from "./run-training";
import { makeCompareProgress } from "./compare-progress";
import { presetTableMarkdown, writeReport, type ReportFiles } from "./report";
import { StopRequests } from "./signals";
import { commandLine, packageVersion } from "../runs/meta";
import { checkOutFolder, shown } from "./train-command";
import { readConfigFile } from "./config-file";
import { withEnv, type Overrides, type PlotlyMode } from "./options";
import type { TaskId } from "../env/task";

export interface CompareFlags {
  presets: string[];
  /** Every preset on this task (default: each preset's own). */
  env?: TaskId;
  seeds: number[];
  jobs?: number;
  episodes?: number;
  steps?: number;
  set?: Overrides;
  /** A JSON file of config fields (a run's config.json) under --set, in every job. */
  config?: string;
  out?: string;
  evalEpisodes: number;
  plotly: PlotlyMode;
}

export interface CompareOutcome {
  dir: string;
  concurrency: number;
  results: JobResult[];
  report: ReportFiles | null;
  wallSeconds: number;
  exitCode: number;
}

function stamp(): string {
  const d = new Date(), two = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}${two(d.getMonth() + 1)}${two(d.getDate())}-${two(d.getHours())}${two(d.getMinutes())}${two(d.getSeconds())}`;
}

/**
 * Folds `--config FILE` into the flags: its budgets where --episodes and
 * --steps are not given, its other fields under --set (its seed gives way to
 * --seeds). Every job then gets the same fields as `--set`.
 */
export function withConfigFile(flags: CompareFlags): CompareFlags {
  if (flags.config === undefined) return flags;
  const { seed: _seed, maxEpisodes, maxEnvSteps, ...fields } = readConfigFile(flags.config);
  return {
    ...flags,
    config: undefined,
    episodes: flags.episodes ?? (maxEpisodes as number | undefined),
    steps: flags.steps ?? (maxEnvSteps as number | undefined),
    set: { ...fields, ...flags.set },
  };
}

/** Checks every job's config before starting any, so a bad --set fails at once with exit 2. */
function checkConfigs(flags: CompareFlags): void {
  const set = flags.set ?? {};
  if (Object.hasOwn(set, "seed")) throw new UsageError("compare sets the seeds with --seeds; drop --set seed=...");
  if (flags.out !== undefined) checkOutFolder(flags.out);
  for (const name of flags.presets) {
    const config = asUsage(() =>
      resolveConfig({
        ...presetConfig(name), ...withEnv(flags.env, name, set),
        ...(flags.episodes !== undefined ? { maxEpisodes: flags.episodes } : {}),
        ...(flags.steps !== undefined ? { maxEnvSteps: flags.steps } : {}),
      }),
    );
    const warning = capMeetsBar(config);
    if (warning !== null) console.error(`acrobot-dqn: warning: ${name}: ${warning}; raise the cap or lower solvedAt for a bar that means something`);
  }
}

/** Every preset x seed as a job of lib/runs/jobs.ts: the config resolved here, as `train --preset P --seed S` would resolve it. */
function makeJobs(flags: CompareFlags, dir: string): Job[] {
  const line = commandLine();
  return flags.presets.flatMap((preset) => {
    const set = withEnv(flags.env, preset, flags.set ?? {});
    return flags.seeds.map((seed) => {
      const config = asUsage(() =>
        resolveConfig({
          ...presetConfig(preset), ...set, seed,
          ...(flags.episodes !== undefined ? { maxEpisodes: flags.episodes } : {}),
          ...(flags.steps !== undefined ? { maxEnvSteps: flags.steps } : {}),
        }),
      );
      return makeJob({ name: `${preset} seed ${seed}`, config, preset, overrides: set, dir: join(dir, `${preset}-seed${seed}`), evalEpisodes: flags.evalEpisodes, commandLine: line });
    });
  });
}

/** Runs the comparison; used by the `compare` command and by `npm run bench -- --compare`. */
export async function runCompare(given: CompareFlags, opts: { progress?: "auto" | "quiet" } = {}): Promise<CompareOutcome> {
  const flags = withConfigFile(given);
  checkConfigs(flags);
  // Created exclusively (two compares started in the same second get two folders) and locked while we write it.
  const dir = resolve(flags.out ?? claimNewFolder(join("runs", `compare-${stamp()}`)));
  if (existsSync(dir) && readdirSync(dir).length > 0) throw new Error(`${dir} already exists and is not empty: choose another --out`);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw fileError(e, dir, "create");
  }
  const lock = lockRunFolder(dir, commandLine());
  try {
    if (readdirSync(dir).some((n) => n !== LOCK_FILE)) throw new Error(`${dir} already exists and is not empty: choose another --out`);
    return await compareInto(dir, flags, opts);
  } finally {
    lock.release();
  }
}

async function compareInto(dir: string, flags: CompareFlags, opts: { progress?: "auto" | "quiet" }): Promise<CompareOutcome> {
  const jobs = makeJobs(flags, dir);
  const concurrency = Math.max(1, Math.min(flags.jobs ?? availableParallelism(), jobs.length));
  const plan = {
    presets: flags.presets, env: flags.env ?? null, seeds: flags.seeds, jobs: concurrency, maxEpisodes: flags.episodes ?? null, maxEnvSteps: flags.steps ?? null,
    overrides: flags.set ?? {}, commandLine: commandLine(), acrobotDqnVersion: packageVersion(), startedAt: new Date().toISOString(),
  };
  writeJsonFile(join(dir, "compare.json"), plan);

  const progress = makeCompareProgress(jobs, opts.progress ?? "auto");
  progress.note(`compare: ${jobs.length} jobs (${flags.presets.join(", ")} x seeds ${flags.seeds.join(", ")}), ${concurrency} at a time, in ${shown(dir)}`);
  let pool: Jobs | null = null;
  const stops = new StopRequests((signal) => pool?.stop(signal));
  stops.onStop((signal) => {
    progress.note(`${signal}: stopping every job after its current step; each saves itself as interrupted (again to quit at once)`);
    pool?.stop(signal);
  });
  const t0 = performance.now();
  let results: JobResult[];
  try {
    // Each run's chart loads plotly.js from the CDN; the report carries it (--plotly).
    pool = runJobs({ jobs, concurrency, events: progress, chart: runChart("cdn") });
    results = await pool.done;
  } finally {
    progress.end();
    stops.dispose();
  }
  const wallSeconds = (performance.now() - t0) / 1000;

  const runs: Run[] = [];
  for (const r of results) {
    if (!isRunFolder(r.job.dir)) continue;
    try {
      runs.push(readRun(r.job.dir));
    } catch (e) {
      console.error(`${r.job.name}: its run folder could not be read (${(e as Error).message})`);
    }
  }
  const backend = runs[0]?.meta.backend ?? "unknown backend";
  const budgets = [flags.episodes !== undefined && `${flags.episodes} episodes`, flags.steps !== undefined && `${flags.steps} env steps`].filter(Boolean).join(", ");
  const report = runs.length === 0 ? null : writeReport(runs, { html: join(dir, "report.html"), svg: join(dir, "report.svg") }, {
    title: `Compare: ${flags.presets.join(", ")}${flags.env !== undefined ? ` on ${flags.env}` : ""} over seeds ${flags.seeds.join(", ")}`,
    notes: [
      `${jobs.length} jobs, ${concurrency} at a time, ${wallSeconds.toFixed(0)} s wall time; budget per job: ${budgets || "the presets' own"}${Object.keys(flags.set ?? {}).length > 0 ? `; overrides: ${JSON.stringify(flags.set)}` : ""}.`,
      `${backend}; ${commandLine()}`,
    ],
    plotly: flags.plotly,
  });
  writeJsonFile(join(dir, "compare.json"), {
    ...plan, wallSeconds,
    results: results.map((r) => ({ name: r.job.name, preset: r.job.preset, seed: r.job.seed, dir: r.job.dir, status: r.status, exitCode: r.exitCode, error: r.error, wallSeconds: r.wallSeconds, solvedAtEpisode: r.summary?.solvedAtEpisode ?? null })),
  });
  const failed = results.some((r) => r.status === "failed" || r.status === "diverged");
  const exitCode = stops.exitCode() ?? (failed ? EXIT.failure : EXIT.ok);
  return { dir, concurrency, results, report, wallSeconds, exitCode };
}

export async function compareCommand(flags: CompareFlags): Promise<number> {
  const o = await runCompare(flags);
  if (o.report) {
    console.log(`\n${presetTableMarkdown(o.report.presetRows)}\n`);
    console.log(`report: ${shown(o.report.html)} (chart also in ${shown(o.report.svg)})`);
  } else {
    console.log("no run folder was written, so there is no report");
  }
  console.log(`runs:   ${shown(o.dir)} (${o.results.length} jobs, ${o.wallSeconds.toFixed(0)} s wall time)`);
  for (const r of o.results.filter((x) => x.status === "failed")) console.error(`${r.job.name} failed: ${r.error ?? "no message"}`);
  return o.exitCode;
}

/**
 * Trainings side by side, each a worker in a process of its own
 * (job-worker.ts, started with child_process.fork): its own TensorFlow.js
 * backend, its own core, a crash or divergence isolated. A worker is sent
 * its job over IPC (the resolved config as JSON, configToJson), trains it
 * into its run folder through the run-folder writer, and sends back its
 * start, each episode and evaluation, and its end. At most `concurrency`
 * run at once (async's `queue`). The notebooks' pool (training-pool.ts) and
 * the command line's `compare` both run their trainings here.
 *
 * Workers get their own process group (`detached`): a Ctrl-C in the
 * terminal or the notebook's stop button reaches only us, and we pass each
 * worker one stop message, so a job saves itself as interrupted; a second
 * stop ends it at once. A worker whose parent dies sees its IPC channel
 * close and saves itself the same way.
 */
import { fork, type ChildProcess } from "node:child_process";
import { constants } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { queue } from "async";
import type { EpisodeRecord } from "../train/trainer";
import { configToJson, resolveConfig, type TrainConfig } from "../train/config";
import { rewardFunctions } from "../train/rewards";
import type { Evaluation } from "../train/periodic-eval";
import type { RunStart, RunStatus, RunSummary } from "./format";
import { childEnvForJobs } from "../tf-wasm-threads";
import { isRunFolder } from "./read";
import { chartRunFolder, chartTitle, type RunChart } from "./run-folder-writer";

/** What a worker is sent: everything it needs to train one run, as plain JSON. */
export interface JobSpec {
  /** E.g. "improved seed 1": status lines, results, meta.json's label when `label` is set. */
  name: string;
  /** The preset it is recorded as starting from. */
  preset: string;
  /** The resolved config as JSON (configToJson): the worker trains exactly this, field for field. */
  config: Record<string, unknown>;
  /** The fields that differ from the preset, recorded in meta.json. */
  overrides: Record<string, unknown>;
  label?: string;
  /** The run folder the job creates and writes. */
  dir: string;
  /** Greedy episodes after training (its summary's evaluation); 0: none. */
  evalEpisodes: number;
  /** meta.json's commandLine: what started the job. */
  commandLine: string;
}

export interface Job extends JobSpec {
  seed: number;
}

/** Messages a worker sends back. */
export type WorkerMessage =
  | { type: "start"; info: RunStart }
  | { type: "episode"; record: EpisodeRecord }
  | { type: "evaluation"; evaluation: Evaluation }
  | { type: "end"; summary: RunSummary }
  | { type: "error"; message: string };

/** Messages a worker is sent. */
export type ParentMessage = { type: "run"; job: JobSpec } | { type: "stop"; signal: NodeJS.Signals };

export interface JobResult {
  job: Job;
  /** "skipped": never started (the jobs were stopped first); "failed": ended without a summary, or with an error. */
  status: RunStatus | "skipped" | "failed";
  summary: RunSummary | null;
  exitCode: number | null;
  /** The worker's error, or its last words on stderr, or how it was killed. */
  error: string | null;
  wallSeconds: number;
}

export interface JobEvents {
  started?(job: Job, info: RunStart): void;
  episode?(job: Job, record: EpisodeRecord): void;
  evaluation?(job: Job, e: Evaluation): void;
  finished?(result: JobResult): void;
}

/** The exit code of a process stopped by `signal`, as shells report it (130 for SIGINT). */
export function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + (constants.signals[signal] ?? 2);
}

/**
 * Why `config` cannot be sent to a worker, or null: a function (a reward
 * the learner wrote in the notebook) lives in this process and cannot cross IPC.
 */
export function functionFieldProblem(name: string, config: object): string | null {
  const field = Object.entries(config).find(([, v]) => typeof v === "function")?.[0];
  if (field === undefined) return null;
  if (field === "reward") {
    return `job "${name}": config.reward is a function written in this kernel; a job runs in its own process and can only take a named reward: one of ${Object.keys(rewardFunctions).map((k) => `"${k}"`).join(", ")}; train it in the kernel with dqn.train, or add it to rewardFunctions in lib/train/rewards.ts to give it a name`;
  }
  return `job "${name}": config.${field} is a function written in this process; a job runs in its own process and can only take plain values (numbers, strings, lists); train it here with dqn.train`;
}

/** A job from a resolved config; throws the clear one-line error for a config a worker cannot be given. */
export function makeJob(o: { name: string; config: TrainConfig; preset: string; overrides?: Record<string, unknown>; label?: string; dir: string; evalEpisodes: number; commandLine: string }): Job {
  const problem = functionFieldProblem(o.name, o.config);
  if (problem !== null) throw new RangeError(problem);
  return {
    name: o.name, preset: o.preset, config: configToJson(o.config), overrides: o.overrides ?? {}, ...(o.label !== undefined ? { label: o.label } : {}),
    dir: o.dir, evalEpisodes: o.evalEpisodes, commandLine: o.commandLine, seed: o.config.seed,
  };
}

/** Throws unless a worker can train `job`'s config (checked in the parent, so a bad job fails before any starts). */
function checkJob(job: Job): void {
  // configToJson records a reward function as "custom": it stayed behind in this process.
  if (job.config.reward === "custom") throw new RangeError(functionFieldProblem(job.name, { reward: () => 0 })!);
  try {
    resolveConfig(job.config as Partial<TrainConfig>);
  } catch (e) {
    throw new RangeError(`job "${job.name}": ${(e as Error).message}`);
  }
}

/** How to start a worker: node with tsx's loader (the worker is TypeScript; a notebook kernel compiles only its cells), on job-worker.ts. */
function workerEntry(): { path: string; execArgv: string[] } {
  return { path: join(__dirname, "job-worker.ts"), execArgv: ["--import", pathToFileURL(require.resolve("tsx")).href] };
}

/** Runs one job to its end in a worker; never rejects. `env`: the worker's environment. */
export function runJob(job: Job, events: JobEvents, workers: Set<ChildProcess>, o: { env?: NodeJS.ProcessEnv; chart?: RunChart } = {}): Promise<JobResult> {
  const started = performance.now();
  const { path, execArgv } = workerEntry();
  return new Promise((resolve) => {
    let summary: RunSummary | null = null;
    let failure: string | null = null;
    let child: ChildProcess;
    try {
      child = fork(path, [], { execArgv, stdio: ["ignore", "ignore", "pipe", "ipc"], detached: true, env: o.env ?? process.env, serialization: "advanced" });
    } catch (e) {
      resolve(finishWith(null, `could not start: ${(e as Error).message}`));
      return;
    }
    workers.add(child);
    const stderr: string[] = [];
    let partial = "";
    child.stderr!.setEncoding("utf8").on("data", (d: string) => {
      const lines = (partial + d).split("\n");
      partial = lines.pop() ?? "";
      stderr.push(...lines.filter((l) => l.trim() !== ""));
      if (stderr.length > 20) stderr.splice(0, stderr.length - 20);
    });
    child.on("message", (m: WorkerMessage) => {
      if (m.type === "start") events.started?.(job, m.info);
      else if (m.type === "episode") events.episode?.(job, m.record);
      else if (m.type === "evaluation") events.evaluation?.(job, m.evaluation);
      else if (m.type === "end") summary = m.summary;
      else if (m.type === "error") failure = m.message;
    });
    let settled = false;
    function finishWith(exitCode: number | null, error: string | null): JobResult {
      const s = summary as RunSummary | null;
      if (s !== null && o.chart !== undefined && isRunFolder(job.dir)) {
        try {
          chartRunFolder(job.dir, o.chart, chartTitle(job.preset, job.seed, s.status));
        } catch (e) {
          console.error(`${job.name}: its chart could not be drawn (${(e as Error).message})`);
        }
      }
      const status: JobResult["status"] = error !== null && s === null ? "failed" : s?.status ?? "failed";
      const result: JobResult = { job, status, summary: s, exitCode, error, wallSeconds: (performance.now() - started) / 1000 };
      events.finished?.(result);
      return result;
    }
    const finish = (exitCode: number | null, error: string | null) => {
      if (settled) return;
      settled = true;
      workers.delete(child);
      resolve(finishWith(exitCode, error));
    };
    child.on("error", (e) => finish(null, `could not start: ${e.message}`));
    // "close", not "exit": stderr is read to its end.
    child.on("close", (code, signal) => {
      if (partial.trim() !== "") stderr.push(partial);
      const last = stderr.pop() ?? null;
      const error = failure ?? (summary !== null ? null : last ?? (signal ? `killed by ${signal}` : `exit code ${code}`));
      finish(code ?? (signal ? signalExitCode(signal) : null), error);
    });
    child.send({ type: "run", job: specOf(job) } satisfies ParentMessage);
  });
}

const specOf = ({ seed: _seed, ...spec }: Job): JobSpec => spec;

/** How a job ended, in a line. */
export function resultText(r: JobResult): string {
  const s = r.summary;
  if (r.status === "skipped") return "skipped (stopped before it started)";
  if (s === null || r.status === "failed") return `failed (${r.error ?? s?.message ?? "no summary"})`;
  const bar = s.status === "solved" && s.solvedAtEpisode !== null ? `cleared the bar at episode ${s.solvedAtEpisode}` : s.status === "unsolved" ? "did not clear the bar" : s.message;
  return `${s.status}, ${bar} (${s.episodes} episodes, ${s.envSteps} env steps, ${s.seconds.toFixed(0)} s of training)`;
}

/** One line for a finished job: its name and how it ended. */
export function resultLine(r: JobResult): string {
  return `${r.job.name}: ${resultText(r)}`;
}

export interface JobsOptions {
  /** Started in this order (sort by priority first). */
  jobs: Job[];
  concurrency: number;
  events: JobEvents;
  /** Draws each finished run's chart (lib/viz's, passed in: runs/ does not draw); none without it. */
  chart?: RunChart;
}

/** Running jobs: their results, and `stop(signal)` to ask every running job to save itself and skip those not started (again: end them at once). */
export interface Jobs {
  done: Promise<JobResult[]>;
  stop(signal: NodeJS.Signals): void;
}

/** Starts the jobs, `concurrency` at a time. Every job is checked first: a bad one throws before any starts. */
export function runJobs(o: JobsOptions): Jobs {
  if (!Number.isSafeInteger(o.concurrency) || o.concurrency < 1) throw new RangeError(`jobs at once must be a whole number >= 1, got ${JSON.stringify(o.concurrency)}`);
  for (const job of o.jobs) checkJob(job);
  const workers = new Set<ChildProcess>();
  let stopped = false;
  // A job skipped after a stop is reported as finished too, so every job's line says how it ended.
  const skipped = (job: Job): JobResult => {
    const r: JobResult = { job, status: "skipped", summary: null, exitCode: null, error: null, wallSeconds: 0 };
    o.events.finished?.(r);
    return r;
  };
  // Trainings x wasm threads <= cores: jobs that fill the cores keep one thread each.
  const env = childEnvForJobs(Math.min(o.concurrency, o.jobs.length));
  const q = queue<Job>(async (job: Job) => (stopped ? skipped(job) : runJob(job, o.events, workers, { env, chart: o.chart })), o.concurrency);
  const done = Promise.all(o.jobs.map((job) => q.pushAsync<JobResult>(job)));
  return {
    done,
    stop(signal: NodeJS.Signals) {
      stopped = true;
      for (const w of workers) {
        if (w.connected) w.send({ type: "stop", signal } satisfies ParentMessage, () => {}); // a worker ending meanwhile is not an error
        else w.kill(signal);
      }
    },
  };
}

/**
 * `compare`'s jobs: each one is this command line's own `train ... --json`
 * in a child process, so a job is exactly a `train` run (its own run folder,
 * its own TensorFlow.js, a crash or divergence isolated), and the pool is
 * async's `queue`, which runs at most N at once.
 *
 * Children get their own process group (`detached`): a Ctrl-C in the
 * terminal reaches only us, and we pass each child exactly one signal, so a
 * job saves itself as interrupted instead of seeing two signals and quitting
 * at once. An IPC channel lets a child notice if we die without telling it.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { createInterface } from "node:readline";
import { queue } from "async";
import type { EpisodeRecord } from "../train/trainer";
import type { RunStart, RunSummary } from "./format";
import { childEnvForJobs } from "../tf-wasm-threads";

/** How to start this command line in a new process: node with tsx's loader, on lib/cli.ts. */
export function cliCommand(): { command: string; args: string[] } {
  return { command: process.execPath, args: ["--import", pathToFileURL(require.resolve("tsx")).href, join(__dirname, "..", "cli.ts")] };
}

export interface Job {
  /** E.g. "improved seed 1". */
  name: string;
  preset: string;
  seed: number;
  /** The run folder the job writes. */
  dir: string;
  /** Arguments after `acrobot-dqn`. */
  args: string[];
}

export interface JobResult {
  job: Job;
  /** "skipped": never started (the compare was stopped first); "failed": ended without a summary. */
  status: RunSummary["status"] | "skipped" | "failed";
  summary: RunSummary | null;
  exitCode: number | null;
  /** The child's last words on stderr, for a failure. */
  error: string | null;
  wallSeconds: number;
}

export interface JobEvents {
  started?(job: Job, info: RunStart): void;
  episode?(job: Job, record: EpisodeRecord): void;
  finished?(result: JobResult): void;
}

/** Runs one job to its end; never rejects. `env`: the child's environment. */
export function runJob(job: Job, events: JobEvents, children: Set<ChildProcess>, env: NodeJS.ProcessEnv = process.env): Promise<JobResult> {
  const { command, args } = cliCommand();
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(command, [...args, ...job.args], { stdio: ["ignore", "pipe", "pipe", "ipc"], detached: true, env });
    children.add(child);
    let summary: RunSummary | null = null;
    const stderr: string[] = [];
    createInterface({ input: child.stdout! }).on("line", (line) => {
      let event: { event?: string } & Record<string, unknown>;
      try {
        event = JSON.parse(line);
      } catch {
        return; // not ours (a library's stray print)
      }
      if (event.event === "start") events.started?.(job, event as unknown as RunStart);
      else if (event.event === "episode") events.episode?.(job, event as unknown as EpisodeRecord);
      else if (event.event === "end") summary = (event as unknown as { summary: RunSummary }).summary;
    });
    createInterface({ input: child.stderr! }).on("line", (line) => {
      stderr.push(line);
      if (stderr.length > 20) stderr.shift();
    });
    let settled = false;
    const finish = (exitCode: number | null, error: string | null) => {
      if (settled) return;
      settled = true;
      children.delete(child);
      const s = summary as RunSummary | null;
      const result: JobResult = { job, status: s?.status ?? "failed", summary: s, exitCode, error, wallSeconds: (performance.now() - started) / 1000 };
      events.finished?.(result);
      resolve(result);
    };
    child.on("error", (e) => finish(null, `could not start: ${e.message}`));
    // "close", not "exit": stdout is read to its end, so the "end" event is not lost.
    child.on("close", (code, signal) => {
      const last = stderr.filter((l) => l.trim() !== "").pop() ?? null;
      finish(code, code === 0 ? null : last ?? (signal ? `killed by ${signal}` : `exit code ${code}`));
    });
  });
}

/** How a job ended, in a line. */
export function resultText(r: JobResult): string {
  const s = r.summary;
  if (r.status === "skipped") return "skipped (stopped before it started)";
  if (s === null) return `failed (${r.error ?? "no summary"})`;
  const bar = s.status === "solved" && s.solvedAtEpisode !== null ? `cleared the bar at episode ${s.solvedAtEpisode}` : s.status === "unsolved" ? "did not clear the bar" : s.message;
  return `${s.status}, ${bar} (${s.episodes} episodes, ${s.envSteps} env steps, ${s.seconds.toFixed(0)} s of training)`;
}

/** One line for a finished job: its name and how it ended. */
export function resultLine(r: JobResult): string {
  return `${r.job.name}: ${resultText(r)}`;
}

export interface PoolOptions {
  jobs: Job[];
  concurrency: number;
  events: JobEvents;
}

/** A running pool: its results, and `stop(signal)` to pass a Ctrl-C on to the jobs and skip those not started. */
export interface Pool {
  done: Promise<JobResult[]>;
  stop(signal: NodeJS.Signals): void;
}

export function runPool(o: PoolOptions): Pool {
  const children = new Set<ChildProcess>();
  let stopped = false;
  // A job skipped after a stop is reported as finished too, so every job's line says how it ended.
  const skipped = (job: Job): JobResult => {
    const r: JobResult = { job, status: "skipped", summary: null, exitCode: null, error: null, wallSeconds: 0 };
    o.events.finished?.(r);
    return r;
  };
  // Trainings x wasm threads <= cores: jobs that fill the cores keep one thread each.
  const env = childEnvForJobs(Math.min(o.concurrency, o.jobs.length));
  const q = queue<Job>(async (job: Job) => (stopped ? skipped(job) : runJob(job, o.events, children, env)), o.concurrency);
  const done = Promise.all(o.jobs.map((job) => q.pushAsync<JobResult>(job)));
  return {
    done,
    stop(signal: NodeJS.Signals) {
      stopped = true;
      for (const child of children) child.kill(signal);
    },
  };
}

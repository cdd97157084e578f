/**
 * Independent trainings side by side, one per core: each is the command
 * line's `train` in a process of its own (see pool.ts), so two runs really
 * use two cores, and each writes an ordinary run folder. While they run, one
 * status line per run and a chart redrawn as runs finish; the stop button
 * stops them all, and each stopped run saves itself as interrupted.
 *
 * Create the pool in an earlier cell than the training, as with
 * trainingHandle: the stop button abandons the training cell, and
 * `await pool.runs()` in the next cell waits until the stopped runs have
 * saved, then reads every run folder.
 *
 * A run is trained into a scratch folder beside its own and swapped in when
 * it ends, so a rerun replaces an earlier run of ours whole, and a rerun that
 * fails to start leaves the earlier one as it was.
 */
import { existsSync, rmSync } from "node:fs";
import { availableParallelism } from "node:os";
import { resolve } from "node:path";
import { recoverFolder, swapFolderIn, tmpName } from "../files";
import { resolveConfig } from "../train/config";
import type { EpisodeRecord } from "../train/trainer";
import { stopRequest } from "../train/stop-request";
import { statusLine } from "../text-format";
import { liveRuns } from "../viz/live-runs";
import type { PlotlyFigure } from "../viz/plotly-types";
import { compareRunsFigure } from "./compare";
import { lockHolder } from "./lock";
import { resultText, runPool, type Job, type JobResult } from "./pool";
import { isRunFolder, readRun, type Run } from "./read";
import { checkReplaceable } from "./saved-run";
import { trainingJob, type TrainingJob } from "./training-job";

export type { TrainingJob } from "./training-job";

export interface PoolTrainOptions {
  /** The chart redrawn as runs finish, from the runs finished so far; false: none. Default: compareRunsFigure. */
  chart?: ((runs: Run[]) => PlotlyFigure) | false;
  /** Greedy episodes each run plays after training (its summary's evaluation); default 0. */
  evalEpisodes?: number;
}

export interface TrainingPool {
  /** Trainings run at once. */
  readonly concurrency: number;
  /** Trains every job, `concurrency` at a time, and resolves with their runs (as `runs()`). */
  train(jobs: readonly TrainingJob[], opts?: PoolTrainOptions): Promise<Run[]>;
  /** Waits for the last `train` to end (also after the stop button), then reads its runs, in job order; a job never started has none. */
  runs(): Promise<Run[]>;
  /** The last `train`'s job results (status, exit code, error), in job order. */
  results(): Promise<JobResult[]>;
}

function checkConcurrency(n: unknown): number {
  if (!Number.isSafeInteger(n) || (n as number) < 1) throw new RangeError(`trainingPool: jobs must be a whole number >= 1 (trainings at once; this machine has ${availableParallelism()} cores), got ${JSON.stringify(n)}`);
  return n as number;
}

function checkEvalEpisodes(n: unknown): number {
  if (!Number.isSafeInteger(n) || (n as number) < 0) throw new RangeError(`evalEpisodes must be a whole number >= 0, got ${JSON.stringify(n)}`);
  return n as number;
}

/** Every job checked before any starts: its config, a folder of its own, and nothing there but an earlier run of ours that nobody is writing. */
function prepare(specs: readonly TrainingJob[], evalEpisodes: number): { job: Job; dir: string; solvedAt: number }[] {
  if (!Array.isArray(specs) || specs.length === 0) throw new RangeError("train needs a list of jobs, each { name, config, dir }");
  const seen = new Map<string, string>();
  return specs.map((spec) => {
    const dir = resolve(trainingJob(spec, { evalEpisodes }).dir);
    const tmp = tmpName(dir);
    const other = seen.get(dir);
    if (other !== undefined) throw new RangeError(`jobs "${other}" and "${spec.name}" would both write ${dir}: give each job its own dir`);
    seen.set(dir, spec.name);
    if (!existsSync(dir) || isRunFolder(dir)) recoverFolder(dir); // what a killed swap left beside it
    checkReplaceable(dir);
    const holder = existsSync(dir) ? lockHolder(dir) : null;
    if (holder !== null) throw new Error(`${dir} is being written by process ${holder.pid} on ${holder.host}; wait for it or choose another dir`);
    const busy = existsSync(tmp) ? lockHolder(tmp) : null;
    if (busy !== null) throw new Error(`${tmp} is being written by process ${busy.pid} (a training started earlier in this kernel); wait for it to end`);
    rmSync(tmp, { recursive: true, force: true }); // our own scratch folder from an earlier, killed pool
    return { job: trainingJob(spec, { evalEpisodes, out: tmp }), dir, solvedAt: resolveConfig(spec.config).solvedAt };
  });
}

export function trainingPool(opts: { jobs?: number } = {}): TrainingPool {
  const concurrency = checkConcurrency(opts.jobs ?? availableParallelism());
  let last: { dirs: string[]; done: Promise<JobResult[]> } | null = null;
  let running = false;

  const readRuns = (dirs: readonly string[], results: readonly JobResult[]): Run[] =>
    results.flatMap((r, i) => {
      if (r.status === "skipped" || !isRunFolder(dirs[i])) return [];
      try {
        return [readRun(dirs[i])];
      } catch (e) {
        console.error(`${r.job.name}: its run folder ${dirs[i]} could not be read (${(e as Error).message})`);
        return [];
      }
    });

  const pool: TrainingPool = {
    concurrency,
    async train(specs, o = {}) {
      if (running) throw new Error("the previous training of this pool is still running or saving: wait for it with `await pool.runs()`");
      const prepared = prepare(specs, checkEvalEpisodes(o.evalEpisodes ?? 0));
      const jobs = prepared.map((p) => p.job), dirs = prepared.map((p) => p.dir);
      const index = new Map(jobs.map((j, i) => [j, i]));
      const recent: EpisodeRecord[][] = jobs.map(() => []);
      const chartOf = o.chart === false ? null : (o.chart ?? ((runs: Run[]) => compareRunsFigure(runs, "finished runs: 100-episode average")));
      const live = liveRuns(jobs.map((j) => j.name), { chart: chartOf !== null });
      const finished: Run[] = [];
      let stopping = false;
      let handle: ReturnType<typeof runPool> | null = null;
      running = true;
      let stop: Awaited<ReturnType<typeof stopRequest>>;
      try {
        stop = await stopRequest({
        onStop: () => {
          stopping = true;
          handle?.stop("SIGINT");
          jobs.forEach((_, i) => recent[i].length > 0 && live.line(i, `stopping: saving the run after its current step (${statusLine(recent[i], prepared[i].solvedAt)})`, true));
        },
        });
      } catch (e) {
        running = false;
        throw e;
      }
      handle = runPool({
        jobs, concurrency,
        events: {
          started: (job) => live.line(index.get(job)!, "started", true),
          episode: (job, record) => {
            const i = index.get(job)!, r = recent[i];
            r.push(record);
            if (r.length > 21) r.shift(); // the status line's rate looks 20 episodes back
            if (!stopping) live.line(i, statusLine(r, prepared[i].solvedAt));
          },
          finished: (result) => {
            const i = index.get(result.job)!;
            try {
              if (isRunFolder(result.job.dir)) swapFolderIn(result.job.dir, dirs[i]);
              else rmSync(result.job.dir, { recursive: true, force: true }); // it ended before writing a run: keep the earlier one
            } catch (e) {
              console.error(`${result.job.name}: ${(e as Error).message}`);
            }
            live.line(i, resultText(result), true);
            if (chartOf === null || !isRunFolder(dirs[i]) || result.status === "skipped") return;
            try {
              finished.push(readRun(dirs[i]));
              live.chart(chartOf(finished));
            } catch (e) {
              console.error(`${result.job.name}: ${(e as Error).message}`);
            }
          },
        },
      });
      const done = handle.done.finally(() => {
        stop.dispose();
        running = false;
      });
      last = { dirs, done };
      const results = await done;
      return readRuns(dirs, results);
    },
    async runs() {
      if (last === null) throw new Error("nothing trained yet: run the training cell first");
      const { dirs, done } = last;
      return readRuns(dirs, await done);
    },
    async results() {
      if (last === null) throw new Error("nothing trained yet: run the training cell first");
      return last.done;
    },
  };
  return pool;
}

/**
 * Independent trainings side by side, one per core: each is a worker of
 * jobs.ts in a process of its own, so two runs really use two cores, and
 * each writes an ordinary run folder. While they run, one
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
import { stopRequest, type StopRequest } from "../train/stop-request";
import { statusLine } from "../text-format";
import { lockHolder } from "./lock";
import { resultText, runJobs, type Job, type JobEvents, type JobResult, type Jobs } from "./jobs";
import type { RunChart } from "./run-folder-writer";
import { isRunFolder, readRun, type Run } from "./read";
import { checkReplaceable } from "./saved-run";
import { trainingJob, type TrainingJob } from "./training-job";

export type { TrainingJob } from "./training-job";

/** A figure, whatever draws it (runs/ does not draw: lib/api passes lib/viz's in). */
export type Figure = object;

/** Where the pool shows its status lines and chart (lib/viz/live-runs.ts in a notebook). */
export interface PoolDisplay {
  /** Sets run `i`'s line; `always` bypasses any refresh limit. */
  line(i: number, text: string, always?: boolean): void;
  chart(fig: Figure): void;
}

/** Outside a notebook: the lines that always show (start, end, stop), one per line; no chart. */
const printedLines = (names: readonly string[]): PoolDisplay => ({
  line: (i, text, always = false) => void (always && console.log(`${names[i]}: ${text}`)),
  chart: () => {},
});

export interface TrainingPoolOptions {
  /** Trainings at once (default: the machine's cores). */
  jobs?: number;
  /** Makes the display for these run names; default: printed lines. */
  display?: (names: readonly string[], o: { chart: boolean }) => PoolDisplay;
  /** The chart when a `train` call names none; default: none. */
  chart?: (runs: Run[]) => Figure;
  /** Draws each run's own chart into its folder (lib/viz's writeRunChart, passed in by lib/api); default: none. */
  runChart?: RunChart;
}

export interface PoolTrainOptions {
  /** The chart redrawn as runs finish, from the runs finished so far; false: none. Default: the pool's. */
  chart?: ((runs: Run[]) => Figure) | false;
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
  if (!Number.isSafeInteger(n) || (n as number) < 1) throw new RangeError(`trainingPool: jobs must be a whole number >= 1 (trainings at once; this machine has ${availableParallelism()} cores), got ${typeof n === "number" ? String(n) : JSON.stringify(n)}`);
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
    // Checked before tidying: this kernel's scratch folder may still be a running training's.
    const busy = existsSync(tmp) ? lockHolder(tmp) : null;
    if (busy !== null) throw new Error(`${tmp} is being written by process ${busy.pid} (a training started earlier in this kernel); wait for it to end`);
    if (!existsSync(dir) || isRunFolder(dir)) recoverFolder(dir); // what a killed swap left beside it
    checkReplaceable(dir);
    const holder = existsSync(dir) ? lockHolder(dir) : null;
    if (holder !== null) throw new Error(`${dir} is being written by process ${holder.pid} on ${holder.host}; wait for it or choose another dir`);
    rmSync(tmp, { recursive: true, force: true }); // our own scratch folder from an earlier, killed pool
    return { job: trainingJob(spec, { evalEpisodes, out: tmp }), dir, solvedAt: resolveConfig(spec.config).solvedAt };
  });
}

type Prepared = ReturnType<typeof prepare>[number];

/**
 * What the pool does as its jobs report: the status lines, the swap of each
 * finished run into its folder, the chart of finished runs. `kept[i]` says
 * whether job i left a run folder this time (a job that never wrote one
 * leaves an earlier run in place, which is not this training's).
 */
function follow(prepared: readonly Prepared[], chartOf: ((runs: Run[]) => Figure) | null, display: NonNullable<TrainingPoolOptions["display"]>): { events: JobEvents; stopping(): void; kept: boolean[] } {
  const index = new Map(prepared.map((p, i) => [p.job, i]));
  const recent: EpisodeRecord[][] = prepared.map(() => []);
  const live = display(prepared.map((p) => p.job.name), { chart: chartOf !== null });
  const kept = prepared.map(() => false);
  const finished: Run[] = [];
  let stopping = false;
  const status = (i: number) => statusLine(recent[i], prepared[i].solvedAt);
  const events: JobEvents = {
    started: (job) => live.line(index.get(job)!, "started", true),
    episode: (job, record) => {
      const i = index.get(job)!;
      recent[i].push(record);
      if (recent[i].length > 21) recent[i].shift(); // the status line's rate looks 20 episodes back
      if (!stopping) live.line(i, status(i));
    },
    finished: (result) => {
      const i = index.get(result.job)!, { dir } = prepared[i];
      try {
        if (isRunFolder(result.job.dir)) {
          swapFolderIn(result.job.dir, dir);
          kept[i] = true;
        } else {
          rmSync(result.job.dir, { recursive: true, force: true }); // it ended before writing a run
        }
      } catch (e) {
        console.error(`${result.job.name}: ${(e as Error).message}`);
      }
      live.line(i, resultText(result), true);
      if (chartOf === null || !kept[i]) return;
      try {
        finished.push(readRun(dir));
        live.chart(chartOf(finished));
      } catch (e) {
        console.error(`${result.job.name}: ${(e as Error).message}`);
      }
    },
  };
  return {
    events,
    kept,
    stopping() {
      stopping = true;
      recent.forEach((r, i) => r.length > 0 && live.line(i, `stopping: saving the run after its current step (${status(i)})`, true));
    },
  };
}

export function trainingPool(opts: TrainingPoolOptions = {}): TrainingPool {
  const concurrency = checkConcurrency(opts.jobs ?? availableParallelism());
  let last: { prepared: Prepared[]; kept: boolean[]; done: Promise<JobResult[]> } | null = null;
  let running = false;

  const lastRuns = async (): Promise<Run[]> => {
    if (last === null) throw new Error("nothing trained yet: run the training cell first");
    const { prepared, kept, done } = last;
    await done;
    return prepared.flatMap((p, i) => {
      if (!kept[i]) return [];
      try {
        return [readRun(p.dir)];
      } catch (e) {
        console.error(`${p.job.name}: its run folder ${p.dir} could not be read (${(e as Error).message})`);
        return [];
      }
    });
  };

  return {
    concurrency,
    async train(specs, o = {}) {
      if (running) throw new Error("the previous training of this pool is still running or saving: wait for it with `await pool.runs()`");
      const prepared = prepare(specs, checkEvalEpisodes(o.evalEpisodes ?? 0));
      const chartOf = o.chart === false ? null : (o.chart ?? opts.chart ?? null);
      const view = follow(prepared, chartOf, opts.display ?? printedLines);
      let pool: Jobs | null = null;
      running = true;
      let stop: StopRequest;
      try {
        // The stop button: pass SIGINT to every running job (each saves itself), skip the rest.
        stop = await stopRequest({ onStop: () => (pool?.stop("SIGINT"), view.stopping()) });
      } catch (e) {
        running = false;
        throw e;
      }
      // Started by priority (a stable sort keeps the list's order among equals); reported in the list's order.
      const starts = specs.map((s, i) => ({ i, priority: s.priority ?? 0 })).sort((a, b) => b.priority - a.priority).map((x) => prepared[x.i].job);
      pool = runJobs({ jobs: starts, concurrency, events: view.events, chart: opts.runChart });
      const inListOrder = (rs: JobResult[]) => prepared.map((p) => rs.find((r) => r.job === p.job)!);
      const done = pool.done.then(inListOrder).finally(() => {
        stop.dispose();
        running = false;
      });
      last = { prepared, kept: view.kept, done };
      return lastRuns();
    },
    runs: lastRuns,
    async results() {
      if (last === null) throw new Error("nothing trained yet: run the training cell first");
      return last.done;
    },
  };
}

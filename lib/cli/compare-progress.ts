/**
 * What `compare` shows while its jobs run: on a terminal, one bar per
 * running job under a line counting the jobs (cli-progress MultiBar); in a
 * log, a line when a job starts or ends and every so often one line listing
 * the running jobs.
 */
import { MultiBar, type SingleBar } from "cli-progress";
import type { EpisodeRecord } from "../train/trainer";
import { resultLine, type Job, type JobEvents, type JobResult } from "../runs/jobs";
import type { RunStart } from "./progress";
import { clock } from "../text-format";
import { maxOf } from "../extent";

export interface CompareProgress extends JobEvents {
  /** Printed above the bars (or as a line). */
  note(line: string): void;
  end(): void;
}


interface Live {
  start: RunStart | null;
  last: EpisodeRecord | null;
}

class BarsProgress implements CompareProgress {
  private readonly multi = new MultiBar({
    stream: process.stdout,
    format: "{job} {bar} {percentage}% | episode {episode} | avg100 {avg} (bar {target}) | {elapsed}",
    barsize: 14,
    fps: 5,
    gracefulExit: false,
    hideCursor: false,
    clearOnComplete: false,
  });
  private readonly overall: SingleBar;
  private readonly bars = new Map<Job, { bar: SingleBar; info: RunStart }>();
  private done = 0;

  constructor(total: number, private readonly width: number) {
    this.overall = this.multi.create(total, 0, { running: 0 }, { format: "jobs {value}/{total} done, {running} running | {duration_formatted}" });
  }

  started(job: Job, info: RunStart): void {
    const bar = this.multi.create(1000, 0, { job: job.name.padEnd(this.width), episode: info.resumedAfter, avg: "-", target: info.solvedAt, elapsed: "0:00" });
    this.bars.set(job, { bar, info });
    this.overall.update(this.done, { running: this.bars.size });
  }

  episode(job: Job, r: EpisodeRecord): void {
    const live = this.bars.get(job);
    if (!live) return;
    const { bar, info } = live;
    // The budget used: whichever of episodes and env steps is further along.
    const used = Math.min(1, Math.max(r.episode / info.maxEpisodes, r.envSteps / info.maxEnvSteps));
    bar.update(Math.round(used * 1000), { episode: r.episode, avg: r.average100.toFixed(1), elapsed: clock(r.seconds) });
  }

  finished(r: JobResult): void {
    const live = this.bars.get(r.job);
    if (live) this.multi.remove(live.bar);
    this.bars.delete(r.job);
    this.done++;
    this.overall.update(this.done, { running: this.bars.size });
    this.multi.log(`${resultLine(r)}\n`);
  }

  note(line: string): void {
    this.multi.log(`${line}\n`);
  }

  end(): void {
    this.multi.stop();
  }
}

class LinesProgress implements CompareProgress {
  private readonly live = new Map<Job, Live>();
  private readonly timer: NodeJS.Timeout;
  private readonly t0 = performance.now();
  private done = 0;

  constructor(private readonly total: number, everySeconds = 15) {
    this.timer = setInterval(() => this.status(), everySeconds * 1000);
    this.timer.unref();
  }

  private status(): void {
    if (this.live.size === 0) return;
    const parts = [...this.live].map(([job, l]) => (l.last ? `${job.name} episode ${l.last.episode} avg100 ${l.last.average100.toFixed(1)}` : `${job.name} starting`));
    console.log(`[${clock((performance.now() - this.t0) / 1000)}] ${this.done} of ${this.total} jobs done; running: ${parts.join("; ")}`);
  }

  started(job: Job, info: RunStart): void {
    this.live.set(job, { start: info, last: null });
    console.log(`started ${job.name} (${info.runDir})`);
  }

  episode(job: Job, r: EpisodeRecord): void {
    const l = this.live.get(job);
    if (l) l.last = r;
  }

  finished(r: JobResult): void {
    this.live.delete(r.job);
    this.done++;
    console.log(resultLine(r));
  }

  note(line: string): void {
    console.log(line);
  }

  end(): void {
    clearInterval(this.timer);
  }
}

/** Only the notes and one line per finished job (for the benchmark). */
class QuietProgress implements CompareProgress {
  finished(r: JobResult): void {
    console.log(`  ${resultLine(r)}`);
  }
  note(line: string): void {
    console.log(line);
  }
  end(): void {}
}

export function makeCompareProgress(jobs: readonly Job[], mode: "auto" | "quiet"): CompareProgress {
  if (mode === "quiet") return new QuietProgress();
  const width = maxOf(jobs.map((j) => j.name.length));
  return process.stdout.isTTY ? new BarsProgress(jobs.length, width) : new LinesProgress(jobs.length);
}

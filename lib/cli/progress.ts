/**
 * How a training run reports as it goes, one class per mode:
 *  - bar:    a live progress bar (cli-progress) when stdout is a terminal
 *  - lines:  a plain status line every few seconds when it is not (logs, CI, pipes)
 *  - lesson: exactly the lesson's `[Episode N] Reward : r, Average reward : avg` per episode
 *  - json:   one JSON object per line (what `compare` reads from its jobs)
 *  - quiet:  nothing until the end
 */
import type { Evaluation } from "../train/periodic-eval";
import { SingleBar } from "cli-progress";
import type { EpisodeRecord } from "../train/trainer";
import { clock, lessonLine, statusLine } from "../text-format";

export type ProgressMode = "bar" | "lines" | "lesson" | "json" | "quiet";

import type { RunStart } from "../runs/format";
import { TASKS, type TaskId } from "../env/task";
import type { RunProgress } from "../runs/run-folder-writer";
export type { RunStart };

/** How a run reports as it goes: the run folder writer's progress hooks. */
export type TrainProgress = RunProgress;

const write = (line: string) => process.stdout.write(`${line}\n`);

/** "greedy evaluation at env step 5000 (episode 31): -97.40 ± 12.31 over 10 episodes, 10 reached the line". */
export function evaluationLine(e: Evaluation, env: TaskId): string {
  return `greedy evaluation at env step ${e.envSteps} (episode ${e.episode}): ${e.mean.toFixed(2)} ± ${e.std.toFixed(2)} over ${e.returns.length} episodes, ${e.successes} ${TASKS[env].ended.some}`;
}

/** The budget used, 0..1: whichever of episodes and env steps is further along. */
function budgetUsed(r: EpisodeRecord, info: RunStart): number {
  return Math.min(1, Math.max(r.episode / info.maxEpisodes, r.envSteps / info.maxEnvSteps));
}

function startLine(info: RunStart): string {
  const what = info.resumedAfter > 0 ? `resuming ${info.preset} (seed ${info.seed}) after episode ${info.resumedAfter}` : `training ${info.preset} (seed ${info.seed})`;
  return `${what} until the 100-episode average reaches ${info.solvedAt} (budget ${info.maxEpisodes} episodes, ${info.maxEnvSteps} env steps)\nrun folder: ${info.runDir}`;
}

/** Episodes per second over the last 20 episodes. */
class Rate {
  private readonly recent: EpisodeRecord[] = [];
  push(r: EpisodeRecord): string {
    this.recent.push(r);
    if (this.recent.length > 21) this.recent.shift();
    const first = this.recent[0];
    const span = r.seconds - first.seconds, n = r.episode - first.episode;
    if (n <= 0 || span <= 0) return "-";
    const rate = n / span;
    return rate.toFixed(rate < 10 ? 2 : 1);
  }
}

class BarProgress implements TrainProgress {
  readonly human = true;
  private bar: SingleBar | null = null;
  private info: RunStart | null = null;
  private readonly rate = new Rate();

  start(info: RunStart): void {
    this.info = info;
    write(startLine(info));
    this.bar = new SingleBar({
      stream: process.stdout,
      format: "{bar} {percentage}% of budget | episode {episode} | return {ret} | avg100 {avg} (bar {target}) | epsilon {eps} | {rate} ep/s | {elapsed}",
      barsize: 16,
      fps: 5,
      gracefulExit: false, // our signal handler stops the bar and says why
      hideCursor: false,
    });
    this.bar.start(1000, 0, { episode: info.resumedAfter, ret: "-", avg: "-", target: info.solvedAt, eps: "-", rate: "-", elapsed: "0:00" });
  }

  episode(r: EpisodeRecord): void {
    if (this.bar === null || this.info === null) return;
    this.bar.update(Math.round(1000 * budgetUsed(r, this.info)), {
      episode: r.episode, ret: r.return.toFixed(0), avg: r.average100.toFixed(2), eps: r.epsilon.toFixed(3), rate: this.rate.push(r), elapsed: clock(r.seconds),
    });
  }

  stopping(signal: string): void {
    this.end();
    write(`${signal}: stopping and saving the run (press Ctrl-C again to quit at once)`);
  }

  end(): void {
    this.bar?.stop();
    this.bar = null;
  }
}

/** Not a terminal: a status line at most every `everySeconds`, and at the first episode. */
class LinesProgress implements TrainProgress {
  evaluation(e: Evaluation): void {
    write(evaluationLine(e, this.env));
  }

  readonly human = true;
  private readonly records: EpisodeRecord[] = [];
  private last = -Infinity;
  private solvedAt: number | undefined;
  private env: TaskId = "Acrobot-v1";

  constructor(private readonly everySeconds = 10) {}

  start(info: RunStart): void {
    this.solvedAt = info.solvedAt;
    this.env = info.env;
    write(startLine(info));
  }

  episode(r: EpisodeRecord): void {
    this.records.push(r);
    if (this.records.length > 25) this.records.shift(); // statusLine needs the last 21
    const now = performance.now();
    if (now - this.last >= this.everySeconds * 1000) {
      this.last = now;
      write(statusLine(this.records, this.solvedAt));
    }
  }

  stopping(signal: string): void {
    write(`${signal}: stopping and saving the run`);
  }

  end(): void {
    if (this.records.length > 0) write(statusLine(this.records, this.solvedAt));
  }
}

/** stdout carries only the lesson's lines (so the output matches the lesson's program); the rest goes to stderr. */
class LessonProgress implements TrainProgress {
  readonly human = true;
  private env: TaskId = "Acrobot-v1";
  evaluation(e: Evaluation): void {
    process.stderr.write(`${evaluationLine(e, this.env)}\n`);
  }
  start(info: RunStart): void {
    this.env = info.env;
    process.stderr.write(`${startLine(info)}\n`);
  }
  episode(r: EpisodeRecord): void {
    write(lessonLine(r));
  }
  stopping(signal: string): void {
    process.stderr.write(`${signal}: stopping and saving the run\n`);
  }
  end(): void {}
}

/** One JSON object per line: {"event":"start"|"episode"|"stopping"|"end", ...}. */
class JsonProgress implements TrainProgress {
  readonly human = false;
  start(info: RunStart): void {
    write(JSON.stringify({ event: "start", ...info }));
  }
  episode(r: EpisodeRecord): void {
    write(JSON.stringify({ event: "episode", ...r }));
  }
  evaluation(e: Evaluation): void {
    write(JSON.stringify({ event: "evaluation", ...e }));
  }
  stopping(signal: string): void {
    write(JSON.stringify({ event: "stopping", signal }));
  }
  end(): void {}
}

class QuietProgress implements TrainProgress {
  readonly human = true;
  start(): void {}
  episode(): void {}
  stopping(): void {}
  end(): void {}
}

export function makeProgress(mode: ProgressMode): TrainProgress {
  switch (mode) {
    case "bar": return new BarProgress();
    case "lines": return new LinesProgress();
    case "lesson": return new LessonProgress();
    case "json": return new JsonProgress();
    case "quiet": return new QuietProgress();
  }
}

/** The mode the flags ask for; a bar only on a terminal. */
export function progressMode(flags: { json?: boolean; quiet?: boolean; lessonLog?: boolean }): ProgressMode {
  if (flags.json) return "json";
  if (flags.lessonLog) return "lesson";
  if (flags.quiet) return "quiet";
  return process.stdout.isTTY ? "bar" : "lines";
}

/**
 * A job's own process (started by jobs.ts with child_process.fork): waits
 * for its job over IPC, trains it into a new run folder through the
 * run-folder writer, and reports back over the same channel; then exits
 * with 0, 1 (diverged or failed) or 128 + the stop signal's number.
 *
 * A stop message (or SIGINT/SIGTERM/SIGHUP sent to this process, or the
 * parent going away) asks the training to stop and save itself as
 * interrupted; a second one ends the process at once.
 */
import { existsSync, readdirSync, rmdirSync } from "node:fs";
import { capMeetsBar, resolveConfig, type TrainConfig } from "../train/config";
import type { EpisodeRecord } from "../train/trainer";
import type { Evaluation } from "../train/periodic-eval";
import type { RunStart } from "./format";
import { createRunFolder } from "./write";
import { LOCK_FILE, lockRunFolder, type RunLock } from "./lock";
import { trainIntoRunFolder, type RunProgress, type RunStops } from "./run-folder-writer";
import { signalExitCode, type JobSpec, type ParentMessage, type WorkerMessage } from "./jobs";

const send = (m: WorkerMessage): Promise<void> =>
  new Promise((resolve) => {
    if (!process.connected) return resolve();
    process.send!(m, undefined, {}, () => resolve()); // a parent gone meanwhile is not our error
  });

/** Stop requests from the parent's messages, signals, or the parent going away. */
function stopRequests(): RunStops & { request(signal: NodeJS.Signals): void } {
  const controller = new AbortController();
  const listeners: ((signal: string) => void)[] = [];
  let received: NodeJS.Signals | null = null;
  const request = (signal: NodeJS.Signals) => {
    if (received !== null) process.exit(signalExitCode(received)); // asked twice: end now
    received = signal;
    controller.abort();
    for (const l of listeners) l(signal);
  };
  for (const s of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(s, () => request(s));
  return {
    signal: controller.signal,
    get received() {
      return received;
    },
    onStop: (l) => void listeners.push(l),
    request,
  };
}

/** The worker's progress: its messages to the parent. */
const toParent: RunProgress = {
  human: false,
  start: (info: RunStart) => void send({ type: "start", info }),
  episode: (record: EpisodeRecord) => void send({ type: "episode", record }),
  evaluation: (evaluation: Evaluation) => void send({ type: "evaluation", evaluation }),
  stopping: () => {},
  end: () => {},
};

async function runJob(job: JobSpec, stops: ReturnType<typeof stopRequests>): Promise<number> {
  let config: TrainConfig;
  try {
    config = resolveConfig(job.config as Partial<TrainConfig>);
  } catch (e) {
    throw new Error(`job "${job.name}": ${(e as Error).message}`);
  }
  const created = !existsSync(job.dir);
  createRunFolder(job.dir);
  let lock: RunLock | null = null;
  try {
    lock = lockRunFolder(job.dir, job.commandLine);
    // Between the emptiness check and the lock another process may have started here.
    if (readdirSync(job.dir).some((n) => n !== LOCK_FILE)) throw new Error(`${job.dir} already exists and is not empty: give the job a new folder`);
    const run = await trainIntoRunFolder({
      dir: job.dir, config, preset: job.preset, overrides: job.overrides, label: job.label, commandLine: job.commandLine,
      warning: capMeetsBar(config) ?? undefined, progress: toParent, stops, evalEpisodes: job.evalEpisodes,
    });
    await send({ type: "end", summary: run.summary });
    if (stops.received !== null) return signalExitCode(stops.received as NodeJS.Signals);
    return run.summary.status === "diverged" ? 1 : 0;
  } finally {
    lock?.release();
    // Stopped before training wrote anything: leave no empty folder behind.
    if (created && existsSync(job.dir) && readdirSync(job.dir).length === 0) rmdirSync(job.dir);
  }
}

// Output that can no longer be written (a parent that died) must not kill a run: the run folder is the record.
process.stderr.on("error", () => {});
const stops = stopRequests();
process.once("disconnect", () => stops.received === null && stops.request("SIGTERM"));
process.on("message", (m: ParentMessage) => {
  if (m.type === "stop") stops.request(m.signal);
  else if (m.type === "run") {
    runJob(m.job, stops).then(
      (code) => process.exit(code),
      async (e: unknown) => {
        const message = e instanceof Error ? e.message : String(e);
        console.error(message);
        await send({ type: "error", message });
        process.exit(1);
      },
    );
  }
});

/**
 * Saving a finished training result as a run folder (the same format the
 * command line writes), so notebooks can keep their runs and compare them
 * later: notebook 02 plots chapter 1's saved run, notebook 07 loads runs from
 * the command line or from the notebooks.
 *
 * Only a folder that is recognisably a run of ours is replaced, and it is
 * replaced whole (built beside it, then swapped in): a user's folder, a
 * folder holding anything else, or a name that leaves runs/notebooks/ is
 * refused.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { runsRoot } from "../paths";
import type { TrainResult } from "../train/trainer";
import { recoverFolder, replaceFolderAsync } from "../files";
import { FILES } from "./format";
import { isRunFileName } from "./write";
import { isRunFolder, readRun, type Run } from "./read";
import { lockRunFolder } from "./lock";
import { checkOwned } from "./owned";
import { chartTitle, writeRunFolder, type RunChart } from "./run-folder-writer";

/** Throws unless `dir` is missing, empty, or a run folder of ours holding nothing but a run's files. */
export function checkReplaceable(dir: string): void {
  if (!existsSync(dir)) return;
  if (!statSync(dir).isDirectory()) throw new Error(`refusing to save a run at ${dir}: it is a file, not a folder`);
  const names = readdirSync(dir);
  if (names.length === 0) return;
  if (!isRunFolder(dir)) throw new Error(`refusing to save a run into ${dir}: it holds files and is not a run folder (no ${FILES.meta} written by acrobot-dqn); choose a new or empty folder`);
  const other = names.filter((n) => !isRunFileName(n));
  if (other.length > 0) {
    throw new Error(`refusing to replace the run folder ${dir}: it also holds ${other.slice(0, 3).join(", ")}${other.length > 3 ? ", ..." : ""}, which a run does not write; move them away or choose another folder`);
  }
  // Inside model/ and checkpoint/ too: the whole folder is replaced.
  checkOwned(dir, `replace the run folder ${dir}`);
}

/**
 * Writes `result` as a complete run folder at `dir` (through the one writer,
 * run-folder-writer.ts, into a scratch folder swapped in whole). An earlier
 * run folder there is replaced whole; anything else there is refused (see
 * checkReplaceable). `chart`: lib/viz's, passed in by lib/api (runs/ does not draw).
 */
export async function saveRun(result: TrainResult, dir: string, opts: { preset: string; overrides?: Record<string, unknown>; chart?: RunChart }): Promise<string> {
  if (typeof dir !== "string" || dir.trim() === "") throw new RangeError("saveRun needs a folder name, e.g. runs/notebooks/my-run");
  if (!existsSync(dir) || isRunFolder(dir)) recoverFolder(dir); // what an earlier save killed half way left beside it
  checkReplaceable(dir);
  const lock = existsSync(dir) ? lockRunFolder(dir, "saveRun") : null; // not while a command-line run writes it
  try {
    await replaceFolderAsync(dir, (tmp) => writeRunFolder(tmp, result, { preset: opts.preset, overrides: opts.overrides, chart: opts.chart, chartTitle: chartTitle(opts.preset, result.config.seed) }));
  } finally {
    lock?.release();
  }
  return dir;
}

/** A notebook run's name: letters, digits, ".", "_" and "-", starting with a letter or digit (so it stays inside runs/notebooks/). */
export function checkNotebookRunName(name: unknown): string {
  if (typeof name !== "string" || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(name)) {
    throw new RangeError(`a notebook run's name must be 1 to 100 letters, digits, ".", "_" or "-", starting with a letter or digit (e.g. "01-naive"); got ${JSON.stringify(name)}`);
  }
  return name;
}

function notebookRunDir(name: string): string {
  const root = resolve(runsRoot(), "notebooks");
  return join(root, checkNotebookRunName(name));
}

/** Saves a notebook's run as runs/notebooks/NAME (replacing an earlier run of that name). */
export async function saveNotebookRun(name: string, preset: string, result: TrainResult, chart?: RunChart): Promise<string> {
  return saveRun(result, notebookRunDir(name), { preset, chart });
}

/** A run saved by `saveNotebookRun`, or null if that notebook has not saved one yet. */
export function loadNotebookRun(name: string): Run | null {
  const dir = notebookRunDir(name);
  return existsSync(join(dir, FILES.meta)) ? readRun(dir) : null;
}

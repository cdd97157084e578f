/**
 * Saving a finished training result as a run folder (the same format the
 * command line writes), so notebooks can keep their runs and compare them
 * later: notebook 02 plots chapter 1's saved run, notebook 07 loads runs from
 * the command line or from the notebooks.
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runsRoot } from "../paths";
import type { TrainResult } from "../train/trainer";
import { configToJson } from "../train/config";
import { saveModel } from "../agent/model-io";
import { FILES, type RunSummary } from "./format";
import { writeJsonFile } from "./write";
import { recordFigures, runStatus } from "./summary";
import { readRun, type Run } from "./read";
import { newRunMeta } from "../cli/meta";
import { writeRunChart } from "../cli/charts";

/** Writes `result` as a complete run folder at `dir`, replacing what was there. */
export async function saveRun(result: TrainResult, dir: string, opts: { preset: string; overrides?: Record<string, unknown> }): Promise<string> {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const c = result.config;
  writeJsonFile(join(dir, FILES.config), configToJson(c));
  writeJsonFile(join(dir, FILES.meta), newRunMeta({ preset: opts.preset, overrides: opts.overrides ?? {}, seed: c.seed }));
  writeFileSync(join(dir, FILES.episodes), result.records.map((r) => `${JSON.stringify(r)}\n`).join(""));
  await saveModel(result.model, join(dir, FILES.model), { preset: opts.preset, solved: result.solved });
  const summary: RunSummary = {
    status: runStatus(result),
    stopReason: result.stopReason,
    message: result.message,
    solvedAtEpisode: result.solvedAtEpisode,
    solvedAt: c.solvedAt,
    episodes: result.records.length,
    envSteps: result.envSteps,
    seconds: result.seconds,
    ...recordFigures(result.records, result.solvedAtEpisode, c.solvedWindow),
    evaluation: null,
    checkpointEpisode: null,
    updatedAt: new Date().toISOString(),
  };
  writeJsonFile(join(dir, FILES.summary), summary);
  writeRunChart(dir, `${opts.preset}, seed ${c.seed}`, result.records, summary, "cdn");
  return dir;
}

/** Saves a notebook's run as runs/notebooks/NAME (replacing an earlier one of that name). */
export async function saveNotebookRun(name: string, preset: string, result: TrainResult): Promise<string> {
  return saveRun(result, join(runsRoot(), "notebooks", name), { preset });
}

/** A run saved by `saveNotebookRun`, or null if that notebook has not saved one yet. */
export function loadNotebookRun(name: string): Run | null {
  const dir = join(runsRoot(), "notebooks", name);
  return existsSync(join(dir, FILES.meta)) ? readRun(dir) : null;
}

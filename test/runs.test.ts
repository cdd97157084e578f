/** The run-record format: writing, reading back, listing, repairing the episode log before a resume. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  alignEpisodeLog, createRunFolder, EpisodeLog, FILES, findRunFolders, listRuns, readEpisodeLog, readRun, readRuns, recordFigures, runLabel,
  RUN_FORMAT, RUN_FORMAT_VERSION, writeJsonFile, type RunMeta, type RunSummary,
} from "../lib/runs";
import { configToJson, resolveConfig } from "../lib/train/config";
import type { EpisodeRecord } from "../lib/train/trainer";

const tmp = () => mkdtempSync(join(tmpdir(), "acrobot-runs-"));

function record(episode: number, ret = -500): EpisodeRecord {
  return { episode, steps: -ret, return: ret, average100: ret, envReturn: ret, terminated: ret > -500, epsilon: 0.1, loss: 0.5, cut: false, envSteps: episode * 500, seconds: episode };
}

function meta(preset: string, seed: number, overrides: Record<string, unknown> = {}): RunMeta {
  return {
    format: RUN_FORMAT, version: RUN_FORMAT_VERSION, preset, overrides, seed, backend: "test backend", tfjsVersion: "4.22.0", nodeVersion: process.version,
    acrobotDqnVersion: "0.1.0", commandLine: "acrobot-dqn train", startedAt: "2025-01-01T00:00:00.000Z", resumes: [],
  };
}

function summary(status: RunSummary["status"], episodes: number): RunSummary {
  return {
    status, stopReason: null, message: "", solvedAtEpisode: null, solvedAt: -90, episodes, envSteps: episodes * 500, seconds: episodes, toBar: null,
    bestAverage100: null, finalAverage100: -500, evaluation: null, checkpointEpisode: null, updatedAt: "2025-01-01T00:00:00.000Z",
  };
}

/** A run folder as the command line writes it (without model and checkpoint). */
function writeRun(dir: string, preset: string, seed: number, episodes: number): void {
  createRunFolder(dir);
  writeJsonFile(join(dir, FILES.config), configToJson(resolveConfig({ seed })));
  writeJsonFile(join(dir, FILES.meta), meta(preset, seed));
  const log = new EpisodeLog(join(dir, FILES.episodes));
  for (let e = 1; e <= episodes; e++) log.append(record(e));
  log.close();
  writeJsonFile(join(dir, FILES.summary), summary("unsolved", episodes));
}

test("a run folder reads back: config, meta, every episode in order, summary", () => {
  const dir = join(tmp(), "improved-seed3");
  writeRun(dir, "improved", 3, 5);
  const run = readRun(dir);
  assert.equal(run.name, "improved-seed3");
  assert.equal(run.config.seed, 3);
  assert.deepEqual(run.config.hiddenLayers, [512, 512, 512]);
  assert.equal(run.meta.preset, "improved");
  assert.deepEqual(run.records.map((r) => r.episode), [1, 2, 3, 4, 5]);
  assert.equal(run.summary?.status, "unsolved");
  assert.equal(run.modelDir, null);
  assert.equal(run.checkpointDir, null);
});

test("the episode log is one JSON object per line, appended as it goes", () => {
  const dir = tmp();
  const log = new EpisodeLog(join(dir, FILES.episodes));
  log.append(record(1));
  // Already on disk before close: a killed process keeps it.
  assert.equal(readFileSync(join(dir, FILES.episodes), "utf8"), `${JSON.stringify(record(1))}\n`);
  log.append({ ...record(2), cut: true });
  const { cut: _cut, ...before } = record(3); // as logs from before `cut` existed marked an interrupted episode
  log.append({ ...before, partial: true } as unknown as Parameters<EpisodeLog["append"]>[0]);
  log.close();
  assert.throws(() => log.append(record(4)), /closed/);
  const back = readEpisodeLog(join(dir, FILES.episodes));
  // One field for "did not run to its end"; missing reads as false.
  assert.deepEqual(back, [{ ...record(1), cut: false }, { ...record(2), cut: true }, { ...record(3), cut: true }]);
});

test("a last line cut off mid-write is skipped; a bad line elsewhere is an error", () => {
  const dir = tmp();
  const path = join(dir, FILES.episodes);
  writeFileSync(path, `${JSON.stringify(record(1))}\n${JSON.stringify(record(2))}\n{"episode":3,"ste`);
  assert.deepEqual(readEpisodeLog(path).map((r) => r.episode), [1, 2]);
  writeFileSync(path, `${JSON.stringify(record(1))}\nnot json\n${JSON.stringify(record(3))}\n`);
  assert.throws(() => readEpisodeLog(path), /line 2 is not a JSON episode record/);
});

test("before a resume, the log is cut back to the checkpoint's episodes, or rebuilt from them", () => {
  const dir = tmp();
  const path = join(dir, FILES.episodes);
  const checkpointRecords = [1, 2, 3].map((e) => record(e));
  // The log ran ahead of the checkpoint (killed between checkpoints), and its last line is torn.
  writeFileSync(path, [1, 2, 3, 4, 5].map((e) => JSON.stringify(record(e))).join("\n") + '\n{"epi');
  assert.equal(alignEpisodeLog(dir, checkpointRecords), 3);
  assert.deepEqual(readEpisodeLog(path).map((r) => r.episode), [1, 2, 3]);
  // In step: nothing to drop.
  assert.equal(alignEpisodeLog(dir, checkpointRecords), 0);
  assert.deepEqual(readEpisodeLog(path).map((r) => r.episode), [1, 2, 3]);
  // Behind or damaged: rewritten from the checkpoint's own records.
  writeFileSync(path, `${JSON.stringify(record(1))}\n`);
  alignEpisodeLog(dir, checkpointRecords);
  const withCut = checkpointRecords.map((r) => ({ ...r, cut: false }));
  assert.deepEqual(readEpisodeLog(path), withCut);
  writeFileSync(path, [2, 1, 3].map((e) => JSON.stringify(record(e))).join("\n") + "\n");
  alignEpisodeLog(dir, checkpointRecords);
  assert.deepEqual(readEpisodeLog(path), withCut);
});

test("a new run refuses a folder that already holds files", () => {
  const dir = join(tmp(), "run");
  createRunFolder(dir);
  createRunFolder(dir); // empty: fine
  writeFileSync(join(dir, "x"), "");
  assert.throws(() => createRunFolder(dir), /already exists and is not empty.*--resume/);
});

test("JSON files are replaced whole", () => {
  const path = join(tmp(), "summary.json");
  writeJsonFile(path, { a: 1 });
  writeJsonFile(path, { a: 2 });
  assert.deepEqual(JSON.parse(readFileSync(path, "utf8")), { a: 2 });
});

test("listRuns and readRuns find runs in runs/, in compare folders, or given directly", () => {
  const root = tmp();
  writeRun(join(root, "improved-seed1-20250101-000000"), "improved", 1, 2);
  writeRun(join(root, "compare-x", "improved-seed1"), "improved", 1, 3);
  writeRun(join(root, "compare-x", "target-seed2"), "target", 2, 4);
  writeJsonFile(join(root, "compare-x", "compare.json"), {});
  mkdirSync(join(root, "empty"));
  assert.deepEqual(findRunFolders(root).map((d) => d.slice(root.length + 1)), [
    join("compare-x", "improved-seed1"), join("compare-x", "target-seed2"), "improved-seed1-20250101-000000",
  ]);
  const listing = listRuns(root);
  assert.deepEqual(listing.map((l) => [l.preset, l.seed, l.status, l.episodes]), [["improved", 1, "unsolved", 3], ["target", 2, "unsolved", 4], ["improved", 1, "unsolved", 2]]);
  assert.deepEqual(readRuns(join(root, "compare-x")).map((r) => r.records.length), [3, 4]);
  // The same run named twice is read once.
  assert.equal(readRuns([join(root, "compare-x"), join(root, "compare-x", "target-seed2")]).length, 2);
  assert.throws(() => readRuns(join(root, "empty")), /no run folders at or below/);
  assert.throws(() => readRuns(join(root, "nope")), /does not exist/);
  assert.throws(() => readRun(join(root, "compare-x")), /not a run folder/);
  assert.deepEqual(listRuns(join(root, "nope")), []);
});

test("figures from the records: the episode that cleared the bar, best average over full windows only", () => {
  const records = Array.from({ length: 120 }, (_, i) => ({ ...record(i + 1), average100: i < 50 ? -10 : -100 + i / 2 }));
  const f = recordFigures(records, 110, 100);
  assert.deepEqual(f.toBar, { episode: 110, envSteps: 110 * 500, seconds: 110 });
  // Episodes 1..99 (a part window, with its flattering -10) do not count.
  assert.equal(f.bestAverage100, -100 + 119 / 2);
  assert.equal(f.finalAverage100, -100 + 119 / 2);
  assert.deepEqual(recordFigures([], null), { toBar: null, bestAverage100: null, finalAverage100: null });
});

test("runs group under their preset, plus any overridden fields", () => {
  assert.equal(runLabel(meta("improved", 1)), "improved");
  assert.equal(runLabel(meta("improved", 1, { hiddenLayers: [64, 64], loss: "mse" })), 'improved (hiddenLayers=[64,64], loss="mse")');
});

test("a torn last line written by a killed process still reads", () => {
  const dir = join(tmp(), "run");
  writeRun(dir, "naive", 0, 2);
  appendFileSync(join(dir, FILES.episodes), '{"episode":3,');
  assert.equal(readRun(dir).records.length, 2);
});

/**
 * Issue 17 §4 and issue 21 §4, in-process: what a run folder may hold that
 * acrobot-dqn did not write is found and refused before anything is
 * replaced (saveRun, a pool of notebook jobs), never deleted; monitor.csv is
 * written in SB3's format, and put back in step with a checkpoint on resume.
 */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { initBackend } from "../lib/tf";
import { train, type TrainResult } from "../lib/train/trainer";
import { presets } from "../lib/train/presets";
import { saveRun, checkReplaceable } from "../lib/runs/saved-run";
import { foreignFiles } from "../lib/runs/owned";
import { alignMonitor, monitorHeader, MonitorLog } from "../lib/runs/monitor";
import { readRun } from "../lib/runs/read";
import { FILES } from "../lib/runs/format";
import { loadResults } from "./sb3-monitor";

const root = mkdtempSync(join(tmpdir(), "acrobot-owned-"));
let result: TrainResult;

before(async () => {
  await initBackend();
  result = await train({ ...presets.improved, hiddenLayers: [8], maxEnvSteps: 300, seed: 2 });
});
after(() => {
  result?.model.dispose();
  rmSync(root, { recursive: true, force: true });
});

test("§4 saveRun run twice with a file of the user's in model/: the second refuses before writing, naming it, and the file survives", async () => {
  const dir = join(root, "twice");
  await saveRun(result, dir, { preset: "improved" });
  assert.deepEqual(foreignFiles(dir), [], "a run folder of ours holds nothing foreign");
  writeFileSync(join(dir, FILES.model, "notes.txt"), "mine\n");
  const meta = readFileSync(join(dir, FILES.meta), "utf8");
  // The same check a pool of notebook jobs makes before any training starts.
  assert.throws(() => checkReplaceable(dir), /model[/\\]notes\.txt was not written by acrobot-dqn and would be replaced; move it away first/);
  await assert.rejects(saveRun(result, dir, { preset: "improved" }), /refusing to replace the run folder .*twice: .*model[/\\]notes\.txt was not written by acrobot-dqn/);
  assert.equal(readFileSync(join(dir, FILES.model, "notes.txt"), "utf8"), "mine\n");
  assert.equal(readFileSync(join(dir, FILES.meta), "utf8"), meta, "the run folder is as it was");
});

test("§4 foreignFiles: names of ours of the wrong kind, files in checkpoint/, and charts without our mark are foreign", async () => {
  const dir = join(root, "kinds");
  await saveRun(result, dir, { preset: "improved" });
  mkdirSync(join(dir, FILES.checkpoint));
  writeFileSync(join(dir, FILES.checkpoint, "snapshot.json"), "{}"); // a name of ours: not foreign
  writeFileSync(join(dir, FILES.checkpoint, "photo.png"), "x");
  writeFileSync(join(dir, FILES.chartSvg), "<svg>my drawing</svg>");
  assert.deepEqual(foreignFiles(dir), [FILES.chartSvg, `${FILES.checkpoint}/photo.png`]);
});

test("21 §4 monitor.csv: saveRun writes it in SB3's format, one row per episode, read as load_results reads it", async () => {
  const dir = join(root, "monitor");
  await saveRun(result, dir, { preset: "improved" });
  const text = readFileSync(join(dir, FILES.monitor), "utf8");
  assert.match(text, /^#\{"t_start": \d+(\.\d+)?, "env_id": "Acrobot-v1"\}\nr,l,t\n/);
  const m = loadResults(dir);
  assert.equal(m.headers[0].env_id, "Acrobot-v1");
  assert.deepEqual(m.rows.map((r) => [r.r, r.l]), result.records.map((r) => [r.envReturn, r.steps]));
  assert.deepEqual(readRun(dir).records.length, m.rows.length);
});

test("21 §4 monitor.csv on resume: rows past the checkpoint are dropped, kept rows keep their times, a missing or damaged file is rebuilt", () => {
  const dir = join(root, "align");
  mkdirSync(dir);
  const path = join(dir, FILES.monitor);
  // Only the fields monitor.csv holds matter here.
  const five = Array.from({ length: 5 }, (_, i) => ({ ...result.records[0], episode: i + 1, steps: 100 + i, envReturn: -100 - i, seconds: 1.25 * (i + 1) }));
  const records = five.slice(0, 3);
  writeFileSync(path, `${monitorHeader(1000)}\n`);
  const log = new MonitorLog(path, 1000);
  five.forEach((r, i) => log.append(r, 1000 + 10 * (i + 1)));
  log.close();
  assert.equal(alignMonitor(path, records, 5), 1000, "the file's own t_start");
  assert.deepEqual(loadResults(dir).rows.map((r) => [r.r, r.l, r.t]), [[-100, 100, 10], [-101, 101, 20], [-102, 102, 30]]);
  // A file that lost rows (or is not ours) is rebuilt from the checkpoint's records, with their training seconds.
  writeFileSync(path, "garbage\n");
  assert.equal(alignMonitor(path, records, 77), 77);
  assert.deepEqual(loadResults(dir).rows.map((r) => [r.l, r.t]), [[100, 1.25], [101, 2.5], [102, 3.75]]);
});

/**
 * Issue 11, in-process: writers never delete or overwrite what is not
 * theirs, files and folders are replaced whole, a full disk is detected and
 * named, the lock keeps one writer per folder, what the checks accept fits,
 * and non-finite numbers are caught where they enter. Real full disks: a
 * small tmpfs mounted here when running as root (skipped otherwise).
 */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync, chmodSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { tmpfs } from "./tmpfs";
import { deadPid } from "./cli-process";
import { initBackend, tf } from "../lib/tf";
import { train, type TrainResult } from "../lib/train/trainer";
import { resolveConfig } from "../lib/train/config";
import { presets } from "../lib/train/presets";
import { readSnapshot, writeSnapshot } from "../lib/train/snapshot-file";
import { buildQNetwork } from "../lib/agent/q-network";
import { loadModel, saveModel } from "../lib/agent/model-io";
import { Acrobot } from "../lib/env/acrobot";
import { committedFolder, replaceFolder, writeFileAtomic } from "../lib/files";
import { EpisodeLog, cleanRunFolder, claimNewFolder, writeJsonFile } from "../lib/runs/write";
import { lockRunFolder, LOCK_FILE } from "../lib/runs/lock";
import { saveNotebookRun, saveRun } from "../lib/api/runs"; // with the run chart, drawn by lib/viz
import { loadNotebookRun } from "../lib/runs/saved-run";
import { checkPageTarget, writePage } from "../lib/viz/run-pages";
import { readEpisodeLog, readRun } from "../lib/runs/read";
import { FILES } from "../lib/runs/format";
import { runSummary } from "../lib/runs/summary";

const root = mkdtempSync(join(tmpdir(), "acrobot-safety-"));
const savedEnv = process.env.ACROBOT_DQN_RUNS;
let result: TrainResult;

before(async () => {
  await initBackend();
  process.env.ACROBOT_DQN_RUNS = join(root, "runs");
  result = await train({ ...presets.improved, hiddenLayers: [8], maxEnvSteps: 300, seed: 2 });
});
after(() => {
  result?.model.dispose();
  if (savedEnv === undefined) delete process.env.ACROBOT_DQN_RUNS;
  else process.env.ACROBOT_DQN_RUNS = savedEnv;
  rmSync(root, { recursive: true, force: true });
});


/** Fills the disk `dir` is on until a write fails. */
function fill(dir: string): void {
  const chunk = Buffer.alloc(4096, 120);
  for (let i = 0; ; i++) {
    try {
      writeFileSync(join(dir, `filler-${i}`), chunk);
    } catch {
      try {
        writeFileSync(join(dir, `filler-tail`), Buffer.alloc(1, 1)); // the last partial block
      } catch {
        return;
      }
    }
  }
}

// ---------------------------------------------------------------- 11.1

test("saveNotebookRun refuses names that leave runs/notebooks/ and never deletes other runs", async () => {
  const first = await saveNotebookRun("01-naive", "naive", result);
  const cliRun = join(root, "runs", "improved-seed1-20250101-000000");
  mkdirSync(cliRun, { recursive: true });
  writeFileSync(join(cliRun, "keep.txt"), "a command-line run");
  for (const name of ["", "..", ".", "../x", "a/b", "/abs", "..\\x", " x", "x".repeat(101)]) {
    await assert.rejects(saveNotebookRun(name, "naive", result), /a notebook run's name must be 1 to 100 letters/, JSON.stringify(name));
    assert.throws(() => loadNotebookRun(name), /a notebook run's name must be/);
  }
  assert.ok(existsSync(join(first, FILES.meta)), "the other notebook run is still there");
  assert.equal(readFileSync(join(cliRun, "keep.txt"), "utf8"), "a command-line run");
  assert.equal(loadNotebookRun("01-naive")?.records.length, result.records.length);
});

test("saveRun replaces only a run folder of ours, and refuses a folder holding anything else", async () => {
  const mine = join(root, "user-folder");
  mkdirSync(mine);
  writeFileSync(join(mine, "thesis.tex"), "precious");
  await assert.rejects(saveRun(result, mine, { preset: "improved" }), /refusing to save a run into .*user-folder: it holds files and is not a run folder/);
  assert.equal(readFileSync(join(mine, "thesis.tex"), "utf8"), "precious");
  await assert.rejects(saveRun(result, "", { preset: "improved" }), /saveRun needs a folder name/);

  const run = join(root, "a-run");
  await saveRun(result, run, { preset: "improved" });
  await saveRun(result, run, { preset: "improved" }); // our own run folder: replaced whole
  assert.deepEqual(readdirSync(run).sort(), [FILES.chartHtml, FILES.chartSvg, FILES.config, FILES.episodes, FILES.meta, FILES.model, FILES.monitor, FILES.summary].sort());
  writeFileSync(join(run, "notes.md"), "mine");
  await assert.rejects(saveRun(result, run, { preset: "improved" }), /refusing to replace the run folder .*a-run: it also holds notes\.md/);
  assert.equal(readFileSync(join(run, "notes.md"), "utf8"), "mine");

  // A run a command line is writing (its lock is live) is not replaced under it.
  rmSync(join(run, "notes.md"));
  const lock = lockRunFolder(run);
  await assert.rejects(saveRun(result, run, { preset: "improved" }), /already being written by this process/);
  lock.release();
});

test("saveModel refuses a folder holding other files; pages refuse files acrobot-dqn did not write", async () => {
  const folder = join(root, "models-with-notes");
  mkdirSync(folder);
  writeFileSync(join(folder, "README"), "keep");
  await assert.rejects(saveModel(result.model, folder), /refusing to save a model into .*: it holds other files \(README\)/);
  assert.equal(readFileSync(join(folder, "README"), "utf8"), "keep");

  const run = join(root, "page-run");
  await saveRun(result, run, { preset: "improved" });
  const summaryBefore = readFileSync(join(run, FILES.summary), "utf8");
  assert.throws(() => writePage(join(run, FILES.summary), "x", [], "cdn"), /refusing to write .*summary\.json: it is a file of the run folder/);
  assert.throws(() => writePage(join(run, FILES.chartHtml), "x", [], "cdn"), /it is a file of the run folder/);
  assert.equal(readFileSync(join(run, FILES.summary), "utf8"), summaryBefore);
  const userPage = join(root, "index.html");
  writeFileSync(userPage, "<html>my homepage</html>");
  assert.throws(() => checkPageTarget(userPage), /refusing to overwrite .*index\.html: it was not written by acrobot-dqn/);
  assert.throws(() => checkPageTarget(root), /it is a folder/);
  const ours = join(root, "ours.html");
  writePage(ours, "first", [], "cdn");
  writePage(ours, "second", [], "cdn"); // a page we wrote may be replaced
  assert.match(readFileSync(ours, "utf8"), /<title>second<\/title>/);
});

// ---------------------------------------------------------------- 11.3

test("a folder replaced whole: a crash between the two renames leaves the old folder, found and put back", () => {
  const dir = join(root, "swap", "checkpoint");
  const gone = deadPid();
  replaceFolder(dir, (tmp) => writeFileSync(join(tmp, "a"), "old"));
  // The state a kill -9 between replaceFolder's renames leaves: the old folder set aside, the new one still scratch.
  renameSync(dir, `${dir}.old-${gone}`);
  mkdirSync(`${dir}.tmp-${gone}`);
  writeFileSync(join(`${dir}.tmp-${gone}`, "a"), "half");
  assert.equal(committedFolder(dir), `${dir}.old-${gone}`, "a reader finds the old folder");
  const runDir = join(root, "swap");
  writeFileSync(join(runDir, `summary.json.tmp-${gone}`), "{ half");
  const removed = cleanRunFolder(runDir);
  assert.equal(readFileSync(join(dir, "a"), "utf8"), "old");
  assert.deepEqual(readdirSync(runDir).sort(), ["checkpoint"]);
  assert.ok(removed.includes(`summary.json.tmp-${gone}`), removed.join(", "));
});

test("cleaning leaves another live process's scratch files alone (a second writer's lock about to be linked), and takes those of a gone one", async () => {
  const dir = join(root, "busy");
  mkdirSync(dir);
  const other = spawn("sleep", ["60"]);
  try {
    const live = `${LOCK_FILE}.tmp-${other.pid}`, dead = `${LOCK_FILE}.tmp-${deadPid()}`;
    writeFileSync(join(dir, live), "{}");
    writeFileSync(join(dir, dead), "{}");
    mkdirSync(join(dir, `${FILES.model}.tmp-${other.pid}`));
    assert.deepEqual(cleanRunFolder(dir), [dead]);
    assert.deepEqual(readdirSync(dir).sort(), [live, `${FILES.model}.tmp-${other.pid}`].sort(), "the live process's files are still there");
  } finally {
    other.kill();
  }
  await new Promise((r) => other.once("exit", r));
  assert.equal(cleanRunFolder(dir).length, 1, "once it is gone its scratch file is a leftover");
  assert.deepEqual(readdirSync(dir), []);
});

test("a save killed half way is tidied by the next save: scratch copies removed, a set-aside model put back first", async () => {
  const dir = join(root, "models", "improved");
  await saveModel(result.model, dir);
  renameSync(dir, `${dir}.old-${deadPid()}`); // killed between the renames
  mkdirSync(`${dir}.tmp-${deadPid()}`); // killed while writing
  await assert.doesNotReject(loadModel(dir).then((m) => m.dispose()), "a reader finds the set-aside model meanwhile");
  await saveModel(result.model, dir);
  assert.deepEqual(readdirSync(join(root, "models")), ["improved"]);
  (await loadModel(dir)).dispose();
});

test("kill -9 at random instants while checkpoints are written: the checkpoint always reads back whole", async () => {
  const dir = join(root, "killed");
  mkdirSync(dir);
  const ctx = { snapshot: null as Awaited<ReturnType<import("../lib/train/trainer").TrainContext["snapshot"]>> | null };
  const r = await train({ ...presets.improved, hiddenLayers: [32], maxEnvSteps: 400, seed: 5 }, { onFinish: async (_r, c) => void (ctx.snapshot = await c.snapshot()) });
  r.model.dispose();
  writeSnapshot(ctx.snapshot!, join(dir, FILES.checkpoint));
  const snapFile = join(root, "snap.json");
  writeFileSync(snapFile, JSON.stringify({ dir: join(dir, FILES.checkpoint) }));
  // A writer that replaces the checkpoint (and the model) as fast as it can, killed without warning.
  const script = `
    const { readSnapshot, writeSnapshot } = require(${JSON.stringify(join(__dirname, "..", "lib", "train", "snapshot-file.ts"))});
    const { dir } = JSON.parse(require("node:fs").readFileSync(${JSON.stringify(snapFile)}, "utf8"));
    const s = readSnapshot(dir);
    process.stdout.write("ready\\n");
    for (;;) writeSnapshot(s, dir);`;
  for (let i = 0; i < 8; i++) {
    const child = spawn(process.execPath, ["--require", require.resolve("tsx/cjs"), "-e", script], { stdio: ["ignore", "pipe", "inherit"] });
    await new Promise<void>((resolve) => child.stdout!.once("data", () => resolve()));
    await new Promise((res) => setTimeout(res, 20 + Math.random() * 150));
    child.kill("SIGKILL");
    await new Promise((res) => child.once("close", res));
    // What the next run sees: the set-aside copy if the kill fell between the renames, put back; then a whole snapshot.
    cleanRunFolder(dir);
    const back = readSnapshot(join(dir, FILES.checkpoint));
    assert.equal(back.records.length, ctx.snapshot!.records.length, `after kill ${i + 1}`);
    assert.deepEqual(readdirSync(dir), [FILES.checkpoint], `after kill ${i + 1}: leftovers cleaned`);
  }
});

test("a full disk: the episode log never keeps a torn line, the old file survives, and the message names the file", (t) => {
  const disk = tmpfs(64);
  if (typeof disk === "string") return t.skip(disk);
  try {
    const path = join(disk.dir, FILES.episodes);
    const log = new EpisodeLog(path);
    const line = (e: number) => ({ ...result.records[0], episode: e, note: "x".repeat(300) });
    writeJsonFile(join(disk.dir, FILES.summary), { status: "running" });
    fill(disk.dir);
    let e = 1;
    assert.throws(() => {
      for (; e < 10_000; e++) log.append(line(e));
    }, /cannot write .*episodes\.jsonl: the disk is full \(ENOSPC\)/);
    // A torn write was cut back off: every line that is there is whole, then room again and the log goes on cleanly.
    assert.throws(() => writeJsonFile(join(disk.dir, FILES.summary), { status: "solved", pad: "y".repeat(10_000) }), /cannot write .*summary\.json\.tmp-\d+: the disk is full \(ENOSPC\)/);
    assert.deepEqual(JSON.parse(readFileSync(join(disk.dir, FILES.summary), "utf8")), { status: "running" }, "the old summary is intact");
    assert.ok(!readdirSync(disk.dir).some((n) => n.includes(".tmp-")), "no scratch file left behind");
    for (const n of readdirSync(disk.dir).filter((x) => x.startsWith("filler"))) rmSync(join(disk.dir, n));
    log.append(line(e));
    log.close();
    const text = readFileSync(path, "utf8");
    assert.ok(text.endsWith("\n"));
    const back = readEpisodeLog(path);
    assert.deepEqual(back.map((r) => r.episode), Array.from({ length: e }, (_, i) => i + 1));
  } finally {
    disk.unmount();
  }
});

test("EACCES names the file (a write refused by permissions, as an ordinary user)", (t) => {
  if (process.getuid?.() !== 0) {
    // Not root: a read-only folder refuses us directly.
    const dir = mkdtempSync(join(tmpdir(), "acrobot-ro-"));
    chmodSync(dir, 0o500);
    try {
      assert.throws(() => writeFileAtomic(join(dir, "summary.json"), "{}"), /cannot write .*summary\.json\.tmp-\d+: permission denied \(EACCES\)/);
    } finally {
      chmodSync(dir, 0o700);
      rmSync(dir, { recursive: true, force: true });
    }
    return;
  }
  // Root may write anywhere: run the write as "nobody" in a folder only root may write.
  const dir = mkdtempSync(join(tmpdir(), "acrobot-ro-"));
  chmodSync(dir, 0o755);
  const files = join(__dirname, "..", "lib", "files.ts");
  const r = spawnSync(process.execPath, ["--require", require.resolve("tsx/cjs"), "-e", `require(${JSON.stringify(files)}).writeFileAtomic(${JSON.stringify(join(dir, "summary.json"))}, "{}")`], { uid: 65534, gid: 65534, encoding: "utf8" });
  rmSync(dir, { recursive: true, force: true });
  if (/Cannot find module|EACCES.*node_modules/.test(r.stderr)) return t.skip("user nobody cannot read this checkout");
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /cannot write .*summary\.json\.tmp-\d+: permission denied \(EACCES\)/);
});

// ---------------------------------------------------------------- 11.4

test("one writer per run folder: a second lock is refused naming the holder; a dead holder's lock is taken over", async () => {
  const dir = join(root, "locked");
  mkdirSync(dir);
  const a = lockRunFolder(dir, "acrobot-dqn train --preset improved");
  const other = spawnSync(process.execPath, ["--require", require.resolve("tsx/cjs"), "-e", `require(${JSON.stringify(join(__dirname, "..", "lib", "runs", "lock.ts"))}).lockRunFolder(${JSON.stringify(dir)})`], { encoding: "utf8" });
  assert.notEqual(other.status, 0);
  assert.match(other.stderr, new RegExp(`is being written by another process \\(pid ${process.pid}, since .*: acrobot-dqn train --preset improved\\); one writer per run folder`));
  a.release();
  assert.ok(!existsSync(join(dir, LOCK_FILE)));

  // A process that took the lock and was killed: its lock is stale, and the next writer takes it.
  const child = spawn(process.execPath, ["--require", require.resolve("tsx/cjs"), "-e", `require(${JSON.stringify(join(__dirname, "..", "lib", "runs", "lock.ts"))}).lockRunFolder(${JSON.stringify(dir)}); process.stdout.write("locked\\n"); setInterval(() => {}, 1000)`], { stdio: ["ignore", "pipe", "inherit"] });
  await new Promise<void>((resolve) => child.stdout!.once("data", () => resolve()));
  assert.match(readFileSync(join(dir, LOCK_FILE), "utf8"), new RegExp(`"pid":${child.pid}`));
  assert.throws(() => lockRunFolder(dir), /is being written by another process/);
  child.kill("SIGKILL");
  await new Promise((res) => child.once("close", res));
  const b = lockRunFolder(dir);
  assert.match(readFileSync(join(dir, LOCK_FILE), "utf8"), new RegExp(`"pid":${process.pid}`));
  b.release();
});

test("new folders are claimed exclusively: processes starting at once never share one", async () => {
  const base = join(root, "claims", "compare-20250101-000000");
  const script = `const { claimNewFolder } = require(${JSON.stringify(join(__dirname, "..", "lib", "runs", "write.ts"))}); const out = []; for (let i = 0; i < 20; i++) out.push(claimNewFolder(${JSON.stringify(base)})); process.stdout.write(JSON.stringify(out));`;
  const run = () =>
    new Promise<string[]>((resolve) => {
      const child = spawn(process.execPath, ["--require", require.resolve("tsx/cjs"), "-e", script], { stdio: ["ignore", "pipe", "inherit"] });
      let out = "";
      child.stdout!.on("data", (d) => (out += d));
      child.on("close", () => resolve(JSON.parse(out) as string[]));
    });
  const [a, b] = await Promise.all([run(), run()]);
  assert.equal(new Set([...a, ...b]).size, 40);
  assert.equal(claimNewFolder(base), `${base}-41`);
});

// ---------------------------------------------------------------- 11.5

test("config: names every object has are not fields; sizes the machine cannot hold are refused early", () => {
  for (const name of ["toString", "constructor", "hasOwnProperty", "__proto__", "valueOf"]) {
    assert.throws(() => resolveConfig(JSON.parse(`{"${name}": 5}`)), new RegExp(`unknown config field ${name.replace(/_/g, "_")}`), name);
  }
  assert.throws(() => resolveConfig({ reward: "toString" as never }), /config\.reward must be one of "env", "tipHeight"/);
  assert.throws(() => resolveConfig({ hiddenLayers: [100_000, 100_000] }), /config\.hiddenLayers \[100000,100000\] with config\.batchSize 1000 need about .* GiB.*at most .* fits here/);
  assert.throws(() => resolveConfig({ batchSize: 1e8 }), /config\.batchSize 100000000 need about/);
  assert.throws(() => resolveConfig({ memoryCapacity: 1e12 }), /config\.memoryCapacity 1000000000000 needs about .* GiB of replay memory/);
  assert.throws(() => resolveConfig({ maxEpisodeSteps: 1e9 }), /config\.maxEpisodeSteps must be a whole number from 1 to 100000/);
  assert.throws(() => resolveConfig(null as never), /a config must be an object/);
  assert.doesNotThrow(() => resolveConfig(presets.naive));
});

test("Acrobot.reset refuses states and bounds the environment cannot reach (they hung step or gave NaN)", () => {
  const env = new Acrobot();
  assert.throws(() => env.reset({ state: [1e300, 0, 0, 0] }), /state theta1 must be from -3\.1416 to 3\.1416/);
  assert.throws(() => env.reset({ state: [0, 0, 1e6, 0] }), /state dtheta1 must be from -12\.5664 to 12\.5664/);
  assert.throws(() => env.reset({ state: [0, 0, 0, -1e20] }), /state dtheta2 must be from/);
  assert.throws(() => env.reset({ low: -1e300, high: 1e300 }), /low and high must be finite numbers from -pi to pi/);
  assert.throws(() => env.reset({ low: -4, high: 0 }), /from -pi to pi/);
  // The edges are fine, and a step from them is finite.
  env.reset({ state: [Math.PI, -Math.PI, 4 * Math.PI, -9 * Math.PI] });
  assert.ok(Array.from(env.step(1).observation).every(Number.isFinite));
  env.reset({ seed: 1, low: -Math.PI, high: Math.PI });
  assert.ok(Array.from(env.step(0).observation).every(Number.isFinite));
});

// ---------------------------------------------------------------- 11.6

test("non-finite weights are refused when loading a model or reading a snapshot, naming what holds them", async () => {
  const model = buildQNetwork({ hiddenLayers: [4], seed: 1 });
  const dir = join(root, "nan-model");
  await saveModel(model, dir);
  const bin = readFileSync(join(dir, "weights.bin"));
  new Float32Array(bin.buffer, bin.byteOffset, bin.byteLength / 4)[3] = NaN;
  writeFileSync(join(dir, "weights.bin"), bin);
  await assert.rejects(loadModel(dir), /corrupt saved model in .*nan-model: weight .* holds NaN at index 3 .*it cannot be played/);
  model.dispose();

  const ctx = { snapshot: null as Awaited<ReturnType<import("../lib/train/trainer").TrainContext["snapshot"]>> | null };
  const r = await train({ ...presets.improved, hiddenLayers: [8], maxEnvSteps: 200, seed: 7 }, { onFinish: async (_r, c) => void (ctx.snapshot = await c.snapshot()) });
  r.model.dispose();
  const snap = join(root, "nan-snapshot");
  writeSnapshot(ctx.snapshot!, snap);
  const json = JSON.parse(readFileSync(join(snap, "snapshot.json"), "utf8"));
  const sbin = readFileSync(join(snap, "snapshot.bin"));
  const ref = json.online.values[1];
  new Float32Array(sbin.buffer, sbin.byteOffset + ref.offset, ref.length)[0] = Infinity;
  writeFileSync(join(snap, "snapshot.bin"), sbin);
  assert.throws(() => readSnapshot(snap), /corrupt snapshot in .*nan-snapshot: online\.values\[1\] \(.*\) holds Infinity at index 0 in snapshot\.bin/);

  // Fields out of range are named too.
  writeSnapshot(ctx.snapshot!, snap);
  const good = readFileSync(join(snap, "snapshot.json"), "utf8");
  const edit = (f: (j: Record<string, any>) => void) => {
    const j = JSON.parse(good);
    f(j);
    writeFileSync(join(snap, "snapshot.json"), JSON.stringify(j));
  };
  edit((j) => (j.memory.count = j.memory.capacity + 1));
  assert.throws(() => readSnapshot(snap), /snapshot\.json: memory\.count must be a whole number from 0 to/);
  edit((j) => (j.records[0].return = "lots"));
  assert.throws(() => readSnapshot(snap), /snapshot\.json: records\[0\] return must be a finite number/);
  edit((j) => (j.envSteps = 1e9));
  assert.throws(() => readSnapshot(snap), /snapshot\.json: envSteps is 1000000000 but the last record says/);
});

// ---------------------------------------------------------------- 2 (the lib/runs side)

test("a summary never says solved unless the status does, and counts cut episodes", () => {
  const records = result.records.map((r, i) => ({ ...r, cut: i === result.records.length - 1 }));
  const s = runSummary({ status: "unsolved", stopReason: "maxEnvSteps", message: "", records, config: { solvedAt: -90, solvedWindow: 100 }, solvedAtEpisode: 1, envSteps: 300, seconds: 1, evaluation: null, checkpointEpisode: null });
  assert.equal(s.solvedAtEpisode, null);
  assert.equal(s.toBar, null);
  assert.equal(s.cutEpisodes, 1);
});

test("a run whose summary says running is running only while its writer holds the lock", async () => {
  const { runRow } = await import("../lib/runs/compare");
  const dir = join(root, "running-run");
  await saveRun(result, dir, { preset: "improved" });
  writeJsonFile(join(dir, FILES.summary), { ...JSON.parse(readFileSync(join(dir, FILES.summary), "utf8")), status: "running" });
  assert.equal(runRow(readRun(dir)).status, "killed while running");
  const lock = lockRunFolder(dir);
  assert.equal(runRow(readRun(dir)).status, "running");
  lock.release();
});

test("readRun marks the episodes of a log cut or not (missing: not cut)", async () => {
  const dir = join(root, "cut-run");
  await saveRun(result, dir, { preset: "improved" });
  const lines = readFileSync(join(dir, FILES.episodes), "utf8").trim().split("\n").map((l) => JSON.parse(l));
  lines[lines.length - 1].partial = true;
  writeFileSync(join(dir, FILES.episodes), lines.map((l) => JSON.stringify(l)).join("\n") + "\n");
  const run = readRun(dir);
  assert.deepEqual(run.records.map((r) => r.cut), lines.map((_, i) => i === lines.length - 1));
});

// ---------------------------------------------------------------- 8

test("no tensor leaks: snapshot, resume, save, load, evaluate and play, each repeated", async () => {
  const { evaluate, evaluateAsync } = await import("../lib/train/evaluate");
  const { playCommand } = await import("../lib/cli/play-command");
  const config = { ...presets.improved, hiddenLayers: [8], maxEnvSteps: 150, seed: 4 };
  const snaps: Awaited<ReturnType<import("../lib/train/trainer").TrainContext["snapshot"]>>[] = [];
  const counts: Record<string, number[]> = { snapshot: [], resume: [], save: [], load: [], evaluate: [], evaluateAsync: [], play: [] };
  const first = await train(config, {
    onEpisode: async (_r, ctx) => {
      for (let i = 0; i < 3; i++) {
        snaps.push(await ctx.snapshot());
        counts.snapshot.push(tf.memory().numTensors);
      }
    },
  });
  first.model.dispose();
  const dir = join(root, "leaks");
  const log = console.log;
  console.log = () => {};
  try {
    for (let i = 0; i < 3; i++) {
      const r = await train({ ...config, maxEnvSteps: 300 }, {}, { resume: snaps[snaps.length - 1] });
      r.model.dispose();
      counts.resume.push(tf.memory().numTensors);
    }
    const model = buildQNetwork({ hiddenLayers: [8], seed: 1 });
    for (let i = 0; i < 3; i++) {
      await saveModel(model, dir, { preset: "improved" });
      counts.save.push(tf.memory().numTensors);
    }
    for (let i = 0; i < 3; i++) {
      (await loadModel(dir)).dispose();
      counts.load.push(tf.memory().numTensors);
    }
    for (let i = 0; i < 3; i++) {
      evaluate(model, { episodes: 1, seed: i });
      counts.evaluate.push(tf.memory().numTensors);
      await evaluateAsync(model, { episodes: 1, seed: i, handleSignals: false });
      counts.evaluateAsync.push(tf.memory().numTensors);
      await playCommand({ model: dir, episodes: 1, seed: i, plotly: "cdn" });
      counts.play.push(tf.memory().numTensors);
    }
    model.dispose();
  } finally {
    console.log = log;
  }
  for (const [op, c] of Object.entries(counts)) {
    assert.ok(c.length >= 3, op);
    assert.deepEqual(c, c.map(() => c[0]), `${op}: numTensors ${c.join(", ")}`);
  }
});

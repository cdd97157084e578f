/**
 * Issue 17 §1: a folder a user hands us (a model, a run, a checkpoint) can
 * only name regular files inside itself, each bounded in size; and §6:
 * loadModel leaves no tensors on any error path.
 */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { initBackend, tf } from "../lib/tf";
import { buildQNetwork } from "../lib/agent/q-network";
import { loadModel, MODEL_LIMITS, readModelMetadata, saveModel } from "../lib/agent/model-io";
import { FILE_LIMITS, readFileInFolder } from "../lib/folder-read";
import { readRun, listRuns } from "../lib/runs/read";
import { readSnapshot } from "../lib/train/snapshot-file";
import { runCli } from "../lib/cli/program";

let root: string, good: string;
const fixtureRun = join(__dirname, "fixtures", "page-run");

before(async () => {
  await initBackend();
  root = mkdtempSync(join(tmpdir(), "acrobot-folder-read-"));
  good = join(root, "good");
  const m = buildQNetwork({ hiddenLayers: [8, 8], seed: 1 });
  await saveModel(m, good);
  m.dispose();
  writeFileSync(join(root, "secret.txt"), "a file outside every folder we were handed\n");
});
after(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
/** A copy of the good model with model.json changed by `edit`. */
function modelWith(edit: (json: any, dir: string) => void): string {
  const dir = join(root, `model-${++n}`);
  cpSync(good, dir, { recursive: true });
  const json = JSON.parse(readFileSync(join(good, "model.json"), "utf8"));
  edit(json, dir);
  writeFileSync(join(dir, "model.json"), JSON.stringify(json));
  return dir;
}

/** Runs `f`, expects it to reject matching `re`, and checks no tensor was left behind. */
async function refusedWithoutLeak(f: () => Promise<unknown>, re: RegExp, what: string): Promise<void> {
  const before = tf.memory().numTensors;
  await assert.rejects(f, re, what);
  assert.equal(tf.memory().numTensors, before, `${what}: tensors left behind`);
}

test("a model's weightsManifest paths cannot leave the folder: absolute, .., or a symlink out", async () => {
  const cases: [string, (j: any, d: string) => void, RegExp][] = [
    ["../ to a file outside", (j) => (j.weightsManifest[0].paths = ["../secret.txt"]), /weightsManifest\[0\]\.paths\[0\] must not hold `\.\.`/],
    ["../../../../etc/passwd", (j) => (j.weightsManifest[0].paths = ["../../../../etc/passwd"]), /paths\[0\] must not hold `\.\.`/],
    ["an absolute path", (j) => (j.weightsManifest[0].paths = ["/etc/passwd"]), /paths\[0\] must be relative to the folder, not an absolute path/],
    ["/dev/zero", (j) => (j.weightsManifest[0].paths = ["/dev/zero"]), /must be relative to the folder/],
    ["a symlink out of the folder", (j, d) => { symlinkSync(join(root, "secret.txt"), join(d, "link.bin")); j.weightsManifest[0].paths = ["link.bin"]; }, /refusing to read .*link\.bin: it leads out of the folder/],
    ["a symlink to /dev/zero", (j, d) => { symlinkSync("/dev/zero", join(d, "zero.bin")); j.weightsManifest[0].paths = ["zero.bin"]; }, /refusing to read .*zero\.bin: it leads out of the folder/],
    ["a folder", (j, d) => { mkdirSync(join(d, "sub.bin")); j.weightsManifest[0].paths = ["sub.bin"]; }, /refusing to read .*sub\.bin: it is a folder, not a regular file/],
    ["a FIFO", (j, d) => { spawnSync("mkfifo", [join(d, "fifo.bin")]); j.weightsManifest[0].paths = ["fifo.bin"]; }, /refusing to read .*fifo\.bin: it is a pipe \(FIFO\), not a regular file/],
    ["a path that is not a string", (j) => (j.weightsManifest[0].paths = [42]), /paths\[0\] must be a non-empty file name/],
  ];
  for (const [what, edit, re] of cases) {
    const dir = modelWith(edit);
    const t0 = Date.now();
    await refusedWithoutLeak(() => loadModel(dir), re, what);
    assert.ok(Date.now() - t0 < 60_000, `${what}: answered`);
  }
  // model.json itself as a symlink out of the folder, or a FIFO.
  const linked = modelWith(() => {});
  rmSync(join(linked, "model.json"));
  symlinkSync(join(good, "model.json"), join(linked, "model.json"));
  await refusedWithoutLeak(() => loadModel(linked), /refusing to read .*model\.json: it leads out of the folder/, "model.json a symlink out");
  assert.throws(() => readModelMetadata(linked), /it leads out of the folder/);
  const fifo = modelWith(() => {});
  rmSync(join(fifo, "model.json"));
  spawnSync("mkfifo", [join(fifo, "model.json")]);
  await refusedWithoutLeak(() => loadModel(fifo), /model\.json: it is a pipe \(FIFO\), not a regular file/, "model.json a FIFO");
});

test("weights are checked against the manifest's shapes before a byte is read; shapes and units are bounded, naming the field", async () => {
  const huge = modelWith((_, d) => truncateSync(join(d, "weights.bin"), 5 * 1024 * 1024 * 1024)); // sparse: 5 GiB that would take 5 GiB to read
  await refusedWithoutLeak(() => loadModel(huge), /weights\.bin: it holds 5120 MiB, more than the 256 MiB allowed for it/, "a 5 GiB weights file");
  const longer = modelWith((_, d) => writeFileSync(join(d, "weights.bin"), Buffer.concat([readFileSync(join(good, "weights.bin")), Buffer.alloc(4)])));
  await refusedWithoutLeak(() => loadModel(longer), /the weights hold \d+ bytes but model\.json describes \d+/, "4 bytes too many");
  const cases: [string, (j: any) => void, RegExp][] = [
    ["a shape of 10^9", (j) => (j.weightsManifest[0].weights[0].shape = [1_000_000_000, 1]), /weightsManifest\[0\]\.weights\[0\]\.shape must be a list of at most 4 whole numbers from 0 to 65536/],
    ["shapes past 256 MiB", (j) => (j.weightsManifest[0].weights[0].shape = [65536, 65536]), /weights\[0\]\.shape brings the weights past 256 MiB/],
    ["a negative dimension", (j) => (j.weightsManifest[0].weights[0].shape = [-6, 8]), /weights\[0\]\.shape must be a list/],
    ["a dtype", (j) => (j.weightsManifest[0].weights[0].dtype = "complex64"), /weights\[0\]\.dtype must be float32, int32 or bool/],
    ["quantized weights", (j) => (j.weightsManifest[0].weights[0].quantization = { dtype: "uint8" }), /weights\[0\]\.quantization is not supported/],
    ["units of 10^9", (j) => (j.modelTopology.config.layers[1].config.units = 1_000_000_000), /modelTopology\.config\.layers\[1\]\.config\.units must be a whole number from 1 to 65536/],
    ["an input shape of 10^9", (j) => (j.modelTopology.config.layers[0].config.batch_input_shape = [null, 1_000_000_000]), /layers\[0\]\.config\.batch_input_shape must be a list of at most 5 sizes/],
    ["layers that are not a list (found by the fuzzer)", (j) => (j.modelTopology.config.layers = { a: true }), /modelTopology\.config\.layers must be a list of layers/],
    ["a layer without a class name", (j) => (j.modelTopology.config.layers[0] = { config: {} }), /modelTopology\.config\.layers\[0\] must be \{class_name, config\}/],
    ["a manifest entry that is not an object", (j) => (j.weightsManifest[0] = "weights.bin"), /weightsManifest\[0\] must be an object with lists paths and weights/],
  ];
  for (const [what, edit, re] of cases) await refusedWithoutLeak(() => loadModel(modelWith(edit)), re, what);
  assert.equal(MODEL_LIMITS.units, 65536);
});

test("loadModel on a model TensorFlow.js cannot build leaves no tensors, every time", async () => {
  const cases: [string, (j: any) => void][] = [
    ["units that do not fit the weights", (j) => (j.modelTopology.config.layers[2].config.units = 9)],
    ["a layer class tfjs does not know", (j) => (j.modelTopology.config.layers[1].class_name = "NoSuchLayer")],
    ["a weight renamed", (j) => (j.weightsManifest[0].weights[0].name = "nope/kernel")],
    ["an activation tfjs does not know", (j) => (j.modelTopology.config.layers[1].config.activation = "nope")],
  ];
  for (const [what, edit] of cases) {
    const dir = modelWith(edit);
    for (let i = 0; i < 3; i++) await refusedWithoutLeak(() => loadModel(dir), /corrupt saved model in .*: TensorFlow\.js could not rebuild it \(/, what);
  }
  // And the good one still loads (and its tensors are its own to dispose).
  const before = tf.memory().numTensors;
  const m = await loadModel(good);
  m.dispose();
  assert.equal(tf.memory().numTensors, before);
});

test("run folders: meta, config, summary, the log and the snapshot are read only from inside, as regular files, bounded", () => {
  const run = (name: string) => {
    const d = join(root, name);
    cpSync(fixtureRun, d, { recursive: true });
    return d;
  };
  const linked = run("run-linked-config");
  rmSync(join(linked, "config.json"));
  symlinkSync(join(root, "secret.txt"), join(linked, "config.json"));
  assert.throws(() => readRun(linked), /refusing to read .*config\.json: it leads out of the folder/);

  const fifoLog = run("run-fifo-log");
  rmSync(join(fifoLog, "episodes.jsonl"));
  spawnSync("mkfifo", [join(fifoLog, "episodes.jsonl")]);
  assert.throws(() => readRun(fifoLog), /episodes\.jsonl: it is a pipe \(FIFO\), not a regular file/);

  const bigSummary = run("run-big-summary");
  truncateSync(join(bigSummary, "summary.json"), FILE_LIMITS.smallJson + 1);
  assert.throws(() => readRun(bigSummary), /summary\.json: it holds .* more than the 1 MiB allowed for it/);
  assert.throws(() => listRuns(bigSummary), /summary\.json: it holds .* more than the 1 MiB allowed/);

  const badMeta = run("run-bad-meta");
  const meta = JSON.parse(readFileSync(join(badMeta, "meta.json"), "utf8"));
  writeFileSync(join(badMeta, "meta.json"), JSON.stringify({ ...meta, seed: "one" }));
  assert.throws(() => readRun(badMeta), /meta\.json: field seed must be a whole number >= 0, got "one"/);

  const linkedModel = run("run-linked-model");
  rmSync(join(linkedModel, "model"), { recursive: true });
  symlinkSync(good, join(linkedModel, "model"));
  assert.throws(() => readRun(linkedModel), /refusing to read .*model: it leads out of the folder/);

  assert.throws(() => readFileInFolder(root, "../etc/passwd", 100), /the name must not hold `\.\.`/);
  assert.throws(() => readFileInFolder(root, "/etc/passwd", 100), /must be relative to the folder/);
});

test("play on a run folder whose model/ is a symlink out of it refuses in one line", async () => {
  const dir = join(root, "run-play-linked");
  cpSync(fixtureRun, dir, { recursive: true });
  rmSync(join(dir, "model"), { recursive: true });
  symlinkSync(good, join(dir, "model"));
  const errors: string[] = [];
  const log = console.log, error = console.error;
  console.log = () => {};
  console.error = (...a: unknown[]) => void errors.push(a.join(" "));
  try {
    await assert.rejects(runCli(["play", "--model", dir, "--episodes", "1"]), /refusing to read .*model: it leads out of the folder/);
  } finally {
    Object.assign(console, { log, error });
  }
});

test("a checkpoint's snapshot.bin is checked against snapshot.json before reading, and read only from inside", () => {
  const dir = join(root, "checkpoint");
  mkdirSync(dir);
  const json = {
    format: "acrobot-dqn-snapshot", version: 1, config: {}, records: [], envSteps: 0, seconds: 0, rng: [1], envRng: null,
    online: { names: ["w"], shapes: [[2]], values: [{ kind: "f32", offset: 0, length: 2 }] }, target: null,
    optimizer: { names: [], shapes: [], values: [] },
    memory: { capacity: 1, stateSize: 1, next: 0, count: 0, states: { kind: "f32", offset: 8, length: 1 }, actions: { kind: "i32", offset: 12, length: 1 }, rewards: { kind: "f32", offset: 16, length: 1 }, nextStates: { kind: "f32", offset: 20, length: 1 }, dones: { kind: "f32", offset: 24, length: 1 } },
  };
  writeFileSync(join(dir, "snapshot.json"), JSON.stringify(json));
  writeFileSync(join(dir, "snapshot.bin"), Buffer.alloc(28));
  assert.equal(readSnapshot(dir).online.values[0].length, 2);
  const run = join(root, "run-linked-checkpoint");
  mkdirSync(run);
  symlinkSync(dir, join(run, "checkpoint"));
  assert.throws(() => readSnapshot(join(run, "checkpoint")), /refusing to read .*checkpoint: it leads out of the folder .*run-linked-checkpoint/);
  truncateSync(join(dir, "snapshot.bin"), 3 * 1024 * 1024 * 1024);
  assert.throws(() => readSnapshot(dir), /snapshot\.bin: it holds 3072 MiB, more than the 2048 MiB allowed/);
  truncateSync(join(dir, "snapshot.bin"), 32);
  assert.throws(() => readSnapshot(dir), /snapshot\.bin holds 32 bytes but snapshot\.json describes 28/);
  rmSync(join(dir, "snapshot.bin"));
  symlinkSync("/dev/zero", join(dir, "snapshot.bin"));
  assert.throws(() => readSnapshot(dir), /snapshot\.bin: it leads out of the folder/);
  writeFileSync(join(dir, "snapshot.json"), JSON.stringify({ ...json, memory: { ...json.memory, states: { kind: "f32", offset: 0, length: 1e12 } } }));
  assert.throws(() => readSnapshot(dir), /corrupt snapshot .*\(the array references\) must each be \{kind, offset, length\}/);
});

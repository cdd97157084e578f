/**
 * lib/tf-wasm-threads.ts: the threaded wasm build under Node, on real tfjs and real worker
 * threads. The thread count and its limits; the build starting with 2 threads and passing its
 * self-check; a DQN update on 2 threads giving the same bits as on 1; stopping the threads;
 * a script on 2 threads exiting by itself; a notebook training on 2 threads in the tslab kernel;
 * the pool's children keeping trainings x threads <= cores.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { tf, initBackend, describeBackend, stopWasmThreads } from "../lib/tf";
import { WASM_THREADS_ENV, childEnvForJobs, startWasmThreads, threadsForJobs, wasmThreadsRunning, wasmThreadsWanted } from "../lib/tf-wasm-threads";
import { compareQLossPasses } from "../lib/tf-self-check";
import { buildQNetwork } from "../lib/agent/q-network";
import { tdUpdate, type TdOptions } from "../lib/agent/td-update";
import { makeOptimizer } from "../lib/agent/adam";
import { makeRng } from "../lib/random";
import { runNotebook } from "./notebook-runner";
import { trainingPool, type TrainingJob } from "../lib/runs/training-pool";
import { presets } from "../lib/train/presets";
import { randomBatch } from "./random-batch";

const ROOT = path.resolve(__dirname, "..");

test("ACROBOT_DQN_WASM_THREADS: unset means 1, whole numbers 1-8 or auto, anything else a clear error", () => {
  assert.equal(wasmThreadsWanted({}), 1);
  assert.equal(wasmThreadsWanted({ [WASM_THREADS_ENV]: " " }), 1);
  assert.equal(wasmThreadsWanted({ [WASM_THREADS_ENV]: "2" }), 2);
  assert.equal(wasmThreadsWanted({ [WASM_THREADS_ENV]: "8" }), 8);
  assert.equal(wasmThreadsWanted({ [WASM_THREADS_ENV]: "AUTO" }), threadsForJobs(1));
  for (const bad of ["0", "9", "1.5", "-2", "two", "2x"]) {
    assert.throws(() => wasmThreadsWanted({ [WASM_THREADS_ENV]: bad }), (e: Error) =>
      e.message.includes(`"${bad}"`) && e.message.includes("whole numbers 1-8") && e.message.includes('"auto"'), bad);
  }
});

test("threads per training: trainings x threads <= cores, at least 1; pool children get that in their environment", () => {
  assert.equal(threadsForJobs(1, 2), 2);
  assert.equal(threadsForJobs(2, 2), 1);
  assert.equal(threadsForJobs(3, 2), 1);
  assert.equal(threadsForJobs(2, 8), 4);
  assert.equal(threadsForJobs(1, 64), 4); // the update's matrices gain nothing past 4
  for (let jobs = 1; jobs <= 4; jobs++) for (const cores of [1, 2, 3, 4, 8]) assert.ok(jobs * threadsForJobs(jobs, cores) <= Math.max(cores, jobs));
  const cores = availableParallelism();
  // A pool that fills the cores: one thread per job, whatever the parent asked for.
  assert.equal(childEnvForJobs(cores, { [WASM_THREADS_ENV]: "auto" })[WASM_THREADS_ENV], "1");
  assert.equal(childEnvForJobs(cores, { [WASM_THREADS_ENV]: "8" })[WASM_THREADS_ENV], "1");
  // One job alone may use the cores, but never more threads than the parent's setting.
  assert.equal(childEnvForJobs(1, { [WASM_THREADS_ENV]: "auto" })[WASM_THREADS_ENV], String(threadsForJobs(1)));
  assert.equal(childEnvForJobs(1, {})[WASM_THREADS_ENV], "1");
  assert.equal(childEnvForJobs(1, { OTHER: "kept" }).OTHER, "kept");
});

test("the self-check's comparison: identical passes agree exactly, one value off by 1e-3 is named", () => {
  const pass = [Float32Array.of(0.5), Float32Array.of(1, 2, 3), Float32Array.of(4), Float32Array.of(5, 6), Float32Array.of(7)];
  assert.deepEqual(compareQLossPasses(pass, pass, "2 threads", "1 thread"), { mismatch: null, worst: 0 });
  const off = pass.map((a) => a.slice());
  off[1][2] += 1e-3 * 3;
  const r = compareQLossPasses(off, pass, "2 threads", "1 thread");
  assert.match(r.mismatch ?? "", /^dL\/dW1\[2\] is 3\.00\d+ on 2 threads, 3 on 1 thread$/);
  assert.ok(r.worst > 1e-4);
});

/** 10 updates of `improved`'s size and update (Huber, clipping, Double DQN): the losses and the final weights. */
function trainALittle(): { losses: number[]; weights: Float32Array[] } {
  const o: TdOptions = { gamma: 0.99, loss: "huber", doubleDqn: true, gradClipNorm: 10 };
  const online = buildQNetwork({ hiddenLayers: [256, 256], seed: 5 });
  const target = buildQNetwork({ hiddenLayers: [256, 256], seed: 6 });
  const optimizer = makeOptimizer(1e-3);
  const batch = randomBatch(makeRng(3), 128);
  const losses: number[] = [];
  for (let u = 0; u < 10; u++) losses.push(tdUpdate(batch, online, target, optimizer, o));
  const weights = online.getWeights().map((w) => Float32Array.from(w.dataSync()));
  [online, target, optimizer].forEach((x) => x.dispose());
  return { losses, weights };
}

test("2 threads: the threaded build starts, passes its self-check, gives a DQN update the same bits as 1 thread, and stops", async () => {
  const saved = process.env[WASM_THREADS_ENV];
  process.env[WASM_THREADS_ENV] = "2";
  try {
    await initBackend("wasm");
  } finally {
    if (saved === undefined) delete process.env[WASM_THREADS_ENV];
    else process.env[WASM_THREADS_ENV] = saved;
  }
  assert.equal(wasmThreadsRunning(), 2, describeBackend());
  assert.match(describeBackend(), /backend wasm \(XNNPACK, SIMD, 2 threads, self-check passed/);
  assert.equal(tf.memory().numTensors, 0, "the self-check left tensors behind");

  const before = tf.memory().numTensors;
  const threaded = trainALittle();
  assert.equal(tf.memory().numTensors, before, "tensors leaked on 2 threads");

  await stopWasmThreads();
  assert.equal(wasmThreadsRunning(), 1);
  assert.match(describeBackend(), /backend wasm \(XNNPACK, SIMD, 1 thread,/);
  const single = trainALittle();

  // XNNPACK splits a matrix product by output tiles, so each sum runs in the same order on any thread count.
  assert.deepEqual(threaded.losses, single.losses);
  assert.equal(threaded.weights.length, single.weights.length);
  threaded.weights.forEach((w, i) => assert.ok(Buffer.from(w.buffer).equals(Buffer.from(single.weights[i].buffer)), `weight ${i} differs between 2 threads and 1`));
});

test("a failed start leaves the one-thread backend working, with a one-line note saying why", async () => {
  await initBackend("wasm");
  await stopWasmThreads();
  assert.equal(wasmThreadsRunning(), 1);
  const tensors = tf.memory().numTensors;
  const warnings: string[] = [];
  const warn = console.warn;
  console.warn = (...args: unknown[]) => void warnings.push(args.map(String).join(" "));
  let outcome;
  try {
    // The start itself fails (as when the workers cannot be created).
    outcome = await startWasmThreads(2, async () => tf.setBackend("wasm"), () => Promise.reject(new Error("no workers here")));
  } finally {
    console.warn = warn;
  }
  assert.equal(outcome.threads, 1);
  assert.equal(outcome.note, "wasm threads off (the threaded build failed its start: no workers here); using 1 thread");
  assert.deepEqual(warnings, [`acrobot-dqn: ${outcome.note}`]);
  assert.equal(tf.getBackend(), "wasm");
  assert.equal(wasmThreadsRunning(), 1);
  assert.deepEqual(Array.from(tf.tidy(() => tf.matMul(tf.ones([2, 3]), tf.ones([3, 2]))).dataSync()), [3, 3, 3, 3]);

  // The threaded build starts but "wasm" cannot be activated: its workers are ended, one thread again.
  console.warn = () => undefined;
  try {
    let calls = 0;
    outcome = await startWasmThreads(2, async () => (++calls === 1 ? false : tf.setBackend("wasm")), (start) => start());
  } finally {
    console.warn = warn;
  }
  assert.match(outcome.note, /failed its activate: tf\.setBackend\("wasm"\) failed\); using 1 thread$/);
  assert.equal(wasmThreadsRunning(), 1);
  assert.equal(tf.getBackend(), "wasm");
  assert.equal(tf.tidy(() => tf.sum(tf.ones([4]))).dataSync()[0], 4);
  assert.equal(tf.memory().numTensors, tensors + 2, "only the two results above are left");
});

test("a script on 2 threads exits by itself when its work is done", async () => {
  const script = path.join(ROOT, "test", "fixtures", "wasm-threads-child.ts");
  const child = spawn(process.execPath, ["--import", pathToFileURL(require.resolve("tsx")).href, script], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, [WASM_THREADS_ENV]: "2" },
  });
  let stdout = "", stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  // Generous: a loaded machine starts 8 workers slowly; a live worker would keep it running forever.
  const killer = setTimeout(() => child.kill("SIGKILL"), 180_000);
  const code = await new Promise<number | null>((resolve) => child.on("close", (c) => resolve(c)));
  clearTimeout(killer);
  assert.equal(code, 0, `the script did not exit by itself (code ${code}): ${stderr.slice(-500)}`);
  const line = JSON.parse(stdout.trim().split("\n").pop() ?? "{}") as { backend?: string; finite?: boolean };
  assert.match(line.backend ?? "", /2 threads, self-check passed/);
  assert.equal(line.finite, true);
});

test("inside the tslab kernel (CommonJS): notebook 01's solution trains on 2 threads (smoke budget)", async () => {
  const scratch = mkdtempSync(path.join(tmpdir(), "acrobot-dqn-threads-"));
  try {
    const env = { ACROBOT_DQN_SMOKE: "1", ACROBOT_DQN_RUNS: path.join(scratch, "runs"), ACROBOT_DQN_MODELS: path.join(scratch, "models"), [WASM_THREADS_ENV]: "2" };
    const run = await runNotebook(path.join(ROOT, "notebooks", "01-naive-dqn-solution.ipynb"), { env, cellTimeoutMs: 300_000 });
    const bad = run.cells.filter((c) => c.status !== "ok").map((c) => `cell ${c.index}: ${c.error?.ename} ${c.error?.evalue}`);
    assert.ok(run.ok, `${bad.join("\n")}${run.problem ?? ""}\n${run.stderr.slice(-1000)}`);
    assert.deepEqual(run.uncaughtErrors, []);
    const out = run.cells.flatMap((c) => c.outputs).map((o) => (o.output_type === "stream" ? o.text : o.output_type === "error" ? o.evalue : Object.values(o.data).map(String).join("\n"))).join("\n");
    assert.match(out, /backend wasm \(XNNPACK, SIMD, 2 threads, self-check passed/);
    assert.match(out, /reached the episode budget \(2\)/);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
});

test("pool children: with ACROBOT_DQN_WASM_THREADS=auto, jobs that fill the cores run 1 thread each; one job alone runs cores threads", async () => {
  const scratch = mkdtempSync(path.join(tmpdir(), "acrobot-dqn-threads-pool-"));
  const saved = process.env[WASM_THREADS_ENV];
  process.env[WASM_THREADS_ENV] = "auto";
  try {
    const cores = availableParallelism();
    const job = (name: string, seed: number): TrainingJob => ({ name, config: { ...presets.fast, hiddenLayers: [16], maxEpisodes: 1, seed }, dir: path.join(scratch, name) });
    const filled = await trainingPool({ jobs: cores }).train([job("a", 1), job("b", 2)], { chart: false });
    const alone = await trainingPool({ jobs: 1 }).train([job("c", 3)], { chart: false });
    const threads = (backend: string) => Number(/(\d+) threads?\b/.exec(backend)?.[1]);
    for (const run of filled) assert.equal(threads(run.meta.backend), threadsForJobs(Math.min(cores, 2)), run.meta.backend);
    assert.equal(threads(alone[0].meta.backend), threadsForJobs(1), alone[0].meta.backend);
    if (threadsForJobs(1) > 1) assert.match(alone[0].meta.backend, /self-check passed/);
  } finally {
    if (saved === undefined) delete process.env[WASM_THREADS_ENV];
    else process.env[WASM_THREADS_ENV] = saved;
    rmSync(scratch, { recursive: true, force: true });
  }
});

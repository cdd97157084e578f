/**
 * trainingPool: independent trainings side by side, each a worker of
 * lib/runs/jobs.ts in a child process. Checked for real: the runs overlap in time with
 * two at once and do not with one; each child trains exactly what train()
 * trains in this process; a rerun replaces our earlier run folder whole; a
 * stop (SIGINT, as the stop button sends) ends every running job as
 * interrupted and skips the rest; bad jobs are refused before anything starts.
 */
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { trainingPool, type TrainingJob } from "../lib/runs/training-pool";
import { nearestPreset, trainingJob } from "../lib/runs/training-job";
import { readEpisodeLog, runLabel, type Run } from "../lib/runs/read";
import { FILES } from "../lib/runs/format";
import { LOCK_FILE } from "../lib/runs/lock";
import { configToJson, resolveConfig } from "../lib/train/config";
import { presets } from "../lib/train/presets";
import { train } from "../lib/train/trainer";
import { initBackend, tf } from "../lib/tf";
import { until } from "./cli-process";

const root = mkdtempSync(join(tmpdir(), "acrobot-pool-"));
after(() => rmSync(root, { recursive: true, force: true }));

/** Two small jobs of different chapters, seconds each. */
function smallJobs(dir: string): TrainingJob[] {
  return [
    { name: "fast, small", config: { ...presets.fast, hiddenLayers: [16], maxEnvSteps: 1500, seed: 3 }, dir: join(dir, "a") },
    { name: "step 1", config: { ...presets.target, gamma: 0.99, hiddenLayers: [16, 16], maxEpisodes: 3, seed: 4 }, dir: join(dir, "b") },
  ];
}

/** [start, end] of a run in ms, from its meta and summary. */
function span(run: Run): [number, number] {
  return [Date.parse(run.meta.startedAt), Date.parse(run.summary!.updatedAt)];
}
const overlap = (a: [number, number], b: [number, number]) => a[0] < b[1] && b[0] < a[1];
/** An episode record without its wall-clock fields. */
const played = (r: object) => Object.fromEntries(Object.entries(r).filter(([k]) => k !== "seconds"));

test("two at once: the runs overlap in time, each trains exactly what train() trains here, and is recorded under its name", async () => {
  const jobs = smallJobs(join(root, "parallel"));
  // When each job's worker ended, as the parent saw it; with its wall time, when it was started. (The runs'
  // own clocks start once a worker has loaded TensorFlow.js, so under load a tiny job can finish before the
  // other's clock starts: that says nothing about whether the pool ran them at once.)
  const ended: number[] = [];
  const pool = trainingPool({ jobs: 2, display: () => ({ line: (i, text, always) => void (always && text !== "started" && (ended[i] = performance.now())), chart: () => {} }) });
  const runs = await pool.train(jobs);
  assert.deepEqual(runs.map((r) => runLabel(r.meta)), ["fast, small", "step 1"]);
  const lives = (await pool.results()).map((r, i): [number, number] => [ended[i] - r.wallSeconds * 1000, ended[i]]);
  assert.ok(overlap(lives[0], lives[1]), `the pool did not run the two jobs at once: their workers lived ${JSON.stringify(lives)}`);
  await initBackend();
  for (const [i, job] of jobs.entries()) {
    const run = runs[i];
    assert.deepEqual(run.config, configToJson(resolveConfig(job.config)), `${job.name}: the child trained the job's config, field for field`);
    const here = await train(job.config);
    here.model.dispose();
    assert.deepEqual(run.records.map(played), here.records.map(played), `${job.name}: the same episodes, losses and Q-values as train() in this process`);
    assert.deepEqual(readdirSync(job.dir).filter((n) => n === LOCK_FILE || n.includes(".tmp-")), [], "no lock or scratch file left");
  }
  assert.equal(runs[1].meta.preset, "target", "recorded as the preset it differs from least");
  assert.deepEqual(runs[1].meta.overrides, { hiddenLayers: [16, 16], gamma: 0.99 });
  assert.deepEqual(readdirSync(join(root, "parallel")).sort(), ["a", "b"], "nothing beside the run folders");
  assert.deepEqual((await pool.runs()).map((r) => r.dir), runs.map((r) => r.dir), "runs() gives the same runs again");
  assert.equal(tf.memory().numTensors, 0, "no tensors left in this process");
});

test("one at a time: the runs do not overlap; a higher priority starts first, and results keep the list's order", async () => {
  const [a, b] = smallJobs(join(root, "sequential"));
  const pool = trainingPool({ jobs: 1 });
  const runs = await pool.train([a, { ...b, priority: 1 }]);
  assert.deepEqual(runs.map((r) => runLabel(r.meta)), ["fast, small", "step 1"], "in the list's order");
  assert.deepEqual((await pool.results()).map((r) => r.job.name), ["fast, small", "step 1"]);
  assert.ok(!overlap(span(runs[0]), span(runs[1])), `with jobs: 1 the runs overlapped: ${JSON.stringify(runs.map(span))}`);
  assert.ok(span(runs[1])[1] <= span(runs[0])[0], "the priority-1 job ran first");
  await assert.rejects(pool.train([{ ...a, priority: Number.NaN }]), /priority must be a number \(higher starts first\), got null/);
});

test("a rerun replaces our earlier run whole; a folder we did not write is refused before any job starts", async () => {
  const dir = join(root, "rerun");
  const jobs = smallJobs(dir);
  await trainingPool({ jobs: 2 }).train(jobs);
  const before = readFileSync(join(dir, "a", FILES.meta), "utf8");
  writeFileSync(join(dir, "a", "notes.txt"), "mine"); // not a run's file: the folder is no longer ours alone
  await assert.rejects(trainingPool().train(jobs), /refusing to replace the run folder .*a: it also holds notes\.txt/);
  assert.equal(readFileSync(join(dir, "a", FILES.meta), "utf8"), before, "the refused rerun changed nothing");
  assert.equal(readEpisodeLog(join(dir, "b", FILES.episodes)).length, 3, "nor the other job's folder");
  rmSync(join(dir, "a", "notes.txt"));
  const again = await trainingPool({ jobs: 2 }).train(jobs.map((j) => ({ ...j, config: { ...j.config, seed: 9 } })));
  assert.deepEqual(again.map((r) => r.meta.seed), [9, 9], "the new runs are in place");
  assert.deepEqual(readdirSync(dir).sort(), ["a", "b"], "the earlier runs are gone whole, no scratch copy beside them");
});

test("SIGINT (the stop button) stops every running job, each saved as interrupted; jobs not started are skipped", async () => {
  const dir = join(root, "stopped");
  const long = (seed: number): TrainingJob => ({ name: `naive ${seed}`, config: { ...presets.naive, hiddenLayers: [32], maxEpisodes: 5000, seed }, dir: join(dir, `naive-${seed}`) });
  const pool = trainingPool({ jobs: 2 });
  const training = pool.train([long(1), long(2), long(3)]);
  const logged = (seed: number) => {
    const tmp = readdirSync(dir).find((n) => n.startsWith(`naive-${seed}.tmp-`));
    return tmp !== undefined && existsSync(join(dir, tmp, FILES.episodes)) && readEpisodeLog(join(dir, tmp, FILES.episodes)).length >= 2;
  };
  await until(() => existsSync(dir) && logged(1) && logged(2), "both running jobs' second episode");
  // Run again while they train (a second click on the cell): refused, and the running jobs' scratch folders are left alone.
  await assert.rejects(trainingPool({ jobs: 1 }).train([long(1)]), /naive-1\.tmp-\d+ is being written by process \d+ \(a training started earlier in this kernel\); wait for it to end/);
  assert.ok(logged(1) && logged(2), "the running jobs' folders are untouched");
  process.kill(process.pid, "SIGINT"); // the pool listens while it trains, as in the kernel
  const runs = await training;
  const results = await pool.results();
  assert.deepEqual(results.map((r) => r.status), ["interrupted", "interrupted", "skipped"]);
  assert.equal(runs.length, 2);
  for (const run of runs) {
    assert.equal(run.summary?.status, "interrupted");
    assert.ok(run.records.length >= 2 && run.records.length < 5000, `${run.name}: kept the ${run.records.length} episodes played`);
    assert.ok(existsSync(join(run.dir, FILES.checkpoint)), "with a checkpoint to resume from");
  }
  assert.deepEqual(readdirSync(dir).sort(), ["naive-1", "naive-2"], "the skipped job wrote nothing, and no scratch folder is left");
});

test("bad jobs are refused with what is allowed, before anything starts", async () => {
  const dir = join(root, "bad");
  const ok = (name: string): TrainingJob => ({ name, config: { ...presets.fast, maxEnvSteps: 100 }, dir: join(dir, name) });
  const cases: [unknown, RegExp][] = [
    [[], /train needs a list of jobs/],
    [[{ ...ok("x"), config: { learningRate: -1 } }], /job "x": config\.learningRate must be a number > 0/],
    [[ok("x"), { ...ok("y"), dir: join(dir, "x") }], /jobs "x" and "y" would both write .*x: give each job its own dir/],
    [[{ ...ok("x"), name: "" }], /name must be a name that is not empty/],
    [[{ ...ok("x"), name: "a\nb" }], /name must be one line of text/],
    [[{ ...ok("x"), dir: "" }], /dir must be a folder name/],
    [[{ ...ok("x"), config: { reward: () => 0 } }], /^RangeError: job "x": config\.reward is a function written in this kernel; a job runs in its own process and can only take a named reward: one of "env", "tipHeight", "carEnergy"; train it in the kernel with dqn\.train/],
    [[{ ...ok("x"), preset: "chapter9" }], /unknown preset "chapter9"; the presets are: naive, replay/],
  ];
  for (const [jobs, message] of cases) await assert.rejects(trainingPool().train(jobs as TrainingJob[]), message);
  assert.throws(() => trainingPool({ jobs: 0 }), /jobs must be a whole number >= 1/);
  await assert.rejects(trainingPool().train([ok("x")], { evalEpisodes: -1 }), /evalEpisodes must be a whole number >= 0/);
  await assert.rejects(trainingPool().runs(), /nothing trained yet: run the training cell first/);
  mkdirSync(join(dir, "theirs"), { recursive: true });
  writeFileSync(join(dir, "theirs", "data.csv"), "1,2");
  await assert.rejects(trainingPool().train([ok("x"), { ...ok("y"), dir: join(dir, "theirs") }]), /refusing to save a run into .*theirs: it holds files and is not a run folder/);
  assert.deepEqual(readdirSync(dir), ["theirs"], "no job started");
});

test("a job for its worker: the nearest preset, the changed fields as overrides, the resolved config as JSON", () => {
  assert.equal(nearestPreset({ ...presets.improved, doubleDqn: true }), "improved");
  assert.equal(nearestPreset(presets.tipHeight), "tipHeight");
  const config = { ...presets.improved, learningRate: 6.3e-3, reward: "tipHeight" as const, seed: 7, maxEnvSteps: 25_000 };
  const job = trainingJob({ name: "x", config, dir: "runs/x" }, { evalEpisodes: 0 });
  assert.equal(job.preset, "improved");
  assert.deepEqual(job.overrides, { learningRate: 6.3e-3, reward: "tipHeight" }, "the seed and budgets are not overrides");
  assert.deepEqual(job.config, configToJson(resolveConfig(config)), "the worker is sent the resolved config, field for field");
  assert.deepEqual(JSON.parse(JSON.stringify(job)), job, "all of it plain JSON");
  assert.deepEqual([job.seed, job.label, job.dir, job.evalEpisodes], [7, "x", "runs/x", 0]);
});

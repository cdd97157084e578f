/**
 * lib/runs/jobs.ts with real worker processes and tiny budgets: the
 * worker's events arrive in order and match the run folder it wrote; a stop
 * request stops every running job (each saved as interrupted) and skips the
 * rest; a job that fails or is killed is reported with its message while the
 * others finish; a config holding a function is refused before any job starts.
 */
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeJob, runJobs, signalExitCode, type Job, type JobEvents } from "../lib/runs/jobs";
import { lockHolder } from "../lib/runs/lock";
import { readRun } from "../lib/runs/read";
import { FILES, type RunStart } from "../lib/runs/format";
import { configToJson, resolveConfig, type TrainConfig } from "../lib/train/config";
import { presets } from "../lib/train/presets";
import type { EpisodeRecord } from "../lib/train/trainer";
import type { Evaluation } from "../lib/train/periodic-eval";
import { writeRunChart } from "../lib/viz/run-pages";
import type { RunChart } from "../lib/runs/run-folder-writer";
import { until } from "./cli-process";

const root = mkdtempSync(join(tmpdir(), "acrobot-jobs-"));
after(() => rmSync(root, { recursive: true, force: true }));

const small = (seed: number, more: Partial<TrainConfig> = {}): TrainConfig => resolveConfig({ ...presets.fast, hiddenLayers: [8], maxEnvSteps: 600, seed, ...more });
const job = (name: string, dir: string, config: TrainConfig, evalEpisodes = 0): Job =>
  makeJob({ name, config, preset: "fast", overrides: { hiddenLayers: [8] }, label: name, dir, evalEpisodes, commandLine: `jobs.test ${name}` });

/** Every event, per job name. */
function recorder() {
  const seen = new Map<string, { start: RunStart[]; episodes: EpisodeRecord[]; evaluations: Evaluation[] }>();
  const of = (j: Job) => seen.get(j.name) ?? seen.set(j.name, { start: [], episodes: [], evaluations: [] }).get(j.name)!;
  const events: JobEvents = {
    started: (j, info) => void of(j).start.push(info),
    episode: (j, r) => void of(j).episodes.push(r),
    evaluation: (j, e) => void of(j).evaluations.push(e),
  };
  return { events, seen };
}

const chart: RunChart = (dir, title, run) => writeRunChart(dir, title, run.records, run.summary, "cdn", run.evaluations);

test("events arrive in order and match what the worker wrote: start, every episode, every evaluation, the end's summary; the parent draws the chart", async () => {
  const dir = join(root, "events");
  const jobs = [job("a", join(dir, "a"), small(1, { evalEvery: 200, evalEpisodes: 1 }), 1), job("b", join(dir, "b"), small(2))];
  const { events, seen } = recorder();
  const results = await runJobs({ jobs, concurrency: 2, events, chart }).done;
  for (const [i, r] of results.entries()) {
    const j = jobs[i];
    assert.equal(r.job, j);
    assert.equal(r.status, "unsolved", `${j.name}: ${r.error}`);
    assert.equal(r.exitCode, 0);
    assert.equal(r.error, null);
    const run = readRun(j.dir);
    assert.deepEqual(run.config, configToJson(resolveConfig(j.config)), "the worker trained the config it was sent");
    assert.equal(run.meta.label, j.name);
    assert.equal(run.meta.commandLine, `jobs.test ${j.name}`);
    assert.deepEqual(run.summary, r.summary, "the end message carries the summary it wrote");
    const got = seen.get(j.name)!;
    assert.equal(got.start.length, 1);
    assert.equal(got.start[0].runDir, j.dir);
    assert.deepEqual(got.episodes.map((e) => e.episode), run.records.map((e) => e.episode), "an episode event per logged episode, in order");
    assert.deepEqual(got.episodes, run.records.map((e) => ({ ...e })), "the same records, field for field");
    assert.deepEqual(got.evaluations, run.evaluations);
    assert.ok(existsSync(join(j.dir, FILES.chartHtml)) && existsSync(join(j.dir, FILES.chartSvg)), "the chart, drawn by the parent");
    assert.equal(lockHolder(j.dir), null, "the worker let go of the folder");
  }
  assert.ok(seen.get("a")!.evaluations.length >= 2, "job a evaluated every 200 env steps");
  assert.equal(results[0].summary?.evaluation?.episodes, 1, "and played its greedy episode at the end");
  assert.equal(seen.get("b")!.evaluations.length, 0);
});

test("a stop request: every running job saves itself as interrupted, exit code 130; jobs not started are skipped", async () => {
  const dir = join(root, "stop");
  const long = (n: number) => job(`long ${n}`, join(dir, `long-${n}`), small(n, { maxEnvSteps: 1_000_000, maxEpisodes: 10_000 }));
  const { events, seen } = recorder();
  const jobs = runJobs({ jobs: [long(1), long(2), long(3)], concurrency: 2, events });
  await until(() => ["long 1", "long 2"].every((n) => (seen.get(n)?.episodes.length ?? 0) >= 2), "two episodes of each running job", 120_000);
  jobs.stop("SIGINT");
  const results = await jobs.done;
  assert.deepEqual(results.map((r) => r.status), ["interrupted", "interrupted", "skipped"]);
  assert.deepEqual(results.map((r) => r.exitCode), [signalExitCode("SIGINT"), signalExitCode("SIGINT"), null]);
  assert.equal(signalExitCode("SIGINT"), 130);
  for (const r of results.slice(0, 2)) {
    const run = readRun(r.job.dir);
    assert.equal(run.summary?.status, "interrupted");
    assert.ok(run.records.length >= 2, "kept the episodes played");
    assert.ok(existsSync(join(r.job.dir, FILES.checkpoint)), "with a checkpoint to resume from");
  }
  assert.ok(!existsSync(join(dir, "long-3")), "the skipped job wrote nothing");
});

test("a job that fails or is killed is reported with its message; the others finish", async () => {
  const dir = join(root, "crash");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "a-file"), "not a folder");
  const blocked = job("blocked", join(dir, "a-file", "run"), small(1));
  const killed = job("killed", join(dir, "killed"), small(2, { maxEnvSteps: 1_000_000, maxEpisodes: 10_000 }));
  const fine = job("fine", join(dir, "fine"), small(3));
  const { events, seen } = recorder();
  const jobs = runJobs({ jobs: [blocked, killed, fine], concurrency: 3, events });
  await until(() => (seen.get("killed")?.episodes.length ?? 0) >= 1 && lockHolder(killed.dir) !== null, "the job to kill training", 120_000);
  process.kill(lockHolder(killed.dir)!.pid, "SIGKILL");
  const [b, k, f] = await jobs.done;
  assert.equal(b.status, "failed");
  assert.equal(b.exitCode, 1);
  assert.match(b.error ?? "", /a-file[/\\]run/, "the worker's own message, naming the folder it could not create");
  assert.equal(k.status, "failed");
  assert.equal(k.error, "killed by SIGKILL");
  assert.equal(k.exitCode, signalExitCode("SIGKILL"));
  assert.equal(f.status, "unsolved", f.error ?? "");
  assert.equal(readRun(fine.dir).summary?.status, "unsolved", "the other job finished its run");
});

test("a config holding a function is refused with what is allowed, before any job starts", async () => {
  const dir = join(root, "function");
  const mine = resolveConfig({ ...presets.fast, reward: (step) => step.reward * 2 });
  assert.throws(
    () => job("my reward", join(dir, "x"), mine),
    (e: Error) =>
      e instanceof RangeError &&
      e.message === `job "my reward": config.reward is a function written in this kernel; a job runs in its own process and can only take a named reward: one of "env", "tipHeight", "carEnergy"; train it in the kernel with dqn.train, or add it to rewardFunctions in lib/train/rewards.ts to give it a name`,
  );
  // A job made by hand from such a config (its reward recorded as "custom") is refused by runJobs too, before the others start.
  const custom: Job = { ...job("ok", join(dir, "ok"), small(1)), name: "custom", dir: join(dir, "custom"), config: configToJson(mine) };
  assert.throws(() => runJobs({ jobs: [job("ok", join(dir, "ok"), small(1)), custom], concurrency: 2, events: {} }), /^RangeError: job "custom": config\.reward is a function written in this kernel/);
  assert.throws(() => runJobs({ jobs: [{ ...job("ok", join(dir, "ok"), small(1)), config: { ...configToJson(small(1)), gamma: 7 } }], concurrency: 1, events: {} }), /^RangeError: job "ok": config\.gamma must be/);
  assert.throws(() => runJobs({ jobs: [job("ok", join(dir, "ok"), small(1))], concurrency: 0, events: {} }), /^RangeError: jobs at once must be a whole number >= 1, got 0$/);
  assert.equal(existsSync(dir) ? readdirSync(dir).length : 0, 0, "no job started");
});

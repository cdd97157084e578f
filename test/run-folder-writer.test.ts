/**
 * lib/runs/run-folder-writer.ts, the one writer of a run folder: a training
 * written as it goes (trainIntoRunFolder) and a finished result written whole
 * (writeRunFolder) give the same files with the same records; the chart is
 * the function passed in; a stop saves the run as interrupted with a
 * checkpoint; an error still leaves a summary that says what happened.
 */
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chartTitle, trainIntoRunFolder, writeRunFolder, type ChartedRun, type RunProgress, type RunStops } from "../lib/runs/run-folder-writer";
import { readRun } from "../lib/runs/read";
import { FILES } from "../lib/runs/format";
import { configToJson, resolveConfig } from "../lib/train/config";
import { presets } from "../lib/train/presets";
import { train } from "../lib/train/trainer";
import { loadModel } from "../lib/agent/model-io";
import { initBackend, tf } from "../lib/tf";

const root = mkdtempSync(join(tmpdir(), "acrobot-writer-"));
after(() => rmSync(root, { recursive: true, force: true }));

/** Stop requests as a caller makes them: an AbortController and its listeners. */
function stops(): RunStops & { request(signal: string): void } {
  const controller = new AbortController();
  const listeners: ((s: string) => void)[] = [];
  let received: string | null = null;
  return {
    signal: controller.signal,
    get received() {
      return received;
    },
    onStop: (l) => void listeners.push(l),
    request(signal) {
      received = signal;
      controller.abort();
      listeners.forEach((l) => l(signal));
    },
  };
}

/** Progress that keeps what it was told. */
function progress() {
  const said: string[] = [];
  const p: RunProgress = {
    human: false,
    start: (info) => void said.push(`start ${info.preset} ${info.seed}`),
    episode: (r) => void said.push(`episode ${r.episode}`),
    evaluation: (e) => void said.push(`evaluation ${e.envSteps}`),
    stopping: (s) => void said.push(`stopping ${s}`),
    end: () => void said.push("end"),
  };
  return { p, said };
}

/** A chart function that writes both files, as lib/viz's does, and remembers what it drew. */
function chart() {
  const drawn: { title: string; run: ChartedRun }[] = [];
  const draw = (dir: string, title: string, run: ChartedRun) => {
    drawn.push({ title, run });
    const html = join(dir, FILES.chartHtml), svg = join(dir, FILES.chartSvg);
    writeFileSync(svg, "<svg/>");
    writeFileSync(html, `<html>${title}</html>`);
    return { html, svg };
  };
  return { draw, drawn };
}

const played = (r: object) => Object.fromEntries(Object.entries(r).filter(([k]) => k !== "seconds" && k !== "cut"));
const config = resolveConfig({ ...presets.fast, hiddenLayers: [8], maxEnvSteps: 700, seed: 5, evalEvery: 300, evalEpisodes: 1 });

test("trained into a folder and written whole afterwards: the same files, the same records, config and meta", async () => {
  await initBackend();
  const live = join(root, "live"), whole = join(root, "whole");
  mkdirSync(live);
  const { p, said } = progress(), c = chart();
  const run = await trainIntoRunFolder({ dir: live, config, preset: "fast", overrides: { hiddenLayers: [8] }, label: "live", progress: p, stops: stops(), evalEpisodes: 1, chart: c.draw });
  assert.equal(run.summary.status, "unsolved");
  assert.equal(said[0], "start fast 5");
  assert.equal(said.at(-1), "end");
  assert.ok(said.includes("episode 1") && said.some((s) => s.startsWith("evaluation ")));
  assert.equal(c.drawn.length, 1);
  assert.equal(c.drawn[0].title, chartTitle("fast", 5, "unsolved"));
  assert.equal(c.drawn[0].title, "fast, seed 5: unsolved");
  assert.deepEqual(run.chart, { html: join(live, FILES.chartHtml), svg: join(live, FILES.chartSvg) });

  const result = await train(config);
  const c2 = chart();
  await writeRunFolder(whole, result, { preset: "fast", overrides: { hiddenLayers: [8] }, chart: c2.draw });
  result.model.dispose();
  assert.equal(c2.drawn[0].title, "fast, seed 5", "a saved result's title, as saveRun always gave it");

  const a = readRun(live), b = readRun(whole);
  assert.deepEqual(readdirSync(whole).sort(), readdirSync(live).filter((n) => n !== FILES.checkpoint).sort(), "the same files, but a finished result has no checkpoint");
  assert.ok(readdirSync(live).includes(FILES.checkpoint));
  assert.deepEqual(a.config, configToJson(config));
  assert.deepEqual(b.config, a.config);
  assert.deepEqual(b.records.map(played), a.records.map(played), "the same episodes");
  assert.deepEqual(b.evaluations.map(played), a.evaluations.map(played), "the same evaluations");
  assert.deepEqual([a.meta.preset, a.meta.overrides, a.meta.label, b.meta.preset, b.meta.overrides], ["fast", { hiddenLayers: [8] }, "live", "fast", { hiddenLayers: [8] }]);
  for (const dir of [live, whole]) {
    const rows = readFileSync(join(dir, FILES.monitor), "utf8").trim().split("\n");
    assert.equal(rows.length, 2 + a.records.length, `${dir}: monitor.csv has its header and a row per episode`);
    const model = await loadModel(join(dir, FILES.model));
    model.dispose();
  }
  assert.equal(a.summary?.evaluation?.episodes, 1, "the greedy evaluation at the end");
  assert.equal(b.summary?.evaluation, null);
  assert.equal(tf.memory().numTensors, 0, "no tensors left");
});

test("a stop: the run is saved as interrupted, with a checkpoint to resume from, and said to be stopping", async () => {
  const dir = join(root, "stopped");
  mkdirSync(dir);
  const s = stops(), { p, said } = progress();
  const long = resolveConfig({ ...presets.fast, hiddenLayers: [8], maxEnvSteps: 1_000_000, seed: 2 });
  const wrapped: RunProgress = { ...p, episode: (r) => (p.episode(r), r.episode === 2 && s.request("SIGINT")) };
  const run = await trainIntoRunFolder({ dir, config: long, preset: "fast", overrides: {}, progress: wrapped, stops: s, evalEpisodes: 5 });
  assert.equal(run.summary.status, "interrupted");
  assert.ok(said.includes("stopping SIGINT"));
  assert.equal(run.chart, null, "no chart without a chart function");
  assert.ok(!existsSync(join(dir, FILES.chartHtml)));
  assert.ok(existsSync(join(dir, FILES.checkpoint, "snapshot.json")));
  assert.equal(run.summary.evaluation, null, "no greedy evaluation after a stop");
  assert.equal(readRun(dir).summary?.status, "interrupted");
  assert.equal(tf.memory().numTensors, 0, "no tensors left");
});

test("an error during training: summary.json says failed with the message, and the error is thrown on", async () => {
  const dir = join(root, "failed");
  mkdirSync(dir);
  let steps = 0;
  const bad = resolveConfig({
    ...presets.fast, hiddenLayers: [8], seed: 3,
    reward: () => {
      if (++steps > 300) throw new Error("the reward broke");
      return -1;
    },
  });
  await assert.rejects(trainIntoRunFolder({ dir, config: bad, preset: "fast", overrides: {}, progress: progress().p, stops: stops(), evalEpisodes: 0 }), /the reward broke/);
  const run = readRun(dir);
  assert.equal(run.summary?.status, "failed");
  assert.match(run.summary?.message ?? "", /^failed: .*the reward broke/);
  assert.equal(run.config.reward, "custom");
  assert.equal(tf.memory().numTensors, 0, "no tensors left");
});

/**
 * evaluations.jsonl in a run folder: written by a real training run as each
 * periodic evaluation ends, read back checked (confined to the folder,
 * bounded in size, a torn last line skipped), kept in step with the
 * checkpoint on resume, charted beside the training curve and in reports.
 */
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, mkdtempSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { StopRequests } from "../lib/cli/signals";
import { trainRun } from "../lib/cli/run-training";
import { makeProgress } from "../lib/cli/progress";
import { createRunFolder } from "../lib/runs/write";
import { readRun } from "../lib/runs/read";
import { readEvaluationLog, MAX_EVALUATION_LOG_BYTES } from "../lib/runs/evaluation-log";
import { FILES } from "../lib/runs/format";
import { readSnapshot } from "../lib/train/snapshot-file";
import { resolveConfig } from "../lib/train/config";
import { presets } from "../lib/train/presets";
import { writeReport } from "../lib/cli/report";
import { compareEvaluationsFigure } from "../lib/viz/run-figures";

const root = mkdtempSync(join(tmpdir(), "acrobot-dqn-evallog-"));
after(() => rmSync(root, { recursive: true, force: true }));

const config = (steps: number) => resolveConfig({ ...presets.improved, hiddenLayers: [8], batchSize: 32, learningStarts: 100, seed: 5, maxEnvSteps: steps, evalEvery: 250, evalEpisodes: 2 });

async function run(dir: string, steps: number, resume = false) {
  const stops = new StopRequests();
  try {
    const resumeFrom = resume ? { snapshot: readSnapshot(join(dir, FILES.checkpoint)), meta: readRun(dir).meta } : undefined;
    if (!resume) createRunFolder(dir);
    return await trainRun({ dir, config: config(steps), preset: "improved", overrides: {}, progress: makeProgress("quiet"), stops, evalEpisodes: 2, plotly: "cdn", resume: resumeFrom });
  } finally {
    stops.dispose();
  }
}

test("a run with evalEvery writes evaluations.jsonl line by line; a resume keeps the checkpoint's and drops what ran ahead; chart and report show them", async () => {
  const dir = join(root, "run");
  const first = await run(dir, 500);
  assert.equal(first.exitCode, 0);
  const lines = readFileSync(join(dir, FILES.evaluations), "utf8").trim().split("\n");
  assert.equal(lines.length, 2, "at env steps 250 and 500");
  const evals = readEvaluationLog(dir);
  assert.deepEqual(evals.map((e) => e.envSteps), [250, 500]);
  assert.deepEqual(readRun(dir).evaluations, evals);
  assert.deepEqual(readSnapshot(join(dir, FILES.checkpoint)).evaluations, evals, "the checkpoint holds them too");
  // The final evaluation reports a std as well.
  const final = first.summary.evaluation!;
  assert.equal(final.std, Math.sqrt(final.returns.reduce((a, r) => a + (r - final.mean) ** 2, 0) / final.returns.length));

  // A line written after the checkpoint (the process was killed before its next checkpoint): dropped on resume, made again.
  appendFileSync(join(dir, FILES.evaluations), `${JSON.stringify({ ...evals[1], envSteps: 750, mean: 12345 })}\n`);
  const second = await run(dir, 1000, true);
  assert.equal(second.exitCode, 0);
  const after = readEvaluationLog(dir);
  assert.deepEqual(after.map((e) => e.envSteps), [250, 500, 750, 1000]);
  assert.deepEqual(after.slice(0, 2), evals);
  assert.ok(after.every((e) => e.mean !== 12345), "the stale line is gone");

  const svg = readFileSync(join(dir, FILES.chartSvg), "utf8");
  assert.match(svg, /greedy evaluation: mean of 2 greedy episodes/, "the run's chart draws them");
  assert.match(readFileSync(join(dir, FILES.chartHtml), "utf8"), /last periodic greedy evaluation/);

  const fig = compareEvaluationsFigure([readRun(dir)]);
  assert.ok(fig !== null);
  const mainTrace = fig.data.find((t) => t.mode === "lines+markers")!;
  assert.deepEqual(mainTrace.x, [250, 500, 750, 1000]);
  assert.deepEqual(mainTrace.y, after.map((e) => e.mean));
  const out = { html: join(root, "report.html"), svg: join(root, "report.svg") };
  writeReport([readRun(dir)], out, { title: "t", plotly: "cdn" });
  const html = readFileSync(out.html, "utf8");
  assert.match(html, /Greedy evaluation/);
  assert.match(html, /epsilon-greedy/);
});

test("a folder without evaluations.jsonl reads as no evaluations", async () => {
  const dir = join(root, "plain");
  mkdirSync(dir);
  assert.deepEqual(readEvaluationLog(dir), []);
});

const line = (envSteps: number, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ envSteps, episode: 1, returns: [-500, -400], lengths: [500, 401], mean: -450, std: 50, successes: 1, ...extra });

test("reading evaluations.jsonl: torn last line skipped; bad lines, out-of-order steps, links out and oversized files refused", () => {
  const dir = join(root, "files");
  mkdirSync(dir);
  const path = join(dir, FILES.evaluations);
  writeFileSync(path, `${line(100)}\n${line(200)}\n{"envSteps":3`);
  assert.deepEqual(readEvaluationLog(dir).map((e) => e.envSteps), [100, 200], "a line torn by a kill is skipped");
  writeFileSync(path, `${line(100)}\n{"envSteps":3\n${line(200)}\n`);
  assert.throws(() => readEvaluationLog(dir), /evaluations\.jsonl line 2 is not a JSON evaluation record/);
  writeFileSync(path, `${line(100, { mean: null })}\n`);
  assert.throws(() => readEvaluationLog(dir), /line 1 has mean null, expected a finite number/);
  writeFileSync(path, `${line(100, { returns: [] })}\n`);
  assert.throws(() => readEvaluationLog(dir), /line 1 has returns that is not a non-empty list of numbers/);
  writeFileSync(path, `${line(200)}\n${line(100)}\n`);
  assert.throws(() => readEvaluationLog(dir), /line 2 has envSteps 100, not after the line before \(200\)/);
  writeFileSync(path, `${line(-5)}\n`);
  assert.throws(() => readEvaluationLog(dir), /line 1 has envSteps -5, expected a whole number/);

  rmSync(path);
  const outside = join(root, "outside.jsonl");
  writeFileSync(outside, `${line(100)}\n`);
  symlinkSync(outside, path);
  assert.throws(() => readEvaluationLog(dir), /is a link; a run's files are read only from inside its folder/);
  rmSync(path);

  writeFileSync(path, "");
  truncateSync(path, MAX_EVALUATION_LOG_BYTES + 1); // sparse: no disk used
  assert.throws(() => readEvaluationLog(dir), /evaluations\.jsonl is \d+ bytes; an evaluation log of a run is at most \d+ bytes/);
});

test("evaluationFigure: training curve and greedy evaluations against env steps, band ± 1 std, the bar; its SVG picture draws both", async () => {
  const { evaluationFigure, figureToSvg } = await import("../lib/viz/figures");
  const records = [1, 2, 3].map((episode) => ({ episode, steps: 100, return: -100, average100: -100 - episode, envReturn: -100, terminated: true, cut: false, epsilon: 0.5, loss: null, envSteps: 100 * episode, seconds: episode }));
  const evals = [{ envSteps: 150, episode: 2, returns: [-80, -100], lengths: [81, 101], mean: -90, std: 10, successes: 2 }, { envSteps: 300, episode: 3, returns: [-70], lengths: [71], mean: -70, std: 0, successes: 1 }];
  const fig = evaluationFigure(records, evals, { solvedAt: -90 });
  const mean = fig.data.find((t) => t.name?.startsWith("greedy evaluation: mean of"))!;
  assert.deepEqual(mean.x, [150, 300]);
  assert.deepEqual(mean.y, [-90, -70]);
  assert.deepEqual(fig.data.find((t) => t.name === "greedy evaluation (mean - std)")!.y, [-100, -70]);
  assert.deepEqual(fig.data.find((t) => t.name === "greedy evaluation (mean + std)")!.y, [-80, -70]);
  assert.deepEqual(fig.data.find((t) => t.name?.startsWith("training: 100-episode average"))!.x, [100, 200, 300]);
  assert.equal(fig.layout.shapes?.[0].y0, -90);
  const svg = figureToSvg(fig);
  assert.match(svg, /training: 100-episode average/);
  assert.match(svg, /greedy evaluation: mean of 1 greedy episode /);
  assert.doesNotMatch(svg, /NaN/);
});

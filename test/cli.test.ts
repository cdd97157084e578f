/**
 * The command line, run for real as a child process (node with tsx's loader,
 * as `npm start` runs it): argument handling, a short training run and its
 * record, interrupt and resume, compare with its report, report, play.
 * Tiny networks and budgets keep the whole file to about a minute.
 */
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startCli, until } from "./cli-process";
import { StopRequests } from "../lib/cli/signals";
import { trainRun } from "../lib/cli/run-training";
import { makeProgress } from "../lib/cli/progress";
import { createRunFolder } from "../lib/runs/write";
import { readRun, readEpisodeLog } from "../lib/runs/read";
import { FILES, type RunSummary } from "../lib/runs/format";
import { resolveConfig } from "../lib/train/config";
import { presets } from "../lib/train/presets";
import { readSnapshot } from "../lib/train/snapshot-file";
import { loadModel, readModelMetadata } from "../lib/agent/model-io";
import { initBackend } from "../lib/tf";

const root = mkdtempSync(join(tmpdir(), "acrobot-cli-"));
after(() => rmSync(root, { recursive: true, force: true }));

/** Starts `acrobot-dqn ...args` as a child process in the test's folder. */
const start = (args: string[]) => startCli(args, root);

const cli = (...args: string[]) => start(args).done;

const episodesIn = (dir: string) => readEpisodeLog(join(dir, FILES.episodes)).map((r) => r.episode);
const summaryOf = (dir: string) => JSON.parse(readFileSync(join(dir, FILES.summary), "utf8")) as RunSummary;
const oneToN = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
/** A small network so runs take seconds. */
const SMALL = ["--set", "hiddenLayers=[32]"];

test("help: exit 0, for the program and every command", async () => {
  const runs = await Promise.all([cli("--help"), cli("train", "--help"), cli("compare", "--help"), cli("play", "--help"), cli("report", "--help"), cli("--version")]);
  for (const r of runs) assert.equal(r.code, 0, r.stderr);
  assert.match(runs[0].stdout, /Usage: acrobot-dqn/);
  for (const c of ["start", "train", "play", "compare", "report"]) assert.match(runs[0].stdout, new RegExp(`\\b${c}\\b`));
  assert.match(runs[1].stdout, /--preset <name>[\s\S]*naive, replay, target, improved,\s+fast, tipHeight[\s\S]*--resume/);
  assert.match(runs[5].stdout, /^\d+\.\d+\.\d+\n$/);
});

test("bad command lines: exit 2 and one line naming what is allowed", async () => {
  const cases: [string[], RegExp][] = [
    [["frobnicate"], /unknown command 'frobnicate'; the commands are: start, train, play, compare, report/],
    [["train", "--preset", "improved", "--sed", "3"], /unknown option '--sed' for train \(did you mean.*--seed.*\); allowed: --preset, --env, --seed/],
    [["--bogus"], /unknown option '--bogus' for start; allowed: --preset/],
    [["train", "--preset", "chapter9"], /'chapter9' is invalid\. allowed: naive, replay, target, improved, fast, tipHeight/],
    [["train", "--preset", "improved", "--seed", "-1"], /--seed.*allowed: a whole number >= 0/],
    [["train", "--preset", "improved", "--episodes", "1.5"], /--episodes.*allowed: a whole number >= 1/],
    [["train", "--preset", "improved", "--set", "learningRate=2"], /config\.learningRate must be a number > 0 and <= 1; got 2/],
    [["train", "--preset", "improved", "--set", "hiddenLayers=[]"], /config\.hiddenLayers must be a non-empty array/],
    [["train", "--preset", "improved", "--set", "learningrate=0.1"], /unknown config field learningrate; the fields are: seed, env, dynamics/],
    [["train", "--preset", "improved", "--set", "noequals"], /allowed: key=value/],
    [["train", "--preset", "improved", "stray"], /unexpected argument 'stray' for train; it takes options only/],
    [["train"], /train needs --preset NAME, --config FILE or --resume RUN_DIR/],
    [["train", "--resume", "somewhere", "--preset", "naive"], /--resume continues a run.*drop --preset/],
    [["play"], /required option '--model <dir>' not specified/],
    [["compare", "--presets", "improved,nope"], /"nope" is not a preset; allowed: comma-separated presets from naive, replay/],
    [["compare", "--presets", "improved", "--seeds", "1,x"], /allowed: comma-separated whole numbers/],
    [["compare", "--presets", "improved", "--jobs", "0"], /--jobs.*allowed: a whole number >= 1/],
    [["report"], /missing required argument 'run_dir'/],
    [["train", "--preset", "improved", "--plotly", "svg"], /allowed: "inline".*or "cdn"/],
    [["train", "--preset", "improved", "--label", " "], /--label.*allowed: a name that is not empty/],
    [["train", "--resume", "somewhere", "--label", "mine"], /--resume continues a run.*drop --label/],
  ];
  const results = await Promise.all(cases.map(([args]) => cli(...args)));
  results.forEach((r, i) => {
    const [args, expected] = cases[i];
    assert.equal(r.code, 2, `${args.join(" ")}: exit ${r.code}, stderr ${r.stderr}`);
    const lines = r.stderr.split("\n").filter((l) => l !== "");
    assert.equal(lines.length, 1, `${args.join(" ")}: one line expected, got:\n${r.stderr}`);
    assert.match(lines[0], /^acrobot-dqn: /);
    assert.match(lines[0], expected, args.join(" "));
    assert.equal(r.stdout, "", `${args.join(" ")} printed to stdout`);
  });
});

test("runtime failures: exit 1 with the library's message, no stack trace", async () => {
  const results = await Promise.all([
    cli("play", "--model", join(root, "no-such-model")),
    cli("report", join(root, "no-such-runs")),
    cli("train", "--resume", join(root, "no-such-run")),
  ]);
  const expected = [/no saved model at .*no-such-model: the directory does not exist/, /no run at .*no-such-runs: the folder does not exist/, /cannot resume .*no-such-run: the folder does not exist/];
  results.forEach((r, i) => {
    assert.equal(r.code, 1, r.stderr);
    const lines = r.stderr.split("\n").filter((l) => l !== "");
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0], expected[i]);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });
});

const trained = join(root, "trained");

test("train: the lines say what an episode's ending means for the task (CartPole: the pole fell, not 'reached the line')", async () => {
  const dir = join(root, "cartpole-endings");
  const r = await cli("train", "--preset", "cartpole", ...SMALL, "--steps", "600", "--set", "evalEvery=300", "--set", "evalEpisodes=2", "--eval-episodes", "2", "--plotly", "cdn", "--out", dir);
  assert.equal(r.code, 0, r.stderr);
  const out = r.stdout + r.stderr;
  assert.match(out, /greedy evaluation at env step 300 \(episode \d+\): -?\d+\.\d\d ± \d+\.\d\d over 2 episodes, \d ended with the pole down/);
  assert.match(out, /greedy evaluation: mean return [^\n]* over 2 episodes \([^\n]*\d of 2 ended with the pole down; reset seed/);
  assert.doesNotMatch(out, /reached the line/);
});

test("train: a short real run writes the full record", async () => {
  const r = await cli("train", "--preset", "improved", ...SMALL, "--steps", "1500", "--out", trained, "--eval-episodes", "2", "--plotly", "cdn");
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, "");
  assert.match(r.stdout.split("\n")[0], /^acrobot-dqn \d+\.\d+\.\d+: TensorFlow\.js \d+\.\d+\.\d+, backend (wasm|tensorflow|cpu)/);
  assert.match(r.stdout, /unsolved: reached the env-step budget \(1500\)/);
  assert.match(r.stdout, /greedy evaluation: mean return -?\d+\.\d\d ± \d+\.\d\d \(std\) over 2 episodes/);
  // evaluations.jsonl only when the run evaluates periodically (evalEvery > 0; off here, as in every preset).
  for (const f of Object.values(FILES)) assert.equal(existsSync(join(trained, f)), f !== FILES.evaluations, `${f} ${f === FILES.evaluations ? "written with evalEvery 0" : "missing"}`);

  const run = readRun(trained);
  assert.deepEqual(run.config.hiddenLayers, [32]);
  assert.equal(run.config.maxEnvSteps, 1500);
  assert.equal(run.config.learningRate, presets.improved.learningRate);
  assert.equal(run.config.seed, 1);
  assert.equal(run.meta.preset, "improved");
  assert.deepEqual(run.meta.overrides, { hiddenLayers: [32] });
  assert.match(run.meta.backend, /^TensorFlow\.js/);
  assert.equal(run.meta.tfjsVersion, "4.22.0");
  assert.equal(run.meta.nodeVersion, process.version);
  assert.match(run.meta.commandLine, /^acrobot-dqn train --preset improved --set 'hiddenLayers=\[32\]' --steps 1500/);
  assert.ok(!Number.isNaN(Date.parse(run.meta.startedAt)));

  const s = run.summary!;
  assert.equal(s.status, "unsolved");
  assert.equal(s.stopReason, "maxEnvSteps");
  assert.equal(s.envSteps, 1500);
  assert.equal(s.episodes, run.records.length);
  assert.deepEqual(run.records.map((x) => x.episode), oneToN(s.episodes));
  assert.equal(run.records[run.records.length - 1].envSteps, 1500);
  assert.equal(s.evaluation?.episodes, 2);
  assert.equal(s.evaluation?.returns.length, 2);
  assert.equal(s.checkpointEpisode, s.episodes);

  const snapshot = readSnapshot(join(trained, FILES.checkpoint));
  assert.equal(snapshot.records.length, s.episodes);
  assert.equal(snapshot.envSteps, 1500);
  await initBackend();
  const model = await loadModel(join(trained, FILES.model));
  assert.deepEqual(model.outputs[0].shape, [null, 3]);
  model.dispose();
  assert.equal(readModelMetadata(join(trained, FILES.model)).preset, "improved");

  const html = readFileSync(join(trained, FILES.chartHtml), "utf8");
  assert.match(html, /<img class="acrobot-static" src="data:image\/svg\+xml;base64,/);
  assert.match(html, /Plotly\.newPlot/);
  assert.match(html, /100-episode average/);
  assert.match(readFileSync(join(trained, FILES.chartSvg), "utf8"), /^<svg[\s\S]*<\/svg>\s*$/);
});

test("train --lesson-log: stdout is exactly the lesson's lines, ending with `Clear at episode N` when solved", async () => {
  const dir = join(root, "lesson");
  // A bar any two episodes clear, so the run is solved at episode 2.
  const r = await cli("train", "--preset", "improved", "--set", "hiddenLayers=[8]", "--set", "solvedWindow=2", "--set", "solvedAt=-600", "--lesson-log", "--out", dir, "--eval-episodes", "1", "--plotly", "cdn");
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.split("\n").filter((l) => l !== "");
  assert.equal(lines.length, 3, r.stdout);
  for (const l of lines.slice(0, 2)) assert.match(l, /^\[Episode \d+\] Reward : -?\d+\.\d{3}, Average reward : -?\d+\.\d{3}$/);
  assert.equal(lines[2], "Clear at episode 2");
  // Everything else went to stderr: the backend first.
  assert.match(r.stderr, /^acrobot-dqn .*: TensorFlow\.js/);
  const s = summaryOf(dir);
  assert.equal(s.status, "solved");
  assert.equal(s.solvedAtEpisode, 2);
  assert.equal(s.toBar?.episode, 2);
});

test("Ctrl-C keeps the run and `train --resume` continues it without gaps or duplicates; SIGTERM too", async () => {
  const dir = join(root, "interrupted");
  const args = ["train", "--preset", "improved", ...SMALL, "--steps", "30000", "--out", dir, "--json", "--eval-episodes", "1", "--plotly", "cdn"];
  const first = start(args);
  await until(() => (first.stdout().match(/"event":"episode"/g) ?? []).length >= 3, "three episodes");
  first.child.kill("SIGINT");
  const r1 = await first.done;
  assert.equal(r1.code, 130, r1.stderr);
  const end = JSON.parse(r1.stdout.trim().split("\n").pop()!) as { event: string; summary: RunSummary };
  assert.equal(end.event, "end");
  let s = summaryOf(dir);
  assert.equal(s.status, "interrupted");
  assert.equal(s.stopReason, "aborted");
  assert.equal(s.evaluation, null);
  assert.ok(s.episodes >= 3);
  assert.equal(s.checkpointEpisode, s.episodes);
  assert.equal(readSnapshot(join(dir, FILES.checkpoint)).records.length, s.episodes);
  assert.ok(existsSync(join(dir, FILES.model, "model.json")));
  assert.deepEqual(episodesIn(dir), oneToN(s.episodes));
  const interruptedAt = s.episodes;

  // As if killed after logging an episode the checkpoint does not have: resume must drop it, not repeat it.
  appendFileSync(join(dir, FILES.episodes), `${JSON.stringify({ episode: interruptedAt + 1, steps: 1, return: -1 })}\n`);
  const second = start(["train", "--resume", dir, "--steps", "30000", "--json", "--eval-episodes", "1", "--plotly", "cdn"]);
  await until(() => (second.stdout().match(/"event":"episode"/g) ?? []).length >= 2, "two more episodes");
  second.child.kill("SIGTERM");
  const r2 = await second.done;
  assert.equal(r2.code, 143, r2.stderr);
  s = summaryOf(dir);
  assert.equal(s.status, "interrupted");
  assert.ok(s.episodes >= interruptedAt + 2);
  assert.deepEqual(episodesIn(dir), oneToN(s.episodes));

  // Finish it on a budget just above where it stands.
  const budget = s.envSteps + 1000;
  const r3 = await cli("train", "--resume", dir, "--steps", String(budget), "--quiet", "--eval-episodes", "1", "--plotly", "cdn");
  assert.equal(r3.code, 0, r3.stderr);
  const run = readRun(dir);
  assert.equal(run.summary?.status, "unsolved");
  assert.equal(run.summary?.envSteps, budget);
  assert.deepEqual(run.records.map((x) => x.episode), oneToN(run.records.length));
  assert.equal(run.records.length, run.summary?.episodes);
  // No episode played twice: env steps strictly increase along the log and end at the budget.
  for (let i = 1; i < run.records.length; i++) assert.ok(run.records[i].envSteps > run.records[i - 1].envSteps);
  assert.equal(run.records[run.records.length - 1].envSteps, budget);
  assert.equal(run.meta.resumes.length, 2);
  assert.equal(run.meta.resumes[0].fromEpisode, interruptedAt);
  assert.equal(run.config.maxEnvSteps, budget);

  // The budget is used up now: resuming again says how to raise it.
  const r4 = await cli("train", "--resume", dir);
  assert.equal(r4.code, 1);
  assert.match(r4.stderr, /has used its budget .* raise it with --episodes N or --steps N/);
});

test("play: greedy episodes of a saved model, their returns and mean, and an animation page", async () => {
  const page = join(root, "play", "episode.html");
  const r = await cli("play", "--model", trained, "--episodes", "2", "--seed", "5", "--html", page, "--plotly", "cdn");
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /model: .*trained[/\\]model \(preset improved, seed 1\)/);
  assert.match(r.stdout, /episode 1: return -?\d+ in \d+ steps/);
  assert.match(r.stdout, /episode 2: return -?\d+ in \d+ steps/);
  assert.match(r.stdout, /mean return over 2 episode\(s\): -?\d+\.\d\d ± \d+\.\d\d \(std;/);
  const html = readFileSync(page, "utf8");
  assert.match(html, /Plotly\.addFrames/);
  assert.match(html, /"label":"Play"/);
  assert.match(html, /<table class="acrobot-table">/);
});

test("compare: two presets x two seeds as parallel jobs, each a run folder, and the report; `report` rebuilds it", async () => {
  const dir = join(root, "compare");
  const r = await cli("compare", "--presets", "improved,tipHeight", "--seeds", "1,2", "--steps", "1000", "--set", "hiddenLayers=[8]", "--jobs", "2", "--out", dir, "--eval-episodes", "1", "--plotly", "cdn");
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /compare: 4 jobs \(improved, tipHeight x seeds 1, 2\), 2 at a time/);
  assert.match(r.stdout, /\| improved \(hiddenLayers=\[8\]\) \| Acrobot-v1 \| 0 of 2 \| not solved \|/);
  assert.match(r.stdout, /\| tipHeight \(hiddenLayers=\[8\]\) \| Acrobot-v1 \| 0 of 2 \| not solved \|/);
  assert.deepEqual(readdirSync(dir).sort(), ["compare.json", "improved-seed1", "improved-seed2", "report.html", "report.svg", "tipHeight-seed1", "tipHeight-seed2"]);
  for (const job of ["improved-seed1", "improved-seed2", "tipHeight-seed1", "tipHeight-seed2"]) {
    const run = readRun(join(dir, job));
    assert.equal(run.summary?.status, "unsolved", job);
    assert.equal(run.summary?.envSteps, 1000, job);
    assert.ok(run.modelDir, job);
  }
  assert.equal(readRun(join(dir, "tipHeight-seed2")).config.reward, "tipHeight");
  const plan = JSON.parse(readFileSync(join(dir, "compare.json"), "utf8")) as { jobs: number; results: { status: string }[] };
  assert.equal(plan.jobs, 2);
  assert.deepEqual(plan.results.map((x) => x.status), ["unsolved", "unsolved", "unsolved", "unsolved"]);
  const html = readFileSync(join(dir, "report.html"), "utf8");
  assert.match(html, /Mean 100-episode average across seeds/);
  assert.match(html, /<table class="acrobot-table">[\s\S]*seeds solved[\s\S]*episodes to bar[\s\S]*env steps to bar[\s\S]*seconds to bar/);
  assert.match(html, /not solved/);
  assert.match(html, /Plotly\.newPlot/);
  assert.match(readFileSync(join(dir, "report.svg"), "utf8"), /^<svg/);

  const out = join(root, "again", "report.html");
  const r2 = await cli("report", dir, trained, "--out", out, "--plotly", "cdn");
  assert.equal(r2.code, 0, r2.stderr);
  assert.match(r2.stdout, /^5 run\(s\)/);
  assert.match(r2.stdout, /\| improved \(hiddenLayers=\[32\]\) \| Acrobot-v1 \| 0 of 1 \|/);
  assert.ok(existsSync(out) && existsSync(join(root, "again", "report.svg")));
});

test("compare: Ctrl-C stops every job, each saved as interrupted, and still writes the report", async () => {
  const dir = join(root, "compare-stopped");
  const c = start(["compare", "--presets", "improved", "--seeds", "1,2,3", "--steps", "30000", ...SMALL, "--jobs", "2", "--out", dir, "--plotly", "cdn"]);
  await until(() => [1, 2].every((s) => existsSync(join(dir, `improved-seed${s}`, FILES.episodes)) && episodesIn(join(dir, `improved-seed${s}`)).length >= 1), "both jobs' first episode");
  c.child.kill("SIGINT");
  const r = await c.done;
  assert.equal(r.code, 130, r.stderr);
  assert.match(r.stdout, /SIGINT: stopping every job/);
  for (const s of [1, 2]) assert.equal(summaryOf(join(dir, `improved-seed${s}`)).status, "interrupted");
  assert.ok(!existsSync(join(dir, "improved-seed3")), "the third job must not start");
  const plan = JSON.parse(readFileSync(join(dir, "compare.json"), "utf8")) as { results: { status: string }[] };
  assert.deepEqual(plan.results.map((x) => x.status), ["interrupted", "interrupted", "skipped"]);
  assert.ok(existsSync(join(dir, "report.html")));
});

test("divergence: the run stops with the trainer's message, records intact, status diverged, exit code 1", async () => {
  const dir = join(root, "diverged");
  createRunFolder(dir);
  const stops = new StopRequests();
  try {
    // A reward that turns NaN in the second episode (a custom reward: the one way to force it on cue).
    let steps = 0;
    const config = resolveConfig({ ...presets.improved, hiddenLayers: [8], seed: 3, reward: () => (++steps > 600 ? NaN : -1) });
    const o = await trainRun({ dir, config, preset: "improved", overrides: {}, progress: makeProgress("quiet"), stops, evalEpisodes: 1, plotly: "cdn" });
    assert.equal(o.exitCode, 1);
    assert.equal(o.summary.status, "diverged");
    assert.match(o.summary.message, /NaN/);
    const run = readRun(dir);
    assert.equal(run.summary?.status, "diverged");
    assert.deepEqual(run.records.map((x) => x.episode), [1, 2]);
    assert.equal(run.config.reward, "custom");
    assert.equal(run.modelDir, null, "a diverged network is not saved");
    assert.ok(existsSync(join(dir, FILES.chartHtml)));
  } finally {
    stops.dispose();
  }
});

test("a second Ctrl-C exits at once; the same press arriving twice (npm passes it on) does not", async () => {
  const exits: number[] = [];
  const forwarded: string[] = [];
  const stops = new StopRequests((signal) => forwarded.push(signal), (code) => exits.push(code));
  try {
    process.emit("SIGINT", "SIGINT");
    assert.equal(stops.signal.aborted, true);
    assert.equal(stops.exitCode(), 130);
    process.emit("SIGINT", "SIGINT"); // the same press, relayed
    assert.deepEqual(exits, []);
    await new Promise((r) => setTimeout(r, 1100));
    process.emit("SIGTERM", "SIGTERM");
    assert.deepEqual(exits, [143]);
    assert.deepEqual(forwarded, ["SIGTERM"]);
  } finally {
    stops.dispose();
  }
});

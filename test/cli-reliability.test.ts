/**
 * Issue 17 §3-§5 and issue 21 §4 with real processes, signals and files:
 * a run killed before its first checkpoint resumes afresh; a user's file in
 * a run folder is refused before training and survives; bad `--out`,
 * config sizes and `--config` files are usage errors (exit 2) before
 * anything is created; pages refuse FIFOs and folders another process
 * writes; Ctrl-C at the very end exits 130; a resume killed with kill -9
 * leaves a summary that says so; an episode cap that alone meets the bar is
 * warned about; monitor.csv reads as Stable-Baselines3's load_results
 * expects, and survives kills and resumes.
 */
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { events, exitWithin, startCli, until, type Ran } from "./cli-process";
import { readRun } from "../lib/runs/read";
import { runRow } from "../lib/runs/compare";
import { lockRunFolder } from "../lib/runs/lock";
import { FILES, type RunSummary } from "../lib/runs/format";
import { loadResults } from "./sb3-monitor";

const root = mkdtempSync(join(tmpdir(), "acrobot-cli-reliability-"));
after(() => rmSync(root, { recursive: true, force: true }));

const cli = (...args: string[]) => startCli(args, root).done;
const SMALL = ["--preset", "improved", "--set", "hiddenLayers=[8]", "--plotly", "cdn"];
const summaryOf = (dir: string) => JSON.parse(readFileSync(join(dir, FILES.summary), "utf8")) as RunSummary;
const logLines = (dir: string) => readFileSync(join(dir, FILES.episodes), "utf8").split("\n").filter((l) => l !== "");
const oneToN = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
const stderrLines = (r: Ran) => r.stderr.split("\n").filter((l) => l !== "");
const episodeCount = (s: string) => (s.match(/"event":"episode"/g) ?? []).length;

/** monitor.csv agrees with episodes.jsonl: one row per episode, same length and environment return, times in order. */
function assertMonitorMatches(dir: string): void {
  const run = readRun(dir);
  const m = loadResults(dir);
  assert.equal(m.rows.length, run.records.length, "one monitor row per logged episode");
  m.rows.forEach((row, i) => {
    assert.equal(row.l, run.records[i].steps, `row ${i + 1}: length`);
    assert.equal(row.r, run.records[i].envReturn, `row ${i + 1}: return`);
    if (i > 0) assert.ok(row.t >= m.rows[i - 1].t, `row ${i + 1}: time goes forward`);
  });
}

const base = join(root, "base");

test("setup: a short run with a checkpoint, to copy", async () => {
  const r = await cli("train", ...SMALL, "--steps", "600", "--out", base, "--eval-episodes", "0");
  assert.equal(r.code, 0, r.stderr);
  assert.ok(existsSync(join(base, FILES.checkpoint, "snapshot.json")));
  assertMonitorMatches(base);
});

test("§3 a run killed (kill -9) before its first checkpoint: --resume starts it afresh from its config and says so", async () => {
  const dir = join(root, "early-kill");
  const s = startCli(["train", ...SMALL, "--steps", "60000", "--out", dir, "--json", "--eval-episodes", "0"], root);
  await until(() => episodeCount(s.stdout()) >= 1, "the first episode", 180_000);
  assert.equal(existsSync(join(dir, FILES.checkpoint)), false, "no checkpoint yet (the first comes after 25 episodes or 60 s)");
  s.child.kill("SIGKILL");
  await s.done;
  const logged = logLines(dir).length;
  assert.ok(logged >= 1);
  const r = await cli("train", "--resume", dir, "--steps", "700", "--eval-episodes", "0", "--plotly", "cdn");
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /early-kill has no checkpoint \(it was stopped before its first one\): starting it afresh from its config\.json; the \d+ episode\(s\) logged before are played again/);
  const run = readRun(dir);
  assert.equal(run.summary?.status, "unsolved");
  assert.deepEqual(run.records.map((x) => x.episode), oneToN(run.records.length), "episodes 1..N, no gap or duplicate");
  assert.equal(run.records[run.records.length - 1].envSteps, 700, "the whole budget from the start");
  assert.equal(run.meta.resumes.length, 1);
  assert.equal(run.meta.resumes[0].fromEpisode, 0);
  assert.equal(run.config.maxEnvSteps, 700);
  assert.ok(existsSync(join(dir, FILES.checkpoint, "snapshot.json")));
  assertMonitorMatches(dir);
});

test("§5 + 21 §4 a resume killed with kill -9: summary.json shows the run as killed, and monitor.csv keeps every episode and continues on the next resume", async () => {
  const dir = join(root, "resume-kill");
  cpSync(base, dir, { recursive: true });
  const before = summaryOf(dir);
  assert.equal(before.status, "unsolved");
  const s = startCli(["train", "--resume", dir, "--steps", "60000", "--json", "--eval-episodes", "0", "--plotly", "cdn"], root);
  await until(() => episodeCount(s.stdout()) >= 1, "an episode of the resumed run", 180_000);
  s.child.kill("SIGKILL");
  await s.done;
  const summary = summaryOf(dir);
  assert.equal(summary.status, "running", "not the older run's unsolved");
  assert.equal(runRow(readRun(dir)).status, "killed while running");
  assert.ok(logLines(dir).length > before.episodes, "the log holds the resumed episodes");
  // Every episode the log holds is in monitor.csv too (both appended whole, line by line).
  assert.equal(loadResults(dir).rows.length, logLines(dir).length);
  const r = await cli("train", "--resume", dir, "--steps", "1200", "--eval-episodes", "0", "--plotly", "cdn");
  assert.equal(r.code, 0, r.stderr);
  assert.equal(summaryOf(dir).status, "unsolved");
  assert.equal(summaryOf(dir).episodes, readRun(dir).records.length, "the summary matches the log");
  assertMonitorMatches(dir);
});

test("§4 a file of the user's in checkpoint/, model/ or as chart.html: --resume refuses before training, naming it, and the file survives", async () => {
  const cases: [string, string][] = [
    ["user-checkpoint", join(FILES.checkpoint, "notes.txt")],
    ["user-model", join(FILES.model, "my-weights.bin")],
    ["user-chart", FILES.chartHtml],
  ];
  for (const [name, file] of cases) {
    const dir = join(root, name);
    cpSync(base, dir, { recursive: true });
    writeFileSync(join(dir, file), "mine\n");
  }
  const results = await Promise.all(cases.map(([name]) => cli("train", "--resume", join(root, name), "--steps", "5000", "--eval-episodes", "0", "--plotly", "cdn")));
  results.forEach((r, i) => {
    const [name, file] = cases[i];
    const dir = join(root, name);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(stderrLines(r).length, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`refusing to resume .*${name}: .*${file.replace(/[.\\/]/g, ".")} was not written by acrobot-dqn and would be replaced; move it away first`));
    assert.equal(readFileSync(join(dir, file), "utf8"), "mine\n", "the user's file survives");
    assert.equal(logLines(dir).length, logLines(base).length, "no training happened");
    assert.equal(summaryOf(dir).status, "unsolved", "the run is not marked failed");
  });
});

test("§5 usage errors before anything is created: --out naming a file, config sizes past their limits, bad --config files (exit 2, one line)", async () => {
  const file = join(root, "a-file");
  writeFileSync(file, "mine\n");
  const fifo = join(root, "config-fifo");
  spawnSync("mkfifo", [fifo]);
  const good = JSON.parse(readFileSync(join(base, FILES.config), "utf8"));
  const configFile = (name: string, value: unknown) => {
    const p = join(root, name);
    writeFileSync(p, typeof value === "string" ? value : JSON.stringify(value));
    return p;
  };
  const out = (n: string) => join(root, `never-${n}`);
  const cases: [string[], RegExp, string?][] = [
    [["train", ...SMALL, "--out", file], /--out .*a-file is an existing file, not a folder; allowed: a new or empty folder/],
    [["compare", "--presets", "improved", "--seeds", "1", "--out", file], /--out .*a-file is an existing file, not a folder/],
    [["train", ...SMALL, "--set", "solvedWindow=9007199254740991", "--out", out("window")], /config\.solvedWindow must be a whole number from 1 to 1000000; got 9007199254740991/, out("window")],
    [["train", ...SMALL.slice(0, 2), "--set", `hiddenLayers=[${Array(20000).fill(1).join(",")}]`, "--out", out("layers")], /config\.hiddenLayers must be a non-empty array of at most 32 whole numbers from 1 to 1000000.*got a list of 20000 entries/, out("layers")],
    [["train", "--config", configFile("unknown.json", { ...good, speed: 3 }), "--out", out("unknown")], /--config .*unknown\.json: unknown config field speed/, out("unknown")],
    [["train", "--config", configFile("type.json", { ...good, learningRate: "fast" }), "--out", out("type")], /--config .*type\.json: config\.learningRate must be a number > 0 and <= 1; got "fast"/, out("type")],
    [["train", "--config", configFile("range.json", { ...good, gamma: 2 }), "--out", out("range")], /--config .*range\.json: config\.gamma must be a number from 0 to 1; got 2/, out("range")],
    [["train", "--config", configFile("bad.json", "{ not json"), "--out", out("bad")], /--config .*bad\.json: not valid JSON/, out("bad")],
    [["train", "--config", configFile("list.json", [1, 2]), "--out", out("list")], /--config .*list\.json: must hold a JSON object of config fields/, out("list")],
    [["train", "--config", configFile("huge.json", `{"learningRate": 0.001${" ".repeat(100_000)}}`), "--out", out("huge")], /--config .*huge\.json: \d+ bytes is too large for a config; allowed: at most 65536 bytes/, out("huge")],
    [["train", "--config", fifo, "--out", out("fifo")], /--config .*config-fifo: not a regular file/, out("fifo")],
    [["compare", "--presets", "improved", "--seeds", "1", "--config", configFile("cmp.json", { batchSize: -1 }), "--out", out("cmp")], /--config .*cmp\.json: config\.batchSize must be a whole number >= 1; got -1/, out("cmp")],
  ];
  // Four at a time, with a generous limit: each is a whole process loading TensorFlow.js on a shared machine.
  const results: Ran[] = [];
  for (let i = 0; i < cases.length; i += 4) {
    results.push(...(await Promise.all(cases.slice(i, i + 4).map(([args]) => exitWithin(startCli(args, root), 600_000, args.join(" ").slice(0, 200))))));
  }
  results.forEach((r, i) => {
    const [args, message, created] = cases[i];
    assert.equal(r.code, 2, `${args.join(" ").slice(0, 200)}: ${r.stderr.slice(0, 500)}`);
    assert.equal(stderrLines(r).length, 1, r.stderr);
    assert.match(r.stderr, message);
    if (created) assert.equal(existsSync(created), false, `${created} was not created`);
  });
  assert.equal(readFileSync(file, "utf8"), "mine\n");
});

test("§5 play --html into a FIFO is refused at once; report --out into a folder another process holds the lock of is refused", async () => {
  const fifo = join(root, "page-fifo");
  spawnSync("mkfifo", [fifo]);
  const p = await exitWithin(startCli(["play", "--model", base, "--episodes", "1", "--html", fifo], root), 300_000, "play --html FIFO");
  assert.equal(p.code, 1, p.stderr);
  assert.match(p.stderr, /refusing to write .*page-fifo: it is not a regular file \(a pipe, a device or a socket\); give a new file name/);

  const held = join(root, "held");
  cpSync(base, held, { recursive: true });
  const lock = lockRunFolder(held, "the test, holding the lock");
  try {
    const r = await exitWithin(startCli(["report", base, "--out", join(held, "report.html"), "--plotly", "cdn"], root), 300_000, "report --out");
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`refusing to write .*held/report\\.html: .*held is being written by another process \\(pid ${process.pid} on `));
    assert.equal(existsSync(join(held, "report.html")), false);
  } finally {
    lock.release();
  }
});

test("§5 Ctrl-C right after model/ appears (while the chart is written) exits 130", async () => {
  const dir = join(root, "late-ctrl-c");
  // plotly inline: the 10 MB chart is the slow last step.
  const s = startCli(["train", "--preset", "improved", "--set", "hiddenLayers=[8]", "--steps", "300", "--out", dir, "--eval-episodes", "0", "--plotly", "inline", "--quiet"], root);
  await until(() => existsSync(join(dir, FILES.model)) || s.child.exitCode !== null, "model/ to appear", 180_000);
  s.child.kill("SIGINT");
  const r = await exitWithin(s, 300_000, "train after Ctrl-C");
  assert.equal(r.code, 130, `exit ${r.code}: ${r.stderr}`);
  assert.ok(existsSync(join(dir, FILES.summary)));
});

test("§5 an episode cap that alone meets the bar (maxEpisodeSteps=20: -20 vs -90) is warned about, on stderr and in the summary", async () => {
  const dir = join(root, "cap");
  const r = await cli("train", ...SMALL, "--set", "maxEpisodeSteps=20", "--steps", "100", "--out", dir, "--eval-episodes", "0");
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /warning: the episode cap alone meets the bar: with maxEpisodeSteps 20 and the env reward every episode returns at least -20, which is >= solvedAt -90/);
  assert.match(summaryOf(dir).message, /warning: the episode cap alone meets the bar/);
  // The lesson's own setting is not warned about.
  assert.doesNotMatch((await cli("train", ...SMALL, "--steps", "100", "--out", join(root, "no-cap"), "--eval-episodes", "0")).stderr, /warning/);
});

test("21 §4 --config: a run's config.json is valid input for train and compare, and --set and --steps override it", async () => {
  const one = join(root, "from-config"), cmp = join(root, "compare-from-config");
  const cfg = join(base, FILES.config);
  const [t, c] = await Promise.all([
    cli("train", "--config", cfg, "--set", "learningRate=0.002", "--steps", "100", "--out", one, "--eval-episodes", "0", "--plotly", "cdn"),
    cli("compare", "--presets", "naive", "--seeds", "4", "--config", cfg, "--steps", "100", "--jobs", "1", "--out", cmp, "--eval-episodes", "0", "--plotly", "cdn"),
  ]);
  assert.equal(t.code, 0, t.stderr);
  assert.equal(c.code, 0, c.stderr);
  const want = JSON.parse(readFileSync(cfg, "utf8"));
  assert.deepEqual(readRun(one).config, { ...want, learningRate: 0.002, maxEnvSteps: 100 });
  assert.equal(readRun(one).meta.preset, "improved", "recorded as the preset it differs from least");
  // Every field from the file, over the naive preset; the seed from --seeds.
  assert.deepEqual(readRun(join(cmp, "naive-seed4")).config, { ...want, seed: 4, maxEnvSteps: 100 });
});

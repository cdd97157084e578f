/**
 * Issue 11 with real processes and real signals: one writer per run folder,
 * a hand-edited run folder refused on resume, what `--set` accepts fits,
 * `play` refuses NaN weights and absurd metadata and never writes over a
 * run's files, Ctrl-C works at start-up, in the evaluation, in `play` and in
 * `report`, and a full disk (a real tmpfs, as root) keeps the summary and
 * leaves a run that resumes.
 */
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { tmpfs } from "./tmpfs";
import { deadPid, events, exitWithin, startCli, until, type Ran } from "./cli-process";
import { readEpisodeLog, readRun } from "../lib/runs/read";
import { FILES, type RunSummary } from "../lib/runs/format";
import { readSnapshot } from "../lib/train/snapshot-file";

const root = mkdtempSync(join(tmpdir(), "acrobot-cli-safety-"));
after(() => rmSync(root, { recursive: true, force: true }));

const cli = (...args: string[]) => startCli(args, root).done;
const SMALL = ["--preset", "improved", "--set", "hiddenLayers=[8]", "--plotly", "cdn"];
const summaryOf = (dir: string) => JSON.parse(readFileSync(join(dir, FILES.summary), "utf8")) as RunSummary;
const oneToN = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
const episodeCount = (s: string) => (s.match(/"event":"episode"/g) ?? []).length;
const oneLine = (r: Ran) => r.stderr.split("\n").filter((l) => l !== "");

const base = join(root, "base");

test("setup: a short run to resume, play and edit", async () => {
  const r = await cli("train", ...SMALL, "--steps", "600", "--out", base, "--eval-episodes", "1");
  assert.equal(r.code, 0, r.stderr);
  assert.equal(summaryOf(base).status, "unsolved");
  // The budget ran out mid-episode: that last episode is marked cut and counted as such.
  const records = readRun(base).records, last = records[records.length - 1];
  if (!last.terminated && last.steps < 500) {
    assert.equal(last.cut, true);
    assert.equal(summaryOf(base).cutEpisodes, 1);
    assert.match(r.stdout, /1 cut short and not counted toward the bar/);
  }
  assert.ok(records.slice(0, -1).every((x) => x.cut === false));
});

test("two `train --resume` of one run at once: the second is refused with a clear message; leftovers of a killed writer are cleaned", async () => {
  const dir = join(root, "twice");
  cpSync(base, dir, { recursive: true });
  // What a process killed mid-write leaves behind.
  const gone = deadPid();
  writeFileSync(join(dir, `${FILES.summary}.tmp-${gone}`), "{ half");
  mkdirSync(join(dir, `${FILES.checkpoint}.tmp-${gone}`));
  const args = ["train", "--resume", dir, "--steps", "60000", "--json", "--eval-episodes", "0", "--plotly", "cdn"];
  const a = startCli(args, root), b = startCli(args, root);
  const first = await Promise.race([a.done.then(() => "a"), b.done.then(() => "b")]);
  const [loser, winner] = first === "a" ? [a, b] : [b, a];
  const lost = await loser.done;
  assert.equal(lost.code, 1, lost.stderr);
  assert.match(oneLine(lost).join("\n"), /^acrobot-dqn: .*twice is being written by another process \(pid \d+, since .*\); one writer per run folder: wait for it to end, or stop it/m);
  await until(() => episodeCount(winner.stdout()) >= 2, "the writer's episodes");
  winner.child.kill("SIGINT");
  const won = await winner.done;
  assert.equal(won.code, 130, won.stderr);
  const run = readRun(dir);
  assert.equal(run.summary?.status, "interrupted");
  assert.deepEqual(run.records.map((r) => r.episode), oneToN(run.records.length));
  assert.equal(readSnapshot(join(dir, FILES.checkpoint)).records.length, run.records.length);
  assert.equal(run.meta.resumes.length, 1, "only one process resumed it");
  assert.deepEqual(readdirSync(dir).filter((n) => n.includes(".tmp-") || n === "writer.lock"), [], "scratch files and the lock are gone");
});

test("two compares into one folder at once: the second is refused, the first's runs are whole", async () => {
  const dir = join(root, "compare-twice");
  const args = ["compare", "--presets", "improved", "--seeds", "1", "--steps", "100", "--set", "hiddenLayers=[8]", "--jobs", "1", "--out", dir, "--eval-episodes", "0", "--plotly", "cdn"];
  const [a, b] = await Promise.all([cli(...args), cli(...args)]);
  const [ok, refused] = a.code === 0 ? [a, b] : [b, a];
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(refused.code, 1, refused.stderr);
  assert.match(refused.stderr, /compare-twice (is being written by another process|already exists and is not empty)/);
  assert.equal(readRun(join(dir, "improved-seed1")).summary?.status, "unsolved");
  assert.equal(readRun(join(dir, "improved-seed1")).meta.resumes.length, 0);
});

test("a hand-edited run folder is refused on resume, naming the file and the field", async () => {
  const edited = (name: string, file: string, f: (j: Record<string, unknown>) => void) => {
    const dir = join(root, name);
    cpSync(base, dir, { recursive: true });
    const j = JSON.parse(readFileSync(join(dir, file), "utf8"));
    f(j);
    writeFileSync(join(dir, file), JSON.stringify(j));
    return dir;
  };
  const cases: [string, RegExp][] = [
    [edited("seed-edited", FILES.config, (j) => (j.seed = 5)), /config\.json says seed = 5, but the checkpoint \(.*checkpoint[/\\]snapshot\.json\) was trained with 1; put config\.json back/],
    [edited("lr-edited", FILES.config, (j) => (j.learningRate = 0.5)), /config\.json says learningRate = 0\.5, but the checkpoint .* was trained with 0\.0006/],
    [edited("lr-bad", FILES.config, (j) => (j.learningRate = "fast")), /config\.json: config\.learningRate must be a number > 0 and <= 1; got "fast"/],
    [edited("field-bad", FILES.config, (j) => Object.defineProperty(j, "toString", { value: 1, enumerable: true })), /config\.json: unknown config field toString/],
    [edited("meta-bad", FILES.meta, (j) => (j.seed = -3)), /meta\.json: field seed must be a whole number >= 0, got -3/],
  ];
  const results = await Promise.all(cases.map(([dir]) => cli("train", "--resume", dir, "--steps", "5000")));
  results.forEach((r, i) => {
    assert.equal(r.code, 1, r.stderr);
    assert.equal(oneLine(r).length, 1, r.stderr);
    assert.match(r.stderr, cases[i][1]);
  });
  // Changing a field on purpose is what --set is for: then the edited file does not matter.
  const onPurpose = await cli("train", "--resume", cases[1][0], "--set", "learningRate=0.001", "--steps", "700", "--quiet", "--eval-episodes", "0", "--plotly", "cdn");
  assert.equal(onPurpose.code, 0, onPurpose.stderr);
  assert.equal(readRun(cases[1][0]).config.learningRate, 0.001);
});

test("what --set accepts must fit: names every object has and sizes the machine cannot hold are refused at once", async () => {
  const cases: [string[], RegExp][] = [
    [["--set", "toString=5"], /unknown config field toString/],
    [["--set", "constructor=5"], /unknown config field constructor/],
    [["--set", "reward=toString"], /config\.reward must be one of "env", "tipHeight"/],
    [["--set", "hiddenLayers=[100000,100000]"], /config\.hiddenLayers \[100000,100000\] with config\.batchSize \d+ need about .* GiB/],
    [["--set", "memoryCapacity=1e12"], /config\.memoryCapacity 1000000000000 needs about .* GiB of replay memory/],
    [["--set", "batchSize=1e8"], /config\.batchSize 100000000 need about/],
    [["--set", "maxEpisodeSteps=1e12"], /config\.maxEpisodeSteps must be a whole number from 1 to 100000/],
    [["--set", "__proto__=1"], /is not a config field name|unknown config field __proto__/],
  ];
  const results = await Promise.all(cases.map(([args]) => cli("train", "--preset", "improved", ...args, "--out", join(root, "never"))));
  results.forEach((r, i) => {
    assert.equal(r.code, 2, `${cases[i][0].join(" ")}: ${r.stderr}`);
    assert.equal(oneLine(r).length, 1, r.stderr);
    assert.match(r.stderr, cases[i][1]);
  });
  const [p, o] = await Promise.all([cli("train", "--preset", "toString"), cli("train", "--preset", "improved", "--out", "")]);
  assert.equal(p.code, 2);
  assert.match(p.stderr, /'toString' is invalid\. allowed: naive, replay/);
  assert.equal(o.code, 2);
  assert.match(o.stderr, /--out.*allowed: a file or folder name \(not empty\)/);
  assert.ok(!existsSync(join(root, "never")), "nothing was created");
});

test("play refuses NaN weights and absurd metadata, and never writes over a run's files", async () => {
  const nan = join(root, "nan-model");
  cpSync(join(base, FILES.model), nan, { recursive: true });
  const bin = readFileSync(join(nan, "weights.bin"));
  new Float32Array(bin.buffer, bin.byteOffset, bin.byteLength / 4)[0] = NaN;
  writeFileSync(join(nan, "weights.bin"), bin);
  const long = join(root, "long-model");
  cpSync(join(base, FILES.model), long, { recursive: true });
  const json = JSON.parse(readFileSync(join(long, "model.json"), "utf8"));
  json.userDefinedMetadata.config.maxEpisodeSteps = 1e12;
  writeFileSync(join(long, "model.json"), JSON.stringify(json));
  const summary = readFileSync(join(base, FILES.summary), "utf8");
  const mine = join(root, "notes.html");
  writeFileSync(mine, "<p>my notes</p>");
  const [a, b, c, d] = await Promise.all([
    cli("play", "--model", nan, "--episodes", "1"),
    cli("play", "--model", long, "--episodes", "1"),
    cli("play", "--model", base, "--episodes", "1", "--html", join(base, FILES.summary)),
    cli("play", "--model", base, "--episodes", "1", "--html", mine),
  ]);
  assert.equal(a.code, 1, a.stderr);
  assert.match(a.stderr, /corrupt saved model in .*nan-model: weight .* holds NaN at index 0/);
  assert.doesNotMatch(a.stdout, /mean return/);
  assert.equal(b.code, 1, b.stderr);
  assert.match(b.stderr, /long-model[/\\]model\.json: userDefinedMetadata\.config\.maxEpisodeSteps must be a whole number from 1 to 100000, got 1000000000000/);
  assert.equal(c.code, 1, c.stderr);
  assert.match(c.stderr, /refusing to write .*summary\.json: it is a file of the run folder/);
  assert.equal(readFileSync(join(base, FILES.summary), "utf8"), summary);
  assert.equal(d.code, 1, d.stderr);
  assert.match(d.stderr, /refusing to overwrite .*notes\.html: it was not written by acrobot-dqn/);
  assert.equal(readFileSync(mine, "utf8"), "<p>my notes</p>");
});

test("Ctrl-C during the greedy evaluation stops it cleanly (it was ignored)", async () => {
  const dir = join(root, "eval-stopped");
  const s = startCli(["train", ...SMALL, "--steps", "300", "--out", dir, "--json", "--eval-episodes", "5000"], root);
  await until(() => events(s.stdout()).some((e) => e.event === "episode" && e.envSteps === 300), "the last training episode");
  await until(() => existsSync(join(dir, FILES.model, "model.json")), "the saved model");
  await new Promise((r) => setTimeout(r, 500)); // into the evaluation
  s.child.kill("SIGINT");
  const r = await exitWithin(s, 20_000, "the evaluation after Ctrl-C");
  assert.equal(r.code, 130, r.stderr);
  const summary = summaryOf(dir);
  assert.equal(summary.status, "unsolved", "training itself ended on its budget");
  assert.equal(summary.evaluation, null);
  assert.match(summary.message, /the greedy evaluation was stopped by SIGINT after \d+ of 5000 episodes/);
});

test("Ctrl-C in play stops after the current step and says how far it got", async () => {
  const s = startCli(["play", "--model", base, "--episodes", "5000"], root);
  await until(() => /playing 5000 greedy episode/.test(s.stdout()), "play to start");
  await new Promise((r) => setTimeout(r, 300));
  s.child.kill("SIGINT");
  const r = await exitWithin(s, 15_000, "play after Ctrl-C");
  assert.equal(r.code, 130, r.stderr);
  assert.match(r.stdout, /SIGINT: stopped after \d+ of 5000 episode\(s\)/);
});

test("Ctrl-C at start-up stops at once and leaves no half-made run folder", async () => {
  for (const delay of [400, 1500]) {
    const dir = join(root, `startup-${delay}`);
    const s = startCli(["train", ...SMALL, "--steps", "60000", "--out", dir, "--json"], root);
    await new Promise((r) => setTimeout(r, delay));
    const trainingBegan = episodeCount(s.stdout()) > 0;
    s.child.kill("SIGINT");
    const r = await exitWithin(s, 20_000, `start-up after ${delay} ms`);
    assert.ok(r.code === 130 || r.signal === "SIGINT", `exit ${r.code} ${r.signal}: ${r.stderr}`);
    // Either nothing at all, or (if training had begun) a whole interrupted run.
    if (existsSync(dir) && readdirSync(dir).length > 0) assert.equal(summaryOf(dir).status, "interrupted", `${delay} ms (training began: ${trainingBegan})`);
    else if (r.code === 130) assert.match(r.stderr, /SIGINT: stopped before training started; nothing was written/);
  }
});

test("Ctrl-C in report stops before writing anything", async (t) => {
  // Enough runs, each with a long log, that reading them takes a few seconds.
  const many = join(root, "many");
  const lines = readFileSync(join(base, FILES.episodes), "utf8").trim().split("\n").map((l) => JSON.parse(l));
  const log = Array.from({ length: 4000 }, (_, i) => JSON.stringify({ ...lines[0], episode: i + 1 })).join("\n") + "\n";
  for (let i = 0; i < 150; i++) {
    const d = join(many, `run-${i}`);
    mkdirSync(d, { recursive: true });
    for (const f of [FILES.config, FILES.meta, FILES.summary]) cpSync(join(base, f), join(d, f));
    writeFileSync(join(d, FILES.episodes), log);
  }
  const s = startCli(["report", many, "--plotly", "cdn"], root);
  await new Promise((r) => setTimeout(r, 2500));
  s.child.kill("SIGINT");
  const r = await exitWithin(s, 15_000, "report after Ctrl-C");
  if (r.code === 0) return t.skip(`report read all ${150} runs within 2.5 s: nothing left to stop`);
  assert.equal(r.code, 130, r.stderr);
  assert.match(r.stderr, /SIGINT: stopped before the report was written; nothing was written/);
  assert.ok(!existsSync(join(many, "report.html")));
});


test("a full disk at the end: the summary is written before the 10 MB chart, and the error names the chart", async (t) => {
  const disk = tmpfs(2048);
  if (typeof disk === "string") return t.skip(disk);
  try {
    const dir = join(disk.dir, "run");
    const r = await cli("train", "--preset", "improved", "--set", "hiddenLayers=[8]", "--set", "memoryCapacity=2000", "--steps", "300", "--out", dir, "--eval-episodes", "1", "--plotly", "inline");
    assert.equal(r.code, 1, r.stderr);
    assert.match(oneLine(r).join("\n"), /acrobot-dqn: cannot write .*run[/\\]chart\.html\.tmp-\d+: the disk is full \(ENOSPC\)/);
    const s = summaryOf(dir);
    assert.equal(s.status, "unsolved");
    assert.equal(s.evaluation?.episodes, 1);
    assert.ok(!readdirSync(dir).some((n) => n.includes(".tmp-")), "no scratch file left");
  } finally {
    disk.unmount();
  }
});

test("a disk that fills during training: exit 1 naming the file, no torn line, and the run resumes once there is room", async (t) => {
  const disk = tmpfs(1024);
  if (typeof disk === "string") return t.skip(disk);
  try {
    const dir = join(disk.dir, "run");
    const s = startCli(["train", ...SMALL, "--set", "memoryCapacity=2000", "--steps", "100000", "--out", dir, "--json", "--eval-episodes", "0"], root);
    await until(() => episodeCount(s.stdout()) >= 2, "two episodes");
    // Fill what is left.
    const chunk = Buffer.alloc(4096, 120);
    let n = 0;
    for (;;) {
      try {
        writeFileSync(join(disk.dir, `filler-${n++}`), chunk);
      } catch {
        break;
      }
    }
    const r = await exitWithin(s, 60_000, "the run on a full disk");
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /acrobot-dqn: cannot write .*run[/\\](episodes\.jsonl|checkpoint\.tmp-\d+[/\\]snapshot\.(bin|json)|summary\.json\.tmp-\d+|config\.json\.tmp-\d+|meta\.json\.tmp-\d+): the disk is full \(ENOSPC\)/);
    const text = readFileSync(join(dir, FILES.episodes), "utf8");
    assert.ok(text === "" || text.endsWith("\n"), "the log ends with a whole line");
    const logged = readEpisodeLog(join(dir, FILES.episodes)).map((x) => x.episode);
    assert.deepEqual(logged, oneToN(logged.length));
    for (let i = 0; i < n; i++) rmSync(join(disk.dir, `filler-${i}`), { force: true });
    if (!existsSync(join(dir, FILES.checkpoint))) return; // it filled before the first checkpoint: nothing to resume
    const resumed = startCli(["train", "--resume", dir, "--steps", "100000", "--json", "--eval-episodes", "0", "--plotly", "cdn"], root);
    await until(() => episodeCount(resumed.stdout()) >= 1, "an episode after resuming");
    resumed.child.kill("SIGINT");
    const r2 = await resumed.done;
    assert.equal(r2.code, 130, r2.stderr);
    const run = readRun(dir);
    assert.deepEqual(run.records.map((x) => x.episode), oneToN(run.records.length));
    assert.equal(run.summary?.status, "interrupted");
  } finally {
    disk.unmount();
  }
});

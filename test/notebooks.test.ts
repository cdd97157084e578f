/**
 * Every notebook, top to bottom, on the real tslab kernel (over the Jupyter
 * protocol, as JupyterLab drives it) with ACROBOT_DQN_SMOKE=1: tiny budgets.
 * No cell may fail, and what a learner should see (charts, tables, the
 * exercise's verdict) must be there.
 */
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runNotebook, type NotebookRun, type Output } from "./notebook-runner";
import { initBackend } from "../lib/tf";
import { train } from "../lib/train/trainer";
import { presets } from "../lib/train/presets";
import { readRun, runLabel, type Run } from "../lib/runs/read";

const DIR = join(__dirname, "..", "notebooks");
// Runs and models go to a scratch folder: a test run never replaces a learner's model.
const SCRATCH = mkdtempSync(join(tmpdir(), "acrobot-dqn-notebooks-"));
const MODEL_DIR = join(SCRATCH, "models", "tip-height");
const SMOKE = { ACROBOT_DQN_SMOKE: "1", ACROBOT_DQN_RUNS: join(SCRATCH, "runs"), ACROBOT_DQN_MODELS: join(SCRATCH, "models") };
after(() => rmSync(SCRATCH, { recursive: true, force: true }));

/** All HTML and text a notebook showed (display, updates, results, streams). */
function shown(run: NotebookRun): string {
  return run.cells.flatMap((c) => c.outputs).map(textOf).join("\n");
}
function textOf(o: Output): string {
  if (o.output_type === "stream") return o.text;
  if (o.output_type === "error") return `${o.ename}: ${o.evalue}`;
  return Object.values(o.data).map(String).join("\n");
}
function failures(run: NotebookRun): string {
  const bad = run.cells.filter((c) => c.status !== "ok");
  return bad.map((c) => `cell ${c.index} ${c.status}: ${c.error?.ename ?? ""} ${c.error?.evalue ?? ""}\n${c.source.slice(0, 200)}`).join("\n") + (run.problem ?? "") + run.uncaughtErrors.join("\n");
}
async function runOk(name: string, opts: Parameters<typeof runNotebook>[1] = {}): Promise<string> {
  const run = await runNotebook(join(DIR, name), { env: SMOKE, cellTimeoutMs: 300_000, ...opts });
  assert.ok(run.ok, `${name} failed:\n${failures(run)}\nstderr:\n${run.stderr.slice(-2000)}`);
  assert.deepEqual(run.uncaughtErrors, [], `${name}: errors thrown outside the cells`);
  const out = shown(run);
  assert.match(out, /plotly\.js [\d.]+ (loaded|was already sent)/, `${name}: the setup cell did not load Plotly`);
  assert.doesNotMatch(out, /Promise \{ <pending> \}/, `${name}: a promise was left unawaited`);
  return out;
}
/** What a learner reads: the shown HTML with its escapes undone (showMessage escapes quotes). */
const plain = (out: string) => out.replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
/** The markdown and code a notebook holds (its explanations are not outputs). */
const sourceOf = (name: string) => (JSON.parse(readFileSync(join(DIR, name), "utf8")).cells as { source: string[] }[]).map((c) => c.source.join("")).join("\n");
const charts = (out: string) => (out.match(/class="acrobot-chart"/g) ?? []).length;

test("notebooks are committed without outputs, each with a setup cell and a parameters cell", () => {
  const names = readdirSync(DIR).filter((f) => f.endsWith(".ipynb"));
  assert.ok(names.length >= 9, `expected the course's notebooks, found ${names.join(", ")}`);
  for (const name of names) {
    const nb = JSON.parse(readFileSync(join(DIR, name), "utf8"));
    assert.equal(nb.metadata.kernelspec.name, "tslab", name);
    const code = nb.cells.filter((c: { cell_type: string }) => c.cell_type === "code");
    for (const c of code) {
      assert.deepEqual(c.outputs, [], `${name} has outputs committed`);
      assert.equal(c.execution_count, null, `${name} has execution counts committed`);
    }
    assert.match(code[0].source.join(""), /import \* as dqn from "\.\/lib\/index"/, `${name}: the first code cell imports the library`);
    assert.deepEqual(code[1].metadata.tags, ["parameters"], `${name}: the second code cell is tagged parameters`);
    assert.match(code[1].source.join(""), /ACROBOT_DQN_SMOKE/, `${name}: the parameters cell reads ACROBOT_DQN_SMOKE`);
  }
});

test("00 the task: spaces, a refused action, random returns, an animation", async () => {
  const out = await runOk("00-acrobot.ipynb");
  assert.match(out, /Acrobot action must be the integer 0, 1 or 2/);
  assert.match(out, /acrobot-table/);
  assert.ok(charts(out) >= 1, "the episode animation is shown");
  assert.match(out, /"frames"|addFrames/, "the animation carries Plotly frames");
});

/** Each lesson chapter: its notebook, its preset, its saved run, its exercise and what the check says. */
const CHAPTERS = [
  {
    nb: "01-naive-dqn", preset: "naive", run: "01-naive", fallback: /Until your tdTarget passes/,
    wrong: "function tdTarget(reward: number, done: boolean, maxNextQ: number, gamma: number): number { return reward + gamma * maxNextQ; }",
    hint: /Hint: it always bootstraps\. When the transition ended the episode \(done\) there is no next state/,
  },
  {
    nb: "02-replay-memory", preset: "replay", run: "02-replay", fallback: /Until your sampleIndices passes/,
    wrong: "function sampleIndices(memory: { size: number; capacity: number }, batchSize: number, rng: dqn.Rng): number[] { return Array.from({ length: batchSize }, () => rng.int(memory.capacity)); }",
    hint: /Hint: only rows 0 to memory\.size - 1 hold transitions; draw from memory\.size, not memory\.capacity/,
  },
  {
    nb: "03-target-network", preset: "target", run: "03-target", fallback: /Until your targetValues and syncAfter pass/,
    wrong: "function targetValues(model: dqn.tf.LayersModel, baseModel: dqn.tf.LayersModel, nextStates: Float32Array): Float32Array { return dqn.agent.maxQ(baseModel, nextStates); }\nfunction syncAfter(iEpisode: number): boolean { return iEpisode % 50 === 1; }",
    hint: /Hint: off by one: the lesson syncs after episodes 50, 100, 150/,
  },
] as const;

/** The episodes a notebook's own loop played, as its saved run (episodes.jsonl) has them. */
function savedEpisodes(run: string): { return: number; steps: number; loss: number | null }[] {
  return savedRecords(run).map((r) => ({ return: r.return, steps: r.steps, loss: r.loss }));
}

function savedRecords(run: string): { return: number; steps: number; loss: number | null; meanMaxQ?: number | null }[] {
  const lines = readFileSync(join(SMOKE.ACROBOT_DQN_RUNS, "notebooks", run, "episodes.jsonl"), "utf8").trim().split("\n");
  return lines.map((l) => JSON.parse(l));
}

for (const ch of CHAPTERS) {
  const id = ch.nb.slice(0, 2);
  test(`${id} unsolved as shipped: the check explains, the chapter's own loop trains with the library's answer, and it plays exactly the episodes train(presets.${ch.preset}) plays`, async () => {
    const out = await runOk(`${ch.nb}.ipynb`);
    assert.match(out, /acrobot-error/);
    assert.match(out, /Not yet: .*Hint:/);
    assert.match(out, ch.fallback);
    assert.match(out, /episode \d+ \| return -?\d/, "live status line");
    assert.ok(charts(out) >= 1, "a learning curve is drawn");
    assert.match(out, /reached the episode budget \(2\)/);
    assert.match(out, /the same episode: every return, step count and TD loss agrees/, "the notebook's own comparison");
    const meta = JSON.parse(readFileSync(join(SMOKE.ACROBOT_DQN_RUNS, "notebooks", ch.run, "meta.json"), "utf8"));
    assert.equal(meta.acrobotDqnVersion, JSON.parse(readFileSync(join(__dirname, "..", "package.json"), "utf8")).version);

    // The notebook's cells played these episodes on the real kernel; train() here, in this process, must play the same.
    const fromNotebook = savedEpisodes(ch.run);
    assert.equal(fromNotebook.length, 2);
    await initBackend();
    const lib = await train({ ...presets[ch.preset], seed: 1, maxEpisodes: 2 });
    lib.model.dispose();
    assert.deepEqual(lib.records.map((r) => ({ return: r.return, steps: r.steps, loss: r.loss })), fromNotebook);

    // The notebook records mean max Q its own way (one batch after the episode, train() one state at a time): the same measure.
    assert.match(out, /mean max Q\(s, a\) over the states of each episode/, "the mean max Q chart");
    const notebookQ = savedRecords(ch.run).map((r) => r.meanMaxQ);
    lib.records.forEach((r, i) => {
      const want = r.meanMaxQ, got = notebookQ[i];
      assert.ok(typeof want === "number" && typeof got === "number" && Math.abs(got - want) <= 1e-4 * Math.max(1, Math.abs(want)), `episode ${i + 1}: notebook mean max Q ${got}, train() ${want}`);
    });
  });

  test(`${id} solved: the solution passes the check and the chapter trains with the learner's answer`, async () => {
    const out = await runOk(`${ch.nb}-solution.ipynb`);
    assert.match(out, /acrobot-ok/);
    assert.match(out, /Correct: /);
    assert.doesNotMatch(out, ch.fallback);
    assert.doesNotMatch(out, /Not yet:/);
    assert.match(out, /the same episode: /);
  });

  test(`${id} exercise: a typical slip gets its specific hint`, async () => {
    const run = await runNotebook(join(DIR, `${ch.nb}.ipynb`), { env: SMOKE, injectAfterTag: { tag: "exercise", code: ch.wrong }, stopAfterTag: "check" });
    assert.ok(run.ok, failures(run));
    const out = shown(run);
    assert.match(out, ch.hint);
    assert.match(out, ch.fallback);
  });
}

test("03 with a sync that falls inside the smoke budget: the notebook's loop and train() agree, and the sync shows in the loss", async () => {
  // The lesson syncs every 50 episodes, beyond a 2-episode budget: refresh baseModel after episode 2 instead,
  // so episode 2 learns from a refreshed target (tslab lets a later cell redeclare a const).
  const run = await runNotebook(join(DIR, "03-target-network.ipynb"), { env: SMOKE, injectAfterTag: { tag: "check", code: "const syncAfterInUse = (iEpisode: number) => iEpisode === 2;" } });
  assert.ok(run.ok, failures(run));
  const fromNotebook = savedEpisodes("03-target");
  await initBackend();
  const every2 = await train({ ...presets.target, targetSyncEvery: 2, seed: 1, maxEpisodes: 2 });
  const never = await train({ ...presets.target, seed: 1, maxEpisodes: 2 });
  for (const r of [every2, never]) r.model.dispose();
  const summary = (rs: readonly { return: number; steps: number; loss: number | null }[]) => rs.map((r) => ({ return: r.return, steps: r.steps, loss: r.loss }));
  assert.deepEqual(summary(every2.records), fromNotebook);
  assert.notEqual(never.records[1].loss, fromNotebook[1].loss, "without the sync, episode 2's loss differs: the comparison can see it");
});

test("02 with a right sampleIndices that draws from another stream: the check passes, and the closing comparison says why it uses the library's sampler and still agrees", async () => {
  const right = "function sampleIndices(memory: { size: number; capacity: number }, batchSize: number, rng: dqn.Rng): number[] { return Array.from({ length: batchSize }, () => Math.floor(rng.float() * memory.size)); }";
  const out = await runOk("02-replay-memory.ipynb", { injectAfterTag: { tag: "exercise", code: right } });
  assert.match(out, /Correct: uniform over the filled rows/, "the check accepts the right sampler");
  assert.doesNotMatch(out, /Until your sampleIndices passes/, "the notebook trains with it");
  assert.match(out, /From the same seed your sampleIndices draws other rows than the library(&#39;|')s/, "the note says why the comparison uses the library's sampler");
  assert.match(out, /the same episode: every return, step count and TD loss agrees/, "the comparison is green");
  assert.doesNotMatch(out, /they differ from episode/, "no red cross");
});

test("01 the stop button during training keeps the work: the next cells run on the episodes played so far", async () => {
  // Full budgets (no ACROBOT_DQN_SMOKE): stop once a few episodes are shown, as a learner would.
  const { ACROBOT_DQN_SMOKE: _smoke, ...full } = SMOKE;
  const run = await runNotebook(join(DIR, "01-naive-dqn.ipynb"), {
    env: full, cellTimeoutMs: 300_000, interruptCell: { tag: "training", when: /episode [3-9] \|/ },
  });
  const stopped = run.cells.find((c) => c.tags.includes("training"));
  assert.ok(stopped?.interrupted, "SIGINT was sent during the training cell");
  assert.ok(run.ok, `after the stop:\n${failures(run)}\nstderr:\n${run.stderr.slice(-2000)}`);
  const after = run.cells.filter((c) => c.index > stopped!.index);
  assert.ok(after.length >= 4 && after.every((c) => c.status === "ok"), "every later cell ran");
  const out = shown({ ...run, cells: after });
  const played = savedEpisodes("01-naive").length;
  assert.ok(played >= 3 && played < 1000, `the saved run holds the ${played} episodes played before the stop`);
  assert.match(out, new RegExp(`stopped after episode ${played}`));
  assert.match(out, /the same 5 episodes/);
});

/** The run folders a notebook's pool wrote under runs/notebooks/NAME, read back. */
function poolRuns(name: string): Run[] {
  const dir = join(SCRATCH, "runs", "notebooks", name);
  return readdirSync(dir).sort().map((n) => readRun(join(dir, n)));
}
/** Whether two of the runs trained at the same time (from their meta and summary times). */
function someOverlap(runs: readonly Run[]): boolean {
  const spans = runs.map((r) => [Date.parse(r.meta.startedAt), Date.parse(r.summary!.updatedAt)]);
  return spans.some((a, i) => spans.some((b, j) => i !== j && a[0] < b[1] && b[0] < a[1]));
}
/** Two at once even on a one-core machine, so the overlap check holds anywhere. */
const TWO_JOBS = { ACROBOT_DQN_JOBS: "2" };

/** Notebook 04 as shipped, run once (two jobs at once) for the tests that read it. */
let shipped04: Promise<string> | null = null;
const run04 = () => (shipped04 ??= runOk("04-improvements.ipynb", { env: { ...SMOKE, ...TWO_JOBS } }));
const FALLBACK_04 = /Until your (epsilonAt|tdTargets|huberLoss|doubleDqnValues) passes/;
/** The episodes train() plays for a chapter-4 preset at the notebook's smoke budget (600 env steps, seed 1). */
async function train04(preset: "fast" | "improved") {
  await initBackend();
  const lib = await train({ ...presets[preset], seed: 1, maxEnvSteps: 600 }, { handleSignals: false });
  lib.model.dispose();
  return lib.records.map((r) => ({ return: r.return, steps: r.steps, loss: r.loss }));
}

test("04 unsolved as shipped: each check explains, the chapter's own loop trains with the library's answers, and it plays exactly the episodes train(presets.fast) plays; the closing cell shows it for improved and fast", async () => {
  const out = await run04();
  for (const fn of ["epsilonAt", "tdTargets", "huberLoss", "doubleDqnValues"]) assert.match(out, new RegExp(`Until your ${fn} passes`), fn);
  assert.equal((out.match(/Not yet: [^<]*Hint:/g) ?? []).length, 4, "four checks, each with a hint");
  assert.match(out, /episode \d+ \| return -?\d/, "live status line");
  assert.match(out, /reached the env-step budget \(600\)/);
  assert.match(out, /This notebook(&#39;|')s loop and dqn\.train\(presets\.improved\): the same 2 episodes: every return, step count and TD loss agrees/);
  assert.match(out, /This notebook(&#39;|')s loop and dqn\.train\(presets\.fast\): the same 2 episodes: every return, step count and TD loss agrees/);
  assert.doesNotMatch(out, /this is rounding/, "the library's answers need no second comparison");
  // The notebook's cells played these episodes on the real kernel; train() here, in this process, must play the same.
  const fromNotebook = savedEpisodes("04-modern-dqn");
  assert.equal(fromNotebook.length, 2);
  assert.ok(fromNotebook.every((r) => r.loss !== null), "both episodes learned");
  assert.deepEqual(await train04("fast"), fromNotebook);
  // The learner's loop made its periodic greedy evaluations (every 300 smoke steps) and saved them with the run.
  const evaluations = readRun(join(SMOKE.ACROBOT_DQN_RUNS, "notebooks", "04-modern-dqn")).evaluations;
  assert.deepEqual(evaluations.map((e) => e.envSteps), [300, 600]);
  assert.ok(evaluations.every((e) => e.returns.length === 2 && Number.isFinite(e.mean) && Number.isFinite(e.std)), "two greedy episodes each, mean and std");
});

test("04 with c = presets.improved: the notebook's own loop plays exactly the episodes train(presets.improved) plays", async () => {
  const improved = "const c = dqn.training.resolveConfig({ ...dqn.presets.improved, seed: SEED, maxEnvSteps: STEPS });";
  const run = await runNotebook(join(DIR, "04-improvements.ipynb"), { env: SMOKE, cellTimeoutMs: 300_000, injectAfterTag: { tag: "exercise", code: improved }, stopAfterTag: "save" });
  assert.ok(run.ok, failures(run));
  const fromNotebook = savedEpisodes("04-modern-dqn");
  const fromTrain = await train04("improved");
  assert.deepEqual(fromTrain, fromNotebook);
  assert.notDeepEqual(await train04("fast"), fromNotebook, "fast plays other episodes: the comparison can tell the presets apart");
});

test("04 solved: the solution passes all four checks, trains with the learner's answers, and agrees with train()", async () => {
  const out = await runOk("04-improvements-solution.ipynb", { env: { ...SMOKE, ...TWO_JOBS } });
  assert.equal((out.match(/acrobot-ok[^>]*>✔ Correct: /g) ?? []).length, 4, "four green checks");
  assert.doesNotMatch(out, FALLBACK_04);
  assert.doesNotMatch(out, /Not yet:/);
  assert.match(out, /dqn\.train\(presets\.improved\): the same 2 episodes/);
  assert.match(out, /dqn\.train\(presets\.fast\): the same 2 episodes/);
  assert.deepEqual(await train04("fast"), savedEpisodes("04-modern-dqn"), "the learner's answers play train()'s episodes");
});

test("04 with a right Huber loss that rounds differently: the closing comparison says so and agrees on the library's answers, with no red cross", async () => {
  // Written another way (the error clipped, times e - c/2), it is right, but float32 rounds it differently from the library's.
  const other = "yours.huberLoss = (q, y) => { const e = dqn.tf.sub(q, y); const k = dqn.tf.clipByValue(e, -1, 1); return dqn.tf.mean(dqn.tf.mul(k, dqn.tf.sub(e, dqn.tf.mul(k, 0.5)))); };";
  const out = await runOk("04-improvements.ipynb", { env: { ...SMOKE, ...TWO_JOBS }, injectAfterTag: { tag: "save", code: other } });
  assert.match(out, /With your answers, this notebook(&#39;|')s loop and dqn\.train\(presets\.improved\) do not play the same episodes \(they differ from episode \d+ on .*this is rounding/, "the note names the cause");
  assert.match(out, /dqn\.train\(presets\.improved\): the same 2 episodes/);
  assert.match(out, /dqn\.train\(presets\.fast\): the same 2 episodes/);
  assert.doesNotMatch(out, /acrobot-error[^>]*>✘ This notebook/, "no red cross");
});

test("04 exercise: a typical slip gets its specific hint", async () => {
  const slip = "function epsilonAt(t: number, start: number, end: number, decaySteps: number): number { return start + (end - start) * t / decaySteps; }";
  const run = await runNotebook(join(DIR, "04-improvements.ipynb"), { env: SMOKE, injectAfterTag: { tag: "exercise", code: slip }, stopAfterTag: "check" });
  assert.ok(run.ok, failures(run));
  const out = shown(run);
  assert.match(out, /Not yet: epsilonAt\(\d+, [\d.]+, [\d.]+, \d+\) gives -?[\d.]+, but it should be [\d.]+\. Hint: it does not stop at the floor/);
  assert.match(out, /Until your epsilonAt passes/);
});

test("04 improvements: every variant trains, two at once, and is compared", async () => {
  const out = await run04();
  const runs = poolRuns("04-improvements");
  assert.equal(runs.length, 11, "eleven variants, each a run folder");
  assert.ok(runs.every((r) => r.summary?.status === "unsolved" && r.summary.envSteps === 600), "each trained its 600 smoke steps");
  assert.ok(someOverlap(runs), "the variants trained side by side");
  assert.equal(runs.find((r) => r.meta.label === "double DQN")?.meta.overrides.doubleDqn, true, "a knob on top of improved is recorded as improved plus that field");
  for (const variant of ["0: chapter 3", "4: improved", "double DQN", "tip-height reward"]) assert.ok(out.includes(variant), variant);
  assert.match(out, /mean TD loss per episode/, "the loss diagnostics chart");
  assert.match(out, /mean max Q\(s, a\) per episode/, "the max Q diagnostics chart");
  assert.match(out, /from chapter 3 to a modern DQN/);
  assert.match(out, /one knob at a time/);
});

test("05 exercise, unsolved as shipped: the check explains, training goes on with the library's reward and saves that model, and 06 plays it", async () => {
  rmSync(MODEL_DIR, { recursive: true, force: true });
  const out = plain(await runOk("05-exercise-tip-height.ipynb"));
  assert.match(out, /acrobot-error/);
  assert.match(out, /Not yet: .*Hint:/);
  assert.match(out, /Until your tipReward passes the check above, this trains with the library's tip-height reward/);
  assert.match(out, /episode \d+ \| return -?\d/, "it trains");
  assert.ok(out.includes(`Saved to ${MODEL_DIR} (trained with the library's tip-height reward)`), "saved, saying with which reward");
  for (const nb of ["05-exercise-tip-height.ipynb", "05-exercise-tip-height-solution.ipynb", "06-play-saved-model.ipynb", "06-play-saved-model-solution.ipynb"]) {
    assert.match(sourceOf(nb), /npx acrobot-dqn page --model models\/tip-height --out tip-height-page/, `${nb} shows the page command for the learner's own model`);
  }
  // 06 as shipped: its own check explains, then it plays the saved model with the library's loop.
  const six = plain(await runOk("06-play-saved-model.ipynb"));
  assert.match(six, /saved with: /);
  assert.match(six, /Not yet: your loop reset the env but never stepped.*Hint:/);
  assert.match(six, /Until your playEpisode passes the check above, this plays with the library's loop/);
  assert.match(six, /over 3 greedy episodes \(the library's loop\): env return -?\d+\.\d\d ± \d+\.\d\d \(mean ± std; the lesson's bar -90\)/);
  assert.match(six, /The loop and the library's evaluate played the same episodes/);
  assert.ok(charts(six) >= 1, "the episode animation");
});

test("05 exercise: a wrong reward gets a specific hint", async () => {
  const out = plain(await runOk("05-exercise-tip-height.ipynb", {
    injectAfterTag: { tag: "exercise", code: "function tipReward(step: dqn.env.StepResult, state: Float64Array): number { return -Math.cos(state[0]) - Math.cos(state[0] + state[1]); }" },
  }));
  assert.match(out, /Hint: it looks like the tip height itself\. Subtract 1/);
  assert.match(out, /Until your tipReward passes the check above, this trains with the library's tip-height reward/);
});

test("05 exercise: a correct reward passes the check, trains and saves the model", async () => {
  rmSync(MODEL_DIR, { recursive: true, force: true });
  const out = plain(await runOk("05-exercise-tip-height.ipynb", {
    injectAfterTag: { tag: "exercise", code: "function tipReward(step: dqn.env.StepResult, state: Float64Array): number { return -Math.cos(state[0]) - Math.cos(state[0] + state[1]) - 1; }" },
  }));
  assert.match(out, /Correct: your reward equals tip height - 1/);
  assert.doesNotMatch(out, /Until your tipReward passes/);
  assert.ok(out.includes(`Saved to ${MODEL_DIR} (trained with your reward)`), "saved where ACROBOT_DQN_MODELS says");
});

test("06 play without a saved model says which notebook to run first", async () => {
  rmSync(MODEL_DIR, { recursive: true, force: true });
  const out = await runOk("06-play-saved-model.ipynb");
  assert.match(out, /No saved model at .*run notebook 05-exercise-tip-height/);
});

test("05 solution, then 06: the saved model is loaded in new code and played greedily", async () => {
  const solution = await runOk("05-exercise-tip-height-solution.ipynb");
  assert.match(solution, /Correct: your reward equals tip height - 1/);
  assert.match(solution, /Saved to/);
  const out = plain(await runOk("06-play-saved-model-solution.ipynb"));
  assert.match(out, /saved with: /);
  assert.match(out, /acrobot-ok/);
  assert.match(out, /Correct: your loop resets with the seed it is given/);
  assert.doesNotMatch(out, /Not yet:|Until your playEpisode/);
  assert.match(out, /over 3 greedy episodes \(your loop\): env return -?\d+\.\d\d ± \d+\.\d\d .*tip-height return -?\d+\.\d\d ± \d+\.\d\d \(the exercise's bar -200\)/);
  assert.match(out, /The loop and the library's evaluate played the same episodes/);
  assert.ok(charts(out) >= 1, "the episode animation");
});

test("06 exercise: a loop that explores gets its specific hint, and the notebook still plays", async () => {
  const out = plain(await runOk("06-play-saved-model.ipynb", {
    injectAfterTag: {
      tag: "exercise",
      code: "function playEpisode(model: dqn.tf.LayersModel, env: dqn.env.Acrobot, seed: number): number { let obs = env.reset({ seed }); let t = 0; for (;;) { const a = Math.random() < 0.2 ? Math.floor(Math.random() * 3) : dqn.agent.greedyAction(model, obs); const s = env.step(a); t += s.reward; obs = s.observation; if (s.terminated || s.truncated) return t; } }",
    },
  }));
  assert.match(out, /Not yet: your loop explored: \d+ of \d+ actions were not the highest-Q one.*Hint: play greedily/);
  assert.match(out, /Until your playEpisode passes the check above/);
});

test("07 compares the chapters over seeds, two runs at once: status lines, chart and tables", async () => {
  const out = await runOk("07-compare-chapters.ipynb", { env: { ...SMOKE, ...TWO_JOBS } });
  assert.ok(charts(out) >= 2, "the chart of finished runs while training, and the comparison");
  assert.match(out, /8 runs, 2 at a time/);
  assert.match(out, /seeds solved/);
  for (const p of ["naive", "replay", "target", "improved"]) assert.ok(out.includes(p), p);
  for (const p of ["naive", "improved"]) assert.match(out, new RegExp(`${p}: (unsolved|solved), `), `${p}'s status line says how it ended`);
  const runs = poolRuns("07-compare");
  assert.deepEqual(runs.map((r) => r.name), ["improved-seed1", "improved-seed2", "naive-seed1", "naive-seed2", "replay-seed1", "replay-seed2", "target-seed1", "target-seed2"]);
  assert.deepEqual(runs.map((r) => runLabel(r.meta)), ["improved", "improved", "naive", "naive", "replay", "replay", "target", "target"], "grouped by preset");
  assert.ok(someOverlap(runs), "the runs trained side by side");
  // Periodic greedy evaluation (every 300 env steps in the smoke run): recorded in each run and charted across runs.
  assert.ok(runs.every((r) => r.evaluations.length >= 1 && r.evaluations.every((e) => e.envSteps % 300 === 0 && e.returns.length === 2)), "each run recorded its greedy evaluations");
  assert.ok(runs.every((r) => r.config.evalEvery === 300), "evalEvery reached the runs' configs");
  assert.match(out, /greedy evaluation while training: mean return across seeds/);
  assert.match(out, /improved, seed 1: training episodes and greedy evaluations/, "one run's two measures, dqn.viz.evaluationFigure");
  assert.ok(charts(out) >= 4, "finished runs, learning curves, evaluations across runs, one run's two measures");
});

test("07 the stop button stops every run at once and keeps them; the runs not started are skipped", async () => {
  const { ACROBOT_DQN_SMOKE: _smoke, ...full } = SMOKE;
  const dir = join(SCRATCH, "runs", "notebooks", "07-compare");
  rmSync(dir, { recursive: true, force: true });
  const run = await runNotebook(join(DIR, "07-compare-chapters.ipynb"), {
    env: { ...full, ...TWO_JOBS }, cellTimeoutMs: 300_000, interruptCell: { tag: "training", when: /improved: episode [2-9] \|/ },
  });
  const stopped = run.cells.find((c) => c.tags.includes("training"));
  assert.ok(stopped?.interrupted, "SIGINT was sent during the training cell");
  assert.ok(run.ok, `after the stop:\n${failures(run)}\nstderr:\n${run.stderr.slice(-2000)}`);
  const out = shown({ ...run, cells: run.cells.filter((c) => c.index > stopped!.index) });
  assert.match(out, /^2 runs$/m, "the next cell reads the two runs that were training");
  const lines = shown(run);
  assert.match(lines, /improved: interrupted, /, "the stopped runs' status lines say so");
  assert.match(lines, /naive: skipped \(stopped before it started\)/, "so do the skipped jobs'");
  const runs = poolRuns("07-compare");
  // improved has the higher priority: its first two seeds were running.
  assert.deepEqual(runs.map((r) => r.name), ["improved-seed1", "improved-seed2"], "the skipped jobs wrote nothing, no scratch folder is left");
  for (const r of runs) {
    assert.equal(r.summary?.status, "interrupted", r.name);
    assert.ok(r.records.length >= 2 && r.summary!.envSteps < 100_000, `${r.name}: kept its ${r.records.length} episodes`);
    assert.equal(existsSync(join(r.dir, "writer.lock")), false, `${r.name}: its process ended`);
  }
  assert.match(out, /seeds solved/, "the tables show the stopped runs");
});

test("05 solution: the stop button during train() keeps the run; the next cells save the model trained so far", async () => {
  const { ACROBOT_DQN_SMOKE: _smoke, ...full } = SMOKE;
  rmSync(MODEL_DIR, { recursive: true, force: true });
  const run = await runNotebook(join(DIR, "05-exercise-tip-height-solution.ipynb"), {
    env: full, cellTimeoutMs: 300_000, interruptCell: { tag: "training", when: /episode [2-9] \|/ },
  });
  const stopped = run.cells.find((c) => c.tags.includes("training"));
  assert.ok(stopped?.interrupted, "SIGINT was sent during the training cell");
  assert.ok(run.ok, `after the stop:\n${failures(run)}\nstderr:\n${run.stderr.slice(-2000)}`);
  const out = shown({ ...run, cells: run.cells.filter((c) => c.index > stopped!.index) });
  assert.ok(out.includes(`Saved to ${MODEL_DIR}`), out.slice(0, 500));
  assert.match(out, /Not solved \(stopped by request (during|after) episode \d+/);
  rmSync(MODEL_DIR, { recursive: true, force: true });
});

test("08 new tasks, unsolved as shipped: the three tasks' table, CartPole and MountainCar trained by the notebook's loop, the check explains, the library's energy reward stands in, and the loop plays train()'s episodes on both tasks", async () => {
  const out = plain(await runOk("08-new-tasks.ipynb"));
  for (const id of ["Acrobot-v1", "CartPole-v1", "MountainCar-v0"]) assert.ok(out.includes(id), id);
  assert.match(out, /the pole falls or the cart leaves \(failure\)/, "CartPole's terminated is named a failure");
  assert.match(out, /the pole fell in \d+ of 3 \(the others ran to the 500-step limit\)/, "CartPole's greedy count says the pole fell, not that it reached a goal");
  assert.match(out, /random actions: the car reached the flag in \d+ of 5 episodes/);
  assert.match(out, /Not yet: .*Hint: it looks like the task's own reward \(-1 per step\)/, "the starter's hint");
  assert.match(out, /Until your carReward passes the check above, this trains with the library's energy reward/);
  assert.match(out, /episode \d+ \| return -?\d/, "live status lines");
  assert.ok(charts(out) >= 4, "three live charts and the comparison on the task's return");
  assert.match(out, /MountainCar-v0: the task's own return/);
  assert.match(out, /greedy episodes reaching the flag/);
  assert.match(out, /This notebook's loop and dqn\.train\(presets\.cartpole\): the same \d+ episodes: every return, step count and TD loss agrees/);
  assert.match(out, /This notebook's loop and dqn\.train\(presets\.mountaincar\): the same \d+ episodes: every return, step count and TD loss agrees/);
  const cart = savedRecords("08-cartpole");
  assert.ok(cart.length >= 2 && cart.every((r) => r.loss === null || Number.isFinite(r.loss)), "the CartPole run is saved");
});

test("08 solved: the energy reward passes the check and the shaped run trains with it", async () => {
  const out = plain(await runOk("08-new-tasks-solution.ipynb"));
  assert.match(out, /Correct: your reward equals -1 \+ 0\.5 \* min\(1, E \/ E_goal\) on all \d+ states checked/);
  assert.doesNotMatch(out, /Until your carReward passes/);
  assert.doesNotMatch(out, /Not yet:/);
  assert.match(out, /MountainCar-v0, paid for energy \(your reward/);
});

test("08 exercise: a reward that ignores the velocity gets its specific hint", async () => {
  const slip = "function carReward(step: dqn.env.StepResult, state: Float64Array): number { return -1 + 0.5 * Math.min(1, (0.0025 / 3) * (Math.sin(3 * state[0]) + 1) / ((0.0025 / 3) * (Math.sin(1.5) + 1))); }";
  const run = await runNotebook(join(DIR, "08-new-tasks.ipynb"), { env: SMOKE, cellTimeoutMs: 300_000, injectAfterTag: { tag: "exercise", code: slip }, stopAfterTag: "check" });
  assert.ok(run.ok, failures(run));
  assert.match(plain(shown(run)), /Not yet: .*Hint: it ignores the velocity/);
});

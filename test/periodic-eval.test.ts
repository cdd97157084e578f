/**
 * Periodic greedy evaluation on the real backend: it runs when due on its own
 * environment, reports hand-checkable mean and std, and never changes the
 * training episodes (with it on or off, every record is the same bit for bit).
 */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { initBackend, tf } from "../lib/tf";
import { train, type EpisodeRecord } from "../lib/train/trainer";
import { presets } from "../lib/train/presets";
import { resolveConfig } from "../lib/train/config";
import { evaluate } from "../lib/train/evaluate";
import { mean, std, meanStdText } from "../lib/train/stats";
import { PERIODIC_EVAL_SEED_OFFSET, periodicEvaluator, type Evaluation } from "../lib/train/periodic-eval";
import { writeSnapshot, readSnapshot } from "../lib/train/snapshot-file";

before(async () => {
  await initBackend();
});

/** The improved setting, small and short, so a run takes seconds. */
const small = { ...presets.improved, hiddenLayers: [16], batchSize: 32, learningStarts: 100, maxEnvSteps: 1200, seed: 4 };
const noClock = (rs: readonly EpisodeRecord[]) => rs.map(({ seconds: _s, ...r }) => r);

test("mean and std by hand: population std (as np.std), NaN for nothing, 0 for one value", () => {
  assert.equal(mean([-100, -80, -90]), -90);
  // deviations 10, -10, 0: variance 200 / 3
  assert.equal(std([-100, -80, -90]), Math.sqrt(200 / 3));
  assert.equal(std([2, 4, 4, 4, 5, 5, 7, 9]), 2); // the textbook example
  assert.equal(std([-500]), 0);
  assert.ok(Number.isNaN(mean([])) && Number.isNaN(std([])));
  assert.equal(meanStdText([2, 4, 4, 4, 5, 5, 7, 9], 1), "5.0 ± 2.0");
  assert.equal(std(new Float64Array([1, 3])), 1);
});

test("off by default and for every chapter preset: no evaluation, no change", () => {
  for (const [name, p] of Object.entries(presets)) assert.equal(resolveConfig(p).evalEvery, 0, name);
  assert.equal(periodicEvaluator(resolveConfig({})).due(1000), false);
});

test("bad evalEvery / evalEpisodes are refused with what is allowed", () => {
  assert.throws(() => resolveConfig({ evalEvery: -1 }), /config\.evalEvery must be a whole number >= 0; got -1/);
  assert.throws(() => resolveConfig({ evalEvery: 2.5 }), /config\.evalEvery must be a whole number >= 0; got 2\.5/);
  assert.throws(() => resolveConfig({ evalEpisodes: 0 }), /config\.evalEpisodes must be a whole number from 1 to 1000; got 0/);
  assert.throws(() => resolveConfig({ evalEpisodes: Number.NaN }), /config\.evalEpisodes must be a whole number from 1 to 1000; got NaN/);
  assert.throws(() => resolveConfig({ evalEpisodes: "5" as unknown as number }), /config\.evalEpisodes must be/);
});

test("evaluating every N steps changes no training episode, bit for bit, and runs when due on its own env", async () => {
  const off = await train(small);
  off.model.dispose();
  assert.deepEqual(off.evaluations, []);

  const seen: Evaluation[] = [];
  const models: number[][][] = [];
  const on = await train({ ...small, evalEvery: 300, evalEpisodes: 3 }, {
    onEvaluation: (e) => seen.push(e),
    onEpisode: (_r, ctx) => void models.push(ctx.online.getWeights().map((w) => Array.from(w.dataSync()))),
  });
  try {
    assert.deepEqual(noClock(on.records), noClock(off.records), "the training episodes are the same with evaluation on");
    assert.deepEqual(on.evaluations.map((e) => e.envSteps), [300, 600, 900, 1200], "every 300 env steps");
    assert.deepEqual(seen, on.evaluations, "each reported to onEvaluation as it ran");
    for (const e of on.evaluations) {
      assert.equal(e.returns.length, 3);
      assert.equal(e.lengths.length, 3);
      assert.equal(e.mean, e.returns.reduce((a, b) => a + b, 0) / 3);
      assert.ok(Math.abs(e.std - Math.sqrt(e.returns.reduce((a, r) => a + (r - e.mean) ** 2, 0) / 3)) < 1e-9);
      // The env's reward is -1 per step (0 on reaching the line): the return is minus the steps, plus one if it got there.
      e.returns.forEach((r, i) => assert.equal(r, -e.lengths[i] + (e.lengths[i] < 500 ? 1 : 0)));
      assert.equal(e.successes, e.lengths.filter((l) => l < 500).length);
      const rec = on.records.find((r) => r.episode === e.episode)!;
      assert.ok(rec.envSteps >= e.envSteps && rec.envSteps - rec.steps < e.envSteps, "recorded with the training episode it ran in");
    }
    // The last one ran on the final network (the budget ends at step 1200): replaying it greedily from its
    // own seed gives the same returns, so it used its own environment and seed, not the training one.
    const replay = evaluate(on.model, { episodes: 3, seed: small.seed + PERIODIC_EVAL_SEED_OFFSET });
    assert.deepEqual(on.evaluations[3].returns, replay.returns);
  } finally {
    on.model.dispose();
  }
});

test("a custom reward is evaluated in that reward, on copies, from the evaluation's own seed (not the training seed)", async () => {
  // theta1 after each step: a return that depends on where each episode starts.
  const theta1 = (_step: unknown, state: Float64Array) => {
    const r = state[0];
    state[0] = 99; // must not reach the environment: the reward gets copies
    return r;
  };
  const r = await train({ ...small, maxEnvSteps: 400, reward: theta1, evalEvery: 400, evalEpisodes: 2 });
  try {
    assert.equal(r.evaluations.length, 1);
    const own = evaluate(r.model, { episodes: 2, seed: small.seed + PERIODIC_EVAL_SEED_OFFSET, reward: (_s, st) => st[0] });
    // Equal to a replay whose reward writes nothing: the write to the state never reached the environment.
    assert.deepEqual(r.evaluations[0].returns, own.returns, "the evaluation's own seed, in the custom reward");
    const trainingSeed = evaluate(r.model, { episodes: 2, seed: small.seed, reward: (_s, st) => st[0] });
    assert.notDeepEqual(r.evaluations[0].returns, trainingSeed.returns, "not the training env's start states");
  } finally {
    r.model.dispose();
  }
});

test("evaluations go into a snapshot and a resumed run keeps them and goes on evaluating; no tensors leak", async () => {
  const config = { ...small, evalEvery: 250, evalEpisodes: 2 };
  const whole = await train(config);
  whole.model.dispose();
  const dir = join(mkdtempSync(join(tmpdir(), "acrobot-dqn-evalsnap-")), "snap");
  try {
    const ac = new AbortController();
    const first = await train(config, {
      signal: ac.signal,
      onEpisode: (r) => void (r.envSteps > 600 && ac.abort()),
      onFinish: async (_r, ctx) => writeSnapshot(await ctx.snapshot(), dir),
    });
    first.model.dispose();
    const snap = readSnapshot(dir);
    assert.deepEqual(snap.evaluations, first.evaluations, "read back as written");
    assert.ok(first.evaluations.length >= 2);
    const before = tf.memory().numTensors;
    const rest = await train(config, {}, { resume: snap });
    rest.model.dispose();
    assert.equal(tf.memory().numTensors, before, "no tensors left");
    assert.deepEqual(rest.evaluations.map((e) => e.envSteps), whole.evaluations.map((e) => e.envSteps));
    assert.deepEqual(rest.evaluations.slice(0, first.evaluations.length), first.evaluations, "the evaluations before the stop are kept");
    assert.ok(rest.evaluations.every((e) => Number.isFinite(e.mean) && Number.isFinite(e.std)));
  } finally {
    rmSync(join(dir, ".."), { recursive: true, force: true });
  }
});

test("a damaged evaluation in a snapshot is refused with the field named", async () => {
  const r = await train({ ...small, maxEnvSteps: 300, evalEvery: 300, evalEpisodes: 1 }, { onFinish: async (_r, ctx) => writeSnapshot({ ...(await ctx.snapshot()), evaluations: [{ envSteps: 300, episode: 1, returns: [1], lengths: [1, 2], mean: 1, std: 0, successes: 0 }] }, dir) });
  r.model.dispose();
  assert.throws(() => readSnapshot(dir), /evaluations\[0\] has returns and lengths of different counts/);
  rmSync(join(dir, ".."), { recursive: true, force: true });
});
const dir = join(mkdtempSync(join(tmpdir(), "acrobot-dqn-evalbad-")), "snap");

test("the notebooks' live display and training handle receive the evaluations as they run", async () => {
  const { liveTraining } = await import("../lib/viz/notebook");
  const { trainingHandle } = await import("../lib/train/handle");
  const log = console.log;
  console.log = () => {}; // outside a kernel the display prints status lines
  try {
    const live = liveTraining();
    const r = await train({ ...small, maxEnvSteps: 600, evalEvery: 300, evalEpisodes: 1 }, live);
    r.model.dispose();
    assert.deepEqual(live.evaluations, r.evaluations);
    const handle = trainingHandle();
    const live2 = liveTraining();
    const r2 = await handle.run({ ...small, maxEnvSteps: 600, evalEvery: 300, evalEpisodes: 1 }, live2);
    r2.model.dispose();
    assert.deepEqual(live2.evaluations.map((e) => e.envSteps), [300, 600]);
  } finally {
    console.log = log;
  }
});

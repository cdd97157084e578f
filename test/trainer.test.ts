/** The one training loop, on the real backend: schedules, stopping, reproducibility, leaks, learning. */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { initBackend, tf } from "../lib/tf";
import { train, type EpisodeRecord } from "../lib/train/trainer";
import { presets } from "../lib/train/presets";
import { resolveConfig } from "../lib/train/config";
import { weightsOf } from "./random-batch";

before(async () => {
  await initBackend();
});

/** The lesson's chapter settings on a small network and short episodes, for speed. */
const small = { hiddenLayers: [16], maxStepsPerEpisode: 60, batchSize: 64 };

test("chapter 3: the target network is synced every N episodes and does not move in between", async () => {
  const syncs: number[] = [];
  const targets: number[][][] = [], onlines: number[][][] = [];
  const r = await train(
    { ...presets.target, ...small, targetSyncEvery: 3, maxEpisodes: 10, seed: 1 },
    {
      onTargetSync: ({ episode }) => syncs.push(episode),
      onEpisode: (_rec, { online, target }) => {
        targets.push(weightsOf(target));
        onlines.push(weightsOf(online));
      },
    },
  );
  assert.deepEqual(syncs, [3, 6, 9]);
  for (let e = 1; e < 10; e++) {
    const episode = e + 1; // targets[e] is after episode e + 1
    if (syncs.includes(episode)) {
      // Synced before this episode's update: equal to the online weights as they stood after the previous episode.
      assert.deepEqual(targets[e], onlines[e - 1], `target at episode ${episode}`);
    } else {
      assert.deepEqual(targets[e], targets[e - 1], `the target moved at episode ${episode} without a sync`);
    }
  }
  // The online network does learn every episode.
  assert.notDeepEqual(onlines[1], onlines[0]);
  assert.equal(r.stopReason, "maxEpisodes");
  r.model.dispose();
});

test("step-unit schedules: learning and target syncs every N environment steps", async () => {
  const syncSteps: number[] = [];
  const r = await train(
    { ...presets.improved, hiddenLayers: [16], targetSyncEvery: 100, maxEnvSteps: 1000, seed: 2 },
    { onTargetSync: ({ envSteps }) => syncSteps.push(envSteps) },
  );
  assert.deepEqual(syncSteps, [100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]);
  assert.equal(r.envSteps, 1000);
  assert.equal(r.stopReason, "maxEnvSteps");
  // Epsilon decays linearly from 1 toward 0.1 over epsilonDecaySteps.
  assert.ok(r.records[0].epsilon <= 1 && r.records[0].epsilon > 0.9);
  r.model.dispose();
});

test("chapter 1 learns once per episode on that episode, within the lesson's 499-step loop", async () => {
  const records: EpisodeRecord[] = [];
  const r = await train({ ...presets.naive, hiddenLayers: [16], maxEpisodes: 3, seed: 3 }, { onEpisode: (rec) => void records.push(rec) });
  assert.equal(records.length, 3);
  for (const rec of records) {
    assert.ok(rec.steps <= 499);
    assert.equal(typeof rec.loss, "number");
    assert.equal(rec.epsilon, 0.05);
  }
  assert.equal(r.records.at(-1)!.envSteps, records.reduce((s, x) => s + x.steps, 0));
  r.model.dispose();
});

test("the same seed gives the same returns and losses; another seed does not", async () => {
  const run = async (seed: number) => {
    const r = await train({ ...presets.improved, hiddenLayers: [32], maxEnvSteps: 1500, seed });
    r.model.dispose();
    return r.records.map((x) => [x.return, x.loss]);
  };
  const a = await run(11), b = await run(11), c = await run(12);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
});

test("no tensor leaks: tf.memory().numTensors stays flat across episodes, for every chapter's schedule", async () => {
  for (const name of ["naive", "replay", "target", "improved"] as const) {
    const counts: number[] = [];
    const r = await train(
      { ...presets[name], ...small, maxEpisodes: 8, maxStepsPerEpisode: 40, maxEnvSteps: 400, seed: 4 },
      { onEpisode: () => void counts.push(tf.memory().numTensors) },
    );
    // Adam creates its slots on the first update; from then on nothing may pile up.
    assert.ok(counts.length >= 5, name);
    assert.deepEqual(counts.slice(2), counts.slice(2).map(() => counts[2]), `${name}: ${counts.join(" ")}`);
    r.model.dispose();
  }
});

test("stops at the bar: solved when the windowed average reaches solvedAt", async () => {
  const r = await train({ ...presets.naive, ...small, solvedAt: -1000, solvedWindow: 5, seed: 5 });
  assert.equal(r.solved, true);
  assert.equal(r.solvedAtEpisode, 5);
  assert.equal(r.records.length, 5);
  assert.equal(r.stopReason, "solved");
  assert.match(r.message, /solved at episode 5/);
  r.model.dispose();
});

test("an abort signal or Ctrl-C stops after the current step and keeps every record", async () => {
  const ac = new AbortController();
  const r = await train({ ...presets.replay, ...small, seed: 6 }, { onEpisode: (rec) => void (rec.episode === 2 && ac.abort()), signal: ac.signal });
  assert.equal(r.stopReason, "aborted");
  assert.equal(r.records.length, 2);
  assert.equal(r.solved, false);
  r.model.dispose();

  const listenersBefore = process.listenerCount("SIGINT");
  const s = await train({ ...presets.replay, ...small, seed: 6 }, { onEpisode: (rec) => void (rec.episode === 3 && process.emit("SIGINT")) });
  assert.equal(s.stopReason, "aborted");
  assert.equal(s.records.length, 3);
  assert.equal(process.listenerCount("SIGINT"), listenersBefore, "the SIGINT listener is removed on return");
  s.model.dispose();
});

test("divergence (a NaN reward or loss) stops with a clear message and the records so far", async () => {
  const r = await train({ ...presets.replay, ...small, seed: 7, reward: (step) => (step.reward < 0 ? NaN : 0) });
  assert.equal(r.stopReason, "diverged");
  assert.match(r.message, /NaN/);
  assert.equal(r.records.length, 1);
  r.model.dispose();
});

test("bad config values are refused with what is allowed", () => {
  assert.throws(() => resolveConfig({ gamma: 1.5 }), /config\.gamma must be a number from 0 to 1; got 1\.5/);
  assert.throws(() => resolveConfig({ batchSize: 0 }), /config\.batchSize must be a whole number >= 1/);
  assert.throws(() => resolveConfig({ learningRate: NaN }), /config\.learningRate/);
  assert.throws(() => resolveConfig({ loss: "l1" as "mse" }), /"mse", "huber"/);
  assert.throws(() => resolveConfig({ reward: "height" as "env" }), /"env", "tipHeight"/);
  assert.throws(() => resolveConfig({ learningrate: 0.1 } as object), /unknown config field learningrate/);
  assert.throws(() => resolveConfig({ hiddenLayers: [] }), /non-empty array/);
  assert.doesNotThrow(() => resolveConfig(presets.improved));
});

test("training really learns: a short run of the improved setting rises far above the random policy's -500", async () => {
  const r = await train({ ...presets.improved, hiddenLayers: [64, 64], epsilonDecaySteps: 5000, maxEnvSteps: 15_000, seed: 1 });
  const first = r.records.slice(0, 10).reduce((s, x) => s + x.return, 0) / 10;
  const last = r.records.at(-1)!.average100;
  assert.ok(first < -400, `the first episodes should be near random (${first})`);
  assert.ok(last > -300, `the 100-episode average only reached ${last}`);
  r.model.dispose();
});

test("a snapshot taken when a run stops resumes it exactly: the same episodes as an uninterrupted run", async () => {
  const { writeSnapshot, readSnapshot } = await import("../lib/train/snapshot-file");
  const { mkdtempSync, rmSync } = await import("node:fs");
  const { join } = await import("node:path");
  const { tmpdir } = await import("node:os");
  for (const name of ["improved", "target"] as const) {
    const config = { ...presets[name], ...small, hiddenLayers: [16], maxEpisodes: 8, targetSyncEvery: name === "target" ? 2 : 50, maxEnvSteps: 100_000, seed: 21 };
    const whole = await train(config);
    whole.model.dispose();

    const ac = new AbortController();
    const dir = join(mkdtempSync(join(tmpdir(), "acrobot-dqn-snap-")), "snap");
    const first = await train(config, {
      signal: ac.signal,
      onEpisode: (r) => void (r.episode === 3 && ac.abort()),
      onFinish: async (_r, ctx) => writeSnapshot(await ctx.snapshot(), dir),
    });
    assert.equal(first.records.length, 3);
    first.model.dispose();
    const before = tf.memory().numTensors;
    const rest = await train(config, {}, { resume: readSnapshot(dir) });
    rmSync(dir, { recursive: true, force: true });
    // Everything but the clock and the loss is identical. tfjs's Adam recomputes its bias-correction
    // powers (beta^t) from the step count on restore instead of carrying its running products, so
    // losses agree to float32 rounding, not bit for bit.
    const strip = (rs: EpisodeRecord[]) => rs.map(({ seconds: _s, loss: _l, meanMaxQ: _q, ...r }) => r);
    assert.deepEqual(strip(rest.records), strip(whole.records), name);
    const near = (a: number | null | undefined, b: number | null | undefined) => a === b || (typeof a === "number" && typeof b === "number" && Math.abs(a - b) <= 1e-5 * Math.max(1, Math.abs(b)));
    rest.records.forEach((r, i) => {
      assert.ok(near(r.loss, whole.records[i].loss), `${name} loss at episode ${i + 1}`);
      assert.ok(near(r.meanMaxQ, whole.records[i].meanMaxQ), `${name} mean max Q at episode ${i + 1}`);
    });
    rest.model.dispose();
    assert.equal(tf.memory().numTensors, before, "resuming leaks no tensors");
  }
  assert.throws(() => readSnapshot("/nonexistent"), /no training snapshot/);

  // A snapshot that does not fit the config is refused clearly, leaving no tensors behind.
  const ac = new AbortController();
  let snap: Awaited<ReturnType<import("../lib/train/trainer").TrainContext["snapshot"]>> | null = null;
  const r = await train({ ...presets.improved, hiddenLayers: [8], maxEnvSteps: 200, seed: 3 }, { signal: ac.signal, onFinish: async (_r, ctx) => void (snap = await ctx.snapshot()) });
  r.model.dispose();
  const before = tf.memory().numTensors;
  await assert.rejects(train({ ...presets.improved, hiddenLayers: [16], seed: 3 }, {}, { resume: snap! }), /cannot resume: the snapshot was taken with hiddenLayers = \[8\]/);
  assert.equal(tf.memory().numTensors, before);
});

/** -1 per step, so an episode's return is minus its length: the bar is easy to reason about. */
const minusOne = () => -1;
const fixed = { ...presets.replay, ...small, reward: minusOne, maxStepsPerEpisode: 50 };

test("a cut episode never counts toward the bar: a 10-step episode cut by the env-step budget among -50s", async () => {
  // Episodes 1-2 run their 50 steps (-50 each); the budget cuts episode 3 after 10 steps (-10).
  // Counted, it would lift the 2-episode average to -30, over the bar of -49.
  const r = await train({ ...fixed, maxEnvSteps: 110, solvedWindow: 2, solvedAt: -49, seed: 8 });
  r.model.dispose();
  assert.deepEqual(r.records.map((x) => [x.return, x.cut]), [[-50, false], [-50, false], [-10, true]]);
  assert.equal(r.solved, false);
  assert.equal(r.solvedAtEpisode, null);
  assert.equal(r.stopReason, "maxEnvSteps");
  assert.equal(r.records[2].average100, -50, "the cut episode is left out of the moving average");
});

test("an episode cut by a stop request is marked cut and cannot solve the run", async () => {
  const ac = new AbortController();
  let calls = 0;
  const reward = () => (++calls === 75 && ac.abort(), -1); // mid-way through episode 2
  const r = await train({ ...fixed, reward: reward, solvedWindow: 1, solvedAt: -30, seed: 9 }, { signal: ac.signal });
  r.model.dispose();
  assert.deepEqual(r.records.map((x) => [x.steps, x.cut]), [[50, false], [25, true]]);
  assert.equal(r.stopReason, "aborted");
  assert.equal(r.solved, false, "-25 would clear -30, but the episode did not end by itself");
});

test("resuming a run whose records already clear the bar keeps it solved at that episode", async () => {
  let snap: Awaited<ReturnType<import("../lib/train/trainer").TrainContext["snapshot"]>> | null = null;
  const config = { ...fixed, solvedWindow: 2, solvedAt: -1000, seed: 10 };
  const first = await train(config, { onFinish: async (_r, ctx) => void (snap = await ctx.snapshot()) });
  first.model.dispose();
  assert.equal(first.solvedAtEpisode, 2);
  const again = await train(config, {}, { resume: snap! });
  again.model.dispose();
  assert.equal(again.solved, true);
  assert.equal(again.solvedAtEpisode, 2, "not moved to episode 3 by playing one more");
  assert.equal(again.records.length, 2);
  assert.equal(again.stopReason, "solved");
});

test("a reward function returning a non-finite number is caught where it returns it, and named", async () => {
  for (const bad of [NaN, Infinity]) {
    let calls = 0;
    const r = await train({ ...fixed, reward: () => (++calls === 5 ? bad : -1), seed: 11 });
    r.model.dispose();
    assert.equal(r.stopReason, "diverged");
    assert.match(r.message, new RegExp(`the reward function returned ${bad} at step 5 of episode 1: a reward must be a finite number`));
    assert.doesNotMatch(r.message, /learningRate/);
    assert.deepEqual(r.records.map((x) => [x.steps, x.return, x.cut]), [[4, -4, true]], "the bad step is not counted");
  }
});

test("meanMaxQ is recorded per episode: finite, and it moves as the network learns", async () => {
  const r = await train({ ...presets.improved, hiddenLayers: [16], maxEnvSteps: 1500, seed: 12 });
  r.model.dispose();
  for (const x of r.records.filter((x) => x.steps > 0)) assert.ok(Number.isFinite(x.meanMaxQ), `episode ${x.episode}: ${x.meanMaxQ}`);
  assert.notEqual(r.records[0].meanMaxQ, r.records[r.records.length - 1].meanMaxQ);
});

test("a training handle keeps the result and records of a stopped run for later cells", async () => {
  const { trainingHandle } = await import("../lib/train/handle");
  const handle = trainingHandle();
  await assert.rejects(handle.result(), /nothing trained yet/);
  const ac = new AbortController();
  const seen: number[] = [];
  const live = { onEpisode: (rec: EpisodeRecord) => void (seen.push(rec.episode), rec.episode === 2 && ac.abort()), finish: () => void seen.push(-1) };
  void handle.run({ ...fixed, seed: 13 }, live, { signal: ac.signal }); // as an abandoned cell would: nobody awaits it
  const result = await handle.result();
  assert.equal(result.stopReason, "aborted");
  assert.equal(result.records.length, 2);
  assert.equal(handle.records.length, 2);
  assert.deepEqual(seen, [1, 2, -1], "the live display saw both episodes and the finish");
  result.model.dispose();
});

test("taking snapshots leaks no tensors, however often", async () => {
  const counts: number[] = [];
  const r = await train({ ...presets.improved, hiddenLayers: [8], maxStepsPerEpisode: 40, maxEnvSteps: 300, seed: 14 }, {
    onEpisode: async (_rec, ctx) => {
      for (let i = 0; i < 3; i++) await ctx.snapshot();
      counts.push(tf.memory().numTensors);
    },
  });
  r.model.dispose();
  assert.ok(counts.length >= 2);
  assert.deepEqual(counts.slice(1), counts.slice(1).map(() => counts[1]), counts.join(" "));
});

/** The soft (Polyak) target update: target <- tau * online + (1 - tau) * target, by hand and inside train(). */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { initBackend, tf } from "../lib/tf";
import { buildQNetwork, copyWeights } from "../lib/agent/q-network";
import { softUpdate } from "../lib/agent/soft-update";
import { resolveConfig } from "../lib/train/config";
import { presets } from "../lib/train/presets";
import { train, type EpisodeRecord } from "../lib/train/trainer";

before(async () => {
  await initBackend();
});

const flat = (m: tf.LayersModel) => m.getWeights().flatMap((w) => Array.from(w.dataSync()));
/** Sets a 6-1-3 network's 13 weights to these values, in getWeights order. */
function setAll(m: tf.LayersModel, values: number[]): void {
  let at = 0;
  const ts = m.getWeights().map((w) => {
    const t = tf.tensor(values.slice(at, at + w.size), w.shape);
    at += w.size;
    return t;
  });
  m.setWeights(ts);
  tf.dispose(ts);
}

test("softUpdate moves the target a fraction tau toward the online network: hand-computed values", () => {
  const online = buildQNetwork({ hiddenLayers: [1], seed: 1 }), target = buildQNetwork({ hiddenLayers: [1], seed: 2 });
  // 6 + 1 + 3 + 3 = 13 weights; values chosen so that every product and sum is exact in float32.
  const w = [4, 8, -2, 0, 1, 16, 2, -4, 0.5, 12, -8, 6, 10];
  const t = [8, 0, 2, -4, 1, 0, -2, 4, 4.5, 0, 8, -6, 2];
  setAll(online, w);
  setAll(target, t);
  const before = tf.memory().numTensors;
  softUpdate(online, target, 0.25);
  // 0.25 * 4 + 0.75 * 8 = 7; 0.25 * 8 + 0.75 * 0 = 2; 0.25 * -2 + 0.75 * 2 = 1; ...
  assert.deepEqual(flat(target), [7, 2, 1, -3, 1, 4, -1, 2, 3.5, 3, 4, -3, 4]);
  assert.deepEqual(flat(online), w, "the online network is only read");
  softUpdate(online, target, 0.5); // a second step starts from the blended target: (7 + 4) / 2 = 5.5, ...
  assert.deepEqual(flat(target), [5.5, 5, -0.5, -1.5, 1, 10, 0.5, -1, 2, 7.5, -2, 1.5, 7]);
  softUpdate(online, target, 1); // tau = 1 is the hard copy
  assert.deepEqual(flat(target), w);
  assert.equal(tf.memory().numTensors, before, "no tensor leaks");
  for (const m of [online, target]) m.dispose();
});

test("softUpdate refuses a bad tau and networks of different shapes, leaving the target as it was", () => {
  const online = buildQNetwork({ hiddenLayers: [3], seed: 1 }), target = buildQNetwork({ hiddenLayers: [3], seed: 2 }), other = buildQNetwork({ hiddenLayers: [4], seed: 3 });
  const kept = flat(target);
  for (const tau of [0, -0.1, 1.5, NaN, Infinity]) assert.throws(() => softUpdate(online, target, tau), /tau must be a number > 0 and <= 1/);
  assert.throws(() => softUpdate(online, target, "0.5" as unknown as number), /tau must be a number > 0 and <= 1; got 0\.5/);
  const before = tf.memory().numTensors;
  assert.throws(() => softUpdate(online, other, 0.5), /the networks differ in shape/);
  assert.equal(tf.memory().numTensors, before);
  assert.deepEqual(flat(target), kept);
  for (const m of [online, target, other]) m.dispose();
});

test("config.targetUpdateTau: null by default (hard sync), validated, and only with a target network", () => {
  assert.equal(resolveConfig({}).targetUpdateTau, null);
  assert.equal(resolveConfig({ ...presets.improved, targetUpdateTau: 0.1 }).targetUpdateTau, 0.1);
  for (const bad of [0, 1.01, -1, NaN, "0.1"]) {
    assert.throws(() => resolveConfig({ ...presets.improved, targetUpdateTau: bad as number }), /config\.targetUpdateTau must be a number > 0 and <= 1, or null/);
  }
  assert.throws(() => resolveConfig({ ...presets.replay, targetUpdateTau: 0.5 }), /config\.targetUpdateTau \(0\.5\) needs a target network: set config\.targetSyncEvery/);
});

test("train() with targetUpdateTau blends at every sync: target = tau * online + (1 - tau) * previous target, recomputed by hand", async () => {
  const tau = 0.25;
  // Syncs after every episode; learning happens during episodes, so at onEpisode the online network is the one the sync blended in.
  const config = { ...presets.fast, hiddenLayers: [8], seed: 4, maxEpisodeSteps: 40, maxEpisodes: 4, targetSyncEvery: 1, targetSyncUnit: "episodes" as const, targetUpdateTau: tau };
  const seen: { online: number[]; target: number[] }[] = [];
  const run = await train(config, { onEpisode: (_r, ctx) => void seen.push({ online: flat(ctx.online), target: flat(ctx.target) }) });
  run.model.dispose();
  assert.equal(seen.length, 4);
  const initial = seen[0].target.length;
  assert.ok(initial > 0);
  for (let k = 1; k < seen.length; k++) {
    const want = seen[k].online.map((w, i) => Math.fround(Math.fround(w * tau) + Math.fround(seen[k - 1].target[i] * Math.fround(1 - tau))));
    assert.deepEqual(seen[k].target, want, `after episode ${k + 1}`);
    assert.notDeepEqual(seen[k].target, seen[k].online, "a soft sync does not copy");
  }
});

test("train() with targetUpdateTau 1 plays the hard sync's episodes; a smaller tau plays others; a snapshot carries the blended target", async () => {
  const base = { ...presets.fast, hiddenLayers: [16], seed: 5, maxEpisodeSteps: 100, maxEpisodes: 6, targetSyncEvery: 50, targetSyncUnit: "steps" as const };
  const key = (rs: EpisodeRecord[]) => rs.map((r) => [r.return, r.steps, r.loss]);
  const hard = await train(base), one = await train({ ...base, targetUpdateTau: 1 }), soft = await train({ ...base, targetUpdateTau: 0.1 });
  assert.deepEqual(key(one.records), key(hard.records));
  assert.notDeepEqual(key(soft.records).map((r) => r[2]), key(hard.records).map((r) => r[2]), "the soft target changes the losses");
  let snapTarget: number[] = [], liveTarget: number[] = [];
  const snapped = await train({ ...base, targetUpdateTau: 0.1, maxEpisodes: 2 }, {
    onFinish: async (_r, ctx) => {
      const s = await ctx.snapshot();
      snapTarget = s.target!.values.flatMap((v) => Array.from(v));
      liveTarget = flat(ctx.target);
    },
  });
  assert.deepEqual(snapTarget, liveTarget, "the snapshot holds the target network as blended");
  assert.notDeepEqual(snapTarget, flat(snapped.model), "which is not the online network");
  for (const r of [hard, one, soft, snapped]) r.model.dispose();
});

test("copyWeights stays the hard sync (tau = 1 gives the same weights)", () => {
  const a = buildQNetwork({ hiddenLayers: [5], seed: 7 }), b = buildQNetwork({ hiddenLayers: [5], seed: 8 }), c = buildQNetwork({ hiddenLayers: [5], seed: 8 });
  copyWeights(a, b);
  softUpdate(a, c, 1);
  assert.deepEqual(flat(c), flat(b));
  for (const m of [a, b, c]) m.dispose();
});

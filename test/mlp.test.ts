/**
 * The hand-written forward and backward pass (lib/agent/mlp.ts) against
 * tf.layers' apply and autodiff, on the same weights.
 */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { initBackend, tf } from "../lib/tf";
import { buildQNetwork } from "../lib/agent/q-network";
import { denseBackward, denseForward, denseLayers, denseVariables, denseWeights } from "../lib/agent/mlp";
import { makeRng } from "../lib/random";

before(async () => {
  await initBackend("wasm");
});

const random = (shape: number[], seed: number) => {
  const rng = makeRng(seed);
  return tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => 4 * rng.float() - 2), shape);
};

test("denseLayers recognises our MLPs and nothing else", () => {
  const m = buildQNetwork({ hiddenLayers: [4, 5], seed: 1 });
  const layers = denseLayers(m);
  assert.equal(layers?.length, 3);
  assert.deepEqual(layers!.map((l) => l.activation), ["relu", "relu", "linear"]);
  assert.deepEqual(denseVariables(layers!), m.trainableWeights.map((w) => w.read()), "the variables in trainableWeights order");
  const tanh = tf.sequential({ layers: [tf.layers.dense({ units: 3, activation: "tanh", inputShape: [6] })] });
  assert.equal(denseLayers(tanh), null);
  [m, tanh].forEach((x) => x.dispose());
});

test("denseForward equals tf.layers' apply bit for bit: fused outside a tape, unfused ReLU layers as under one (training)", () => {
  for (const hiddenLayers of [[], [7], [32, 32]]) {
    const m = buildQNetwork({ hiddenLayers, seed: 2 });
    tf.tidy(() => {
      const x = random([50, 6], 3);
      const w = denseWeights(denseLayers(m)!);
      const x3 = tf.reshape(x, [1, 50, 6]) as tf.Tensor3D;
      const fused = denseForward(w, x3).pop()!.dataSync();
      assert.deepEqual(fused, (m.apply(x) as tf.Tensor).dataSync(), `${hiddenLayers}: fused`);
      let underTape: Float32Array | null = null;
      tf.variableGrads(() => {
        const q = m.apply(x) as tf.Tensor;
        underTape = q.dataSync() as Float32Array;
        return tf.sum(q);
      }, denseVariables(denseLayers(m)!));
      assert.deepEqual(denseForward(w, x3, true).pop()!.dataSync(), underTape!, `${hiddenLayers}: training`);
    });
    m.dispose();
  }
});

test("denseBackward gives autodiff's gradients bit for bit, for every weight", () => {
  for (const hiddenLayers of [[], [7], [32, 32], [16, 16, 16]]) {
    const m = buildQNetwork({ hiddenLayers, seed: 4 });
    tf.tidy(() => {
      const n = 40;
      const x = random([n, 6], 5);
      const dQ = random([n, 3], 6); // any upstream gradient: the gradients of sum(dQ * Q)
      const vars = denseVariables(denseLayers(m)!);
      const expected = tf.variableGrads(() => tf.sum(tf.mul(m.apply(x) as tf.Tensor, dQ)), vars).grads;
      const w = denseWeights(denseLayers(m)!);
      const outs = denseForward(w, tf.reshape(x, [1, n, 6]) as tf.Tensor3D, true);
      const grads = denseBackward(w, outs, tf.reshape(dQ, [1, n, 3]) as tf.Tensor3D);
      assert.equal(grads.length, vars.length);
      vars.forEach((v, i) => {
        assert.equal(grads[i].size, v.size, `${hiddenLayers}: ${v.name} size`);
        assert.deepEqual(grads[i].dataSync(), expected[v.name].dataSync(), `${hiddenLayers}: ${v.name}`);
      });
      assert.ok(grads.some((g) => g.dataSync().some((v) => v !== 0)), "non-trivial gradients");
    });
    m.dispose();
  }
});

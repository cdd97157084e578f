/** The architectures a config can choose: each builds the same network from the same seed, and the config refuses unknown ones. */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { initBackend } from "../lib/tf";
import { networkKinds } from "../lib/agent/networks";
import { resolveConfig } from "../lib/train/config";

before(async () => {
  await initBackend();
});

test("every network kind: state in, one value per action out; one seed, one network", () => {
  for (const [name, build] of Object.entries(networkKinds)) {
    const a = build({ inputSize: 6, actions: 3, hiddenLayers: [8], seed: 4 }), b = build({ inputSize: 6, actions: 3, hiddenLayers: [8], seed: 4 });
    assert.deepEqual(a.inputs[0].shape, [null, 6], name);
    assert.deepEqual(a.outputs[0].shape, [null, 3], name);
    assert.deepEqual(a.getWeights().map((w) => Array.from(w.dataSync())), b.getWeights().map((w) => Array.from(w.dataSync())), name);
    a.dispose();
    b.dispose();
  }
});

test("config.network must name one of them", () => {
  assert.equal(resolveConfig({}).network, "mlp");
  assert.throws(() => resolveConfig({ network: "dueling" as never }), /config\.network must be one of "mlp"; got "dueling"/);
});

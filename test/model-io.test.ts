import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync, readFileSync, mkdirSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { initBackend, tf } from "../lib/tf";
import { buildQNetwork, qValues } from "../lib/agent/q-network";
import { saveModel, loadModel, readModelMetadata } from "../lib/agent/model-io";
import { evaluate } from "../lib/train/evaluate";

let dir: string;
before(async () => {
  await initBackend();
  dir = mkdtempSync(join(tmpdir(), "acrobot-dqn-model-"));
});
after(() => rmSync(dir, { recursive: true, force: true }));

test("save, load and evaluate: identical Q-values and identical greedy play", async () => {
  const model = buildQNetwork({ hiddenLayers: [32, 32], seed: 3 });
  const out = join(dir, "roundtrip");
  await saveModel(model, out, { preset: "improved", solvedAtEpisode: 12 });
  // The standard layers format: model.json with a weights manifest pointing at weights.bin.
  const json = JSON.parse(readFileSync(join(out, "model.json"), "utf8"));
  assert.equal(json.format, "layers-model");
  assert.deepEqual(json.weightsManifest[0].paths, ["weights.bin"]);
  assert.ok(existsSync(join(out, "weights.bin")));
  assert.deepEqual(readModelMetadata(out), { preset: "improved", solvedAtEpisode: 12 });

  const loaded = await loadModel(out);
  for (const s of [[1, 0, 1, 0, 0, 0], [0.2, -0.9, 0.5, 0.8, 3.1, -7.5]]) {
    assert.deepEqual(qValues(loaded, s), qValues(model, s));
  }
  // A browser loads the same files over HTTP with tf.loadLayersModel: do exactly that.
  const server = createServer((req, res) => {
    const file = join(out, (req.url ?? "/").slice(1));
    if (!existsSync(file)) return void res.writeHead(404).end();
    res.writeHead(200).end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const viaHttp = await tf.loadLayersModel(`http://127.0.0.1:${port}/model.json`);
  server.close();
  assert.deepEqual(qValues(viaHttp, [0.2, -0.9, 0.5, 0.8, 3.1, -7.5]), qValues(model, [0.2, -0.9, 0.5, 0.8, 3.1, -7.5]));

  const a = evaluate(model, { episodes: 3, seed: 4, recordEpisode: 1 });
  const b = evaluate(loaded, { episodes: 3, seed: 4 });
  assert.deepEqual(a.returns, b.returns);
  assert.equal(a.returns.length, 3);
  assert.equal(a.states!.length, a.lengths[1] + 1, "the recorded episode has its reset state and one per step");
  assert.equal(a.actions!.length, a.lengths[1]);
  [model, loaded, viaHttp].forEach((m) => m.dispose());
});

test("a missing directory, missing or corrupt files, and a network that does not fit Acrobot give clear errors", async () => {
  await assert.rejects(loadModel(join(dir, "nope")), /no saved model at .*nope: the directory does not exist/);
  mkdirSync(join(dir, "empty"));
  await assert.rejects(loadModel(join(dir, "empty")), /model\.json is missing/);

  const good = join(dir, "good");
  const model = buildQNetwork({ hiddenLayers: [8], seed: 1 });
  await saveModel(model, good);
  const bad = (name: string) => {
    const d = join(dir, name);
    mkdirSync(d);
    writeFileSync(join(d, "model.json"), readFileSync(join(good, "model.json")));
    writeFileSync(join(d, "weights.bin"), readFileSync(join(good, "weights.bin")));
    return d;
  };
  const notJson = bad("notjson");
  writeFileSync(join(notJson, "model.json"), "{ this is not json");
  await assert.rejects(loadModel(notJson), /corrupt model file .*not valid JSON/);

  const truncated = bad("truncated");
  writeFileSync(join(truncated, "weights.bin"), readFileSync(join(good, "weights.bin")).subarray(0, 100));
  await assert.rejects(loadModel(truncated), /corrupt saved model .*100 bytes but model\.json describes/);

  const noWeights = bad("noweights");
  rmSync(join(noWeights, "weights.bin"));
  await assert.rejects(loadModel(noWeights), /weights file weights\.bin is missing/);

  const wrongShape = join(dir, "cartpole");
  await saveModel(buildQNetwork({ inputSize: 4, actions: 2, hiddenLayers: [8], seed: 1 }), wrongShape);
  await assert.rejects(loadModel(wrongShape), /maps \[4\] inputs to \[2\] outputs; an Acrobot Q-network takes 6 observations and gives 3/);
  model.dispose();
});

test("evaluate refuses bad options", () => {
  const model = buildQNetwork({ hiddenLayers: [4], seed: 1 });
  assert.throws(() => evaluate(model, { episodes: 0 }), /episodes must be a whole number/);
  assert.throws(() => evaluate(model, { episodes: 2, recordEpisode: 2 }), /recordEpisode must be an episode index from 0 to 1/);
  model.dispose();
});

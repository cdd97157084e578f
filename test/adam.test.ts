/**
 * FlatAdam (lib/agent/adam.ts) against tf.train.adam: the same weights step
 * for step, the same saved state, resumable from either, and clear errors.
 */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { initBackend, tf } from "../lib/tf";
import { makeOptimizer, FlatAdam, isFlatAdam } from "../lib/agent/adam";
import { makeRng } from "../lib/random";

before(async () => {
  await initBackend("wasm");
});

const SHAPES = [[6, 5], [5], [5, 3], [3]];

/** Variables with the same starting values for each optimizer under test. */
function makeVariables(): tf.Variable[] {
  const rng = makeRng(1);
  return SHAPES.map((shape) => tf.tidy(() => tf.variable(tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.float() - 0.5), shape))));
}

/** Step `steps` times with gradients drawn from a seeded generator (the same sequence for everyone). */
function run(opt: tf.Optimizer, vars: tf.Variable[], steps: number, seed: number): void {
  const rng = makeRng(seed);
  for (let s = 0; s < steps; s++) {
    tf.tidy(() => {
      const grads: tf.NamedTensorMap = {};
      // Mixed scales, some exact zeros: epsilon and the bias correction matter.
      vars.forEach((v) => (grads[v.name] = tf.tensor(Float32Array.from({ length: v.size }, () => (rng.float() < 0.1 ? 0 : (rng.float() - 0.5) * 10 ** (4 * rng.float() - 3))), v.shape)));
      opt.applyGradients(grads);
    });
  }
}

const values = (vars: tf.Variable[]) => vars.map((v) => Array.from(v.dataSync()));

test("FlatAdam takes the same steps as tf.train.adam, bit for bit (learning rate, betas, epsilon, bias correction)", () => {
  for (const lr of [1e-3, 0.05]) {
    const a = makeVariables(), b = makeVariables();
    const ours = makeOptimizer(lr), theirs = tf.train.adam(lr);
    run(ours, a, 200, 3);
    run(theirs, b, 200, 3);
    assert.deepEqual(values(a), values(b));
    assert.notDeepEqual(values(a), values(makeVariables()), "the weights moved");
    assert.equal(ours.iterations, 200);
    [ours, theirs].forEach((o) => o.dispose());
    tf.dispose([...a, ...b]);
  }
});

test("getWeights gives tf.train.adam's list (names, shapes, values); either optimizer resumes from the other's", async () => {
  const a = makeVariables(), b = makeVariables();
  const ours = makeOptimizer(0.01), theirs = tf.train.adam(0.01);
  run(ours, a, 30, 5);
  run(theirs, b, 30, 5);
  const mine = await ours.getWeights(), tfs = await theirs.getWeights();
  // Each moment is named after its weight, first moments then second moments, as tf.train.adam names them.
  assert.deepEqual(mine.map((w) => w.name), ["iter", ...a.map((v) => `${v.name}/m`), ...a.map((v) => `${v.name}/v`)]);
  assert.deepEqual(tfs.map((w) => w.name), ["iter", ...b.map((v) => `${v.name}/m`), ...b.map((v) => `${v.name}/v`)]);
  assert.deepEqual(mine.map((w) => w.tensor.shape), tfs.map((w) => w.tensor.shape));
  assert.deepEqual(mine.map((w) => Array.from(w.tensor.dataSync())), tfs.map((w) => Array.from(w.tensor.dataSync())));
  assert.equal(mine[0].name, "iter");
  assert.equal(mine[0].tensor.dataSync()[0], 30);

  // A checkpoint written by tf.train.adam resumes in a FlatAdam, and vice versa.
  const fromTheirs = makeOptimizer(0.01), fromOurs = tf.train.adam(0.01);
  await fromTheirs.setWeights(tfs);
  await fromOurs.setWeights(mine.map((w) => ({ name: w.name, tensor: tf.clone(w.tensor) })));
  const copy = (vs: tf.Variable[]) => vs.map((v) => tf.tidy(() => tf.variable(v.clone())));
  const a2 = copy(a), b2 = copy(b);
  run(fromTheirs, a2, 20, 6);
  run(fromOurs, b2, 20, 6);
  run(ours, a, 20, 6); // uninterrupted
  const close = (x: number[][], y: number[][]) => x.forEach((xs, i) => xs.forEach((v, j) => assert.ok(Math.abs(v - y[i][j]) <= 1e-6 * Math.max(1, Math.abs(y[i][j])), `${v} vs ${y[i][j]}`)));
  // tf.train.adam recomputes beta^t with pow on restore (about 1e-7 off); FlatAdam repeats the products, so it resumes exactly.
  close(values(a2), values(a));
  close(values(b2), values(a));
  [ours, theirs, fromTheirs, fromOurs].forEach((o) => o.dispose());
  tf.dispose([...a, ...b, ...a2, ...b2]);
});

test("FlatAdam resumed from its own getWeights continues exactly like the uninterrupted run", async () => {
  const a = makeVariables();
  const ours = makeOptimizer(0.01);
  run(ours, a, 40, 8);
  const saved = (await ours.getWeights()).map((w) => ({ name: w.name, tensor: tf.clone(w.tensor) }));
  const a2 = a.map((v) => tf.tidy(() => tf.variable(v.clone())));
  const resumed = makeOptimizer(0.01);
  await resumed.setWeights(saved);
  run(ours, a, 25, 9);
  run(resumed, a2, 25, 9);
  assert.deepEqual(values(a2), values(a));
  [ours, resumed].forEach((o) => o.dispose());
  tf.dispose([...a, ...a2, ...saved.map((w) => w.tensor)]);
});

test("FlatAdam owns its tensors: getWeights' copies are freed by the next call, dispose frees everything", async () => {
  const before = tf.memory().numTensors;
  const vars = makeVariables();
  const opt = makeOptimizer(0.01);
  const withOptimizer = tf.memory().numTensors;
  run(opt, vars, 3, 1);
  const afterSteps = tf.memory().numTensors;
  run(opt, vars, 3, 2);
  assert.equal(tf.memory().numTensors, afterSteps, "steps leak nothing");
  await opt.getWeights();
  const once = tf.memory().numTensors;
  await opt.getWeights();
  assert.equal(tf.memory().numTensors, once, "a second getWeights frees the first one's tensors");
  opt.dispose();
  assert.equal(tf.memory().numTensors, withOptimizer - 6, "dispose frees the moments, the copies and the constants");
  tf.dispose(vars);
  assert.equal(tf.memory().numTensors, before);
});

test("FlatAdam rejects bad settings and mismatched state with messages that say what is allowed", async () => {
  assert.throws(() => makeOptimizer(0), /learning rate must be a positive number, got 0/);
  assert.throws(() => makeOptimizer(NaN), /learning rate must be a positive number, got NaN/);
  assert.throws(() => new FlatAdam(1e-3, 1), /beta1 must be in \[0, 1\), got 1/);
  assert.throws(() => new FlatAdam(1e-3, 0.9, 0.999, -1), /epsilon must be a positive number/);

  const vars = makeVariables();
  const opt = makeOptimizer(1e-3);
  run(opt, vars, 1, 1);
  const other = [tf.tidy(() => tf.variable(tf.zeros([4, 4])))];
  assert.throws(() => run(opt, other, 1, 1), /moments are for weight tensors of shapes \[\[6,5\],\[5\],\[5,3\],\[3\]\], but it was asked to update \[\[4,4\]\]; use one optimizer per network/);
  assert.throws(() => opt.applyGradients({ "no such variable": tf.zeros([1]) }), /no variable named "no such variable"/);
  await assert.rejects(opt.setWeights([]), /the list is empty/);
  await assert.rejects(opt.setWeights([{ name: "iter", tensor: tf.scalar(3, "int32") }, { name: "a/m", tensor: tf.zeros([2]) }]), /equal numbers, got 1 tensors/);
  await assert.rejects(
    opt.setWeights([{ name: "iter", tensor: tf.scalar(3, "int32") }, { name: "a/m", tensor: tf.zeros([2]) }, { name: "a/v", tensor: tf.zeros([3]) }]),
    /moments "a\/m" and "a\/v" differ in shape/,
  );
  // Restored state for other shapes is refused at the first step, not silently misapplied.
  await opt.setWeights([{ name: "iter", tensor: tf.scalar(3, "int32") }, { name: "a/m", tensor: tf.zeros([2]) }, { name: "a/v", tensor: tf.zeros([2]) }]);
  assert.throws(() => run(opt, vars, 1, 1), /moments are for weight tensors of shapes \[\[2\]\]/);
  opt.dispose();
  tf.dispose([...vars, ...other]);
});

test("isFlatAdam tells FlatAdam from other optimizers (tf.Optimizer's instanceof accepts any)", () => {
  const ours = makeOptimizer(1e-3), theirs = tf.train.adam(1e-3);
  assert.equal(isFlatAdam(ours), true);
  assert.equal(isFlatAdam(theirs), false);
  assert.equal(theirs instanceof FlatAdam, true, "the reason isFlatAdam exists: tf.Optimizer's Symbol.hasInstance is duck-typed");
  assert.ok(ours instanceof tf.Optimizer);
  ours.dispose();
  theirs.dispose();
});

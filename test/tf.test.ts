/**
 * lib/tf.ts: backend choice and the wasm transposed-matMul fix, on real tfjs.
 *
 * Numbers are compared with a per-tensor relative error:
 *   max_i |x_i - y_i| / max_i |y_i|
 * (the largest difference relative to the reference tensor's largest magnitude),
 * which is robust to elements that are near zero.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import {
  tf,
  initBackend,
  backendName,
  describeBackend,
  installWasmMatMulFix,
  uninstallWasmMatMulFix,
  wasmMatMulFixInstalled,
  type BackendName,
} from "../lib/tf";
import { backendSelfCheck } from "../lib/tf-self-check";

const TOLERANCE = 1e-5;
const ROOT = path.resolve(__dirname, "..");

// ---------------------------------------------------------------------------
// Helpers: seeded data, host-side arrays, comparisons

/** mulberry32: a tiny seeded generator, enough for test data. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function uniform(n: number, limit: number, next: () => number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (2 * next() - 1) * limit;
  return out;
}

interface HostTensor {
  values: Float32Array;
  shape: number[];
}

function host(shape: number[], limit: number, next: () => number): HostTensor {
  return { values: uniform(shape.reduce((a, b) => a * b, 1), limit, next), shape };
}

function toTensor(h: HostTensor): tf.Tensor {
  return tf.tensor(h.values, h.shape, "float32");
}

function relativeError(actual: Float32Array, expected: Float32Array): number {
  assert.equal(actual.length, expected.length, "length mismatch");
  let maxDiff = 0;
  let maxAbs = 0;
  for (let i = 0; i < expected.length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs(actual[i] - expected[i]));
    maxAbs = Math.max(maxAbs, Math.abs(expected[i]));
  }
  return maxDiff / Math.max(maxAbs, 1e-30);
}

function assertClose(actual: Float32Array, expected: Float32Array, what: string): number {
  const err = relativeError(actual, expected);
  assert.ok(err <= TOLERANCE, `${what}: relative error ${err.toExponential(2)} > ${TOLERANCE}`);
  return err;
}

/** Reads a result to a plain array (a copy: cpu's dataSync may alias its store). */
function read(t: tf.Tensor): Float32Array {
  return Float32Array.from(t.dataSync() as Float32Array);
}

/** Tensors the engine tracks and data buffers the backend holds (catches kernel-internal leaks). */
function footprint(): { numTensors: number; numBytes: number; numDataIds: number } {
  const m = tf.memory();
  return { numTensors: m.numTensors, numBytes: m.numBytes, numDataIds: tf.backend().numDataIds() };
}

// ---------------------------------------------------------------------------
// A DQN-style loss through a ReLU MLP, weights given as host arrays

const SIZES = [6, 512, 512, 512, 3];
const BATCH = 256;

interface DqnProblem {
  params: HostTensor[]; // W0, b0, W1, b1, ...
  states: HostTensor;
  actionMask: HostTensor; // one-hot of the actions, [batch, nActions]
  targets: HostTensor;
}

function dqnProblem(seed: number): DqnProblem {
  const next = rng(seed);
  const params: HostTensor[] = [];
  for (let i = 0; i + 1 < SIZES.length; i++) {
    const limit = Math.sqrt(6 / SIZES[i]); // He-uniform
    params.push(host([SIZES[i], SIZES[i + 1]], limit, next), host([SIZES[i + 1]], 0.1, next));
  }
  const nActions = SIZES[SIZES.length - 1];
  const mask = new Float32Array(BATCH * nActions);
  for (let i = 0; i < BATCH; i++) mask[i * nActions + Math.floor(next() * nActions)] = 1;
  return {
    params,
    states: host([BATCH, SIZES[0]], 3, next),
    actionMask: { values: mask, shape: [BATCH, nActions] },
    targets: host([BATCH], 2, next),
  };
}

/** Q(s) with fused matMul+bias+relu hidden layers, as tf.layers' Dense does. */
function qValues(s: tf.Tensor, ws: tf.Tensor[]): tf.Tensor {
  let h = s;
  for (let i = 0; i < ws.length; i += 2) {
    const last = i + 2 >= ws.length;
    h = tf.fused.matMul({
      a: h as tf.Tensor2D,
      b: ws[i] as tf.Tensor2D,
      bias: ws[i + 1],
      activation: last ? "linear" : "relu",
    });
  }
  return h;
}

/** Gradients of mean((sum(Q(s) * onehot(a), 1) - target)^2) w.r.t. every weight. */
function dqnGradients(p: DqnProblem): Float32Array[] {
  return tf.tidy(() => {
    const s = toTensor(p.states);
    const mask = toTensor(p.actionMask);
    const target = toTensor(p.targets);
    const loss = (...ws: tf.Tensor[]): tf.Tensor => {
      const qa = tf.sum(tf.mul(qValues(s, ws), mask), 1);
      return tf.mean(tf.square(tf.sub(qa, target)));
    };
    return tf.grads(loss)(p.params.map(toTensor)).map(read);
  });
}

// ---------------------------------------------------------------------------
// Tests

test("initBackend picks wasm here, is idempotent, and switches on request", async () => {
  const [a, b] = await Promise.all([initBackend(), initBackend()]);
  assert.equal(a, b);
  assert.strictEqual(initBackend(), initBackend(), "repeated calls share one promise");
  // npm test pins wasm (TFJS_BACKEND=wasm); without tfjs-node the automatic choice is wasm too.
  if (process.env.TFJS_BACKEND === "wasm" || !tfjsNodeInstalled()) assert.equal(a, "wasm");
  assert.equal(backendName(), a);

  assert.equal(await initBackend("cpu"), "cpu");
  assert.equal(backendName(), "cpu");
  assert.equal(tf.getBackend(), "cpu");
  assert.equal(await initBackend("wasm"), "wasm");
  assert.equal(tf.getBackend(), "wasm");
  assert.ok(wasmMatMulFixInstalled(), "choosing wasm installs the fix");

  // Concurrent requests are serialised; the last one wins.
  assert.deepEqual(await Promise.all([initBackend("cpu"), initBackend("wasm"), initBackend()]), ["cpu", "wasm", "wasm"]);
  assert.equal(tf.getBackend(), "wasm");
  // A tf.setBackend behind our back is noticed and undone on request.
  await tf.setBackend("cpu");
  assert.equal(backendName(), "cpu");
  assert.equal(await initBackend("wasm"), "wasm");
  assert.equal(tf.getBackend(), "wasm");
  assert.match(describeBackend(), /^TensorFlow\.js 4\.22\.0, backend wasm \(.*transposed-matMul fix on\)$/);
});

test("DQN loss gradients: wasm with fix = wasm without fix = cpu", async (t) => {
  const problem = dqnProblem(1234);

  await initBackend("cpu");
  const onCpu = dqnGradients(problem);
  await initBackend("wasm");
  assert.ok(installWasmMatMulFix());
  const fixed = dqnGradients(problem);
  uninstallWasmMatMulFix();
  let unfixed: Float32Array[];
  try {
    unfixed = dqnGradients(problem);
  } finally {
    installWasmMatMulFix();
  }

  assert.equal(onCpu.length, 2 * (SIZES.length - 1));
  let worstCpu = 0;
  let worstUnfixed = 0;
  onCpu.forEach((reference, i) => {
    assert.ok(reference.some((v) => v !== 0), `gradient ${i} is all zeros: a useless test`);
    worstCpu = Math.max(worstCpu, assertClose(fixed[i], reference, `gradient ${i}, fix vs cpu`));
    worstUnfixed = Math.max(worstUnfixed, assertClose(fixed[i], unfixed[i], `gradient ${i}, fix vs no fix`));
  });
  t.diagnostic(`worst relative error: vs cpu ${worstCpu.toExponential(2)}, vs no fix ${worstUnfixed.toExponential(2)}`);
});

/** Operand shapes for op(a) @ op(b) = [.., m, n] given the transpose flags. */
function operandShapes(batchA: number[], batchB: number[], m: number, k: number, n: number, tA: boolean, tB: boolean) {
  return {
    a: [...batchA, ...(tA ? [k, m] : [m, k])],
    b: [...batchB, ...(tB ? [n, k] : [k, n])],
  };
}

const FLAGS: [boolean, boolean][] = [
  [false, false],
  [true, false],
  [false, true],
  [true, true],
];

/** Batch dims of a and b: rank 2, rank 3, rank 3 broadcast, rank 4. */
const BATCHES: [number[], number[]][] = [
  [[], []],
  [[3], [3]],
  [[4], [1]],
  [[2, 2], [2, 2]],
];

interface MatMulCase {
  label: string;
  run: () => tf.Tensor;
}

function matMulCases(): MatMulCase[] {
  const next = rng(99);
  const cases: MatMulCase[] = [];
  const [m, k, n] = [17, 33, 9];
  for (const [batchA, batchB] of BATCHES) {
    for (const [tA, tB] of FLAGS) {
      const shapes = operandShapes(batchA, batchB, m, k, n, tA, tB);
      const a = host(shapes.a, 1, next);
      const b = host(shapes.b, 1, next);
      cases.push({
        label: `matMul a[${shapes.a}] b[${shapes.b}] tA=${tA} tB=${tB}`,
        run: () => tf.matMul(toTensor(a), toTensor(b), tA, tB),
      });
    }
  }
  // Fused matMul always sees rank-3 operands; for 2-D inputs (tf.layers' Dense)
  // the batch is 1. With a bias and a batch above 1, wasm's _FusedMatMul is
  // wrong even untransposed (tfjs 4.22 bug, not ours), so bias cases use batch 1.
  const fusedCases: ["relu" | "leakyrelu" | "prelu", number, boolean][] = [
    ["relu", 1, true],
    ["leakyrelu", 1, true],
    ["prelu", 1, true],
    ["relu", 3, false],
  ];
  for (const [activation, batch, withBias] of fusedCases) {
    for (const [tA, tB] of FLAGS) {
      const shapes = operandShapes([batch], [batch], m, k, n, tA, tB);
      const a = host(shapes.a, 1, next);
      const b = host(shapes.b, 1, next);
      const bias = host([n], 1, next);
      const alpha = host([n], 0.5, next);
      cases.push({
        label: `fused.matMul ${activation} bias=${withBias} a[${shapes.a}] b[${shapes.b}] tA=${tA} tB=${tB}`,
        run: () =>
          tf.fused.matMul({
            a: toTensor(a) as tf.Tensor3D,
            b: toTensor(b) as tf.Tensor3D,
            transposeA: tA,
            transposeB: tB,
            bias: withBias ? toTensor(bias) : undefined,
            activation,
            preluActivationWeights: activation === "prelu" ? toTensor(alpha) : undefined,
            leakyreluAlpha: activation === "leakyrelu" ? 0.2 : undefined,
          }),
      });
    }
  }
  return cases;
}

test("matMul and fused.matMul, every transpose combination, match cpu", async () => {
  const cases = matMulCases();
  await initBackend("cpu");
  const expected = cases.map((c) => tf.tidy(() => read(c.run())));
  await initBackend("wasm");
  assert.ok(wasmMatMulFixInstalled());
  cases.forEach((c, i) => {
    assertClose(tf.tidy(() => read(c.run())), expected[i], c.label);
  });
});

test("no leaks: transposed matMuls and gradients keep tensors and wasm buffers flat", async () => {
  await initBackend("wasm");
  assert.ok(installWasmMatMulFix());
  const next = rng(7);
  const a = toTensor(host([64, 128], 1, next)) as tf.Tensor2D;
  const b = toTensor(host([64, 32], 1, next)) as tf.Tensor2D;
  const c = toTensor(host([64, 64], 1, next)) as tf.Tensor2D;
  const bias = toTensor(host([128], 1, next));
  const work = (): void =>
    tf.tidy(() => {
      read(tf.matMul(a, b, true, false));
      read(tf.matMul(b, b, false, true));
      read(tf.matMul(c, c, true, true));
      const a3 = a.expandDims(0) as tf.Tensor3D;
      read(tf.fused.matMul({ a: b.expandDims(0) as tf.Tensor3D, b: a3, transposeA: true, bias, activation: "relu" }));
      const loss = (x: tf.Tensor): tf.Tensor => tf.sum(tf.fused.matMul({ a: x as tf.Tensor2D, b: a, bias, activation: "relu" }));
      tf.grads(loss)([c]).forEach(read);
    });
  work(); // first calls may allocate lasting things (e.g. the engine's scalar cache)
  const before = footprint();
  for (let i = 0; i < 10; i++) work();
  assert.deepEqual(footprint(), before);
  tf.dispose([a, b, c, bias]);
});

test("no leaks when the original kernel throws after the operands were transposed", async () => {
  await initBackend("wasm");
  assert.ok(installWasmMatMulFix());
  const a = tf.ones([8, 4], "int32");
  const b = tf.ones([8, 5], "int32");
  const before = footprint();
  // wasm matMul rejects int32 after our wrapper has materialised a transpose.
  assert.throws(() => tf.matMul(a, b, true, false), /float32/);
  // Mismatched shapes go straight to the original, keeping tfjs's own message.
  assert.throws(() => tf.matMul(tf.ones([3, 4]), tf.ones([5, 6]), true, false), /inner shapes \(3\) and \(5\)/);
  assert.equal(footprint().numDataIds - before.numDataIds, 2, "only the two tf.ones of the second case remain");
  tf.dispose([a, b]);
});

test("installing twice wraps once; uninstall restores the original kernels", async () => {
  await initBackend("wasm");
  uninstallWasmMatMulFix();
  assert.equal(wasmMatMulFixInstalled(), false);
  const originals = ["BatchMatMul", "_FusedMatMul"].map((k) => tf.getKernel(k, "wasm"));

  assert.ok(installWasmMatMulFix());
  const wrappers = ["BatchMatMul", "_FusedMatMul"].map((k) => tf.getKernel(k, "wasm"));
  assert.ok(installWasmMatMulFix());
  ["BatchMatMul", "_FusedMatMul"].forEach((k, i) => {
    const now = tf.getKernel(k, "wasm");
    assert.strictEqual(now, wrappers[i], `${k}: a second install must not wrap again`);
    assert.notStrictEqual(now, originals[i]);
    assert.strictEqual(now.setupFunc, originals[i].setupFunc, `${k}: setupFunc kept`);
    assert.equal(typeof now.setupFunc, "function");
  });
  assert.ok(wasmMatMulFixInstalled());

  // Still correct after a backend round trip (setupFuncs rerun) and a double install.
  await initBackend("cpu");
  await initBackend("wasm");
  const next = rng(5);
  const a = host([40, 30], 1, next);
  const b = host([20, 40], 1, next);
  const expected = new Float32Array(30 * 20); // a^T b^T, computed by hand
  for (let i = 0; i < 30; i++)
    for (let j = 0; j < 20; j++) {
      let sum = 0;
      for (let p = 0; p < 40; p++) sum += a.values[p * 30 + i] * b.values[j * 40 + p];
      expected[i * 20 + j] = sum;
    }
  assertClose(tf.tidy(() => read(tf.matMul(toTensor(a), toTensor(b), true, true))), expected, "aT bT");

  uninstallWasmMatMulFix();
  ["BatchMatMul", "_FusedMatMul"].forEach((k, i) => {
    assert.strictEqual(tf.getKernel(k, "wasm"), originals[i], `${k}: original restored`);
  });
  assert.equal(wasmMatMulFixInstalled(), false);
  assert.match(describeBackend(), /transposed-matMul fix off/);
  uninstallWasmMatMulFix(); // harmless when not installed
  assert.ok(installWasmMatMulFix()); // leave it as the library would
});

test("the original kernels only ever see untransposed operands", async () => {
  await initBackend("wasm");
  uninstallWasmMatMulFix();
  const seen: string[] = [];
  const originals = ["BatchMatMul", "_FusedMatMul"].map((k) => tf.getKernel(k, "wasm"));
  // Put a recording spy where the original kernels are, then wrap it.
  for (const original of originals) {
    tf.unregisterKernel(original.kernelName, "wasm");
    tf.registerKernel({
      ...original,
      kernelFunc: (args) => {
        seen.push(`${original.kernelName} tA=${args.attrs?.transposeA} tB=${args.attrs?.transposeB}`);
        return original.kernelFunc(args);
      },
    });
  }
  try {
    assert.ok(installWasmMatMulFix());
    tf.tidy(() => {
      const x = tf.ones([4, 4]);
      tf.matMul(x, x, true, true);
      tf.fused.matMul({ a: x as tf.Tensor2D, b: x as tf.Tensor2D, transposeA: true, bias: tf.ones([4]), activation: "relu" });
    });
    assert.deepEqual(seen, ["BatchMatMul tA=false tB=false", "_FusedMatMul tA=false tB=false"]);
  } finally {
    uninstallWasmMatMulFix();
    for (const original of originals) {
      tf.unregisterKernel(original.kernelName, "wasm");
      tf.registerKernel(original);
    }
    installWasmMatMulFix();
  }
});

test("initBackend rejects unknown names, naming the allowed values", async () => {
  const before = backendName();
  await assert.rejects(initBackend("nonsense"), (err: Error) => {
    for (const name of ["tensorflow", "wasm", "cpu"]) assert.match(err.message, new RegExp(`"${name}"`));
    assert.match(err.message, /nonsense/);
    return true;
  });
  assert.equal(backendName(), before, "a rejected request changes nothing");
});

function tfjsNodeInstalled(): boolean {
  try {
    require.resolve("@tensorflow/tfjs-node");
    return true;
  } catch {
    return false;
  }
}

test("initBackend('tensorflow') explains how to get tfjs-node", { skip: tfjsNodeInstalled() && "tfjs-node is installed" }, async () => {
  const before = backendName();
  await assert.rejects(initBackend("tensorflow"), (err: Error) => {
    assert.match(err.message, /@tensorflow\/tfjs-node is not installed/);
    assert.match(err.message, /internet/);
    assert.match(err.message, /"wasm" or "cpu"/);
    return true;
  });
  assert.equal(backendName(), before);
  assert.equal(await initBackend(), before, "later calls still work");
});

test("no tfjs banner or other warnings while initialising and using cpu and wasm", async () => {
  const warnings: string[] = [];
  const original = console.warn;
  console.warn = (...args: unknown[]) => void warnings.push(args.join(" "));
  try {
    for (const name of ["cpu", "wasm", "cpu"] as BackendName[]) {
      await initBackend(name);
      tf.tidy(() => read(tf.add(tf.tensor([1, 2, 3]), 1)));
    }
  } finally {
    console.warn = original;
  }
  assert.deepEqual(warnings, []);
  await initBackend("wasm");
});

/** Runs a snippet in a fresh Node process (so tfjs state is pristine), via tsx. */
function runFresh(code: string, env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, ["--import", "tsx", "-e", code], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    encoding: "utf8",
    timeout: 20_000,
  });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

test("fresh processes: no banner on first cpu use; TFJS_BACKEND is honoured and checked", () => {
  // Control: plain tfjs prints the banner, so the check below can see it.
  const control = runFresh(
    `const tf = require("@tensorflow/tfjs"); tf.setBackend("cpu").then(() => tf.tensor([1]).dataSync());`,
  );
  assert.match(control.output, /Hi, looks like you are running TensorFlow\.js in Node\.js/);

  const ours = runFresh(
    `const { tf, initBackend } = require("./lib/tf");
     initBackend().then((name) => { tf.tensor([1]).dataSync(); console.log("chose " + name); });`,
    { TFJS_BACKEND: "cpu" },
  );
  assert.equal(ours.status, 0, ours.output);
  assert.equal(ours.output.trim(), "chose cpu");

  const bad = runFresh(
    `require("./lib/tf").initBackend().then(() => console.log("resolved"), (e) => console.log(e.message));`,
    { TFJS_BACKEND: "gpu" },
  );
  assert.notEqual(bad.status, null);
  assert.match(bad.output, /Unknown TensorFlow\.js backend "gpu" \(from the TFJS_BACKEND environment variable\); allowed values: "tensorflow", "wasm", "cpu"/);
});

test("fresh process: loading wasm leaves host error handlers in charge", () => {
  // Emscripten's glue rethrows from its own process listeners, which killed
  // hosts (like tslab's kernel) that log errors thrown from timers and go on.
  const r = runFresh(
    `process.on("uncaughtException", (e) => console.log("host caught: " + e.message));
     require("./lib/tf").initBackend("wasm").then((name) => {
       setTimeout(() => { throw new Error("boom"); }, 1);
       setTimeout(() => console.log(name + " still running"), 50);
     });`,
  );
  assert.equal(r.status, 0, r.output.slice(0, 2000));
  assert.equal(r.output.trim(), "host caught: boom\nwasm still running");
});

// ---------------------------------------------------------------------------
// The self-check that guards the native backend, on real backends

/**
 * A real backend with one wrong kernel: a fresh cpu backend whose kernels are the cpu ones,
 * except Square, which computes |x| (a plausible-looking, wrong result).
 */
function registerBrokenBackend(name: string, breakKernel: boolean): () => void {
  const cpu = tf.findBackend("cpu") as unknown as { constructor: new () => tf.KernelBackend };
  tf.registerBackend(name, () => new cpu.constructor());
  const kernels = tf.getKernelsForBackend("cpu");
  const abs = kernels.find((k) => k.kernelName === "Abs")!;
  for (const k of kernels) {
    if (!breakKernel && k.kernelName === "Square") continue; // leaves Square missing: the forward pass throws
    if (!breakKernel && k.kernelName === "Step") continue; // and Step (relu's gradient): so would the backward pass
    tf.registerKernel({ ...k, backendName: name, kernelFunc: breakKernel && k.kernelName === "Square" ? abs.kernelFunc : k.kernelFunc });
  }
  return () => {
    for (const k of tf.getKernelsForBackend(name)) tf.unregisterKernel(k.kernelName, name);
    tf.removeBackend(name);
  };
}

test("self-check: wasm and cpu pass against cpu, on the real backends", async () => {
  for (const name of ["wasm", "cpu"]) {
    const check = await backendSelfCheck(name);
    assert.ok(check.ok, `${name}: ${check.detail}`);
    assert.equal(tf.getBackend(), name, "a passing check leaves the backend active");
    assert.ok(check.worst < 1e-4, `${name}: worst ${check.worst}`);
    assert.match(check.detail, /agree with cpu/);
  }
  await initBackend("wasm");
});

test("self-check: a backend computing a wrong value, or missing a kernel, is refused with the reason", async () => {
  const before = footprint().numTensors;
  const removeWrong = registerBrokenBackend("acrobot-test-wrong", true);
  const removeMissing = registerBrokenBackend("acrobot-test-missing", false);
  try {
    const wrong = await backendSelfCheck("acrobot-test-wrong");
    assert.equal(wrong.ok, false);
    assert.match(wrong.detail, /^loss\[0\] is -?[\d.e-]+ on acrobot-test-wrong, -?[\d.e-]+ on cpu$/);
    const missing = await backendSelfCheck("acrobot-test-missing");
    assert.equal(missing.ok, false);
    assert.match(missing.detail, /threw: .*Square/);
    // Only the backward pass fails: the tape it abandons must not leak either.
    const removeGradless = registerBrokenBackend("acrobot-test-gradless", false);
    tf.registerKernel({ ...tf.getKernel("Square", "cpu")!, backendName: "acrobot-test-gradless" });
    const gradless = await backendSelfCheck("acrobot-test-gradless");
    removeGradless();
    assert.equal(gradless.ok, false);
    assert.match(gradless.detail, /threw: .*'Step'/);
    const unknown = await backendSelfCheck("acrobot-test-nonexistent");
    assert.equal(unknown.ok, false);
  } finally {
    await initBackend("wasm");
    removeWrong();
    removeMissing();
  }
  assert.equal(backendName(), "wasm");
  assert.equal(footprint().numTensors, before, "the check leaks no tensors, also when it fails");
});

test("fresh process, automatic choice: wasm when tfjs-node is missing, no warning, and describeBackend says why", { skip: tfjsNodeInstalled() && "tfjs-node is installed" }, () => {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && k !== "TFJS_BACKEND") env[k] = v;
  const r = spawnSync(process.execPath, ["--import", "tsx", "-e", `const t = require("./lib/tf"); t.initBackend().then((n) => console.log(n + " | " + t.describeBackend()));`], {
    cwd: ROOT,
    env,
    encoding: "utf8",
    timeout: 20_000,
  });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, "", "no warning when tfjs-node is simply not installed");
  assert.match(r.stdout.trim(), /^wasm \| TensorFlow\.js 4\.22\.0, backend wasm \(.*auto-selected; tfjs-node not installed\)$/);
});

test("tfjs-node, where installed: chosen automatically only after passing the self-check", { skip: !tfjsNodeInstalled() && "tfjs-node is not installed here" }, async () => {
  const check = await backendSelfCheck("tensorflow").catch((e: Error) => ({ ok: false, detail: e.message, worst: Infinity }));
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && k !== "TFJS_BACKEND") env[k] = v;
  const r = spawnSync(process.execPath, ["--import", "tsx", "-e", `const t = require("./lib/tf"); t.initBackend().then((n) => console.log(n + " | " + t.describeBackend()));`], { cwd: ROOT, env, encoding: "utf8", timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  if (check.ok) assert.match(r.stdout, /^tensorflow \| .*self-check passed/);
  else {
    assert.match(r.stdout, /^wasm \| .*tfjs-node failed/);
    assert.match(r.stderr, /not using @tensorflow\/tfjs-node: .*; falling back to wasm\./);
  }
  await initBackend("wasm");
});

/**
 * Wall time of one DQN training step on the wasm backend, with and without the
 * transposed-matMul fix from lib/tf.ts.
 *
 * A step is what the trainer does per update: the TD target from the target
 * network (no gradients), then forward, loss, gradients and an Adam update of
 * the online network only.
 *
 * Run directly: `npx tsx bench/dqn-step.ts`.
 */
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

export interface DqnStepBenchOptions {
  /** Layer widths, input first, e.g. [6, 512, 512, 512, 3]. */
  sizes: number[];
  batch: number;
  /** Timed steps per case; the median is reported. */
  reps: number;
  /** Untimed steps first (JIT, Adam's slot variables, wasm heap growth). */
  warmup: number;
}

export interface DqnStepBenchResult {
  /** Median ms per step with the fix installed. */
  fixedMs: number;
  /** Median ms per step with wasm's original kernels. */
  unfixedMs: number;
}

const GAMMA = 0.99;
const LEARNING_RATE = 1e-4;
const SEED = 42;

export async function benchDqnStep(opts: DqnStepBenchOptions): Promise<DqnStepBenchResult> {
  validate(opts);
  const previousBackend = currentBackend();
  await initBackend("wasm");
  const fixWasInstalled = wasmMatMulFixInstalled();
  try {
    // Same seeds for both cases, so both time identical work.
    uninstallWasmMatMulFix();
    const unfixedMs = timeSteps(opts);
    installWasmMatMulFix();
    const fixedMs = timeSteps(opts);
    return { fixedMs, unfixedMs };
  } finally {
    if (fixWasInstalled) installWasmMatMulFix();
    else uninstallWasmMatMulFix();
    if (previousBackend !== null && previousBackend !== "wasm") await initBackend(previousBackend);
  }
}

function validate(opts: DqnStepBenchOptions): void {
  if (opts.sizes.length < 2 || opts.sizes.some((n) => !(Number.isInteger(n) && n > 0))) {
    throw new Error(`benchDqnStep: sizes must be at least two positive integers, got [${opts.sizes}]`);
  }
  if (!(Number.isInteger(opts.batch) && opts.batch > 0)) throw new Error("benchDqnStep: batch must be a positive integer");
  if (!(Number.isInteger(opts.reps) && opts.reps > 0)) throw new Error("benchDqnStep: reps must be a positive integer");
  if (!(Number.isInteger(opts.warmup) && opts.warmup >= 0)) throw new Error("benchDqnStep: warmup must be >= 0");
}

function currentBackend(): BackendName | null {
  try {
    return backendName();
  } catch {
    return null; // not initialised yet
  }
}

/** Builds fresh networks and an optimizer, times the steps, frees everything. */
function timeSteps(opts: DqnStepBenchOptions): number {
  const tensorsBefore = tf.memory().numTensors;
  const online = mlp(opts.sizes, SEED);
  const target = mlp(opts.sizes, SEED + 1000);
  target.setWeights(online.getWeights()); // a target network starts as a copy
  const optimizer = tf.train.adam(LEARNING_RATE);
  const batch = randomBatch(opts.sizes, opts.batch, SEED);
  const step = dqnStep(online, target, optimizer, batch);
  try {
    for (let i = 0; i < opts.warmup; i++) step();
    const afterWarmup = tf.memory().numTensors;
    const times: number[] = [];
    for (let i = 0; i < opts.reps; i++) {
      const start = performance.now();
      step();
      times.push(performance.now() - start);
    }
    const leaked = tf.memory().numTensors - afterWarmup;
    if (leaked !== 0 && opts.warmup > 0) throw new Error(`benchDqnStep: a step leaked ${leaked} tensors`);
    return median(times);
  } finally {
    optimizer.dispose();
    online.dispose();
    target.dispose();
    const leaked = tf.memory().numTensors - tensorsBefore;
    if (leaked !== 0) throw new Error(`benchDqnStep: ${leaked} tensors left after the benchmark`);
  }
}

/** A ReLU MLP of tf.layers dense layers, as the agent builds its Q-network. */
function mlp(sizes: number[], seed: number): tf.Sequential {
  const model = tf.sequential();
  for (let i = 1; i < sizes.length; i++) {
    model.add(
      tf.layers.dense({
        units: sizes[i],
        inputShape: i === 1 ? [sizes[0]] : undefined,
        activation: i === sizes.length - 1 ? "linear" : "relu",
        kernelInitializer: tf.initializers.heUniform({ seed: seed + i }),
      }),
    );
  }
  return model;
}

/** A replay sample as host arrays (uploaded every step, as a real sample would be). */
interface Batch {
  size: number;
  states: Float32Array;
  actionMask: Float32Array; // one-hot of the taken actions
  rewards: Float32Array;
  nextStates: Float32Array;
  notDone: Float32Array; // 0 where the episode terminated
}

function randomBatch(sizes: number[], size: number, seed: number): Batch {
  const next = rng(seed);
  const nIn = sizes[0];
  const nActions = sizes[sizes.length - 1];
  const fill = (n: number, f: () => number): Float32Array => Float32Array.from({ length: n }, f);
  const actionMask = new Float32Array(size * nActions);
  for (let i = 0; i < size; i++) actionMask[i * nActions + Math.floor(next() * nActions)] = 1;
  return {
    size,
    states: fill(size * nIn, () => 2 * next() - 1),
    actionMask,
    rewards: fill(size, () => (next() < 0.99 ? -1 : 0)),
    nextStates: fill(size * nIn, () => 2 * next() - 1),
    notDone: fill(size, () => (next() < 0.99 ? 1 : 0)),
  };
}

/** One training step: TD target, then minimise the squared TD error. Leaves no tensors. */
function dqnStep(online: tf.Sequential, target: tf.Sequential, optimizer: tf.Optimizer, b: Batch): () => void {
  const nIn = online.inputs[0].shape[1] as number;
  const nActions = b.actionMask.length / b.size;
  const onlineVars = online.trainableWeights.map((w) => w.read() as tf.Variable);
  return () => {
    tf.tidy(() => {
      const states = tf.tensor2d(b.states, [b.size, nIn]);
      const mask = tf.tensor2d(b.actionMask, [b.size, nActions]);
      const tdTarget = tf.tidy(() => {
        const nextQ = target.apply(tf.tensor2d(b.nextStates, [b.size, nIn])) as tf.Tensor2D;
        const bootstrap = tf.mul(tf.max(nextQ, 1), tf.tensor1d(b.notDone));
        return tf.add(tf.tensor1d(b.rewards), tf.mul(GAMMA, bootstrap));
      });
      const loss = optimizer.minimize(
        () => {
          const q = online.apply(states, { training: true }) as tf.Tensor2D;
          const qTaken = tf.sum(tf.mul(q, mask), 1); // no gather: wasm lacks its gradient
          return tf.mean(tf.square(tf.sub(qTaken, tdTarget)));
        },
        true,
        onlineVars, // only the online network learns
      );
      loss?.dataSync(); // wait for the result, as a trainer logging the loss would
    });
  };
}

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** mulberry32: seeded, so every run times the same data. */
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

async function main(): Promise<void> {
  const configs: DqnStepBenchOptions[] = [
    { sizes: [6, 512, 512, 512, 3], batch: 1000, reps: 5, warmup: 1 },
    { sizes: [6, 256, 256, 3], batch: 128, reps: 50, warmup: 5 },
  ];
  await initBackend("wasm");
  console.log(describeBackend());
  for (const c of configs) {
    const r = await benchDqnStep(c);
    console.log(
      `DQN step ${c.sizes.join("-")}, batch ${c.batch}: ` +
        `without fix ${r.unfixedMs.toFixed(1)} ms, with fix ${r.fixedMs.toFixed(1)} ms, ` +
        `${(r.unfixedMs / r.fixedMs).toFixed(1)}x faster (medians of ${c.reps})`,
    );
  }
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
}

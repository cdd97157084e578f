/**
 * Kernels and milliseconds per DQN update, before and after the kernel-count
 * work: the reference copy of the old update (test/reference: tf.layers'
 * apply under autodiff, tf.train.adam) against the library's tdUpdate with
 * makeOptimizer. Both get the same batches, with Huber loss and gradient
 * clipping (the `improved` setting); their timings are interleaved, so a
 * change in the machine's load hits both alike. Each block is timed on the
 * wall clock and in this process's CPU time: on a shared machine the CPU
 * time is the better guide to what the wall time would be alone.
 *
 * Run directly: `npx tsx bench/update-kernels.ts`.
 */
import { tf, initBackend } from "../lib/tf";
import { buildQNetwork } from "../lib/agent/q-network";
import { tdUpdate, type TdOptions } from "../lib/agent/td-update";
import { makeOptimizer } from "../lib/agent/adam";
import { referenceTdUpdate } from "../test/reference/td-update-reference";
import { randomBatch } from "./dqn-step";
import { median } from "./stats";

export interface UpdateCase {
  label: string;
  /** Hidden layer widths (the network is 6 -> hidden -> 3). */
  hidden: number[];
  batch: number;
  /** Timed blocks per implementation (the median is reported), and updates per block. */
  reps: number;
  block: number;
}

/** The three sizes issue 12 names: the smallest network a learner might try, RL Zoo's, and the lesson's. */
export const UPDATE_CASES: UpdateCase[] = [
  { label: "6-8-3, batch 1", hidden: [8], batch: 1, reps: 31, block: 50 },
  { label: "6-256-256-3, batch 128 (improved)", hidden: [256, 256], batch: 128, reps: 31, block: 5 },
  { label: "6-512-512-512-3, batch 1000 (lesson)", hidden: [512, 512, 512], batch: 1000, reps: 9, block: 1 },
];

/** The update both sides run: Huber loss, clipping at 10, a separate target network. */
export const UPDATE_OPTIONS: TdOptions = { gamma: 0.99, loss: "huber", doubleDqn: false, gradClipNorm: 10 };

export interface UpdateResult {
  oldKernels: number;
  newKernels: number;
  /** Medians, milliseconds per update: wall clock and CPU time. */
  oldMs: number;
  newMs: number;
  oldCpuMs: number;
  newCpuMs: number;
}

/** Wall and CPU milliseconds per call of `f`, over a block of `n` calls. */
export function timeBlock(n: number, f: () => void): { wall: number; cpu: number } {
  const c0 = process.cpuUsage(), t0 = performance.now();
  for (let i = 0; i < n; i++) f();
  const wall = performance.now() - t0, c = process.cpuUsage(c0);
  return { wall: wall / n, cpu: (c.user + c.system) / 1000 / n };
}

type Update = typeof tdUpdate;

export async function benchUpdateKernels(c: UpdateCase): Promise<UpdateResult> {
  await initBackend("wasm");
  const before = tf.memory().numTensors;
  const batch = randomBatch(c.batch);
  const side = (update: Update, optimizer: tf.Optimizer) => {
    const online = buildQNetwork({ hiddenLayers: c.hidden, seed: 1 });
    const target = buildQNetwork({ hiddenLayers: c.hidden, seed: 2 });
    const run = () => update(batch, online, target, optimizer, UPDATE_OPTIONS);
    return { run, dispose: () => [online, target, optimizer].forEach((x) => x.dispose()) };
  };
  const old = side(referenceTdUpdate, tf.train.adam(1e-4));
  const ours = side(tdUpdate, makeOptimizer(1e-4));
  try {
    for (let i = 0; i < 3; i++) [old, ours].forEach((s) => s.run()); // Adam's moments, JIT, wasm heap growth
    const kernels = async (s: typeof old) => (await tf.profile(() => void s.run())).kernels.length;
    const oldKernels = await kernels(old), newKernels = await kernels(ours);
    const times = { old: [] as { wall: number; cpu: number }[], ours: [] as { wall: number; cpu: number }[] };
    for (let r = 0; r < c.reps; r++) {
      // Alternate which goes first, so neither always follows the other.
      for (const which of r % 2 === 0 ? (["old", "ours"] as const) : (["ours", "old"] as const)) {
        times[which].push(timeBlock(c.block, (which === "old" ? old : ours).run));
      }
    }
    const med = (xs: { wall: number; cpu: number }[], k: "wall" | "cpu") => median(xs.map((x) => x[k]));
    return {
      oldKernels, newKernels,
      oldMs: med(times.old, "wall"), newMs: med(times.ours, "wall"),
      oldCpuMs: med(times.old, "cpu"), newCpuMs: med(times.ours, "cpu"),
    };
  } finally {
    old.dispose();
    ours.dispose();
    const leaked = tf.memory().numTensors - before;
    if (leaked !== 0) throw new Error(`benchUpdateKernels: ${leaked} tensors leaked`);
  }
}

export function updateKernelsLine(c: UpdateCase, r: UpdateResult): string {
  const ms = (a: number, b: number) => `${a.toFixed(3)} -> ${b.toFixed(3)} ms (${(a / b).toFixed(2)}x)`;
  return `  ${c.label}: ${r.oldKernels} -> ${r.newKernels} kernels (${(r.oldKernels / r.newKernels).toFixed(1)}x fewer); ` +
    `wall ${ms(r.oldMs, r.newMs)}; CPU ${ms(r.oldCpuMs, r.newCpuMs)}`;
}

if (require.main === module) {
  (async () => {
    for (const c of UPDATE_CASES) console.log(updateKernelsLine(c, await benchUpdateKernels(c)));
  })();
}

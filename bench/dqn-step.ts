/**
 * Wall time of one DQN update (lib/agent/td-update.ts's `tdUpdate`: TD target
 * from the target network, then loss, gradients and an Adam step on the online
 * network, with makeOptimizer's Adam), on the wasm backend with and without
 * the transposed-matMul fix.
 *
 * Run directly: `npx tsx bench/dqn-step.ts`.
 */
import { tf, initBackend, installWasmMatMulFix, uninstallWasmMatMulFix } from "../lib/tf";
import { buildQNetwork } from "../lib/agent/q-network";
import { emptyBatch, type Batch } from "../lib/agent/replay-memory";
import { tdUpdate } from "../lib/agent/td-update";
import { makeOptimizer } from "../lib/agent/adam";
import { makeRng } from "../lib/random";
import { median } from "./stats";

export interface DqnStepBenchOptions {
  /** Hidden layer widths (the network is 6 -> hidden -> 3). */
  hidden: number[];
  batch: number;
  /** Timed updates per case; the median is reported. */
  reps: number;
  /** Untimed updates first (JIT, Adam's slots, wasm heap growth). */
  warmup: number;
}

export async function benchDqnStep(opts: DqnStepBenchOptions): Promise<{ fixedMs: number; unfixedMs: number }> {
  await initBackend("wasm");
  try {
    uninstallWasmMatMulFix();
    const unfixedMs = timeUpdates(opts);
    installWasmMatMulFix();
    const fixedMs = timeUpdates(opts);
    return { fixedMs, unfixedMs };
  } finally {
    installWasmMatMulFix();
  }
}

function timeUpdates(opts: DqnStepBenchOptions): number {
  const before = tf.memory().numTensors;
  const online = buildQNetwork({ hiddenLayers: opts.hidden, seed: 1 });
  const target = buildQNetwork({ hiddenLayers: opts.hidden, seed: 2 });
  const optimizer = makeOptimizer(1e-4);
  const batch = randomBatch(opts.batch);
  const td = { gamma: 0.99, loss: "mse" as const, doubleDqn: false, gradClipNorm: null };
  for (let i = 0; i < opts.warmup; i++) tdUpdate(batch, online, target, optimizer, td);
  const times: number[] = [];
  for (let i = 0; i < opts.reps; i++) {
    const t0 = performance.now();
    tdUpdate(batch, online, target, optimizer, td);
    times.push(performance.now() - t0);
  }
  [online, target, optimizer].forEach((x) => x.dispose());
  const leaked = tf.memory().numTensors - before;
  if (leaked !== 0) throw new Error(`benchDqnStep: ${leaked} tensors leaked`);
  return median(times);
}

/** A fixed pseudo-random batch of Acrobot-shaped transitions (seed 42). */
export function randomBatch(size: number): Batch {
  const rng = makeRng(42);
  const b = emptyBatch(size, 6);
  for (let i = 0; i < size * 6; i++) {
    b.states[i] = 2 * rng.float() - 1;
    b.nextStates[i] = 2 * rng.float() - 1;
  }
  for (let i = 0; i < size; i++) {
    b.actions[i] = rng.int(3);
    b.rewards[i] = -1;
    b.dones[i] = rng.float() < 0.01 ? 1 : 0;
  }
  return b;
}

/** The two settings docs/DESIGN.md quotes: the lesson's network at the lesson's batch, and RL Zoo's. */
export const DQN_STEP_CASES: (DqnStepBenchOptions & { label: string })[] = [
  { label: "6-512-512-512-3, batch 1000 (lesson)", hidden: [512, 512, 512], batch: 1000, reps: 7, warmup: 2 },
  { label: "6-256-256-3, batch 128 (improved)", hidden: [256, 256], batch: 128, reps: 41, warmup: 5 },
];

if (require.main === module) {
  (async () => {
    for (const c of DQN_STEP_CASES) {
      const r = await benchDqnStep(c);
      console.log(`${c.label}: ${r.unfixedMs.toFixed(1)} ms -> ${r.fixedMs.toFixed(1)} ms with the fix (${(r.unfixedMs / r.fixedMs).toFixed(1)}x)`);
    }
  })();
}

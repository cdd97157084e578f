/**
 * Our DQN update timed in its own process, for bench/side-by-side.ts (which pins it to one core
 * while the PyTorch peer times the same update on the other): `reps` blocks of `block` updates
 * (tdUpdate + makeOptimizer's Adam, Huber loss, clipping at 10), after 3 untimed updates.
 * Prints one JSON line: {"ms": [...], "cpuMs": [...]}, milliseconds per update for each block.
 *
 *   npx tsx bench/update-job.ts HIDDEN BATCH BLOCK REPS      e.g. 256,256 128 5 31
 */
import { initBackend } from "../lib/tf";
import { buildQNetwork } from "../lib/agent/q-network";
import { tdUpdate } from "../lib/agent/td-update";
import { makeOptimizer } from "../lib/agent/adam";
import { randomBatch } from "./dqn-step";
import { UPDATE_OPTIONS, timeBlock } from "./update-kernels";

async function main(): Promise<void> {
  const [hiddenArg, ...rest] = process.argv.slice(2);
  const hidden = (hiddenArg ?? "").split(",").map(Number);
  const [batch, block, reps] = rest.map(Number);
  if (![...hidden, batch, block, reps].every((n) => Number.isSafeInteger(n) && n > 0)) {
    throw new Error("usage: npx tsx bench/update-job.ts HIDDEN BATCH BLOCK REPS (whole numbers, e.g. 256,256 128 5 31)");
  }
  await initBackend("wasm");
  const online = buildQNetwork({ hiddenLayers: hidden, seed: 1 });
  const target = buildQNetwork({ hiddenLayers: hidden, seed: 2 });
  const optimizer = makeOptimizer(1e-4);
  const data = randomBatch(batch);
  try {
    const update = () => tdUpdate(data, online, target, optimizer, UPDATE_OPTIONS);
    for (let i = 0; i < 3; i++) update();
    const times = Array.from({ length: reps }, () => timeBlock(block, update));
    console.log(JSON.stringify({ ms: times.map((t) => t.wall), cpuMs: times.map((t) => t.cpu) }));
  } finally {
    [online, target, optimizer].forEach((x) => x.dispose());
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});

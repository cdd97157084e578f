/**
 * `npm run bench`: the environment's speed and one DQN update with and without
 * the wasm fix (about a minute). With `--presets`, also trains each preset to
 * its bar over several seeds (minutes to hours: see BENCHMARKS.md).
 *
 *   npm run bench
 *   npm run bench -- --presets improved,tipHeight --seeds 1,2,3
 *   npm run bench -- --presets naive,replay,target --seeds 1,2,3 --cap-episodes 3000
 *   npm run bench -- --compare --skip-micro --presets improved --seeds 1,2,3,4 --cap-steps 15000
 *     (`compare` with one job, then one per core: wall times and the speed-up)
 *   npm run bench -- --notebook 07-compare-chapters --skip-micro
 *     (a notebook's full run on the real kernel, one training at a time, then one per core)
 *   npm run bench -- --peer [--seeds 1,2,3,4,5] [--presets fast,improved] [--parallel PAIRS]
 *     (ours and the same DQN in PyTorch AT THE SAME TIME, one core each, cores swapped between
 *     rounds: the update at the three bench sizes, then time to the bar per preset and seed;
 *     needs Debian's python3-torch: bench/side-by-side.ts)
 *   npm run bench -- --wasm-threads --skip-micro
 *     (the update on 1 wasm thread against 2, alternating child processes: bench/wasm-threads.ts)
 */
import { parseArgs } from "node:util";
import { cpus } from "node:os";
import { initBackend, describeBackend } from "../lib/tf";
import { benchEnvSteps } from "./env-steps";
import { benchDqnStep, DQN_STEP_CASES } from "./dqn-step";
import { benchTraining, trainingTable } from "./train-bench";
import { median } from "./stats";
import { benchStepParts } from "./step-parts";
import { benchCompare, compareBenchText } from "./compare-bench";
import { benchUpdateKernels, updateKernelsLine, UPDATE_CASES } from "./update-kernels";
import { benchPeerSideBySide } from "./side-by-side";
import { benchNotebook, notebookBenchText } from "./notebook-bench";
import { benchWasmThreads, wasmThreadsText } from "./wasm-threads";

const USAGE = "usage: npm run bench [-- [--peer [--parallel PAIRS]] [--wasm-threads] [--compare] [--notebook NAME [--notebook-jobs 1,2]] --presets a,b --seeds 1,2,3 --cap-episodes N --cap-steps N --skip-micro]";

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        presets: { type: "string" },
        seeds: { type: "string" },
        "cap-episodes": { type: "string", default: "3000" },
        "cap-steps": { type: "string" },
        "skip-micro": { type: "boolean", default: false },
        compare: { type: "boolean", default: false },
        peer: { type: "boolean", default: false },
        "wasm-threads": { type: "boolean", default: false },
        notebook: { type: "string" },
        "notebook-jobs": { type: "string" },
        parallel: { type: "string", default: "1" },
        help: { type: "boolean", default: false },
      },
    }));
  } catch (e) {
    console.error(`${(e as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  if (values.help) return console.log(USAGE);
  const ints = (s: string, what: string) =>
    s.split(",").map((x) => {
      const n = Number(x);
      if (!Number.isSafeInteger(n) || n < 0) {
        console.error(`--${what} takes whole numbers, got "${x}"\n${USAGE}`);
        process.exit(2);
      }
      return n;
    });

  await initBackend();
  console.log(`# acrobot-dqn bench, ${new Date().toISOString().slice(0, 10)}`);
  console.log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? "unknown CPU"}, Node ${process.version}`);
  console.log(`${describeBackend()}\n`);

  if (!values["skip-micro"]) {
    const env = benchEnvSteps({ steps: 1_000_000, reps: 7 });
    console.log(`Acrobot env steps per second (one core, median of 7 x 1M steps): ${Math.round(median(env.stepsPerSecond)).toLocaleString("en-US")}`);
    console.log("\nOne DQN update (TD target + loss + gradients + Adam), wasm backend, median:");
    for (const c of DQN_STEP_CASES) {
      const r = await benchDqnStep(c);
      console.log(`  ${c.label}: ${r.unfixedMs.toFixed(1)} ms without the fix, ${r.fixedMs.toFixed(1)} ms with it (${(r.unfixedMs / r.fixedMs).toFixed(1)}x)`);
    }
    console.log("\nKernels and time per DQN update, the update before issue 12 (tf.layers + autodiff + tf.train.adam) -> now " +
      "(hand-written backward pass + FlatAdam); Huber loss, clipping at 10; medians, interleaved:");
    for (const c of UPDATE_CASES) console.log(updateKernelsLine(c, await benchUpdateKernels(c)));
    const parts = await benchStepParts();
    const total = parts.actMs + parts.envMs + parts.memoryMs + parts.updateMs;
    const pct = (x: number) => `${((100 * x) / total).toFixed(1)}%`;
    console.log("\nOne env step of `improved` (6-256-256-3, batch 128, one update per step on average), median:");
    console.log(`  update ${parts.updateMs.toFixed(3)} ms (${pct(parts.updateMs)}), acting ${parts.actMs.toFixed(3)} ms (${pct(parts.actMs)}), ` +
      `replay push + sample ${parts.memoryMs.toFixed(3)} ms (${pct(parts.memoryMs)}), environment ${parts.envMs.toFixed(4)} ms (${pct(parts.envMs)}); total ${total.toFixed(2)} ms`);
    await initBackend(); // back to the default backend for training
  }

  if (values.peer) {
    // Time to the bar over seeds 1-5 unless --seeds says otherwise; `fast` and RL Zoo's `improved` in one table.
    const seeds = ints(values.seeds ?? "1,2,3,4,5", "seeds");
    const presets = values.presets && !values.compare ? values.presets.split(",") : ["fast", "improved"];
    console.log("\nOurs against PyTorch, side by side (bench/side-by-side.ts):");
    const parallel = ints(values.parallel, "parallel")[0]; // pairs at once (each pair still one side per core)
    const text = await benchPeerSideBySide({ seeds, presets, micro: true, train: true, parallel, log: (l) => console.log(`  ${l}`) });
    if (text !== null) console.log(`\n${text}`);
  }

  if (values["wasm-threads"]) {
    console.log("\nOne DQN update on 1 wasm thread and on 2 (lib/tf-wasm-threads.ts), alternating child processes:");
    console.log(wasmThreadsText(await benchWasmThreads({ log: (l) => console.log(`  ${l}`) })));
  }

  if (values.notebook !== undefined) {
    console.log(`\nNotebook ${values.notebook}, full budgets, one training at a time and then one per core:`);
    const jobsList = values["notebook-jobs"] !== undefined ? ints(values["notebook-jobs"], "notebook-jobs") : undefined;
    console.log(`\n${notebookBenchText(await benchNotebook(values.notebook, (l) => console.log(l), jobsList))}`);
  }

  if (values.compare) {
    // The presets go through `compare` (one job at a time, then one per core) instead of the training table.
    const presets = (values.presets ?? "improved").split(",");
    const seeds = ints(values.seeds ?? "1,2,3", "seeds");
    const capSteps = values["cap-steps"] ? ints(values["cap-steps"], "cap-steps")[0] : undefined;
    const capEpisodes = values["cap-steps"] ? undefined : ints(values["cap-episodes"], "cap-episodes")[0];
    const root = `runs/bench-compare-${new Date().toISOString().replace(/[:.]/g, "-")}`;
    console.log(`\nCompare speed-up (presets ${presets.join(", ")}; seeds ${seeds.join(", ")}; cap ${capSteps !== undefined ? `${capSteps} env steps` : `${capEpisodes} episodes`} per job; runs in ${root}):`);
    const b = await benchCompare({ presets, seeds, capEpisodes, capSteps, root, log: (l) => console.log(l) });
    console.log(`\n${compareBenchText(b)}`);
  } else if (values.presets && !values.peer) {
    const capEpisodes = ints(values["cap-episodes"], "cap-episodes")[0];
    const capSteps = values["cap-steps"] ? ints(values["cap-steps"], "cap-steps")[0] : undefined;
    const presets = values.presets.split(",");
    const seeds = ints(values.seeds ?? "1,2,3", "seeds");
    console.log(`\nTraining to the bar (presets ${presets.join(", ")}; seeds ${seeds.join(", ")}; cap ${capEpisodes} episodes${capSteps ? `, ${capSteps} env steps` : ""}):`);
    const rows = await benchTraining({ presets, seeds, capEpisodes, capSteps, log: (l) => console.log(l) });
    console.log(`\n${trainingTable(rows, capEpisodes)}`);
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});

/**
 * The search for the chapter-4 setting that reaches the -90 bar in the least wall time here:
 * candidates on top of `improved`, each trained to the bar (100000 env steps at most), then its
 * model played greedily for 20 episodes (seeds 1000 + seed). One JSON line per run.
 *
 *   npx tsx bench/setting-search.ts NAMES SEEDS [OUT.jsonl]     e.g. w64lr1e3 1,2,3,4,5
 *
 * `fast` (lib/train/presets.ts) is w64lr1e3; results in BENCHMARKS.md.
 */
import { train } from "../lib/train/trainer";
import { preset } from "../lib/train/presets";
import { evaluate } from "../lib/train/evaluate";
import { appendFileSync } from "node:fs";

const candidates: Record<string, object> = {
  base: {},
  g1: { gradientSteps: 1 },
  w64: { hiddenLayers: [64, 64] },
  w64g1: { hiddenLayers: [64, 64], gradientSteps: 1 },
  w128g2: { hiddenLayers: [128, 128], gradientSteps: 2 },
  w64f1: { hiddenLayers: [64, 64], trainEvery: 1, gradientSteps: 1, batchSize: 64 },
  w64g1dd: { hiddenLayers: [64, 64], gradientSteps: 1, doubleDqn: true },
  w64g1t500: { hiddenLayers: [64, 64], gradientSteps: 1, targetSyncEvery: 500 },
  w64g1e6k: { hiddenLayers: [64, 64], gradientSteps: 1, epsilonDecaySteps: 6000 },
  w128g1: { hiddenLayers: [128, 128], gradientSteps: 1 },
  w64g2: { hiddenLayers: [64, 64], gradientSteps: 2 },
  w32g1: { hiddenLayers: [32, 32], gradientSteps: 1 },
  w64dd: { hiddenLayers: [64, 64], doubleDqn: true },
  w64lr1e3: { hiddenLayers: [64, 64], learningRate: 1e-3 },
  w64t500: { hiddenLayers: [64, 64], targetSyncEvery: 500 },
  w128: { hiddenLayers: [128, 128] },
  tipFast: { hiddenLayers: [64, 64], learningRate: 1e-3, reward: "tipHeight", solvedAt: -200 },
  tipBase: { reward: "tipHeight", solvedAt: -200 },
  w64g1b64: { hiddenLayers: [64, 64], gradientSteps: 1, batchSize: 64 },
  // On top of fast (w64lr1e3): the knobs the first search did not try.
  fastB64: { hiddenLayers: [64, 64], learningRate: 1e-3, batchSize: 64 },
  fastB256: { hiddenLayers: [64, 64], learningRate: 1e-3, batchSize: 256 },
  fastT125: { hiddenLayers: [64, 64], learningRate: 1e-3, targetSyncEvery: 125 },
  fastT500: { hiddenLayers: [64, 64], learningRate: 1e-3, targetSyncEvery: 500 },
  fastE6k: { hiddenLayers: [64, 64], learningRate: 1e-3, epsilonDecaySteps: 6000 },
  fastDd: { hiddenLayers: [64, 64], learningRate: 1e-3, doubleDqn: true },
};
const names = (process.argv[2] ?? Object.keys(candidates).join(",")).split(",");
const seeds = (process.argv[3] ?? "1,2,3").split(",").map(Number);
const out = process.argv[4]; // optional: also append the lines to this file
(async () => {
  for (const name of names) for (const seed of seeds) {
    const cfg = { ...preset("improved"), ...candidates[name], seed, maxEnvSteps: 100_000 };
    const cpu0 = process.cpuUsage();
    const r = await train(cfg, { handleSignals: false });
    const cpu = process.cpuUsage(cpu0);
    const ev = evaluate(r.model, { episodes: 20, seed: 1000 + seed });
    r.model.dispose();
    const row = { name, seed, solved: r.solved, episodes: r.records.length, envSteps: r.envSteps, seconds: +r.seconds.toFixed(1), cpuSeconds: +((cpu.user + cpu.system) / 1e6).toFixed(1), greedyMean: ev.mean, successes: ev.successes, load: require("node:os").loadavg()[0] };
    if (out) appendFileSync(out, JSON.stringify(row) + "\n");
    console.log(JSON.stringify(row));
  }
})();

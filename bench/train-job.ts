/**
 * One training of ours for bench/side-by-side.ts, in its own process (so the driver can pin it
 * to a core): trains the config to its bar, then plays the model greedily (env reward, 100
 * episodes, seeds from 1000 + seed, as bench/setting-search.ts). Prints one JSON line.
 *
 *   npx tsx bench/train-job.ts '<Partial<TrainConfig> as JSON>' [GREEDY_EPISODES]
 */
import { train } from "../lib/train/trainer";
import { evaluate } from "../lib/train/evaluate";
import type { TrainConfig } from "../lib/train/config";

export interface TrainJobResult {
  solved: boolean;
  episodes: number;
  envSteps: number;
  seconds: number;
  cpuSeconds: number;
  /** Greedy play of the final model, env reward (-1 per step): the mean return and how many episodes reached the line. */
  greedyMean: number | null;
  greedySuccesses: number | null;
  greedyEpisodes: number;
  backend: string;
}

async function main(): Promise<void> {
  const [json, episodesArg = "100"] = process.argv.slice(2);
  if (json === undefined) throw new Error("usage: npx tsx bench/train-job.ts '<config JSON>' [GREEDY_EPISODES]");
  const config = JSON.parse(json) as Partial<TrainConfig>;
  const greedyEpisodes = Number(episodesArg);
  if (!Number.isSafeInteger(greedyEpisodes) || greedyEpisodes < 0) throw new Error(`GREEDY_EPISODES must be a whole number, got "${episodesArg}"`);
  const cpu0 = process.cpuUsage();
  const r = await train(config, { handleSignals: false });
  const cpu = process.cpuUsage(cpu0);
  try {
    const ev = greedyEpisodes > 0 ? evaluate(r.model, { episodes: greedyEpisodes, seed: 1000 + (config.seed ?? 0) }) : null;
    const out: TrainJobResult = {
      solved: r.solved, episodes: r.records.length, envSteps: r.envSteps, seconds: r.seconds,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      greedyMean: ev?.mean ?? null, greedySuccesses: ev?.successes ?? null, greedyEpisodes, backend: r.backend,
    };
    console.log(JSON.stringify(out));
  } finally {
    r.model.dispose();
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});

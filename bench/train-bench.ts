/**
 * Training to the bar: for each preset and seed, episodes, env steps and
 * wall seconds until the 100-episode average reaches the preset's bar (or the
 * cap), and the cost per episode.
 */
import { train } from "../lib/train/trainer";
import { preset } from "../lib/train/presets";
import { median } from "./stats";

export interface TrainBenchRow {
  preset: string;
  seed: number;
  solved: boolean;
  episodes: number;
  envSteps: number;
  seconds: number;
  secondsPerEpisode: number;
  bestAverage100: number;
  finalAverage100: number;
}

export async function benchTraining(opts: { presets: string[]; seeds: number[]; capEpisodes: number; capSteps?: number; log?: (line: string) => void }): Promise<TrainBenchRow[]> {
  const rows: TrainBenchRow[] = [];
  for (const name of opts.presets) {
    for (const seed of opts.seeds) {
      const p = preset(name);
      const r = await train({ ...p, seed, maxEpisodes: opts.capEpisodes, maxEnvSteps: opts.capSteps ?? p.maxEnvSteps ?? 5_000_000 });
      const averages = r.records.map((x) => x.average100);
      const row: TrainBenchRow = {
        preset: name,
        seed,
        solved: r.solved,
        episodes: r.records.length,
        envSteps: r.envSteps,
        seconds: r.seconds,
        secondsPerEpisode: r.seconds / r.records.length,
        // Only full 100-episode windows count as "best", as the bar does.
        bestAverage100: Math.max(...averages.slice(99)),
        finalAverage100: averages[averages.length - 1],
      };
      r.model.dispose();
      rows.push(row);
      opts.log?.(`  ${name} seed ${seed}: ${row.solved ? "solved" : "not solved"} after ${row.episodes} episodes, ${row.envSteps} env steps, ${row.seconds.toFixed(1)} s`);
    }
  }
  return rows;
}

/** A Markdown table: one line per preset, medians over its seeds. */
export function trainingTable(rows: TrainBenchRow[], capEpisodes: number): string {
  const lines = [
    "| preset | seeds solved | median episodes | median env steps | median seconds | s / episode | best / final 100-ep. average (median) |",
    "|---|---|---|---|---|---|---|",
  ];
  for (const name of [...new Set(rows.map((r) => r.preset))]) {
    const rs = rows.filter((r) => r.preset === name);
    const solved = rs.filter((r) => r.solved).length;
    const fmt = (xs: number[], digits = 0) => median(xs).toFixed(digits);
    const capNote = solved < rs.length ? ` (cap ${capEpisodes} episodes)` : "";
    lines.push(
      `| ${name} | ${solved} of ${rs.length}${capNote} | ${fmt(rs.map((r) => r.episodes))} | ${fmt(rs.map((r) => r.envSteps))} | ${fmt(rs.map((r) => r.seconds), 1)} | ${fmt(rs.map((r) => r.secondsPerEpisode), 3)} | ${fmt(rs.map((r) => r.bestAverage100), 1)} / ${fmt(rs.map((r) => r.finalAverage100), 1)} |`,
    );
  }
  return lines.join("\n");
}

/**
 * `npm run bench -- --compare`: the same presets x seeds through `compare`,
 * once with one job at a time and once with one job per core; the wall
 * times and the speed-up. Each job is a child process (its own TensorFlow.js,
 * one wasm thread), so the ideal speed-up is the number of cores, less the
 * idle tail when the last jobs run alone.
 */
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { runCompare, type CompareOutcome } from "../lib/cli/compare-command";
import { median } from "./stats";

export interface CompareBench {
  cores: number;
  jobs: number;
  serial: CompareOutcome;
  parallel: CompareOutcome;
  speedUp: number;
}

export async function benchCompare(opts: { presets: string[]; seeds: number[]; capEpisodes?: number; capSteps?: number; root: string; log: (line: string) => void }): Promise<CompareBench> {
  const cores = availableParallelism();
  const run = async (jobs: number): Promise<CompareOutcome> => {
    opts.log(`\ncompare with --jobs ${jobs}:`);
    const o = await runCompare(
      { presets: opts.presets, seeds: opts.seeds, jobs, episodes: opts.capEpisodes, steps: opts.capSteps, out: join(opts.root, `jobs-${jobs}`), evalEpisodes: 0, plotly: "cdn" },
      { progress: "quiet" },
    );
    if (o.exitCode !== 0) throw new Error(`compare --jobs ${jobs} ended with exit code ${o.exitCode}`);
    return o;
  };
  const serial = await run(1);
  const parallel = await run(cores);
  return { cores, jobs: serial.results.length, serial, parallel, speedUp: serial.wallSeconds / parallel.wallSeconds };
}

/** What the bench prints (and BENCHMARKS.md keeps). */
export function compareBenchText(b: CompareBench): string {
  const training = (o: CompareOutcome) => median(o.results.map((r) => r.summary?.seconds ?? NaN).filter(Number.isFinite));
  const process = (o: CompareOutcome) => median(o.results.map((r) => r.wallSeconds));
  return [
    "| jobs at once | wall time (s) | median training seconds per job | median job wall time incl. start-up (s) |",
    "|---|---|---|---|",
    `| 1 | ${b.serial.wallSeconds.toFixed(1)} | ${training(b.serial).toFixed(1)} | ${process(b.serial).toFixed(1)} |`,
    `| ${b.parallel.concurrency} | ${b.parallel.wallSeconds.toFixed(1)} | ${training(b.parallel).toFixed(1)} | ${process(b.parallel).toFixed(1)} |`,
    "",
    `Speed-up: ${b.speedUp.toFixed(2)}x with ${b.parallel.concurrency} jobs at once on ${b.cores} cores (${b.jobs} jobs; parallel efficiency ${((100 * b.speedUp) / b.parallel.concurrency).toFixed(0)}%).`,
  ].join("\n");
}

/**
 * `npm run bench -- --notebook 07-compare-chapters`: a notebook's full run
 * (no smoke budgets) on the real tslab kernel, once with one training at a
 * time (ACROBOT_DQN_JOBS=1) and once with one per core: the wall time of the
 * training cell and of the whole notebook, and their ratio. Runs go to a
 * scratch folder, never over a learner's runs.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { runNotebook, type NotebookRun } from "../test/notebook-runner";

export interface NotebookBench {
  notebook: string;
  cores: number;
  /** [one at a time, one per core] */
  runs: { jobs: number; trainingSeconds: number; totalSeconds: number }[];
}

/** `jobsList`: the ACROBOT_DQN_JOBS values to run, in order (default: 1, then one per core). */
export async function benchNotebook(name: string, log: (line: string) => void, jobsList?: number[]): Promise<NotebookBench> {
  const file = join(__dirname, "..", "notebooks", name.endsWith(".ipynb") ? name : `${name}.ipynb`);
  const cores = availableParallelism();
  const runs: NotebookBench["runs"] = [];
  for (const jobs of jobsList ?? [1, cores]) {
    const scratch = mkdtempSync(join(tmpdir(), "acrobot-bench-notebook-"));
    try {
      log(`${name} with ACROBOT_DQN_JOBS=${jobs}...`);
      const run: NotebookRun = await runNotebook(file, {
        env: { ACROBOT_DQN_JOBS: String(jobs), ACROBOT_DQN_RUNS: join(scratch, "runs"), ACROBOT_DQN_MODELS: join(scratch, "models") },
        cellTimeoutMs: 3 * 3600_000,
      });
      if (!run.ok) {
        const bad = run.cells.filter((c) => c.status !== "ok").map((c) => `cell ${c.index} ${c.status} ${c.error?.evalue ?? ""}`).join("; ");
        throw new Error(`${name} failed with ACROBOT_DQN_JOBS=${jobs}: ${bad} ${run.problem ?? ""}\nkernel stderr:\n${run.stderr.slice(-3000)}`);
      }
      log(`  cells: ${run.cells.map((c) => `${c.index}: ${c.seconds.toFixed(1)} s`).join(", ")}`);
      const training = run.cells.filter((c) => c.tags.includes("training")).reduce((s, c) => s + c.seconds, 0);
      runs.push({ jobs, trainingSeconds: training, totalSeconds: run.seconds });
      log(`  training cell ${training.toFixed(0)} s, whole notebook ${run.seconds.toFixed(0)} s`);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }
  return { notebook: name, cores, runs };
}

export function notebookBenchText(b: NotebookBench): string {
  const [one, all] = b.runs;
  if (all === undefined) return `| ${b.notebook} | ${one.jobs} at once | training cell ${one.trainingSeconds.toFixed(0)} s | whole notebook ${one.totalSeconds.toFixed(0)} s |`;
  return [
    `| ${b.notebook} | trainings at once | training cell (s) | whole notebook (s) |`,
    "|---|---|---|---|",
    ...b.runs.map((r) => `| | ${r.jobs} | ${r.trainingSeconds.toFixed(0)} | ${r.totalSeconds.toFixed(0)} |`),
    "",
    `one per core (${b.cores} cores) takes ${((100 * all.totalSeconds) / one.totalSeconds).toFixed(0)}% of the one-at-a-time time for the whole notebook ` +
      `(${((100 * all.trainingSeconds) / one.trainingSeconds).toFixed(0)}% for the training cell): a speed-up of ${(one.totalSeconds / all.totalSeconds).toFixed(2)}x`,
  ].join("\n");
}

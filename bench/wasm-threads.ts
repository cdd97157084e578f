/**
 * One DQN update (tdUpdate + FlatAdam, Huber loss, clipping at 10) on the wasm backend with
 * 1 thread against N threads (lib/tf-wasm-threads.ts), at the three bench sizes.
 *
 * One process holds one wasm build, so the two sides run in alternating child processes
 * (1, N, N, 1, 1, N, ...): a change in the machine's load hits both alike. Each child times a
 * few blocks per size; the report gives medians over all blocks and the ratio. On a loaded
 * machine the N-thread side loses most (its second thread has to find a free core).
 *
 *   npx tsx bench/wasm-threads.ts                       # 1 vs 2 threads, 6 rounds
 *   npx tsx bench/wasm-threads.ts --threads 2 --rounds 10
 *   npm run bench -- --wasm-threads --skip-micro       # the same, from the bench entry point
 */
import { spawn } from "node:child_process";
import { parseArgs } from "node:util";
import { pathToFileURL } from "node:url";
import { tf, initBackend, describeBackend } from "../lib/tf";
import { WASM_THREADS_ENV, wasmThreadsRunning } from "../lib/tf-wasm-threads";
import { buildQNetwork } from "../lib/agent/q-network";
import { tdUpdate } from "../lib/agent/td-update";
import { makeOptimizer } from "../lib/agent/adam";
import { randomBatch } from "./dqn-step";
import { median } from "./stats";
import { timeBlock, UPDATE_CASES, UPDATE_OPTIONS } from "./update-kernels";

interface ChildResult {
  threads: number;
  backend: string;
  /** Per case (UPDATE_CASES order): wall milliseconds per update, one per block. */
  wall: number[][];
  /** The same blocks' CPU milliseconds per update, all of the process's threads together. */
  cpu: number[][];
}

/** In a child: `blocks` timed blocks of each case, after a warm-up. */
async function childRun(threads: number, blocks: number): Promise<ChildResult> {
  await initBackend("wasm");
  const running = wasmThreadsRunning();
  if (running !== threads) throw new Error(`asked for ${threads} wasm threads, got ${running}: ${describeBackend()}`);
  const wall: number[][] = [], cpu: number[][] = [];
  for (const c of UPDATE_CASES) {
    const batch = randomBatch(c.batch);
    const online = buildQNetwork({ hiddenLayers: c.hidden, seed: 1 });
    const target = buildQNetwork({ hiddenLayers: c.hidden, seed: 2 });
    const optimizer = makeOptimizer(1e-4);
    const run = () => void tdUpdate(batch, online, target, optimizer, UPDATE_OPTIONS);
    for (let i = 0; i < 3; i++) run(); // Adam's moments, JIT, wasm heap growth
    const times = Array.from({ length: blocks }, () => timeBlock(c.block, run));
    wall.push(times.map((t) => t.wall));
    cpu.push(times.map((t) => t.cpu));
    [online, target, optimizer].forEach((x) => x.dispose());
  }
  return { threads, backend: describeBackend(), wall, cpu };
}

function runChild(threads: number, blocks: number): Promise<ChildResult> {
  const args = ["--import", pathToFileURL(require.resolve("tsx")).href, __filename, "--child", "--threads", String(threads), "--blocks", String(blocks)];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, [WASM_THREADS_ENV]: String(threads) } });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      const line = out.trim().split("\n").pop() ?? "";
      try {
        if (code !== 0) throw new Error(`exit code ${code}`);
        resolve(JSON.parse(line) as ChildResult);
      } catch (err) {
        reject(new Error(`the ${threads}-thread child failed (${(err as Error).message}): ${out.slice(-500)}`));
      }
    });
  });
}

export interface ThreadsBench {
  threads: number;
  rounds: number;
  backends: string[];
  /** Per case: median wall ms per update with 1 thread and with `threads`, their ratio, and the median CPU ms (all threads). */
  rows: { label: string; oneMs: number; manyMs: number; speedup: number; oneCpuMs: number; manyCpuMs: number; blocks: number }[];
}

/** Alternating children, 1 thread and `threads` threads; `rounds` of each. */
export async function benchWasmThreads(opts: { threads?: number; rounds?: number; blocks?: number; log?: (line: string) => void } = {}): Promise<ThreadsBench> {
  const threads = opts.threads ?? 2, rounds = opts.rounds ?? 6, blocks = opts.blocks ?? 3;
  const results: ChildResult[] = [];
  for (let r = 0; r < rounds; r++) {
    for (const n of r % 2 === 0 ? [1, threads] : [threads, 1]) {
      const res = await runChild(n, blocks);
      opts.log?.(`round ${r + 1}, ${n} thread${n > 1 ? "s" : ""}: ${UPDATE_CASES.map((c, i) => `${median(res.wall[i]).toFixed(2)} ms`).join(", ")}`);
      results.push(res);
    }
  }
  const side = (n: number, i: number, k: "wall" | "cpu" = "wall") => results.filter((r) => r.threads === n).flatMap((r) => r[k][i]);
  return {
    threads,
    rounds,
    backends: [...new Set(results.map((r) => r.backend))],
    rows: UPDATE_CASES.map((c, i) => {
      const oneMs = median(side(1, i)), manyMs = median(side(threads, i));
      return { label: c.label, oneMs, manyMs, speedup: oneMs / manyMs, oneCpuMs: median(side(1, i, "cpu")), manyCpuMs: median(side(threads, i, "cpu")), blocks: side(1, i).length };
    }),
  };
}

export function wasmThreadsText(b: ThreadsBench): string {
  return [
    `| update (median ms, ${b.rounds} alternating rounds) | 1 thread | ${b.threads} threads | speed-up | CPU ms, 1 thread | CPU ms, ${b.threads} threads (all) |`,
    "|---|---:|---:|---:|---:|---:|",
    ...b.rows.map((r) => `| ${r.label} | ${r.oneMs.toFixed(2)} | ${r.manyMs.toFixed(2)} | ${r.speedup.toFixed(2)}x | ${r.oneCpuMs.toFixed(2)} | ${r.manyCpuMs.toFixed(2)} |`),
    "",
    ...b.backends.map((s) => `backend: ${s}`),
  ].join("\n");
}

if (require.main === module) {
  const { values } = parseArgs({
    options: {
      child: { type: "boolean", default: false },
      threads: { type: "string", default: "2" },
      rounds: { type: "string", default: "6" },
      blocks: { type: "string", default: "3" },
    },
  });
  const threads = Number(values.threads), rounds = Number(values.rounds), blocks = Number(values.blocks);
  if (![threads, rounds, blocks].every((n) => Number.isSafeInteger(n) && n >= 1)) {
    console.error("usage: npx tsx bench/wasm-threads.ts [--threads N (2-8)] [--rounds N] [--blocks N]  (whole numbers >= 1)");
    process.exit(2);
  }
  (async () => {
    if (values.child) {
      console.log(JSON.stringify(await childRun(threads, blocks)));
      tf.disposeVariables();
      return;
    }
    console.log(wasmThreadsText(await benchWasmThreads({ threads, rounds, blocks, log: (l) => console.log(l) })));
  })().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exitCode = 1;
  });
}

/**
 * `npm run bench -- --peer`: our DQN update against the same update in
 * PyTorch (bench/torch_peer.py), at the sizes of bench/update-kernels.ts.
 *
 * Two PyTorch processes stay up for the whole run, one limited to one thread
 * and one given every core; for each size the three (ours, torch on one
 * thread, torch on all cores) take turns timing a block of updates, so a
 * change in the machine's load hits them alike. Ours runs on one wasm thread
 * unless ACROBOT_DQN_WASM_THREADS asks for more (lib/tf-wasm-threads.ts; tfjs
 * itself switches wasm threads off under Node).
 *
 * Needs Debian's python3-torch; with libopenblas0-pthread installed, its
 * libblas.so.3 goes first on LD_LIBRARY_PATH (Debian's torch otherwise links
 * whatever libblas.so.3 the system chose, possibly the slow reference BLAS).
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from "node:child_process";
import { availableParallelism } from "node:os";
import { dirname, join } from "node:path";
import { createInterface, type Interface } from "node:readline";
import { tf, initBackend } from "../lib/tf";
import { buildQNetwork } from "../lib/agent/q-network";
import { tdUpdate } from "../lib/agent/td-update";
import { makeOptimizer } from "../lib/agent/adam";
import { randomBatch } from "./dqn-step";
import { UPDATE_CASES, UPDATE_OPTIONS, timeBlock, type UpdateCase } from "./update-kernels";
import { median } from "./stats";

export const HOW_TO_GET_TORCH =
  "PyTorch peer skipped: no python3 with torch found (tried $PEER_PYTHON, /usr/bin/python3, python3). " +
  "On Debian 12: apt-get install -y python3-torch libopenblas0-pthread";

/** Where to look for a Python with torch: $PEER_PYTHON, Debian's python3 (a pyenv python3 on PATH may lack it), python3. */
export const PYTHON_CANDIDATES = [process.env.PEER_PYTHON, "/usr/bin/python3", "python3"].filter((p): p is string => !!p);

/** The first Python that imports torch, or null. */
export function findTorchPython(candidates: string[] = PYTHON_CANDIDATES): string | null {
  for (const python of candidates) {
    const r = spawnSync(python, ["-c", "import torch"], { stdio: "ignore", timeout: 600_000 }); // importing torch took over a minute on a crowded machine
    if (r.status === 0) return python;
  }
  return null;
}

/** The folder of libopenblas0-pthread's libblas.so.3 (from dpkg), or null when it is not installed. */
export function openBlasDir(): string | null {
  const r = spawnSync("dpkg", ["-L", "libopenblas0-pthread"], { encoding: "utf8" });
  if (r.status !== 0) return null;
  const lib = r.stdout.split("\n").find((l) => l.endsWith("/libblas.so.3"));
  return lib ? dirname(lib) : null;
}

/** A running torch_peer.py: ask it to time `updates` updates of a size. */
class Peer {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly lines: Interface;
  private readonly waiting: ((line: string) => void)[] = [];
  private stderr = "";

  constructor(python: string, threads: number, blasDir: string | null) {
    const env: NodeJS.ProcessEnv = { ...process.env, OMP_NUM_THREADS: String(threads), OPENBLAS_NUM_THREADS: String(threads), MKL_NUM_THREADS: String(threads) };
    if (blasDir !== null) env.LD_LIBRARY_PATH = [blasDir, process.env.LD_LIBRARY_PATH].filter(Boolean).join(":");
    this.child = spawn(python, [join(__dirname, "torch_peer.py")], { env });
    this.child.stderr.on("data", (d: Buffer) => (this.stderr += d.toString()));
    this.lines = createInterface({ input: this.child.stdout });
    this.lines.on("line", (line) => this.waiting.shift()?.(line));
  }

  ask<T>(request: object): Promise<T> {
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`torch_peer.py exited (code ${code}): ${this.stderr.trim().slice(-2000)}`));
      this.child.once("exit", onExit);
      this.waiting.push((line) => {
        this.child.off("exit", onExit);
        resolve(JSON.parse(line) as T);
      });
      this.child.stdin.write(JSON.stringify(request) + "\n");
    });
  }

  close(): void {
    this.lines.close();
    this.child.stdin.end();
  }
}

/** Medians, milliseconds per update. CPU time is only compared on one thread (with more, it adds up the threads). */
export interface PeerResult {
  oursMs: number;
  torch1Ms: number;
  torchAllMs: number;
  oursCpuMs: number;
  torch1CpuMs: number;
}

/** Runs the comparison and logs it; null (after saying how to get torch) when no Python has torch. */
export async function benchPeer(log: (line: string) => void, pythons: string[] = PYTHON_CANDIDATES): Promise<PeerResult[] | null> {
  const python = findTorchPython(pythons);
  if (python === null) {
    log(HOW_TO_GET_TORCH);
    return null;
  }
  const cores = availableParallelism();
  const blasDir = openBlasDir();
  const one = new Peer(python, 1, blasDir), all = new Peer(python, cores, blasDir);
  try {
    const info = await one.ask<{ torch: string; blas: string[] }>({ info: true });
    const infoAll = await all.ask<{ threads: number }>({ info: true });
    log(`PyTorch ${info.torch} (${python}), BLAS: ${info.blas.join(", ") || "none found in the process maps"}` +
      (blasDir === null ? " (libopenblas0-pthread not installed: whatever libblas.so.3 the system picked)" : ""));
    log(`torch threads: 1 and ${infoAll.threads}; ours: 1 (wasm, one thread under Node)`);
    log("One DQN update (Huber loss, clipping at 10, Adam), medians of interleaved blocks; ratio = our time / torch's;");
    log("wall clock, and in brackets process CPU time (on one thread each; the better guide on a shared machine):");
    const results: PeerResult[] = [];
    for (const c of UPDATE_CASES) {
      const r = await compareCase(c, one, all);
      results.push(r);
      const x = (a: number, b: number) => `${(a / b).toFixed(2)}x`;
      log(`  ${c.label}: ours ${r.oursMs.toFixed(3)} ms [CPU ${r.oursCpuMs.toFixed(3)}]; ` +
        `torch 1 thread ${r.torch1Ms.toFixed(3)} ms [CPU ${r.torch1CpuMs.toFixed(3)}], ratio ${x(r.oursMs, r.torch1Ms)} [${x(r.oursCpuMs, r.torch1CpuMs)}]; ` +
        `torch ${infoAll.threads} threads ${r.torchAllMs.toFixed(3)} ms, ratio ${x(r.oursMs, r.torchAllMs)}`);
    }
    return results;
  } finally {
    one.close();
    all.close();
  }
}

async function compareCase(c: UpdateCase, one: Peer, all: Peer): Promise<PeerResult> {
  await initBackend("wasm");
  const before = tf.memory().numTensors;
  const online = buildQNetwork({ hiddenLayers: c.hidden, seed: 1 });
  const target = buildQNetwork({ hiddenLayers: c.hidden, seed: 2 });
  const optimizer = makeOptimizer(1e-4);
  const batch = randomBatch(c.batch);
  const request = { hidden: c.hidden, batch: c.batch, updates: c.block };
  const ours = () => tdUpdate(batch, online, target, optimizer, UPDATE_OPTIONS);
  try {
    for (let i = 0; i < 3; i++) tdUpdate(batch, online, target, optimizer, UPDATE_OPTIONS);
    await one.ask(request); // warm-up blocks (the peers build their networks here)
    await all.ask(request);
    const ourTimes: { wall: number; cpu: number }[] = [], torch1: { ms: number; cpuMs: number }[] = [], torchAll: { ms: number }[] = [];
    for (let r = 0; r < c.reps; r++) {
      ourTimes.push(timeBlock(c.block, ours));
      torch1.push(await one.ask<{ ms: number; cpuMs: number }>(request));
      torchAll.push(await all.ask<{ ms: number }>(request));
    }
    return {
      oursMs: median(ourTimes.map((t) => t.wall)),
      oursCpuMs: median(ourTimes.map((t) => t.cpu)),
      torch1Ms: median(torch1.map((t) => t.ms)),
      torch1CpuMs: median(torch1.map((t) => t.cpuMs)),
      torchAllMs: median(torchAll.map((t) => t.ms)),
    };
  } finally {
    [online, target, optimizer].forEach((x) => x.dispose());
    const leaked = tf.memory().numTensors - before;
    if (leaked !== 0) throw new Error(`benchPeer: ${leaked} tensors leaked`);
  }
}

if (require.main === module) {
  benchPeer((l) => console.log(l)).catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}

/**
 * Speed figures that survive a noisy machine (issue 20.2): two processes run AT THE SAME TIME,
 * each pinned to its own core (`taskset -c 0` / `-c 1`), and swap cores from one round to the
 * next, so both see the same machine and a faster core favours neither. Only the ratio within a
 * pair is reported as the result; the absolute seconds are whatever the shared machine gave.
 *
 *   npx tsx bench/side-by-side.ts peer [--seeds 1,2,3,4,5] [--presets fast,improved] [--skip-micro] [--skip-train] [--parallel PAIRS]
 *     ours against the same DQN in PyTorch (bench/torch_peer.py, bench/torch_dqn.py), one thread
 *     each: the update at the three bench sizes, then time to the -90 bar per preset and seed
 *   npx tsx bench/side-by-side.ts sync [--seeds 1,2,3,4,5] [--parallel PAIRS]
 *     `fast` with the target synced every 250 env steps against every 125, and the exercise's
 *     `tipHeight` (built on fast) likewise; each model then plays 100 greedy episodes
 *
 * `npm run bench -- --peer` runs the `peer` experiment.
 */
import { spawn } from "node:child_process";
import { availableParallelism, loadavg } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { preset } from "../lib/train/presets";
import { resolveConfig, type TrainConfig } from "../lib/train/config";
import { UPDATE_CASES } from "./update-kernels";
import { findTorchPython, openBlasDir, HOW_TO_GET_TORCH } from "./torch-peer";
import { median } from "./stats";
import type { TrainJobResult } from "./train-job";

/** A process to run on one core: what it is called in the tables, and how to start it. */
export interface Side {
  label: string;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
}

/** The two cores a pair runs on; round r puts side A on CORES[r % 2]. */
const CORES = ["0", "1"] as const;
/**
 * A job that has not finished after this long has hung. Generous: on 2026-12-05, at a load
 * average of 60-130, a `fast` training got about 0.3 s of CPU a minute and an hour was not enough.
 */
const JOB_TIMEOUT_MS = 8 * 60 * 60 * 1000;
/** The jobs still running, stopped if the driver exits early (an error, Ctrl-C) so none is left behind. */
const running = new Set<import("node:child_process").ChildProcess>();
process.on("exit", () => running.forEach((c) => c.kill("SIGTERM")));

/** Runs `side` pinned to `core`; resolves with the JSON object its last stdout line holds. */
export function runPinned<T>(side: Side, core: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn("taskset", ["-c", core, side.command, ...side.args], { env: side.env, stdio: ["ignore", "pipe", "pipe"] });
    running.add(child);
    let out = "", err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
    const timer = setTimeout(() => child.kill("SIGTERM"), JOB_TIMEOUT_MS);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(new Error(`${side.label}: could not start taskset (${e.message}); the side-by-side bench needs util-linux's taskset`));
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      running.delete(child);
      const last = out.trim().split("\n").pop() ?? "";
      if (code !== 0) return reject(new Error(`${side.label} on core ${core} failed (${signal ?? `exit ${code}`}): ${err.trim().split("\n").slice(-3).join(" | ")}`));
      try {
        const result = JSON.parse(last) as T;
        console.error(`  (${side.label} on core ${core} done: ${last})`); // each side as it ends, so a later failure loses nothing
        resolve(result);
      } catch {
        reject(new Error(`${side.label} on core ${core} printed no JSON result (last line: ${JSON.stringify(last.slice(0, 200))})`));
      }
    });
  });
}

/** A and B at the same time, A on core `round % 2` and B on the other. */
export async function runPair<A, B>(a: Side, b: Side, round: number): Promise<[A, B]> {
  const ca = CORES[round % 2], cb = CORES[(round + 1) % 2];
  return Promise.all([runPinned<A>(a, ca), runPinned<B>(b, cb)]);
}

/**
 * Runs `n` pairs, `parallel` at a time (each pair still one side per core), results in order.
 * On a machine crowded with other work a process gets a small share of a core whatever it does,
 * so several pairs at once finish sooner; the ratio within each pair is what counts.
 */
export async function runPairs<T>(n: number, parallel: number, pair: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(n);
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      results[i] = await pair(i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(parallel, n)) }, worker));
  return results;
}

/** The sides. Ours runs on the wasm backend, one thread, like every training in BENCHMARKS.md. */
const tsxImport = () => pathToFileURL(require.resolve("tsx")).href;
const oursEnv = (): NodeJS.ProcessEnv => ({ ...process.env, TFJS_BACKEND: "wasm", ACROBOT_DQN_WASM_THREADS: "1" });

function torchEnv(): NodeJS.ProcessEnv {
  const blas = openBlasDir(); // Debian's torch links libblas.so.3: put OpenBLAS's first, as bench/torch-peer.ts does
  const env: NodeJS.ProcessEnv = { ...process.env, OMP_NUM_THREADS: "1", OPENBLAS_NUM_THREADS: "1", MKL_NUM_THREADS: "1" };
  if (blas !== null) env.LD_LIBRARY_PATH = [blas, process.env.LD_LIBRARY_PATH].filter(Boolean).join(":");
  return env;
}

export function oursTraining(label: string, config: Partial<TrainConfig>, greedyEpisodes: number): Side {
  return { label, command: process.execPath, args: ["--import", tsxImport(), join(__dirname, "train-job.ts"), JSON.stringify(config), String(greedyEpisodes)], env: oursEnv() };
}

export function torchTraining(label: string, python: string, config: Partial<TrainConfig>): Side {
  return { label, command: python, args: [join(__dirname, "torch_dqn.py"), JSON.stringify(resolveConfig(config))], env: torchEnv() };
}

const updateArgs = (hidden: number[], batch: number, block: number, reps: number) => [hidden.join(","), String(batch), String(block), String(reps)];

// ---------------------------------------------------------------- formatting

const fmt = (x: number, digits = 1) => x.toFixed(digits);
const ratio = (x: number) => `${x.toFixed(2)}x`;
const loadNow = () => loadavg()[0].toFixed(1);

// ---------------------------------------------------------------- peer: ours against PyTorch

interface UpdateTimes { ms: number[]; cpuMs: number[] }
interface TorchTrainResult { solved: boolean; episodes: number; envSteps: number; seconds: number; cpuSeconds: number; torch: string }

/** The update at the bench sizes: `rounds` pairs per size, cores swapped between rounds; medians over all blocks. */
async function peerUpdates(python: string, rounds: number, log: (l: string) => void): Promise<string> {
  const rows = [
    "| network, batch | ours ms per update (CPU) | PyTorch ms per update (CPU) | ratio ours / PyTorch, wall (CPU) | per-round wall ratios |",
    "|---|---|---|---|---|",
  ];
  for (const c of UPDATE_CASES) {
    const args = updateArgs(c.hidden, c.batch, c.block, c.reps);
    const ours: Side = { label: "ours update", command: process.execPath, args: ["--import", tsxImport(), join(__dirname, "update-job.ts"), ...args], env: oursEnv() };
    const torch: Side = { label: "torch update", command: python, args: [join(__dirname, "torch_peer.py"), ...args], env: torchEnv() };
    const o: UpdateTimes = { ms: [], cpuMs: [] }, t: UpdateTimes = { ms: [], cpuMs: [] };
    const perRound: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const [a, b] = await runPair<UpdateTimes, UpdateTimes>(ours, torch, r);
      o.ms.push(...a.ms); o.cpuMs.push(...a.cpuMs); t.ms.push(...b.ms); t.cpuMs.push(...b.cpuMs);
      perRound.push(median(a.ms) / median(b.ms));
      log(`  ${c.label}, round ${r + 1} (ours on core ${CORES[r % 2]}, load ${loadNow()}): ours ${fmt(median(a.ms), 3)} ms, torch ${fmt(median(b.ms), 3)} ms`);
    }
    rows.push(`| ${c.label} | ${fmt(median(o.ms), 3)} (${fmt(median(o.cpuMs), 3)}) | ${fmt(median(t.ms), 3)} (${fmt(median(t.cpuMs), 3)}) | ` +
      `${ratio(median(o.ms) / median(t.ms))} (${ratio(median(o.cpuMs) / median(t.cpuMs))}) | ${perRound.map(ratio).join(", ")} |`);
  }
  return rows.join("\n");
}

interface PeerTrainRow { preset: string; seed: number; ours: TrainJobResult; torch: TorchTrainResult }

/** Time to the bar: for each preset and seed, ours and PyTorch's training side by side. */
async function peerTraining(python: string, presets: string[], seeds: number[], parallel: number, log: (l: string) => void): Promise<string> {
  const jobs = presets.flatMap((name) => seeds.map((seed) => ({ name, seed })));
  const results = await runPairs(jobs.length, parallel, (round) => peerPair(round).catch((e: Error) => (log(`  pair ${round + 1} failed: ${e.message}`), null)));
  const rows = results.filter((r): r is PeerTrainRow => r !== null);
  async function peerPair(round: number): Promise<PeerTrainRow> {
    const { name, seed } = jobs[round];
    const config = { ...preset(name), seed };
    const [ours, torch] = await runPair<TrainJobResult, TorchTrainResult>(oursTraining(`ours ${name}`, config, 0), torchTraining(`torch ${name}`, python, config), round);
    log(`  ${name} seed ${seed}: ours ${ours.solved ? "solved" : "NOT solved"} at ${ours.envSteps} env steps in ${fmt(ours.seconds)} s; ` +
      `torch ${torch.solved ? "solved" : "NOT solved"} at ${torch.envSteps} in ${fmt(torch.seconds)} s (load ${loadNow()}); ${JSON.stringify({ ours, torch })}`);
    return { preset: name, seed, ours, torch };
  }
  const lines = [
    "| preset | seed | ours: env steps, s | PyTorch: env steps, s | ms per env step, ours / PyTorch | ratio per env step | ratio seconds to the bar |",
    "|---|---|---|---|---|---|---|",
  ];
  const perStep = (r: { seconds: number; envSteps: number }) => (1000 * r.seconds) / r.envSteps;
  for (const name of presets) {
    const rs = rows.filter((r) => r.preset === name);
    if (rs.length === 0) continue;
    for (const r of rs) {
      const solvedNote = (x: { solved: boolean }) => (x.solved ? "" : " (not solved)");
      lines.push(`| ${name} | ${r.seed} | ${r.ours.envSteps}${solvedNote(r.ours)}, ${fmt(r.ours.seconds)} | ${r.torch.envSteps}${solvedNote(r.torch)}, ${fmt(r.torch.seconds)} | ` +
        `${fmt(perStep(r.ours), 2)} / ${fmt(perStep(r.torch), 2)} | ${ratio(perStep(r.ours) / perStep(r.torch))} | ${ratio(r.ours.seconds / r.torch.seconds)} |`);
    }
    const m = (f: (r: PeerTrainRow) => number) => median(rs.map(f));
    lines.push(`| **${name}, median** | | ${m((r) => r.ours.envSteps)}, ${fmt(m((r) => r.ours.seconds))} | ${m((r) => r.torch.envSteps)}, ${fmt(m((r) => r.torch.seconds))} | ` +
      `${fmt(m((r) => perStep(r.ours)), 2)} / ${fmt(m((r) => perStep(r.torch)), 2)} | **${ratio(m((r) => perStep(r.ours) / perStep(r.torch)))}** | **${ratio(m((r) => r.ours.seconds / r.torch.seconds))}** |`);
  }
  if (rows.length < jobs.length) lines.push("", `${jobs.length - rows.length} of ${jobs.length} pairs failed (see the log above); the table has the others.`);
  lines.push("", "Ratios are ours / PyTorch's within each simultaneous pair (below 1: ours is faster); medians are of the per-pair ratios.");
  return lines.join("\n");
}

export async function benchPeerSideBySide(opts: { seeds: number[]; presets: string[]; micro: boolean; train: boolean; rounds?: number; parallel?: number; log: (l: string) => void; pythons?: string[] }): Promise<string | null> {
  const python = findTorchPython(opts.pythons);
  if (python === null) {
    opts.log(HOW_TO_GET_TORCH);
    return null;
  }
  assertTwoCores();
  const parts: string[] = [];
  if (opts.micro) {
    opts.log("One DQN update, ours and PyTorch's at the same time, one core and one thread each:");
    parts.push(await peerUpdates(python, opts.rounds ?? 4, opts.log));
  }
  if (opts.train) {
    opts.log(`Time to the bar, ours and PyTorch's at the same time (presets ${opts.presets.join(", ")}; seeds ${opts.seeds.join(", ")}):`);
    parts.push(await peerTraining(python, opts.presets, opts.seeds, opts.parallel ?? 1, opts.log));
  }
  return parts.join("\n\n");
}

// ---------------------------------------------------------------- sync: target sync 250 against 125

interface SyncRow { setting: string; seed: number; a: TrainJobResult; b: TrainJobResult }

/** The greedy condition of issue 20.3: the solved model's mean over 100 greedy episodes is at least -90. */
export const GREEDY_BAR = -90;
export const GREEDY_EPISODES = 100;
const meetsGreedy = (r: TrainJobResult) => r.solved && r.greedyMean !== null && r.greedyMean >= GREEDY_BAR;

export async function benchSync(opts: { seeds: number[]; log: (l: string) => void; faster?: number; parallel?: number }): Promise<string> {
  assertTwoCores();
  const faster = opts.faster ?? 125;
  const settings = ["fast", "tipHeight"];
  const jobs = settings.flatMap((name) => opts.seeds.map((seed) => ({ name, seed })));
  const results = await runPairs(jobs.length, opts.parallel ?? 1, (round) => syncPair(round).catch((e: Error) => (opts.log(`  pair ${round + 1} failed: ${e.message}`), null)));
  const rows = results.filter((r): r is SyncRow => r !== null);
  async function syncPair(round: number): Promise<SyncRow> {
    const { name, seed } = jobs[round];
    const base = { ...preset(name), seed };
    const [a, b] = await runPair<TrainJobResult, TrainJobResult>(
      oursTraining(`${name} sync ${base.targetSyncEvery}`, base, GREEDY_EPISODES),
      oursTraining(`${name} sync ${faster}`, { ...base, targetSyncEvery: faster }, GREEDY_EPISODES),
      round,
    );
    opts.log(`  ${name} seed ${seed} (load ${loadNow()}): ${JSON.stringify({ a, b })}`);
    return { setting: name, seed, a, b };
  }
  const cell = (r: TrainJobResult) =>
    `${r.envSteps}${r.solved ? "" : " (not solved)"}, ${fmt(r.seconds)} s, greedy ${r.greedyMean === null ? "-" : fmt(r.greedyMean, 2)} (${r.greedySuccesses}/${r.greedyEpisodes})${meetsGreedy(r) ? "" : " FAILS"}`;
  const lines = [
    `| setting | seed | target sync 250: env steps, seconds, greedy mean | target sync ${faster}: env steps, seconds, greedy mean | seconds, ${faster} / 250 |`,
    "|---|---|---|---|---|",
  ];
  for (const name of settings) {
    const rs = rows.filter((r) => r.setting === name);
    if (rs.length === 0) continue;
    for (const r of rs) lines.push(`| ${name} | ${r.seed} | ${cell(r.a)} | ${cell(r.b)} | ${ratio(r.b.seconds / r.a.seconds)} |`);
    const m = (f: (r: SyncRow) => number) => median(rs.map(f));
    lines.push(`| **${name}, median** | | ${m((r) => r.a.envSteps)}, ${fmt(m((r) => r.a.seconds))} s | ${m((r) => r.b.envSteps)}, ${fmt(m((r) => r.b.seconds))} s | **${ratio(m((r) => r.b.seconds / r.a.seconds))}** |`);
    const ok = (side: "a" | "b") => rs.filter((r) => meetsGreedy(r[side])).length;
    lines.push(`| ${name}: greedy condition met | | ${ok("a")} of ${rs.length} | ${ok("b")} of ${rs.length} | |`);
  }
  if (rows.length < jobs.length) lines.push("", `${jobs.length - rows.length} of ${jobs.length} pairs failed (see the log above); the table has the others.`);
  lines.push("", `Greedy condition: solved, and the mean of ${GREEDY_EPISODES} greedy episodes (env reward, seeds from 1000 + seed) >= ${GREEDY_BAR}. ` +
    "Each row is one simultaneous pair, one core each, cores swapped from row to row.");
  return lines.join("\n");
}

function assertTwoCores(): void {
  if (availableParallelism() < 2) throw new Error(`the side-by-side bench runs two processes on cores 0 and 1: this machine has ${availableParallelism()} core`);
}

// ---------------------------------------------------------------- command line

const USAGE = "usage: npx tsx bench/side-by-side.ts peer|sync [--seeds 1,2,3,4,5] [--presets fast,improved] [--skip-micro] [--skip-train] [--rounds N] [--parallel PAIRS]";

export function parseSeeds(s: string, what = "seeds"): number[] {
  return s.split(",").map((x) => {
    const n = Number(x);
    if (x.trim() === "" || !Number.isSafeInteger(n) || n < 0) throw new Error(`--${what} takes whole numbers separated by commas, got "${x}"`);
    return n;
  });
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      seeds: { type: "string", default: "1,2,3,4,5" },
      presets: { type: "string", default: "fast,improved" },
      rounds: { type: "string", default: "4" },
      parallel: { type: "string", default: "1" },
      "skip-micro": { type: "boolean", default: false },
      "skip-train": { type: "boolean", default: false },
    },
  });
  const what = positionals[0];
  if (what !== "peer" && what !== "sync") throw new Error(`unknown experiment ${JSON.stringify(what ?? "")}: choose peer or sync\n${USAGE}`);
  const seeds = parseSeeds(values.seeds);
  const parallel = parseSeeds(values.parallel, "parallel")[0];
  const log = (l: string) => console.log(l);
  console.log(`# side by side, ${new Date().toISOString()}, ${availableParallelism()} cores, load ${loadNow()}`);
  if (what === "peer") {
    const presets = values.presets.split(",");
    presets.forEach((p) => preset(p)); // an unknown name fails here, before anything runs
    const text = await benchPeerSideBySide({ seeds, presets, micro: !values["skip-micro"], train: !values["skip-train"], rounds: parseSeeds(values.rounds, "rounds")[0], parallel, log });
    if (text !== null) console.log(`\n${text}`);
  } else {
    console.log(`\n${await benchSync({ seeds, parallel, log })}`);
  }
}

if (require.main === module) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}

/**
 * bench/side-by-side.ts: two processes at the same time, one core each, cores swapped between
 * rounds; its failures say which side failed and why. With Debian's python3-torch installed, the
 * PyTorch training peer (bench/torch_dqn.py) runs Gymnasium's Acrobot as ours does and stops at
 * its budget; without it, those tests are skipped with the install instructions.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { availableParallelism } from "node:os";
import * as path from "node:path";
import { Acrobot } from "../lib/env/acrobot";
import { preset } from "../lib/train/presets";
import { resolveConfig } from "../lib/train/config";
import { runPair, runPairs, runPinned, oursTraining, benchPeerSideBySide, parseSeeds, type Side } from "../bench/side-by-side";
import { findTorchPython, HOW_TO_GET_TORCH } from "../bench/torch-peer";
import type { TrainJobResult } from "../bench/train-job";

const BENCH = path.resolve(__dirname, "..", "bench");
const twoCores = availableParallelism() >= 2 ? false : "needs 2 cores";
const python = findTorchPython();
const noTorch = python === null ? HOW_TO_GET_TORCH : false;

/** A shell side that reports the cores it may run on and when it started and ended (after sleeping). */
function reporter(label: string): Side {
  const script = 's=$(date +%s%N); sleep 1; e=$(date +%s%N); c=$(taskset -cp $$ | sed "s/.*: //"); echo "{\\"cpus\\":\\"$c\\",\\"start\\":$s,\\"end\\":$e}"';
  return { label, command: "sh", args: ["-c", script], env: process.env };
}
interface Report { cpus: string; start: number; end: number }

test("a pair runs at the same time, A on core 0 and B on core 1, then swapped", { skip: twoCores, timeout: 120_000 }, async () => {
  for (const round of [0, 1]) {
    const [a, b] = await runPair<Report, Report>(reporter("A"), reporter("B"), round);
    assert.deepEqual([a.cpus, b.cpus], round === 0 ? ["0", "1"] : ["1", "0"], `round ${round}`);
    assert.ok(a.start < b.end && b.start < a.end, `round ${round}: the two sides did not overlap in time (${JSON.stringify({ a, b })})`);
  }
});

test("a side that fails or prints no JSON is named in a one-line error", { timeout: 60_000 }, async () => {
  const failing: Side = { label: "broken side", command: "sh", args: ["-c", "echo not this >&2; echo last words >&2; exit 3"], env: process.env };
  await assert.rejects(runPinned(failing, "0"), /^Error: broken side on core 0 failed \(exit 3\): not this \| last words$/);
  const chatty: Side = { label: "chatty side", command: "sh", args: ["-c", "echo hello"], env: process.env };
  await assert.rejects(runPinned(chatty, "0"), /chatty side on core 0 printed no JSON result \(last line: "hello"\)/);
});

test("runPairs keeps at most `parallel` pairs running and returns the results in order", async () => {
  let running = 0, most = 0;
  const started: number[] = [];
  const results = await runPairs(7, 3, async (i) => {
    started.push(i);
    most = Math.max(most, ++running);
    await new Promise((r) => setTimeout(r, 20 * ((i * 5) % 3)));
    running--;
    return i * 10;
  });
  assert.deepEqual(results, [0, 10, 20, 30, 40, 50, 60]);
  assert.equal(most, 3);
  assert.deepEqual(started.slice(0, 3), [0, 1, 2]);
  assert.deepEqual(await runPairs(2, 0, async (i) => i), [0, 1]); // 0 still runs one at a time
});

test("seeds and rounds must be whole numbers", () => {
  assert.deepEqual(parseSeeds("1,2,3"), [1, 2, 3]);
  assert.throws(() => parseSeeds("1,,3"), /--seeds takes whole numbers separated by commas, got ""/);
  assert.throws(() => parseSeeds("1.5"), /got "1.5"/);
});

test("our training job trains to its budget and plays greedily, in its own process", { timeout: 300_000 }, async () => {
  const side = oursTraining("ours", { ...preset("fast"), seed: 3, maxEnvSteps: 400 }, 2);
  const r = await runPinned<TrainJobResult>(side, "0");
  assert.equal(r.envSteps, 400);
  assert.equal(r.solved, false);
  assert.equal(r.greedyEpisodes, 2);
  assert.ok(r.greedyMean !== null && r.greedyMean >= -500 && r.greedyMean <= 0, `greedy mean ${r.greedyMean}`);
  assert.match(r.backend, /wasm .*1 thread/);
});

test("without torch, the side-by-side peer bench says how to get it and skips", async () => {
  const lines: string[] = [];
  const r = await benchPeerSideBySide({ seeds: [1], presets: ["fast"], micro: true, train: true, log: (l) => lines.push(l), pythons: ["/nonexistent/python3"] });
  assert.equal(r, null);
  assert.deepEqual(lines, [HOW_TO_GET_TORCH]);
});

test("the PyTorch peer's Acrobot gives our observations for the same seed and actions", { skip: noTorch, timeout: 120_000 }, () => {
  const actions = Array.from({ length: 300 }, (_, i) => (7 * i + i * i) % 3);
  const env = new Acrobot();
  const ours = [Array.from(env.reset({ seed: 7 }))];
  for (const a of actions) {
    const r = env.step(a);
    ours.push(Array.from(r.observation));
    if (r.terminated || r.truncated) break;
  }
  const code = [
    "import json, sys", `sys.path.insert(0, ${JSON.stringify(BENCH)})`, "from torch_dqn import Acrobot",
    "env = Acrobot(); out = [env.reset(7).tolist()]",
    `for a in ${JSON.stringify(actions)}:`,
    "    o, r, t, tr = env.step(a); out.append(o.tolist())",
    "    if t or tr: break",
    "print(json.dumps(out))",
  ].join("\n");
  const p = spawnSync(python!, ["-c", code], { encoding: "utf8" });
  assert.equal(p.status, 0, p.stderr);
  const theirs = JSON.parse(p.stdout) as number[][];
  assert.equal(theirs.length, ours.length);
  const worst = Math.max(...theirs.flatMap((o, i) => o.map((x, j) => Math.abs(x - ours[i][j]))));
  assert.ok(worst <= 1e-6, `observations differ by up to ${worst}`);
});

test("the PyTorch training peer stops at its budget, and refuses a setting it does not implement", { skip: noTorch, timeout: 300_000 }, () => {
  const run = (config: object) => spawnSync(python!, [path.join(BENCH, "torch_dqn.py"), JSON.stringify(resolveConfig(config))], { encoding: "utf8", env: { ...process.env, OMP_NUM_THREADS: "1" } });
  const ok = run({ ...preset("fast"), seed: 1, maxEnvSteps: 600 });
  assert.equal(ok.status, 0, ok.stderr);
  const r = JSON.parse(ok.stdout) as { solved: boolean; envSteps: number; episodes: number; seconds: number };
  assert.equal(r.envSteps, 600);
  assert.equal(r.solved, false);
  assert.ok(r.episodes >= 2 && r.seconds > 0, ok.stdout);
  const naive = run({ ...preset("naive"), seed: 1, maxEnvSteps: 600 });
  assert.notEqual(naive.status, 0);
  assert.match(naive.stderr, /trainUnit must be 'steps' .*got 'episodes'/);
});

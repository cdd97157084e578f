/**
 * Issue 17 §7: property-based tests (fast-check) over what a user hands the
 * program: `--set` values and command-line arguments, the run-folder files
 * (meta.json, summary.json, config.json, episodes.jsonl lines, the snapshot
 * files) and model folders. The property for each: it answers within a time
 * limit, with a result or with an Error of one line that names the file (and
 * the field); never a raw internal error (a TypeError, "Cannot read
 * properties", a stack overflow), never a hang, never a write outside its
 * folders, never a tensor left behind.
 *
 * `npm test` runs a bounded number of cases (FUZZ_RUNS scales them: `npm run
 * fuzz` sets it to 20); FUZZ_SEED replays a failure fast-check reported.
 */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { initBackend, tf } from "../lib/tf";
import { buildQNetwork } from "../lib/agent/q-network";
import { loadModel, saveModel } from "../lib/agent/model-io";
import { collectSet } from "../lib/cli/options";
import { runCli } from "../lib/cli/program";
import { resolveConfig, configFootprint } from "../lib/train/config";
import { preset } from "../lib/train/presets";
import { readRun } from "../lib/runs/read";
import { readSnapshot } from "../lib/train/snapshot-file";

const SCALE = Math.max(1, Number(process.env.FUZZ_RUNS ?? 1));
const runs = (n: number) => ({ numRuns: Math.round(n * SCALE), ...(process.env.FUZZ_SEED ? { seed: Number(process.env.FUZZ_SEED) } : {}), endOnFailure: true, includeErrorInReport: true });
const LIMIT_MS = 60_000;
const fixtureRun = join(__dirname, "fixtures", "page-run");

let root: string, model: string;
before(async () => {
  await initBackend();
  root = mkdtempSync(join(tmpdir(), "acrobot-fuzz-"));
  model = join(root, "model");
  const m = buildQNetwork({ hiddenLayers: [8], seed: 1 });
  await saveModel(m, model);
  m.dispose();
});
after(() => rmSync(root, { recursive: true, force: true }));

/** What a raw internal failure looks like (as opposed to the program's own message). */
const RAW = /Cannot read propert|Cannot convert|is not a function|is not iterable|is not defined|Maximum call stack|Invalid array length|Unexpected token .* in JSON at position \d+$|\n\s+at /;

/** Checks an error is the program's own: an Error, one line, not a raw internal one, naming `names` (any of them). */
function clearError(e: unknown, names: readonly string[], what: string): void {
  assert.ok(e instanceof Error, `${what}: threw a non-Error ${String(e)}`);
  assert.ok(!(e instanceof TypeError || e instanceof ReferenceError || e instanceof SyntaxError), `${what}: a raw ${e.name}: ${e.message}`);
  // tfjs's own reason inside our framing (the folder named, "could not rebuild it (...)") is a clear answer, not a crash.
  const own = e.message.replace(/TensorFlow\.js could not rebuild it \(.*\)$/, "TensorFlow.js could not rebuild it");
  assert.ok(!RAW.test(own), `${what}: a raw internal error: ${e.message}`);
  assert.ok(!e.message.includes("\n"), `${what}: more than one line: ${e.message}`);
  assert.ok(names.some((n) => e.message.includes(n)), `${what}: the error does not name ${names.join(" or ")}: ${e.message}`);
}

async function within<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer within ${LIMIT_MS / 1000} s`)), LIMIT_MS)));
  try {
    return await Promise.race([p, limit]);
  } finally {
    clearTimeout(timer);
  }
}

/** Every file below `dir`, with its contents: to check nothing outside a case's own folder changed. */
function snapshotTree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const p = join(e.parentPath ?? (e as unknown as { path: string }).path, e.name);
    out.set(p, e.isFile() ? readFileSync(p).toString("base64").slice(0, 64) : "dir");
  }
  return out;
}

/** A JSON value of any kind, or one that a field of the right type would almost take. */
const jsonish = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(null, 0, -1, 1.5, 1e308, -1e308, 9007199254740993, "", "NaN", [], {}, [1e9, 1e9], "../../etc/passwd", "/dev/zero", true),
  fc.string({ maxLength: 20 }),
);

// ------------------------------------------------------------ --set values

const FIELDS = Object.keys(resolveConfig({}));

test("fuzz: --set key=value answers with a config or a one-line error naming the field", () => {
  const setArg = fc.oneof(
    fc.tuple(fc.constantFrom(...FIELDS), fc.oneof(jsonish.map((v) => JSON.stringify(v) ?? "null"), fc.string({ maxLength: 30 }))).map(([k, v]) => `${k}=${v}`),
    fc.string({ maxLength: 40 }),
  );
  fc.assert(
    fc.property(fc.array(setArg, { minLength: 1, maxLength: 4 }), (args) => {
      let overrides: Record<string, unknown> = {};
      try {
        for (const a of args) overrides = collectSet(a, overrides);
      } catch (e) {
        clearError(e, ["key=value", "config field"], `--set ${args.join(" --set ")}`);
        return;
      }
      try {
        const c = resolveConfig({ ...preset("fast"), ...overrides });
        configFootprint(c);
      } catch (e) {
        clearError(e, Object.keys(overrides).map((k) => `${k}`).concat(["config"]), `--set ${args.join(" --set ")}`);
      }
    }),
    runs(300),
  );
});

// ------------------------------------------------------------ command-line arguments

/** Runs the CLI in-process, catching its output; the result, or the error it threw (as bin does, one line). */
async function cli(args: string[]): Promise<{ code: number | null; out: string; err: string; thrown: unknown }> {
  const out: string[] = [], err: string[] = [];
  const log = console.log, error = console.error; // not process.stdout.write: the test reporter writes there
  console.log = (...a: unknown[]) => void out.push(a.join(" "));
  console.error = (...a: unknown[]) => void err.push(a.join(" "));
  try {
    const code = await within(runCli(args), `acrobot-dqn ${args.join(" ")}`);
    return { code, out: out.join("\n"), err: err.join("\n"), thrown: null };
  } catch (e) {
    return { code: null, out: out.join("\n"), err: err.join("\n"), thrown: e };
  } finally {
    Object.assign(console, { log, error });
  }
}

test("fuzz: report and play with hostile arguments answer with an exit code or one clear line, and write only where told", async () => {
  const area = join(root, "cli");
  mkdirSync(area);
  cpSync(fixtureRun, join(area, "run"), { recursive: true });
  writeFileSync(join(area, "a-file.txt"), "not a run\n");
  const sentinel = snapshotTree(root);
  const places = fc.constantFrom(join(area, "run"), join(area, "a-file.txt"), join(area, "missing"), area, join(area, "run", "model"), "/dev/null", "/etc", "", "../..", "--", "-");
  const flag = fc.constantFrom("--out", "--plotly", "--episodes", "--seed", "--html", "--help", "--bogus", "--set");
  const arg = fc.oneof(places, flag, fc.string({ maxLength: 12 }), fc.constantFrom("0", "-1", "1e9", "NaN", "cdn", "inline", "x=1"));
  await fc.assert(
    fc.asyncProperty(fc.constantFrom("report", "play", "page"), fc.array(arg, { maxLength: 5 }), async (command, rest) => {
      // Never a real training or an endless play: play gets a folder that is not a model, or a bad option.
      const args = [command, ...rest];
      if (command === "play" && rest.includes(join(area, "run", "model")) && !rest.some((r) => r.startsWith("--") && r !== "--html")) return;
      const outs = rest.flatMap((r, i) => (rest[i - 1] === "--out" || rest[i - 1] === "--html" ? [r] : []));
      const r = await cli(args);
      if (r.thrown !== null) {
        clearError(r.thrown, [area, "/dev/null", "/etc", "..", "run", "model", "folder", "report", "page", "--"], `acrobot-dqn ${args.join(" ")}`);
      } else {
        assert.ok(typeof r.code === "number", `acrobot-dqn ${args.join(" ")}: exit ${r.code}`);
        assert.ok(!RAW.test(r.err), `acrobot-dqn ${args.join(" ")}: raw error output: ${r.err}`);
      }
      // Nothing outside the fuzz area changed, and inside only report pages (where --out pointed, or the default).
      const now = snapshotTree(root);
      for (const [p, v] of sentinel) if (!p.startsWith(area)) assert.equal(now.get(p), v, `acrobot-dqn ${args.join(" ")} changed ${p}`);
      for (const p of now.keys()) {
        if (sentinel.has(p) || p.startsWith(join(area, "run", "model")) || outs.some((o) => p.startsWith(o.replace(/\.html?$/i, "")))) continue;
        assert.match(p, /\.(html|svg)$|report|runs/, `acrobot-dqn ${args.join(" ")} wrote ${p}`);
      }
    }),
    runs(25),
  );
});

// ------------------------------------------------------------ run-folder readers

const RUN_FILES = ["meta.json", "summary.json", "config.json"] as const;

test("fuzz: run folders with any field of meta, summary or config changed, or an episode line changed, are read or refused naming the file", async () => {
  let n = 0;
  const change = fc.oneof(
    fc.record({ file: fc.constantFrom(...RUN_FILES), field: fc.string({ maxLength: 12 }), pick: fc.nat(), value: jsonish, whole: fc.boolean() }),
    fc.record({ file: fc.constant("episodes.jsonl"), field: fc.string({ maxLength: 12 }), pick: fc.nat(), value: jsonish, whole: fc.boolean() }),
  );
  await fc.assert(
    fc.asyncProperty(change, async ({ file, field, pick, value, whole }) => {
      const dir = join(root, `run-${++n}`);
      cpSync(fixtureRun, dir, { recursive: true });
      const path = join(dir, file);
      if (file === "episodes.jsonl") {
        const lines = readFileSync(path, "utf8").split("\n").filter((l) => l !== "");
        const i = pick % lines.length;
        const rec = JSON.parse(lines[i]) as Record<string, unknown>;
        const key = Object.keys(rec)[pick % Object.keys(rec).length];
        lines[i] = whole ? JSON.stringify(value) ?? "" : JSON.stringify({ ...rec, [key]: value });
        writeFileSync(path, `${lines.join("\n")}\n`);
      } else {
        const j = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
        const keys = Object.keys(j);
        const key = whole ? field : keys[pick % keys.length];
        writeFileSync(path, JSON.stringify(whole && pick % 5 === 0 ? value : { ...j, [key]: value }));
      }
      const args = ["report", dir, "--out", join(dir, "fuzz-report.html"), "--plotly", "cdn"];
      const r = await cli(args);
      if (r.thrown !== null) clearError(r.thrown, [file], `${file} changed (${JSON.stringify(value)?.slice(0, 60)})`);
      else assert.ok(!RAW.test(r.err), `report, ${file} changed (${JSON.stringify(value)?.slice(0, 60)}): raw error: ${r.err}`);
      try {
        readRun(dir);
      } catch (e) {
        clearError(e, [file], `readRun, ${file} changed`);
      }
      rmSync(dir, { recursive: true, force: true });
    }),
    runs(40),
  );
});

/** A small valid snapshot, as writeSnapshot lays it out. */
function snapshotJson(): Record<string, unknown> {
  return {
    format: "acrobot-dqn-snapshot", version: 1, config: {}, records: [], envSteps: 0, seconds: 0, rng: [1], envRng: null,
    online: { names: ["w"], shapes: [[2]], values: [{ kind: "f32", offset: 0, length: 2 }] }, target: null,
    optimizer: { names: ["step"], shapes: [[1]], values: [{ kind: "i32", offset: 8, length: 1 }] },
    memory: { capacity: 1, stateSize: 1, next: 0, count: 1, states: { kind: "f32", offset: 12, length: 1 }, actions: { kind: "i32", offset: 16, length: 1 }, rewards: { kind: "f32", offset: 20, length: 1 }, nextStates: { kind: "f32", offset: 24, length: 1 }, dones: { kind: "f32", offset: 28, length: 1 } },
  };
}

/** Sets `value` at a path of keys chosen by `picks` inside `j` (a nested field, not only the top). */
function setSomewhere(j: unknown, picks: number[], value: unknown): string {
  let at = j as Record<string, unknown>;
  const path: string[] = [];
  for (const p of picks) {
    const keys = Object.keys(at);
    if (keys.length === 0) break;
    const k = keys[p % keys.length];
    path.push(k);
    const next = at[k];
    if (next === null || typeof next !== "object" || p % 3 === 0) {
      at[k] = value;
      return path.join(".");
    }
    at = next as Record<string, unknown>;
  }
  return path.join(".");
}

test("fuzz: a snapshot with any field changed, or its binary file cut or grown, is read or refused naming the file", () => {
  let n = 0;
  fc.assert(
    fc.property(fc.array(fc.nat(), { minLength: 1, maxLength: 4 }), jsonish, fc.integer({ min: -8, max: 8 }), (picks, value, grow) => {
      const dir = join(root, `snap-${++n}`);
      mkdirSync(dir);
      const j = snapshotJson();
      const field = setSomewhere(j, picks, value);
      writeFileSync(join(dir, "snapshot.json"), JSON.stringify(j));
      const bin = Buffer.alloc(Math.max(0, 32 + grow * 4));
      writeFileSync(join(dir, "snapshot.bin"), bin);
      try {
        readSnapshot(dir);
      } catch (e) {
        clearError(e, ["snapshot.json", "snapshot.bin", "snapshot"], `snapshot field ${field} = ${JSON.stringify(value)?.slice(0, 60)}, bin ${bin.length} bytes`);
      }
      rmSync(dir, { recursive: true, force: true });
    }),
    runs(100),
  );
});

// ------------------------------------------------------------ model folders

test("fuzz: a model folder with any field of model.json changed is loaded or refused naming the file, no tensor left", async () => {
  let n = 0;
  const original = JSON.parse(readFileSync(join(model, "model.json"), "utf8")) as Record<string, unknown>;
  await fc.assert(
    fc.asyncProperty(fc.array(fc.nat(), { minLength: 1, maxLength: 8 }), jsonish, async (picks, value) => {
      const dir = join(root, `model-${++n}`);
      cpSync(model, dir, { recursive: true });
      const j = structuredClone(original);
      const field = setSomewhere(j, picks, value);
      writeFileSync(join(dir, "model.json"), JSON.stringify(j));
      const before = tf.memory().numTensors;
      try {
        const m = await within(loadModel(dir), `loadModel, ${field} changed`);
        m.dispose();
      } catch (e) {
        clearError(e, ["model.json", dir], `model.json field ${field} = ${JSON.stringify(value)?.slice(0, 60)}`);
      }
      assert.equal(tf.memory().numTensors, before, `loadModel, ${field} = ${JSON.stringify(value)?.slice(0, 60)}: tensors left behind`);
      rmSync(dir, { recursive: true, force: true });
    }),
    runs(40),
  );
});

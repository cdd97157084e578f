/**
 * `acrobot-dqn page`: the folder it writes (for a browser, see test/e2e/page.ts),
 * what it refuses to write over, and a bundle with nothing of Node in it.
 */
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { startCli, exitWithin, type Ran } from "./cli-process";
import { initBackend, tf } from "../lib/tf";
import { loadModel } from "../lib/agent/model-io";
import { qValues } from "../lib/agent/q-network";
import { Acrobot } from "../lib/env/acrobot";
import { PAGE_MARKER, bundleApp } from "../lib/page/build";

const REPO = resolve(__dirname, "..");
const FIXTURE = join(REPO, "test", "fixtures", "page-run");
/** `acrobot-dqn ...args` as a real process, killed (and failed) if it has not ended in 2 minutes. */
const cli = (args: string[]): Promise<Ran> => exitWithin(startCli(args, REPO), 120_000, `acrobot-dqn ${args.join(" ")}`);
const SCRATCH = mkdtempSync(join(tmpdir(), "acrobot-dqn-page-test-"));
after(() => rmSync(SCRATCH, { recursive: true, force: true }));

test("page: writes index.html, the script, the model, the wasm files and the run's facts", async () => {
  const out = join(SCRATCH, "first");
  const r = (await cli(["page", "--model", FIXTURE, "--out", out]));
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /page: .*first \(fast, seed 1\)/);
  for (const f of ["index.html", "style.css", "app.js", "facts.json", PAGE_MARKER, "model/model.json", "model/weights.bin", "wasm/tfjs-backend-wasm.wasm", "wasm/tfjs-backend-wasm-simd.wasm"]) {
    assert.ok(existsSync(join(out, f)), `${f} is missing`);
  }
  const facts = JSON.parse(readFileSync(join(out, "facts.json"), "utf8"));
  const summary = JSON.parse(readFileSync(join(FIXTURE, "summary.json"), "utf8"));
  assert.equal(facts.run.preset, "fast");
  assert.equal(facts.run.seed, 1);
  assert.equal(facts.run.solvedAtEpisode, summary.solvedAtEpisode);
  const returns: number[] = summary.evaluation.returns;
  const mean = returns.reduce((a, b) => a + b, 0) / returns.length;
  assert.ok(Math.abs(facts.run.greedy.mean - mean) < 1e-9);
  assert.ok(Math.abs(facts.run.greedy.std - Math.sqrt(returns.reduce((a, x) => a + (x - mean) ** 2, 0) / returns.length)) < 1e-9);
  assert.deepEqual(facts.env, { id: "Acrobot-v1", dynamics: "book", maxEpisodeSteps: 500 });
  // The page's model is the run's model: the same Q values on the same states.
  await initBackend();
  const before = tf.memory().numTensors;
  const a = await loadModel(join(FIXTURE, "model")), b = await loadModel(join(out, "model"));
  const env = new Acrobot();
  let s = env.reset({ seed: 5 });
  for (let i = 0; i < 20; i++) {
    assert.deepEqual(Array.from(qValues(b, s)), Array.from(qValues(a, s)));
    s = env.step(i % 3).observation;
  }
  a.dispose();
  b.dispose();
  assert.equal(tf.memory().numTensors, before);
  // index.html loads only files of the folder: no CDN.
  const html = readFileSync(join(out, "index.html"), "utf8");
  assert.doesNotMatch(html, /(src|href)="(https?:)?\/\//);
});

test("page: the bundle needs nothing of Node (no node: module, no require outside the wasm worker's embedded source)", async () => {
  const js = await bundleApp(false);
  const nodeModule = /["']node:[a-z_]+["']/.exec(js);
  assert.equal(nodeModule, null, `the bundle names ${nodeModule?.[0]}`);
  // tfjs-backend-wasm carries its pthread worker's source as a template string (wasmWorkerContents); that text has a Node branch of its own.
  const worker = /wasmWorkerContents = `[^`]*`/.exec(js);
  assert.ok(worker, "the wasm worker's embedded source was not found: has tfjs-backend-wasm changed?");
  const required = /\brequire\(["'][^"']+["']\)/.exec(js.replace(worker[0], ""));
  assert.equal(required, null, `the bundle calls ${required?.[0]}`);
});

test("page: re-runs over its own page, but never writes over or beside a user's files", async () => {
  const out = join(SCRATCH, "again");
  assert.equal((await cli(["page", "--model", join(FIXTURE, "model"), "--out", out])).code, 0);
  assert.equal((await cli(["page", "--model", join(FIXTURE, "model"), "--out", out])).code, 0, "a page may be rewritten");
  writeFileSync(join(out, "notes.txt"), "mine");
  const r = (await cli(["page", "--model", FIXTURE, "--out", out]));
  assert.equal(r.code, 2);
  assert.match(r.stderr, /notes\.txt was not written by acrobot-dqn page/);
  assert.equal(readFileSync(join(out, "notes.txt"), "utf8"), "mine");

  const user = join(SCRATCH, "user-folder");
  mkdirSync(user);
  writeFileSync(join(user, "index.html"), "<p>my own page</p>");
  const u = (await cli(["page", "--model", FIXTURE, "--out", user]));
  assert.equal(u.code, 2);
  assert.match(u.stderr, /holds files acrobot-dqn did not write \(index\.html\)/);
  assert.equal(readFileSync(join(user, "index.html"), "utf8"), "<p>my own page</p>");
  assert.deepEqual(readdirSync(user), ["index.html"]);

  const file = join(SCRATCH, "a-file");
  writeFileSync(file, "x");
  const f = (await cli(["page", "--model", FIXTURE, "--out", file]));
  assert.equal(f.code, 2);
  assert.match(f.stderr, /it is a file, not a folder/);
  const link = join(SCRATCH, "a-link");
  symlinkSync(user, link);
  const l = (await cli(["page", "--model", FIXTURE, "--out", link]));
  assert.equal(l.code, 2);
  assert.match(l.stderr, /symbolic link/);
});

test("page: a folder that is not a model is a clear error, and nothing is written", async () => {
  const out = join(SCRATCH, "never");
  const missing = (await cli(["page", "--model", join(SCRATCH, "nope"), "--out", out]));
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /--model .*nope: no such folder/);
  const empty = join(SCRATCH, "empty-model");
  mkdirSync(empty);
  const e = (await cli(["page", "--model", empty, "--out", out]));
  assert.equal(e.code, 1);
  assert.match(e.stderr, /no saved model at .*model\.json is missing/);
  assert.doesNotMatch(e.stderr, /\n\s+at /, "no stack trace");
  assert.equal(existsSync(out), false);
  const m = (await cli(["page", "--out", out]));
  assert.equal(m.code, 2);
  assert.match(m.stderr, /--model/);
});

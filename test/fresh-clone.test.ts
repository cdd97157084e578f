/**
 * A user's clone has nothing beside it (no shared folder next to it): everything a test reads must be
 * committed. Clones the committed tree into an empty folder and runs the tests that read data
 * files there. (.ci/run runs the whole suite in such a clone; this catches it sooner.)
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const root = resolve(__dirname, "..");
const git = (...args: string[]) => spawnSync("git", ["-C", root, ...args], { encoding: "utf8" });
const inCheckout = git("rev-parse", "--is-inside-work-tree").stdout.trim() === "true";

test("no committed source reads a path outside the checkout", { skip: !inCheckout && "not a git checkout" }, () => {
  // The patterns are built so that this file does not match them itself.
  const outside = ["\\.\\.", "shared"].join("/"), golden = ["shared", "golden"].join("/");
  const hits = git("grep", "-n", "-e", outside, "-e", golden, "--", "lib", "test/*.ts", "bench", "notebooks", "package.json").stdout
    .split("\n")
    .filter((l) => l !== "");
  assert.deepEqual(hits, [], "these lines read the shared folder beside the checkout, which a user's clone does not have");
});

test("the data tests read is committed: the golden test passes in a clone with nothing beside it", { skip: !inCheckout && "not a git checkout" }, () => {
  const outer = mkdtempSync(join(tmpdir(), "acrobot-dqn-clone-"));
  try {
    const clone = join(outer, "acrobot-dqn");
    execFileSync("git", ["clone", "-q", "--no-hardlinks", root, clone]);
    assert.deepEqual(readdirSync(outer), ["acrobot-dqn"]);
    symlinkSync(join(root, "node_modules"), join(clone, "node_modules"));
    const env = { ...process.env };
    delete env.ACROBOT_GOLDEN; // the clone's own copy, nothing else
    delete env.NODE_TEST_CONTEXT; // a test run of its own, reporting on stdout
    const run = spawnSync(process.execPath, ["--import", "tsx", "--test", "--test-reporter=tap", "test/acrobot.golden.test.ts"], { cwd: clone, encoding: "utf8", env });
    assert.equal(run.status, 0, `golden test failed in a fresh clone:\n${run.stdout}\n${run.stderr}`);
    assert.match(run.stdout, /# pass [1-9]/);
    assert.match(run.stdout, /# fail 0/);
  } finally {
    rmSync(outer, { recursive: true, force: true });
  }
});

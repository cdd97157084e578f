/**
 * Issue 17 §2: one lock holder even when several processes find the same
 * stale writer.lock at once. Real processes, started together, many times.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { LOCK_FILE, LOCK_GUARD_FILE, lockRunFolder } from "../lib/runs/lock";

const LOCK_TS = join(__dirname, "..", "lib", "runs", "lock.ts");
const PROCESSES = 6;
const TRIALS = Number(process.env.LOCK_RACE_TRIALS ?? 60);

/** A pid that ran and is gone (its lock is stale). */
function deadPid(): number {
  const r = spawnSync("true");
  return r.pid!;
}

function staleLock(pid: number): string {
  return `${JSON.stringify({ pid, host: hostname(), processStart: null, since: "2026-01-01T00:00:00.000Z", command: "acrobot-dqn train (killed)" })}\n`;
}

const WORKER = `
const { lockRunFolder } = require(${JSON.stringify(LOCK_TS)});
let held = null;
process.on("message", (m) => {
  if (m.type === "go") {
    while (performance.timeOrigin + performance.now() < m.at) {} // all start at the same instant (sub-millisecond)
    let result;
    try { held = lockRunFolder(m.dir, "race"); result = "got"; } catch (e) { result = String(e && e.message).split("\\n")[0]; }
    process.send({ trial: m.trial, result });
  } else if (m.type === "release") {
    if (held) held.release();
    held = null;
    process.send({ trial: m.trial, released: true });
  } else if (m.type === "exit") process.exit(0);
});
process.send({ ready: true });
`;

function nextMessage(child: ChildProcess): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`worker ${child.pid} exited (${code})`));
    child.once("exit", onExit);
    child.once("message", (m) => {
      child.off("exit", onExit);
      resolve(m as Record<string, unknown>);
    });
  });
}

test(`a stale writer.lock found by ${PROCESSES} processes at once has one taker, ${TRIALS} times over`, { timeout: 600_000 }, async () => {
  const root = mkdtempSync(join(tmpdir(), "acrobot-lock-race-"));
  const workers = Array.from({ length: PROCESSES }, () =>
    spawn(process.execPath, ["--require", require.resolve("tsx/cjs"), "-e", WORKER], { stdio: ["ignore", "inherit", "inherit", "ipc"] }),
  );
  try {
    await Promise.all(workers.map(nextMessage));
    const holders: number[] = [];
    for (let trial = 0; trial < TRIALS; trial++) {
      const dir2 = join(root, `run-${trial}`);
      mkdirSync(dir2);
      writeFileSync(join(dir2, LOCK_FILE), staleLock(deadPid()));
      const replies = workers.map(nextMessage);
      const at = Date.now() + 40;
      workers.forEach((w) => w.send({ type: "go", dir: dir2, at, trial }));
      const results = (await Promise.all(replies)).map((m) => String(m.result));
      const got = results.filter((r) => r === "got").length;
      holders.push(got);
      assert.equal(got, 1, `trial ${trial}: ${got} processes hold the lock at once: ${JSON.stringify(results)}`);
      for (const r of results) if (r !== "got") assert.match(r, /is being written by another process \(pid \d+, since .*: race\)/, `trial ${trial}`);
      const winner = workers[results.indexOf("got")];
      assert.match(readFileSync(join(dir2, LOCK_FILE), "utf8"), new RegExp(`"pid":${winner.pid},`), "the lock on disk names the one holder");
      assert.ok(!existsSync(join(dir2, LOCK_GUARD_FILE)), "the takeover guard is gone once the lock is taken");
      const released = nextMessage(winner);
      winner.send({ type: "release", trial });
      await released;
      assert.deepEqual(readdirSync(dir2), [], "nothing left behind: no lock, no guard, no set-aside copy");
    }
    assert.equal(holders.length, TRIALS);
  } finally {
    for (const w of workers) w.send({ type: "exit" });
    await Promise.all(workers.map((w) => (w.exitCode !== null ? null : new Promise((r) => w.once("exit", r)))));
    rmSync(root, { recursive: true, force: true });
  }
});

test("a takeover guard left by a process killed mid-takeover is cleared, and the stale lock taken", () => {
  const dir = mkdtempSync(join(tmpdir(), "acrobot-lock-guard-"));
  try {
    writeFileSync(join(dir, LOCK_FILE), staleLock(deadPid()));
    writeFileSync(join(dir, LOCK_GUARD_FILE), staleLock(deadPid()));
    const lock = lockRunFolder(dir, "after a killed taker");
    assert.match(readFileSync(join(dir, LOCK_FILE), "utf8"), new RegExp(`"pid":${process.pid},`));
    assert.deepEqual(readdirSync(dir).sort(), [LOCK_FILE]);
    lock.release();
    assert.deepEqual(readdirSync(dir), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

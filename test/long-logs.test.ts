/**
 * Issue 17 §6: a run of 10^6 episodes. Math.max(...array) threw "Maximum
 * call stack size exceeded" past about 125,000 elements; nothing in lib/
 * spreads an unbounded array into a call now.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { closeSync, cpSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runSummary } from "../lib/runs/summary";
import { runCli } from "../lib/cli/program";
import { maxOf, minOf } from "../lib/extent";
import type { EpisodeRecord } from "../lib/train/trainer";

const N = 1_000_000;

/** Episode i's average: a slow climb with a peak of -70 at episode 777,777. */
const averageOf = (i: number) => (i === 777_777 ? -70 : -500 + (i % 1000) / 10);

function record(i: number): EpisodeRecord {
  return { episode: i, steps: 100, return: -100, average100: averageOf(i), envReturn: -100, terminated: true, cut: false, epsilon: 0.05, loss: 0.1, envSteps: i * 100, seconds: i / 100 };
}

test("maxOf and minOf answer as Math.max and Math.min do, at any length", () => {
  for (const xs of [[], [3], [1, -2, 5], [-0, 0], [1, NaN, 2], [-Infinity, Infinity]]) {
    assert.ok(Object.is(maxOf(xs), Math.max(...xs)), `maxOf(${xs})`);
    assert.ok(Object.is(minOf(xs), Math.min(...xs)), `minOf(${xs})`);
  }
  const long = Float64Array.from({ length: 2_000_000 }, (_, i) => (i === 1_234_567 ? 9 : i === 42 ? -9 : 0));
  assert.equal(maxOf(long), 9);
  assert.equal(minOf(long), -9);
});

test("runSummary of 10^6 episodes: the best 100-episode average, no stack overflow", () => {
  const records = Array.from({ length: N }, (_, k) => record(k + 1));
  const s = runSummary({
    status: "unsolved", stopReason: "maxEpisodes", message: "unsolved", records, config: { solvedAt: -100, solvedWindow: 100 },
    solvedAtEpisode: null, envSteps: N * 100, seconds: N / 100, evaluation: null, checkpointEpisode: N,
  });
  assert.equal(s.episodes, N);
  assert.equal(s.bestAverage100, -70);
  assert.equal(s.finalAverage100, averageOf(N));
});

test("report on a run folder whose log holds 10^6 episodes writes its page and table", { timeout: 600_000 }, async () => {
  const root = mkdtempSync(join(tmpdir(), "acrobot-long-log-"));
  try {
    const run = join(root, "long-run");
    cpSync(join(__dirname, "fixtures", "page-run"), run, { recursive: true });
    rmSync(join(run, "summary.json")); // the report works from the log alone
    const fd = openSync(join(run, "episodes.jsonl"), "w");
    const chunk: string[] = [];
    for (let i = 1; i <= N; i++) {
      chunk.push(JSON.stringify(record(i)));
      if (chunk.length === 50_000 || i === N) {
        writeSync(fd, `${chunk.join("\n")}\n`);
        chunk.length = 0;
      }
    }
    closeSync(fd);
    const out = join(root, "report.html");
    const logged: string[] = [];
    const log = console.log;
    console.log = (...a: unknown[]) => void logged.push(a.join(" "));
    let code: number;
    try {
      code = await runCli(["report", run, "--out", out, "--plotly", "cdn"]);
    } finally {
      console.log = log;
    }
    assert.equal(code, 0, logged.join("\n"));
    assert.ok(existsSync(out) && existsSync(join(root, "report.svg")));
    assert.match(logged.join("\n"), /\| fast \| Acrobot-v1 \| 0 of 1 \| not solved \| not solved \| not solved \| -70\.0 \|/);
    assert.match(readFileSync(out, "utf8"), /1000000/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

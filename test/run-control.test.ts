/** Run control on its own: budgets, stop requests, cut episodes and the checks on rewards and losses, each with the stop it records. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { runControl } from "../lib/train/run-control";

const budgets = { maxEpisodes: 3, maxEnvSteps: 100 };

test("budgets: no episode past maxEpisodes or once maxEnvSteps steps are done, and a step at the step budget cuts its episode", async () => {
  const run = await runControl(budgets, { handleSignals: false }, null);
  assert.equal(run.mayStart(3, 99), true);
  assert.equal(await run.cutHere(5, 99), false);
  assert.equal(await run.cutHere(6, 100), true);
  assert.equal(run.mayStart(4, 50), false);
  assert.deepEqual(run.stop, { reason: "maxEpisodes", message: "reached the episode budget (3)" });
  const steps = await runControl(budgets, { handleSignals: false }, null);
  assert.equal(steps.mayStart(2, 100), false);
  assert.equal(steps.stop?.reason, "maxEnvSteps");
  run.dispose();
  steps.dispose();
});

test("a stop request cuts the episode at the next step and stops the run as aborted during it; between episodes, after it", async () => {
  const ac = new AbortController();
  const run = await runControl(budgets, { signal: ac.signal, handleSignals: false }, null);
  assert.equal(await run.cutHere(1, 1), false);
  ac.abort();
  assert.equal(await run.cutHere(2, 2), true);
  run.episodeEnded(1, true, null);
  assert.deepEqual(run.stop, { reason: "aborted", message: "stopped by request during episode 1" });
  run.dispose();

  const ac2 = new AbortController();
  const later = await runControl(budgets, { signal: ac2.signal, handleSignals: false }, null);
  later.episodeEnded(1, false, null);
  assert.equal(later.stop, null);
  ac2.abort();
  await later.betweenEpisodes(1);
  assert.deepEqual(later.stop, { reason: "aborted", message: "stopped by request after episode 1" });
  later.dispose();
});

test("the bar stops the run unless a stop request cut the episode first; a run solved already never starts an episode", async () => {
  const solved = { reason: "solved" as const, message: "solved at episode 2" };
  const run = await runControl(budgets, { handleSignals: false }, null);
  run.episodeEnded(2, false, solved);
  assert.deepEqual(run.stop, solved);
  run.dispose();
  const resumed = await runControl(budgets, { handleSignals: false }, solved);
  assert.equal(resumed.mayStart(1, 0), false);
  assert.deepEqual(resumed.stop, solved);
  resumed.dispose();
});

test("a reward or loss that is not a finite number stops the run as diverged, named where it happened; the first stop is kept", async () => {
  const run = await runControl(budgets, { handleSignals: false }, null);
  assert.equal(run.rewardOk(-1, 1, 1), true);
  assert.equal(run.lossOk(0.5, 1, 10), true);
  assert.equal(run.stop, null);
  assert.equal(run.rewardOk(NaN, 7, 2), false);
  assert.match(run.stop!.message, /the reward function returned NaN at step 7 of episode 2: a reward must be a finite number/);
  assert.equal(run.lossOk(Infinity, 2, 20), false);
  assert.match(run.stop!.message, /reward function returned NaN/, "the first stop stays");
  assert.equal(await run.cutHere(8, 8), true, "a stopped run cuts its episode");
  run.dispose();
  const loss = await runControl(budgets, { handleSignals: false }, null);
  loss.lossOk(NaN, 4, 40);
  assert.match(loss.stop!.message, /training diverged: the TD loss became NaN in episode 4 \(env step 40\)/);
  loss.dispose();
});

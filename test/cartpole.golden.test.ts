/**
 * CartPole-v1 against trajectories recorded from Gymnasium's own cartpole.py
 * (test/golden/cartpole; rules and tolerances from its README): every record.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { CartPole, THETA_THRESHOLD_RADIANS } from "../lib/env/cartpole";
import { TASKS } from "../lib/env/task";
import { loadGolden, replayGolden } from "./golden-classic";

const data = loadGolden(process.env.CARTPOLE_GOLDEN ?? join(__dirname, "golden", "cartpole", "trajectories.json"), "CARTPOLE_GOLDEN");

test("the golden file is CartPole-v1 with the registered limits, and covers what the README promises", () => {
  assert.equal(data.env_id, "CartPole-v1");
  assert.equal(data.constants.max_episode_steps, TASKS["CartPole-v1"].maxEpisodeSteps);
  assert.equal(data.constants.reward_threshold, TASKS["CartPole-v1"].rewardThreshold);
  assert.equal(data.constants.theta_threshold_radians, THETA_THRESHOLD_RADIANS);
  const kinds = new Set(data.trajectories.map((t) => t.kind));
  for (const k of ["reset", "reset_sequence", "random", "constant", "hand", "terminated_at_limit", "edge", "step_after_terminated", "sutton_barto_reward"]) assert.ok(kinds.has(k), k);
  assert.ok(data.trajectories.some((t) => t.reset_seed_decimal !== undefined && BigInt(t.reset_seed_decimal) > 2n ** 64n));
  assert.equal(data.trajectories.length, 101);
});

// Every state within 1e-9 one step at a time and in full: the README measured a plain transcription bit-exact.
replayGolden(
  data,
  (r, warnings) => {
    // The warning fires inside step t, before the time limit's counter moves on to t.
    const env: CartPole = new CartPole({ suttonBartoReward: r.env_kwargs.sutton_barto_reward === true, onWarning: () => warnings.push(env.elapsedSteps + 1) });
    return env;
  },
  { oneStep: 1e-9, rollout: 1e-9 },
);

/**
 * MountainCar-v0 against trajectories recorded from Gymnasium's own
 * mountain_car.py (test/golden/mountaincar; rules and tolerances from its README): every record.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { MountainCar } from "../lib/env/mountain-car";
import { TASKS } from "../lib/env/task";
import { loadGolden, replayGolden } from "./golden-classic";

const data = loadGolden(process.env.MOUNTAINCAR_GOLDEN ?? join(__dirname, "golden", "mountaincar", "trajectories.json"), "MOUNTAINCAR_GOLDEN");

test("the golden file is MountainCar-v0 with the registered limits, and covers clips, the wall and the goal rule", () => {
  assert.equal(data.env_id, "MountainCar-v0");
  assert.equal(data.constants.max_episode_steps, TASKS["MountainCar-v0"].maxEpisodeSteps);
  assert.equal(data.constants.reward_threshold, TASKS["MountainCar-v0"].rewardThreshold);
  const kinds = new Set(data.trajectories.map((t) => t.kind));
  for (const k of ["reset", "reset_sequence", "random", "constant", "hand", "terminated_at_limit", "edge"]) assert.ok(kinds.has(k), k);
  const count = (field: string) => data.trajectories.reduce((n, t) => n + ((t as unknown as Record<string, number>)[field] ?? 0), 0);
  assert.ok(count("velocity_clip_events") > 0 && count("position_clip_events") > 0 && count("wall_events") > 0);
  assert.equal(data.trajectories.length, 102);
});

// V8's Math.cos is 1 ulp off glibc's now and then: states within 1e-9 (README), observations and flags exact.
replayGolden(data, () => new MountainCar(), { oneStep: 1e-9, rollout: 1e-9 });

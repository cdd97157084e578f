/**
 * The environment against trajectories recorded from Gymnasium's own
 * acrobot.py (test/golden/acrobot, tolerances from its README).
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { Acrobot, Dynamics } from "../lib/env/acrobot";
import { assertObsExact, loadGolden, maxAbsDiff } from "./golden-classic";

interface GoldenStep {
  t: number;
  action: number;
  obs: number[];
  state: number[];
  reward: number;
  terminated: boolean;
  truncated: boolean;
  tip_height: number;
}
interface Trajectory {
  id: string;
  kind: string;
  dynamics: Dynamics;
  reset_seed: number | null;
  initial_state: number[];
  initial_observation: number[];
  steps: GoldenStep[];
}

const data = loadGolden<{ constants: Record<string, unknown>; trajectories: Trajectory[] }>(
  process.env.ACROBOT_GOLDEN ?? join(__dirname, "golden", "acrobot", "trajectories.json"),
  "ACROBOT_GOLDEN",
);

const ONE_STEP_TOL = 1e-12;

test("golden file covers both dynamics, terminations and truncations", () => {
  const kinds = new Set(data.trajectories.map((t) => `${t.dynamics}`));
  assert.deepEqual([...kinds].sort(), ["book", "nips"]);
  assert.ok(data.trajectories.some((t) => t.steps.at(-1)!.terminated));
  assert.ok(data.trajectories.some((t) => t.steps.at(-1)!.truncated));
});

for (const traj of data.trajectories) {
  describe(`golden ${traj.id} (${traj.dynamics}, ${traj.steps.length} steps)`, () => {
    const rolloutTol = traj.kind === "extreme" ? 1e-6 : 1e-9;

    if (traj.reset_seed !== null) {
      test(`reset({ seed: ${traj.reset_seed} }) gives Gymnasium's initial state exactly`, () => {
        const env = new Acrobot({ dynamics: traj.dynamics });
        const obs = env.reset({ seed: traj.reset_seed! });
        assert.deepEqual(Array.from(env.state), traj.initial_state);
        assertObsExact(obs, traj.initial_observation, "after reset");
      });
    }

    test("every single step from the recorded state", () => {
      const env = new Acrobot({ dynamics: traj.dynamics });
      let prev = traj.initial_state;
      let worst = 0;
      for (const step of traj.steps) {
        env.reset({ state: prev });
        const r = env.step(step.action);
        worst = Math.max(worst, maxAbsDiff(env.state, step.state));
        assertObsExact(r.observation, step.obs, `at t=${step.t}`);
        assert.equal(r.terminated, step.terminated, `terminated at t=${step.t}`);
        assert.equal(r.reward, step.reward, `reward at t=${step.t}`);
        prev = step.state;
      }
      assert.ok(worst <= ONE_STEP_TOL, `one-step state error ${worst} > ${ONE_STEP_TOL}`);
    });

    test(`full rollout from the initial state (state within ${rolloutTol})`, () => {
      const env = new Acrobot({ dynamics: traj.dynamics });
      const obs0 = env.reset({ state: traj.initial_state });
      // "extreme" starts at theta2 ~ -pi, where V8's and glibc's sin differ by
      // one float64 ulp and the float32 rounding can then tip: README's 1e-6.
      if (traj.kind !== "extreme") assertObsExact(obs0, traj.initial_observation, "at reset");
      else assert.ok(maxAbsDiff(obs0, traj.initial_observation) <= 1e-6, "observation at reset");
      let worst = 0;
      for (const step of traj.steps) {
        const r = env.step(step.action);
        worst = Math.max(worst, maxAbsDiff(env.state, step.state));
        assert.equal(r.terminated, step.terminated, `terminated at t=${step.t}`);
        assert.equal(r.truncated, step.truncated, `truncated at t=${step.t}`);
        assert.equal(r.reward, step.reward, `reward at t=${step.t}`);
        assert.ok(Math.abs(-Math.cos(env.state[0]) - Math.cos(env.state[0] + env.state[1]) - step.tip_height) <= rolloutTol);
        if (traj.kind !== "extreme") assertObsExact(r.observation, step.obs, `at t=${step.t}`);
        else assert.ok(maxAbsDiff(r.observation, step.obs) <= 1e-6, `observation at t=${step.t}`);
      }
      assert.ok(worst <= rolloutTol, `rollout state error ${worst} > ${rolloutTol}`);
      // The trajectory ended where Gymnasium's did: no step is allowed after it.
      assert.throws(() => env.step(0), /after the episode ended/);
    });
  });
}

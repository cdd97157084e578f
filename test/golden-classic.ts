/**
 * Replays the shared golden trajectories of Gymnasium's classic-control tasks
 * (test/golden/cartpole, test/golden/mountaincar; their READMEs set the rules)
 * against a port: every reset record from its seed, every episode one step at
 * a time from the recorded state and in full from its start. The loader and
 * the comparisons also serve Acrobot's golden test (its records differ).
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { Pcg64 } from "../lib/env/numpy-random";
import type { StepResult } from "../lib/env/task";

export interface GoldenStep {
  t: number;
  action: number;
  obs: number[];
  state: number[];
  reward: number;
  terminated: boolean;
  truncated: boolean;
}
export interface GoldenRecord {
  id: string;
  kind: string;
  reset_seed: number | null;
  reset_seed_decimal?: string;
  reset_index: number | null;
  env_kwargs: Record<string, unknown>;
  initial_state: number[];
  initial_observation: number[];
  num_steps: number;
  terminated_at_step: number | null;
  truncated_at_step: number | null;
  steps_after_termination: number;
  warning_at_step?: number | null;
  pcg64: { seeded_state: string; seeded_inc: string; word_offset: number; words: string[] } | null;
  steps: GoldenStep[];
}
export interface GoldenFile {
  env_id: string;
  constants: Record<string, unknown> & { max_episode_steps: number; reward_threshold: number };
  trajectories: GoldenRecord[];
}

/** What the replay needs from a port. */
export interface Port {
  state: Float64Array;
  reset(options?: { seed?: number | bigint; state?: ArrayLike<number> }): Float32Array;
  step(action: number): StepResult;
}

/** A golden file, or a clear error naming where it should be and the variable that can point elsewhere. */
export function loadGolden<T = GoldenFile>(path: string, envVar: string): T {
  if (!existsSync(path)) throw new Error(`golden trajectories not found at ${path}: they ship in the repository under test/golden (or set ${envVar} to the file)`);
  return JSON.parse(readFileSync(path, "utf8")) as T;
}

export const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < b.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};
// Golden observations are float32 values stored as exact doubles.
export const assertObsExact = (got: Float32Array, want: number[], where: string) => assert.deepEqual(Array.from(got), want.map(Math.fround), `observation differs ${where}`);
const hex = (w: bigint) => `0x${w.toString(16).padStart(16, "0")}`;

export function replayGolden(
  data: GoldenFile,
  make: (record: GoldenRecord, warnings: number[]) => Port,
  tolerance: { oneStep: number; rollout: number },
): void {
  const seedOf = (r: GoldenRecord): bigint => BigInt(r.reset_seed_decimal ?? String(r.reset_seed));

  for (const r of data.trajectories) {
    describe(`golden ${data.env_id} ${r.id} (${r.kind}, ${r.steps.length} steps)`, () => {
      if (r.reset_seed !== null) {
        test(`reset from seed ${r.reset_seed_decimal ?? r.reset_seed}${r.reset_index ? `, then ${r.reset_index} unseeded resets` : ""} gives Gymnasium's start exactly`, () => {
          const env = make(r, []);
          let obs = env.reset({ seed: seedOf(r) });
          for (let k = 0; k < (r.reset_index ?? 0); k++) obs = env.reset();
          assert.deepEqual(Array.from(env.state), r.initial_state);
          assertObsExact(obs, r.initial_observation, "after reset");
          if (seedOf(r) <= BigInt(Number.MAX_SAFE_INTEGER) && !r.reset_index) {
            env.reset({ seed: Number(seedOf(r)) });
            assert.deepEqual(Array.from(env.state), r.initial_state, "a number seed gives the same start as the bigint");
          }
        });
      }
      if (r.pcg64 !== null) {
        test("the generator's seeded state and raw words match NumPy's", () => {
          const g = new Pcg64(seedOf(r));
          assert.deepEqual(g.getState().map((v) => `0x${BigInt(v).toString(16).padStart(32, "0")}`), [r.pcg64!.seeded_state, r.pcg64!.seeded_inc]);
          for (let k = 0; k < r.pcg64!.word_offset; k++) g.nextUint64();
          assert.deepEqual(r.pcg64!.words.map(() => hex(g.nextUint64())), r.pcg64!.words);
        });
      }
      if (r.steps.length === 0) return;

      test(`every single step from the recorded state (state within ${tolerance.oneStep})`, () => {
        // One step from a set state knows nothing of earlier steps, so stop where the episode first
        // terminated: what follows depends on the after-termination counter (the full replay covers it).
        const upTo = r.terminated_at_step ?? r.steps.length;
        const env = make(r, []);
        let prev = r.initial_state;
        let worst = 0;
        for (const step of r.steps.slice(0, upTo)) {
          env.reset({ state: prev });
          const got = env.step(step.action);
          worst = Math.max(worst, maxAbsDiff(env.state, step.state));
          assertObsExact(got.observation, step.obs, `at t=${step.t}`);
          assert.equal(got.terminated, step.terminated, `terminated at t=${step.t}`);
          assert.equal(got.reward, step.reward, `reward at t=${step.t}`);
          prev = step.state;
        }
        assert.ok(worst <= tolerance.oneStep, `one-step state error ${worst} > ${tolerance.oneStep}`);
      });

      test(`full replay from the start (state within ${tolerance.rollout}, flags, rewards and observations exact)`, () => {
        const warnings: number[] = [];
        const env = make(r, warnings);
        const obs0 = r.reset_seed !== null ? env.reset({ seed: seedOf(r) }) : env.reset({ state: r.initial_state });
        assert.deepEqual(Array.from(env.state), r.initial_state);
        assertObsExact(obs0, r.initial_observation, "at reset");
        let worst = 0;
        for (const step of r.steps) {
          const got = env.step(step.action);
          worst = Math.max(worst, maxAbsDiff(env.state, step.state));
          assert.equal(got.terminated, step.terminated, `terminated at t=${step.t}`);
          assert.equal(got.truncated, step.truncated, `truncated at t=${step.t}`);
          assert.equal(got.reward, step.reward, `reward at t=${step.t}`);
          assertObsExact(got.observation, step.obs, `at t=${step.t}`);
        }
        assert.ok(worst <= tolerance.rollout, `rollout state error ${worst} > ${tolerance.rollout}`);
        const want = r.warning_at_step ?? null;
        assert.deepEqual(warnings, want === null ? [] : [want], "Gymnasium's after-termination warning fires once, at the same step");
      });
    });
  }
}

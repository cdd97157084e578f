/**
 * When things happen in the training loop: epsilon's decay, and whether
 * learning or a target-network sync is due after an environment step or an
 * episode. Each chapter's config picks units and periods; the loop only asks.
 */
import type { TrainConfig } from "./config";

/** Epsilon after `envSteps` steps: linear from epsilonStart to epsilonEnd over epsilonDecaySteps, then flat. */
export function epsilonAt(c: Pick<TrainConfig, "epsilonStart" | "epsilonEnd" | "epsilonDecaySteps">, envSteps: number): number {
  if (c.epsilonDecaySteps === 0) return c.epsilonStart;
  return c.epsilonStart + (c.epsilonEnd - c.epsilonStart) * Math.min(1, envSteps / c.epsilonDecaySteps);
}

export interface Schedule {
  learnAfterStep(envSteps: number): boolean;
  learnAfterEpisode(episode: number): boolean;
  syncAfterStep(envSteps: number): boolean;
  syncAfterEpisode(episode: number): boolean;
  /** Chapters 1-2 have no separate target: the copy follows the online network after every gradient step. */
  syncAfterUpdate: boolean;
}

export function schedule(c: TrainConfig): Schedule {
  const every = (unit: "steps" | "episodes", n: number | null, want: "steps" | "episodes") => (count: number) =>
    n !== null && unit === want && count % n === 0;
  return {
    learnAfterStep: every(c.trainUnit, c.trainEvery, "steps"),
    learnAfterEpisode: every(c.trainUnit, c.trainEvery, "episodes"),
    syncAfterStep: every(c.targetSyncUnit, c.targetSyncEvery, "steps"),
    syncAfterEpisode: every(c.targetSyncUnit, c.targetSyncEvery, "episodes"),
    syncAfterUpdate: c.targetSyncEvery === null,
  };
}

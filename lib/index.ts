/**
 * acrobot-dqn: everything the notebooks use, in a few groups so that
 * autocomplete on `dqn.` stays short. Notebooks import only this file:
 * `import * as dqn from "./lib/index"`.
 *
 *   dqn.train(config)          the one training loop; dqn.presets: one config per chapter
 *   dqn.env.*                  the tasks: Acrobot (the lesson), CartPole, MountainCar
 *   dqn.agent.*                Q-network, replay memory, TD update, saved models
 *   dqn.training.*             configs, rewards, schedules, stopping, snapshots, evaluation
 *   dqn.viz.*                  charts, tables, the live training display
 *   dqn.runs.*                 saved runs and comparisons
 *   dqn.exercises.*            the exercises' checks
 */
export { tf, initBackend, backendName, describeBackend } from "./tf";
export type { BackendName } from "./tf";
export { makeRng } from "./random";
export type { Rng } from "./random";
export { setupPlotly } from "./viz/notebook";
export { train } from "./train/trainer";
export type { TrainResult, EpisodeRecord } from "./train/trainer";
export type { TrainConfig } from "./train/config";
export { presets, preset, presetChanges } from "./train/presets";
export type { Preset, PresetName } from "./train/presets";

export * as env from "./api/env";
export * as agent from "./api/agent";
export * as training from "./api/training";
export * as viz from "./api/viz";
export * as runs from "./api/runs";
export * as exercises from "./api/exercises";

/**
 * Where the notebooks keep what they make: runs/ and models/ at the
 * project's top level, found from this file (lib/ may be reached through the
 * notebooks' symlink), wherever the kernel's working directory is. The
 * environment variables ACROBOT_DQN_RUNS and ACROBOT_DQN_MODELS move them
 * (the test suites do, so a test run never replaces a learner's model).
 */
import { realpathSync } from "node:fs";
import { resolve } from "node:path";

const projectRoot = () => resolve(realpathSync(__dirname), "..");

export function runsRoot(): string {
  return process.env.ACROBOT_DQN_RUNS || resolve(projectRoot(), "runs");
}

export function modelsRoot(): string {
  return process.env.ACROBOT_DQN_MODELS || resolve(projectRoot(), "models");
}

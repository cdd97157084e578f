/**
 * Parsers for option values. Each throws commander's InvalidArgumentError
 * with what is allowed, so a bad value becomes one line and exit code 2.
 */
import { InvalidArgumentError } from "commander";
import { preset, presets } from "../train/presets";
import { labelProblem } from "../runs/validate";
import { TASK_IDS, TASKS, isTaskId, type TaskId } from "../env/task";

export function wholeNumber(min: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === "" || !Number.isSafeInteger(n) || n < min) throw new InvalidArgumentError(`allowed: a whole number >= ${min}`);
    return n;
  };
}

/** "1,2,3" -> [1, 2, 3]; no duplicates. */
export function wholeNumberList(min: number): (value: string) => number[] {
  const one = wholeNumber(min);
  return (value) => {
    let list: number[];
    try {
      list = value.split(",").map((x) => one(x.trim()));
    } catch {
      throw new InvalidArgumentError(`allowed: comma-separated whole numbers >= ${min}, e.g. 1,2,3`);
    }
    if (new Set(list).size !== list.length) throw new InvalidArgumentError("allowed: each number once");
    return list;
  };
}

/** A file or folder name: not empty (which would mean the current folder), no NUL byte. */
export function pathValue(value: string): string {
  if (value.trim() === "" || value.includes("\0")) throw new InvalidArgumentError("allowed: a file or folder name (not empty)");
  return value;
}

export function labelValue(value: string): string {
  const problem = labelProblem(value);
  if (problem !== null) throw new InvalidArgumentError(`allowed: ${problem}`);
  return value;
}

export function presetName(value: string): string {
  if (!Object.hasOwn(presets, value)) throw new InvalidArgumentError(`allowed: ${presetNames()}`);
  try {
    preset(value);
  } catch {
    throw new InvalidArgumentError(`allowed: ${presetNames()}`);
  }
  return value;
}

export function presetList(value: string): string[] {
  const names = value.split(",").map((x) => x.trim());
  for (const n of names) {
    if (!Object.hasOwn(presets, n)) throw new InvalidArgumentError(`"${n}" is not a preset; allowed: comma-separated presets from ${presetNames()}`);
  }
  if (new Set(names).size !== names.length) throw new InvalidArgumentError("allowed: each preset once");
  return names;
}

export function presetNames(): string {
  return Object.keys(presets).join(", ");
}

export type Overrides = Record<string, unknown>;

/**
 * `--set key=value`, repeatable. The value is JSON when it parses (numbers,
 * true/false, null, arrays such as [64,64]), else a plain string (huber, nips).
 * Whether the field exists and the value fits is resolveConfig's to say.
 */
export function collectSet(value: string, previous: Overrides = {}): Overrides {
  const eq = value.indexOf("=");
  const key = eq > 0 ? value.slice(0, eq).trim() : "";
  if (key !== "" && !/^[A-Za-z][A-Za-z0-9]*$/.test(key)) throw new InvalidArgumentError(`"${key}" is not a config field name; allowed: key=value with a field such as learningRate or hiddenLayers`);
  if (key === "") throw new InvalidArgumentError("allowed: key=value, e.g. --set learningRate=0.0005 or --set hiddenLayers=[64,64]");
  const raw = value.slice(eq + 1).trim();
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    parsed = raw;
  }
  return { ...previous, [key]: parsed };
}

export type { PlotlyMode } from "../viz/run-pages";
import type { PlotlyMode } from "../viz/run-pages";

export function plotlyMode(value: string): PlotlyMode {
  if (value !== "inline" && value !== "cdn") throw new InvalidArgumentError('allowed: "inline" (offline, about 10 MB per page) or "cdn"');
  return value;
}

export function taskValue(value: string): TaskId {
  if (!isTaskId(value)) throw new InvalidArgumentError(`allowed: ${TASK_IDS.join(", ")}`);
  return value;
}

/**
 * `--env ID` as config overrides. When the preset is another task's, that task's time limit and
 * threshold come with it (an Acrobot preset's -90 bar would be "solved" at once on CartPole), and
 * its reward becomes the task's own unless the preset's reward fits; `--set` still has the last word.
 */
export function withEnv(env: TaskId | undefined, presetName: string | undefined, set: Overrides = {}): Overrides {
  if (env === undefined) return set;
  if (Object.hasOwn(set, "env") && set.env !== env) throw new RangeError(`--env ${env} and --set env=${String(set.env)} disagree; give the task once`);
  const base = presetName !== undefined && Object.hasOwn(presets, presetName) ? preset(presetName) : {};
  if ((base.env ?? "Acrobot-v1") === env) return { ...set, env };
  const task = TASKS[env];
  const ownReward = typeof base.reward === "string" && base.reward !== "env" ? { reward: "env" } : {};
  return { maxEpisodeSteps: task.maxEpisodeSteps, solvedAt: task.rewardThreshold, solvedOn: "reward", dynamics: "book", ...ownReward, ...set, env };
}

/**
 * The command line's commands and options (commander), and how a bad
 * command line is reported: one line naming what is allowed, exit code 2.
 * Commander's own error printing is switched off; its errors are rewritten
 * here so every one fits on a line.
 */
import { availableParallelism } from "node:os";
import { Command, CommanderError, Option } from "commander";
import { EXIT, UsageError } from "./errors";
import { collectSet, labelValue, pathValue, plotlyMode, presetList, presetName, presetNames, taskValue, wholeNumber, wholeNumberList, withEnv } from "./options";
import { TASK_IDS, type TaskId } from "../env/task";
import { packageVersion } from "../runs/meta";
import { trainCommand, type TrainFlags } from "./train-command";
import { playCommand, type PlayFlags } from "./play-command";
import { compareCommand, type CompareFlags } from "./compare-command";
import { reportCommand, type ReportFlags } from "./report-command";
import { pageCommand, type PageFlags } from "./page-command";

const COMMANDS = ["start", "train", "play", "compare", "report", "page"];

/** A parse error, with the command it happened in (for the list of allowed options). */
class ParseError extends Error {
  constructor(readonly error: CommanderError, readonly command: Command) {
    super(error.message);
  }
}

function allowedOptions(cmd: Command): string {
  return cmd.options.map((o: Option) => o.long ?? o.short).filter((f): f is string => f !== undefined).concat("--help").join(", ");
}

/** The one line for a commander error; null for help and version (not errors). */
function usageLine(e: ParseError): string | null {
  const { error, command } = e;
  const name = command.parent ? command.name() : "acrobot-dqn";
  const message = error.message.replace(/^error: /, "").replace(/\s*\n\s*/g, " ");
  switch (error.code) {
    case "commander.helpDisplayed":
    case "commander.help":
    case "commander.version":
      return null;
    case "commander.unknownCommand":
      return `${message}; the commands are: ${COMMANDS.join(", ")}`;
    case "commander.unknownOption": {
      const [, head, hint] = /^(.*?)(?:\s*\((Did you mean[^)]*)\))?$/.exec(message) ?? [, message, undefined];
      return `${head} for ${name}${hint ? ` (${hint.replace(/^Did/, "did")})` : ""}; allowed: ${allowedOptions(command)}`;
    }
    case "commander.excessArguments":
      return `unexpected argument${command.args.length > 1 ? "s" : ""} ${command.args.map((a) => `'${a}'`).join(" ")} for ${name}; it takes options only: ${allowedOptions(command)}`;
    default:
      return `${message} (see acrobot-dqn ${command.parent ? `${name} ` : ""}--help)`;
  }
}

/** `--env` folded into the `--set` overrides (see withEnv); a clash is a usage error. */
function envFlags(flags: TrainFlags & { env?: TaskId }, defaultPreset?: string): TrainFlags {
  const { env, ...rest } = flags;
  try {
    return { ...rest, set: withEnv(env, flags.preset ?? defaultPreset, flags.set) };
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

function trainOptions(cmd: Command, presetHelp: string): Command {
  return cmd
    .option("--preset <name>", presetHelp, presetName)
    .option("--env <task>", `the task: ${TASK_IDS.join(", ")} (default: the preset's); another task than the preset's brings its time limit and threshold`, taskValue)
    .option("--seed <n>", "seeds resets, exploration, replay sampling and the initial weights (default 1)", wholeNumber(0))
    .option("--episodes <n>", "episode budget (the config's maxEpisodes)", wholeNumber(1))
    .option("--steps <n>", "environment-step budget (the config's maxEnvSteps)", wholeNumber(1))
    .option("--out <dir>", "the run folder (default: runs/<preset>-seed<N>-<date>-<time>)", pathValue)
    .option("--config <file>", "config fields from a JSON file (a run's config.json works), over the preset; --set and --seed/--episodes/--steps override it", pathValue)
    .option("--set <key=value>", "override a config field; repeatable; values are JSON when they parse: --set learningRate=0.0005 --set hiddenLayers=[64,64]", collectSet)
    .option("--label <name>", "the name reports and notebooks show the run under (default: the preset and its --set fields)", labelValue)
    .option("--resume <run_dir>", "continue an interrupted or unfinished run from its checkpoint (budgets may be raised with --episodes, --steps)", pathValue)
    .option("--quiet", "no progress output, only the result")
    .option("--lesson-log", "print exactly the lesson's line per episode, `[Episode N] Reward : r, Average reward : avg`, and `Clear at episode N` (other output goes to stderr)")
    .option("--json", "progress as JSON lines on stdout: start, episode, stopping, end events")
    .option("--eval-episodes <n>", "greedy episodes to evaluate the model after training (0: none)", wholeNumber(0), 10)
    .option("--plotly <how>", "chart.html with plotly.js inline (works offline, about 10 MB) or from its CDN", plotlyMode, "inline");
}

const RUN_FILES = `
A run folder holds config.json, meta.json, episodes.jsonl (one JSON line per
episode, appended as it goes), monitor.csv (the same in Stable-Baselines3's
format), evaluations.jsonl (with --set evalEvery=N: a greedy evaluation every N
env steps), summary.json, model/, checkpoint/, chart.html and chart.svg. Ctrl-C
(or SIGTERM) stops after the current step, saves the
model and a checkpoint and marks the run interrupted (exit code 130, or 143);
press it twice to quit at once. Continue with --resume RUN_DIR. While a
process writes a run folder, writer.lock names it and a second one is refused.`;

export function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command("acrobot-dqn")
    .description("Deep Q-Networks on Acrobot-v1: train, play and compare from the command line.\nWith no command (or only options) it runs `start`.")
    .version(packageVersion(), "-V, --version")
    .configureOutput({ outputError: () => {} }) // we print our own one-line errors
    .showSuggestionAfterError(true);
  const guard = (cmd: Command) => cmd.exitOverride((err) => {
    throw new ParseError(err, cmd);
  });
  guard(program);

  const start = trainOptions(program.command("start"), "the preset to train (default fast)")
    .description("the main job: train the fast preset (seed 1) to the lesson's bar with a progress bar, save the model and a chart, evaluate it greedily")
    .addHelpText("after", `\nExamples:\n  npm start\n  npm start -- --seed 2\n${RUN_FILES}`)
    .action(async (flags: TrainFlags & { env?: TaskId }) => setExit(await trainCommand(envFlags(flags, "fast"), { preset: "fast" })));
  guard(start);

  const train = trainOptions(program.command("train"), `the preset to train: ${presetNames()}`)
    .description("train one preset (any field overridden with --set) into its own run folder")
    .addHelpText(
      "after",
      `\nExamples:\n  acrobot-dqn train --preset improved --seed 3\n  acrobot-dqn train --preset target --lesson-log --episodes 3000\n` +
        `  acrobot-dqn train --preset improved --set hiddenLayers=[64,64] --set learningRate=0.001 --steps 50000\n  acrobot-dqn train --resume runs/improved-seed3-20250101-120000\n${RUN_FILES}`,
    )
    .action(async (flags: TrainFlags & { env?: TaskId }) => setExit(await trainCommand(envFlags(flags))));
  guard(train);

  const play = program
    .command("play")
    .description("play greedy episodes with a saved model: each return and the mean")
    .requiredOption("--model <dir>", "a model folder (model.json + weights.bin), or a run folder", pathValue)
    .option("--episodes <n>", "episodes to play", wholeNumber(1), 10)
    .option("--seed <n>", "seeds the first reset", wholeNumber(0), 0)
    .option("--html <file>", "also write a page with the first episode as an animation (never over a file acrobot-dqn did not write)", pathValue)
    .option("--plotly <how>", "the page with plotly.js inline (offline) or from its CDN", plotlyMode, "inline")
    .addHelpText("after", "\nExample:\n  acrobot-dqn play --model runs/improved-seed1-20250101-120000 --episodes 5 --html episode.html")
    .action(async (flags: PlayFlags) => setExit(await playCommand(flags)));
  guard(play);

  const compare = program
    .command("compare")
    .description("train every preset x seed, several jobs at a time, each into its own run folder, then write a report")
    .requiredOption("--presets <list>", `comma-separated presets from ${presetNames()}`, presetList)
    .option("--env <task>", `train every preset on this task: ${TASK_IDS.join(", ")} (default: each preset's own)`, taskValue)
    .addOption(new Option("--seeds <list>", "comma-separated seeds").argParser(wholeNumberList(0)).default([1, 2, 3], "1,2,3"))
    .option("--jobs <n>", `jobs at once (default: one per core, here ${availableParallelism()})`, wholeNumber(1))
    .option("--episodes <n>", "episode budget of each job", wholeNumber(1))
    .option("--steps <n>", "environment-step budget of each job", wholeNumber(1))
    .option("--config <file>", "config fields from a JSON file (a run's config.json works) over each preset, in every job; its seed gives way to --seeds; --set overrides it", pathValue)
    .option("--set <key=value>", "override a config field in every job; repeatable", collectSet)
    .option("--out <dir>", "the compare folder (default: runs/compare-<date>-<time>)", pathValue)
    .option("--eval-episodes <n>", "greedy episodes to evaluate each model (0: none)", wholeNumber(0), 10)
    .option("--plotly <how>", "report.html with plotly.js inline (offline) or from its CDN; runs' own charts load it from the CDN", plotlyMode, "inline")
    .addHelpText("after", "\nExample:\n  acrobot-dqn compare --presets improved,tipHeight --seeds 1,2,3 --jobs 2\n\nThe report (report.html, report.svg) shows the mean 100-episode average per preset with a band\nacross seeds, and a table of episodes, env steps and seconds to the bar. Ctrl-C stops every job\nand saves each as interrupted; `report` rebuilds the report from the folders at any time.")
    .action(async (flags: CompareFlags) => setExit(await compareCommand(flags)));
  guard(compare);

  const report = program
    .command("report")
    .description("the compare report (chart and table) from runs on disk: run folders, compare folders or runs/")
    .argument("<run_dir...>", "run folders, or folders holding runs")
    .option("--out <file>", "the report page (default: report.html in the folder given, or runs/report-<date>-<time>.html)", pathValue)
    .option("--plotly <how>", "plotly.js inline (offline) or from its CDN", plotlyMode, "inline")
    .addHelpText("after", "\nExample:\n  acrobot-dqn report runs/compare-20250101-120000\n  acrobot-dqn report runs/improved-seed1-* runs/target-seed1-*")
    .action(async (dirs: string[], flags: ReportFlags) => setExit(await reportCommand(dirs, flags)));
  guard(report);

  const page = program
    .command("page")
    .description("write a static web page that plays a saved model in any browser (serve the folder; no CDN, no Node)")
    .requiredOption("--model <dir>", "a model folder (model.json + weights.bin), or a run folder", pathValue)
    .requiredOption("--out <dir>", "the folder to write (new, empty, or a page written by this command)", pathValue)
    .addHelpText("after", "\nExample:\n  acrobot-dqn page --model runs/fast-seed1-20250101-120000/model --out my-agent\n  python3 -m http.server -d my-agent   # then open http://localhost:8000")
    .action(async (flags: PageFlags) => setExit(await pageCommand(flags)));
  guard(page);
  return program;
}

/** Runs the command line; resolves with the exit code. */
export async function runCli(args: readonly string[]): Promise<number> {
  let code: number = EXIT.ok;
  const program = buildProgram((c) => (code = c));
  // No command, or options only (`npm start -- --seed 2`): the main job.
  const first = args[0];
  const routed = first === undefined || (first.startsWith("-") && !["-h", "--help", "-V", "--version"].includes(first)) ? ["start", ...args] : [...args];
  try {
    await program.parseAsync(routed, { from: "user" });
    return code;
  } catch (e) {
    if (e instanceof ParseError) {
      const line = usageLine(e);
      if (line === null) return e.error.exitCode;
      console.error(`acrobot-dqn: ${line}`);
      return EXIT.usage;
    }
    if (e instanceof UsageError) {
      console.error(`acrobot-dqn: ${e.message}`);
      return EXIT.usage;
    }
    throw e;
  }
}

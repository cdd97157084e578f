/**
 * The command line: `npm start` (the main job), `train`, `play`, `compare`,
 * `report`. Run `npm start -- --help` or `npx acrobot-dqn --help`.
 * The commands live in lib/cli/, the run-record format in lib/runs/.
 */
import { errorLine, EXIT } from "./cli/errors";
import { installSignalFallback, lateSignalExit } from "./cli/signals";

// Output that can no longer be written (a closed terminal, `| head`, a compare
// process that died) must not kill a run: the run folder is the record.
for (const stream of [process.stdout, process.stderr]) stream.on("error", () => {});

// A Ctrl-C at any phase gives exit code 130 (SIGTERM 143, SIGHUP 129), also one that
// arrives while a command finishes its last synchronous writes.
installSignalFallback();

/** Lets the event loop turn once, so a signal that came during synchronous work is delivered. */
const turn = () => new Promise((r) => setImmediate(r));

// Loaded after the fallback is in place: loading the commands (TensorFlow.js, compiling) takes seconds,
// and a Ctrl-C meanwhile exits 130 at once instead of killing the process by the signal.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { runCli } = require("./cli/program") as typeof import("./cli/program");

runCli(process.argv.slice(2)).then(
  async (code) => {
    await turn();
    process.exit(code === EXIT.ok ? lateSignalExit() ?? code : code);
  },
  (e: unknown) => {
    // A runtime failure: the library's message, one line (the stack with DEBUG=1).
    console.error(`acrobot-dqn: ${errorLine(e)}`);
    process.exit(EXIT.failure);
  },
);

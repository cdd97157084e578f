/**
 * The command line: `npm start` (the main job), `train`, `play`, `compare`,
 * `report`. Run `npm start -- --help` or `npx acrobot-dqn --help`.
 * The commands live in lib/cli/, the run-record format in lib/runs/.
 */
import { runCli } from "./cli/program";
import { errorLine, EXIT } from "./cli/errors";

runCli(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    // A runtime failure: the library's message, one line (the stack with DEBUG=1).
    console.error(`acrobot-dqn: ${errorLine(e)}`);
    process.exit(EXIT.failure);
  },
);

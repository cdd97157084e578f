#!/usr/bin/env node
// `npx acrobot-dqn ...`: the command line is TypeScript; tsx's CommonJS hook
// compiles it as it loads, in this same process (so Ctrl-C reaches it directly).
require("tsx/cjs");
require("../cli.ts");

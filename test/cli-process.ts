/** Running the command line as a real child process, for the tests that signal it, race it or fill its disk. */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

/** How to start the command line in a new process: node with tsx's loader, on lib/cli.ts (as `npm start` runs it). */
export function cliCommand(): { command: string; args: string[] } {
  return { command: process.execPath, args: ["--import", pathToFileURL(require.resolve("tsx")).href, join(__dirname, "..", "lib", "cli.ts")] };
}

export interface Ran {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Milliseconds from the start to the exit. */
  ms: number;
}

export interface Started {
  child: ChildProcess;
  done: Promise<Ran>;
  stdout: () => string;
  stderr: () => string;
}

/** Starts `acrobot-dqn ...args` in `cwd` (node with tsx's loader, as `npm start` runs it). */
export function startCli(args: string[], cwd: string): Started {
  const { command, args: pre } = cliCommand();
  const t0 = Date.now();
  const child = spawn(command, [...pre, ...args], { cwd, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, DEBUG: "" } });
  let stdout = "", stderr = "";
  child.stdout!.on("data", (d) => (stdout += d));
  child.stderr!.on("data", (d) => (stderr += d));
  const done = new Promise<Ran>((resolve) => child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr, ms: Date.now() - t0 })));
  return { child, done, stdout: () => stdout, stderr: () => stderr };
}

/** Waits until `ok()` holds, polling. */
export async function until(ok: () => boolean, what: string, ms = 60_000): Promise<void> {
  const t0 = Date.now();
  while (!ok()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The process's exit, or an error if it takes longer than `ms` (then it is killed, so a hang fails the test instead of stalling it). */
export async function exitWithin(s: Started, ms: number, what: string): Promise<Ran> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      s.child.kill("SIGKILL");
      reject(new Error(`${what}: still running ${ms} ms later (killed)`));
    }, ms);
  });
  try {
    return await Promise.race([s.done, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** JSON progress events on stdout (`--json`). */
export function events(stdout: string): { event: string; [k: string]: unknown }[] {
  return stdout.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
}

/** The pid of a process that has just ended: what a scratch file left by a killed writer is named for. */
export function deadPid(): number {
  const pid = spawnSync("true").pid;
  if (!pid) throw new Error("could not start `true` to get a free pid");
  return pid;
}

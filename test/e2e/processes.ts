/**
 * Finding and ending the processes a browser test run started, by what /proc says about them.
 *
 * Every process the run starts carries the run's private temporary folder in its command line:
 * the Jupyter server (its `--config` file lives there), each tslab kernel (its connection file
 * is in the Jupyter runtime folder there) and Chromium (its `--user-data-dir` is there). Chromium's
 * helper processes (zygote, renderers) do not, but they share the browser's process group, so the
 * groups of the matching processes are remembered too. Linux only (CI and the course machines).
 */
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface ProcInfo {
  pid: number;
  ppid: number;
  pgid: number;
  /** R, S, D, Z (zombie: ended, not reaped yet), ... */
  state: string;
  /** Clock ticks after boot; with the pid it names a process even if the pid is reused later. */
  start: number;
  cmdline: string;
}

function readProc(pid: number, zombies = false): ProcInfo | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // "pid (comm) state ppid pgrp session ..."; comm may contain spaces and parentheses.
    const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const state = rest[0];
    if ((state === "Z" || state === "X") && !zombies) return null; // a zombie has already ended
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ").trim();
    return { pid, ppid: Number(rest[1]), pgid: Number(rest[2]), state, start: Number(rest[19]), cmdline };
  } catch {
    return null; // gone meanwhile
  }
}

/** Every live process on the machine (zombies too if asked), except this one. */
export function listProcesses(zombies = false): ProcInfo[] {
  const out: ProcInfo[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (pid === process.pid) continue;
    const info = readProc(pid, zombies);
    if (info) out.push(info);
  }
  return out;
}

/**
 * Remembers the process groups of the run's processes as they appear, so that helper processes
 * without the marker in their command line are found too. `scan()` is cheap: call it whenever
 * something new may have started (after a kernel or the browser started).
 */
export class ProcessTracker {
  private readonly groups = new Set<number>();

  constructor(private readonly marker: string) {}

  /** The run's processes now: their command line names the marker, or they are in a remembered group. */
  scan(): ProcInfo[] {
    const all = listProcesses();
    for (const p of all) {
      if (p.cmdline.includes(this.marker) && p.pgid > 1 && p.pgid !== process.pid && p.pgid !== getOwnPgid()) {
        this.groups.add(p.pgid);
      }
    }
    return all.filter((p) => p.cmdline.includes(this.marker) || this.groups.has(p.pgid));
  }

  /** Sends `signal` to each of the run's processes; returns those it signalled. */
  signalAll(signal: NodeJS.Signals): ProcInfo[] {
    const procs = this.scan();
    for (const p of procs) {
      try {
        process.kill(p.pid, signal);
      } catch {
        /* gone */
      }
    }
    return procs;
  }

  /** Waits until none of the run's processes is left, up to `timeoutMs`; returns those still there. */
  async waitGone(timeoutMs: number): Promise<ProcInfo[]> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const left = this.scan();
      if (left.length === 0 || Date.now() >= end) return left;
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /**
   * Ended processes of the run's groups that their parent has not reaped yet: Chromium's helpers
   * outlive the browser by a moment, are re-parented to init, and stay as zombies until it reaps
   * them. Waits up to `timeoutMs` for them to go; returns those still there.
   */
  async waitZombiesReaped(timeoutMs: number): Promise<ProcInfo[]> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const zombies = listProcesses(true).filter((p) => p.state === "Z" && this.groups.has(p.pgid));
      if (zombies.length === 0 || Date.now() >= end) return zombies;
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /** SIGTERM, a grace period, then SIGKILL for whatever is left; returns what had to be killed. */
  async endAll(graceMs = 5000): Promise<ProcInfo[]> {
    if (this.signalAll("SIGTERM").length === 0) return [];
    const stubborn = await this.waitGone(graceMs);
    if (stubborn.length === 0) return [];
    this.signalAll("SIGKILL");
    await this.waitGone(3000);
    return stubborn;
  }
}

let ownPgid: number | null = null;
function getOwnPgid(): number {
  if (ownPgid === null) ownPgid = readProc(process.pid)?.pgid ?? -1;
  return ownPgid;
}

/** One line per process, for messages. */
export function describeProcesses(procs: readonly ProcInfo[]): string {
  return procs.map((p) => `  pid ${p.pid} (group ${p.pgid}): ${p.cmdline.slice(0, 200)}`).join("\n");
}

/** Marks a run's temporary folder as owned by this process (see `cleanStaleRuns`). */
export function claimRunFolder(dir: string): void {
  const me = readProc(process.pid);
  writeFileSync(join(dir, "owner.json"), JSON.stringify({ pid: process.pid, start: me?.start ?? 0 }));
}

/**
 * Ends what an earlier run left behind when it could not clean up (it was killed with SIGKILL):
 * for each `<parent>/<prefix>*` folder whose owner process is gone, ends the processes that name
 * the folder in their command line and deletes it. Returns a line per cleaned folder.
 */
export async function cleanStaleRuns(parent: string, prefix: string): Promise<string[]> {
  const cleaned: string[] = [];
  for (const name of readdirSync(parent)) {
    if (!name.startsWith(prefix)) continue;
    const dir = join(parent, name);
    let owner: { pid: number; start: number };
    try {
      owner = JSON.parse(readFileSync(join(dir, "owner.json"), "utf8")) as { pid: number; start: number };
    } catch {
      continue; // not claimed (yet): leave it
    }
    const p = readProc(owner.pid);
    if (p && p.start === owner.start) continue; // its run is still going
    const tracker = new ProcessTracker(dir);
    const found = tracker.scan();
    await tracker.endAll(3000);
    const left = tracker.scan();
    rmSync(dir, { recursive: true, force: true });
    cleaned.push(`${dir}: ended ${found.length} process(es) an earlier, killed run left${left.length > 0 ? `; still running:\n${describeProcesses(left)}` : ""}`);
  }
  return cleaned;
}

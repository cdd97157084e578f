/**
 * One writer per run folder: `writer.lock` names the process that writes it.
 * It is created whole (written beside, then hard-linked into place, which
 * fails if a lock is already there), so it is never seen half written. A lock
 * whose process is gone (killed, crashed) is stale: the next writer takes it
 * over, so a crash cannot leave a folder locked forever.
 */
import { existsSync, linkSync, readFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { fileError, processRuns, tmpName, unlinkQuietly, writeFileChecked } from "../files";

export const LOCK_FILE = "writer.lock";

interface LockInfo {
  pid: number;
  host: string;
  /** The process's start time as the kernel counts it (Linux), so a reused pid is not taken for the writer. */
  processStart: string | null;
  since: string;
  command: string;
}

/** A held lock: `release()` removes it (also done at process exit). */
export interface RunLock {
  dir: string;
  release(): void;
}

function processStart(pid: number): string | null {
  try {
    // Field 22 of /proc/PID/stat, after the command name in parentheses (which may hold spaces).
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19] ?? null;
  } catch {
    return null;
  }
}

function alive(info: LockInfo): boolean {
  if (!processRuns(info.pid)) return false;
  const start = processStart(info.pid);
  return info.processStart === null || start === null || start === info.processStart;
}

function readLock(path: string): LockInfo | null {
  try {
    const j = JSON.parse(readFileSync(path, "utf8")) as Partial<LockInfo>;
    return Number.isSafeInteger(j.pid) && typeof j.host === "string" ? (j as LockInfo) : null;
  } catch {
    return null;
  }
}

/**
 * Takes the run folder's lock, or throws naming the process that holds it.
 * A lock left by a process that no longer runs (on this machine) is taken over.
 */
export function lockRunFolder(dir: string, command = "acrobot-dqn"): RunLock {
  const path = join(dir, LOCK_FILE);
  const mine: LockInfo = { pid: process.pid, host: hostname(), processStart: processStart(process.pid), since: new Date().toISOString(), command };
  const tmp = tmpName(path);
  writeFileChecked(tmp, `${JSON.stringify(mine)}\n`);
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        linkSync(tmp, path);
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw fileError(e, path, "create");
      }
      const held = readLock(path);
      if (held !== null && held.pid === process.pid && held.host === mine.host) {
        throw new Error(`${dir} is already being written by this process`);
      }
      if (held !== null && (held.host !== mine.host || alive(held))) {
        const where = held.host !== mine.host ? ` on ${held.host}` : "";
        throw new Error(
          `${dir} is being written by another process (pid ${held.pid}${where}, since ${held.since}: ${held.command}); ` +
            `one writer per run folder: wait for it to end, or stop it (if it is gone, delete ${path})`,
        );
      }
      if (attempt >= 2) throw new Error(`could not take the lock ${path}: it keeps changing`);
      // Stale (its process is gone) or unreadable: take it over.
      unlinkQuietly(path);
    }
  } finally {
    unlinkQuietly(tmp);
  }
  let held = true;
  const release = () => {
    if (!held) return;
    held = false;
    process.off("exit", release);
    const now = readLock(path);
    if (now !== null && now.pid === process.pid && now.host === mine.host) unlinkQuietly(path);
  };
  process.on("exit", release);
  return { dir, release };
}

/** Who holds the folder's lock, if a live process does (for listings: "running" vs "killed"). */
export function lockHolder(dir: string): { pid: number; host: string } | null {
  const path = join(dir, LOCK_FILE);
  if (!existsSync(path)) return null;
  const held = readLock(path);
  return held !== null && (held.host !== hostname() || alive(held)) ? { pid: held.pid, host: held.host } : null;
}

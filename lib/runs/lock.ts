/**
 * One writer per run folder: `writer.lock` names the process that writes it.
 * It is created whole (written beside, then hard-linked into place, which
 * fails if a lock is already there), so it is never seen half written. A lock
 * whose process is gone (killed, crashed) is stale: the next writer takes it
 * over, so a crash cannot leave a folder locked forever.
 */
import { randomUUID } from "node:crypto";
import { existsSync, linkSync, readFileSync, renameSync } from "node:fs";
import { hostname } from "node:os";
import { basename, dirname, join } from "node:path";
import { fileError, processRuns, tmpName, unlinkQuietly, writeFileChecked } from "../files";
import { FILE_LIMITS, isMissing, readTextInFolder } from "../folder-read";

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
  return parseLock(lockText(path));
}

/** Held only for the instant of taking over a stale lock, so two takers never both replace it (see takeOver). */
export const LOCK_GUARD_FILE = "writer.lock.guard";

/** How long a taker waits for another's takeover (it takes milliseconds) before giving up. */
const GUARD_WAIT_MS = 10_000;

const sleepMs = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** The raw text of a lock file, or null when it is gone (or cannot be read: then it is judged by its text "" and taken over). */
function lockText(path: string): string | null {
  try {
    return readTextInFolder(dirname(path), basename(path), FILE_LIMITS.smallJson);
  } catch (e) {
    return isMissing(e) ? null : "";
  }
}

function parseLock(text: string | null): LockInfo | null {
  if (text === null || text === "") return null;
  try {
    const j = JSON.parse(text) as Partial<LockInfo>;
    return Number.isSafeInteger(j?.pid) && typeof j.host === "string" ? (j as LockInfo) : null;
  } catch {
    return null;
  }
}

/** Links `tmp` as `path`; false when something is there already. */
function linkNew(tmp: string, path: string): boolean {
  try {
    linkSync(tmp, path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw fileError(e, path, "create");
  }
}

/**
 * Removes the lock file at `path` if it still holds exactly `seen`: it is
 * renamed to a name only this process uses (atomic: of several takers, one
 * gets it), then compared. A lock that is not the one judged stale (taken
 * meanwhile) is linked back. Returns whether it was removed.
 */
function removeIfStill(path: string, seen: string): boolean {
  const aside = `${path}.stale.tmp-${process.pid}`;
  try {
    renameSync(path, aside);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw fileError(e, path, "take over");
  }
  const moved = lockText(aside);
  if (moved !== seen) {
    const back = linkNew(aside, path);
    unlinkQuietly(aside);
    if (!back) throw new Error(`could not take the lock ${path}: it changed while being taken over; try again`);
    return false;
  }
  unlinkQuietly(aside);
  return true;
}

/**
 * Runs `fn` holding the folder's takeover guard: a second lock, linked from
 * the same file as ours, held for the few milliseconds of judging and
 * replacing a stale writer.lock. Without it two takers can both judge the
 * same stale lock, and one removes the lock the other has just linked.
 */
function withTakeoverGuard<T>(dir: string, tmp: string, mine: string, fn: () => T): T {
  const guard = join(dir, LOCK_GUARD_FILE);
  const deadline = Date.now() + GUARD_WAIT_MS;
  while (!linkNew(tmp, guard)) {
    const seen = lockText(guard);
    const g = parseLock(seen);
    if (Date.now() > deadline) throw new Error(`could not take the lock in ${dir}: ${g ? `process ${g.pid}` : "another process"} has been taking it over for ${GUARD_WAIT_MS / 1000} s (if it is gone, delete ${guard})`);
    if (seen === null) continue; // released meanwhile: link again
    const busy = g !== null && g.host === hostname() && g.pid !== process.pid && alive(g);
    if (busy) sleepMs(2);
    else removeIfStill(guard, seen); // a taker that died mid-takeover (or garbage): clear it, then link ours
  }
  try {
    return fn();
  } finally {
    if (lockText(guard) === mine) unlinkQuietly(guard);
  }
}

function refuseIfHeld(held: LockInfo | null, dir: string, path: string): void {
  if (held === null) return;
  if (held.pid === process.pid && held.host === hostname()) throw new Error(`${dir} is already being written by this process`);
  if (held.host !== hostname() || alive(held)) {
    const where = held.host !== hostname() ? ` on ${held.host}` : "";
    throw new Error(
      `${dir} is being written by another process (pid ${held.pid}${where}, since ${held.since}: ${held.command}); ` +
        `one writer per run folder: wait for it to end, or stop it (if it is gone, delete ${path})`,
    );
  }
}

/**
 * Takes the run folder's lock, or throws naming the process that holds it.
 * A lock left by a process that no longer runs (on this machine) is taken
 * over, by one process only even when several find it at once (see
 * withTakeoverGuard and removeIfStill).
 */
export function lockRunFolder(dir: string, command = "acrobot-dqn"): RunLock {
  const path = join(dir, LOCK_FILE);
  const mine: LockInfo & { nonce: string } = { pid: process.pid, host: hostname(), processStart: processStart(process.pid), since: new Date().toISOString(), command, nonce: randomUUID() };
  const text = `${JSON.stringify(mine)}\n`;
  const tmp = tmpName(path);
  writeFileChecked(tmp, text);
  try {
    if (!linkNew(tmp, path)) {
      refuseIfHeld(parseLock(lockText(path)), dir, path); // the usual case: a live writer, refused at once
      withTakeoverGuard(dir, tmp, text, () => {
        for (let attempt = 0; ; attempt++) {
          if (linkNew(tmp, path)) return;
          const seen = lockText(path);
          if (seen === null) continue; // its holder released it meanwhile
          refuseIfHeld(parseLock(seen), dir, path);
          if (attempt >= 5) throw new Error(`could not take the lock ${path}: it keeps changing`);
          removeIfStill(path, seen); // stale (its process is gone) or unreadable
        }
      });
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

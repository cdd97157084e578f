/**
 * Writing files so that a crash never leaves half of one: everything a run,
 * a model or a report writes goes through here.
 *
 *  - A file is written beside its place (`NAME.tmp-PID`), flushed, then renamed
 *    over the old one: a kill -9 at any instant leaves the old file or the new one.
 *  - A folder (a model, a checkpoint) is filled beside its place (`DIR.tmp-PID`),
 *    then swapped in with two renames; `recoverFolder` puts the old one back if a
 *    crash fell between them, and `committedFolder` lets a reader find it meanwhile.
 *  - Every write is checked to the last byte (a full disk can write short), and
 *    ENOSPC, EACCES and friends become messages that name the file.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync, unlinkSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";

const REASONS: Record<string, string> = {
  ENOSPC: "the disk is full",
  EDQUOT: "the disk quota is used up",
  EACCES: "permission denied",
  EPERM: "permission denied",
  EROFS: "the file system is read-only",
  EISDIR: "it is a folder",
  ENOTDIR: "a part of the path is not a folder",
  EMFILE: "too many open files",
};

/** An error from the file system, reworded to name the file and say what went wrong (the code is kept). */
export function fileError(e: unknown, path: string, action = "write"): Error {
  const err = e as NodeJS.ErrnoException;
  const reason = (err.code && REASONS[err.code]) ?? err.message ?? String(e);
  const out = new Error(`cannot ${action} ${path}: ${reason}${err.code ? ` (${err.code})` : ""}`) as NodeJS.ErrnoException;
  if (err.code) out.code = err.code;
  return out;
}

/** Writes all of `data` at the file's position; a write that stops short (a full disk) is an error, never a silent cut. */
export function writeAll(fd: number, data: string | Uint8Array, path: string): void {
  const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
  let done = 0;
  while (done < bytes.byteLength) {
    let n: number;
    try {
      n = writeSync(fd, bytes, done, bytes.byteLength - done);
    } catch (e) {
      throw fileError(e, path);
    }
    if (n <= 0) throw fileError(Object.assign(new Error("short write"), { code: "ENOSPC" }), path);
    done += n;
  }
}

/** Creates `path` (replacing it) with `data`, checked and flushed to disk. Not atomic on its own: see writeFileAtomic. */
export function writeFileChecked(path: string, data: string | Uint8Array): void {
  let fd: number;
  try {
    fd = openSync(path, "w");
  } catch (e) {
    throw fileError(e, path);
  }
  try {
    writeAll(fd, data, path);
    try {
      fsyncSync(fd);
    } catch (e) {
      throw fileError(e, path);
    }
  } finally {
    closeSync(fd);
  }
}

/** The name of this process's scratch copy of `path`. */
export const tmpName = (path: string) => `${path}.tmp-${process.pid}`;
const TMP = /\.tmp-\d+$/;
const OLD = /\.old-\d+$/;

/** Whether a process with this pid runs on this machine (EPERM: it does, as another user). */
export function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Whether a scratch (`.tmp-PID`) or set-aside (`.old-PID`) name was left by a
 * process that is gone, or by this one. Another live process's copy is its
 * work in progress (a writer.lock it is about to link, a folder between its
 * renames): removing it would break that process, so cleaning leaves it.
 */
function leftBehind(name: string): boolean {
  const m = /\.(?:tmp|old)-(\d+)$/.exec(name);
  return m !== null && (Number(m[1]) === process.pid || !processRuns(Number(m[1])));
}

/** Replaces `path` with `data` whole: a reader, or the file after a crash, is the old content or the new, never a mix. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const tmp = tmpName(path);
  try {
    writeFileChecked(tmp, data);
    try {
      renameSync(tmp, path);
    } catch (e) {
      throw fileError(e, path);
    }
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/**
 * Replaces the folder `dir` whole with what `fill` writes into an empty
 * scratch folder. The old folder (if any) is renamed aside, the new one
 * renamed in, then the old one removed: a crash leaves the old folder, the
 * new one, or (between the two renames) the old one under `DIR.old-PID`,
 * which `recoverFolder` and `committedFolder` find. The caller must own `dir`.
 */
export function replaceFolder(dir: string, fill: (tmp: string) => void): void {
  const tmp = tmpName(dir);
  try {
    rmSync(tmp, { recursive: true, force: true }); // a scratch folder of an earlier process with our pid
    mkdirSync(dirname(dir), { recursive: true });
    mkdirSync(tmp);
  } catch (e) {
    throw fileError(e, tmp, "create");
  }
  try {
    fill(tmp);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  swapFolderIn(tmp, dir);
}

/** replaceFolder with a `fill` that awaits (a model's files are made asynchronously). */
export async function replaceFolderAsync(dir: string, fill: (tmp: string) => Promise<unknown>): Promise<void> {
  const tmp = tmpName(dir);
  try {
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(dirname(dir), { recursive: true });
    mkdirSync(tmp);
  } catch (e) {
    throw fileError(e, tmp, "create");
  }
  try {
    await fill(tmp);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  swapFolderIn(tmp, dir);
}

/**
 * Puts the finished folder `tmp` in place of `dir` (replaceFolder's last
 * step, also for a folder another process filled): the old `dir` is renamed
 * aside, `tmp` renamed in, then the old one removed.
 */
export function swapFolderIn(tmp: string, dir: string): void {
  const old = `${dir}.old-${process.pid}`;
  try {
    if (existsSync(dir)) renameSync(dir, old);
    renameSync(tmp, dir);
  } catch (e) {
    if (!existsSync(dir) && existsSync(old)) renameSync(old, dir);
    rmSync(tmp, { recursive: true, force: true });
    throw fileError(e, dir, "replace");
  }
  rmSync(old, { recursive: true, force: true });
}

/** Siblings of `dir` left by a replaceFolder that did not finish: [scratch folders, set-aside old folders]; with `any`, also those of live processes. */
function leftoversOf(dir: string, any = false): { tmps: string[]; olds: string[] } {
  const parent = dirname(dir), name = basename(dir);
  if (!existsSync(parent)) return { tmps: [], olds: [] };
  const names = readdirSync(parent).filter((n) => n.startsWith(`${name}.`));
  const full = (n: string) => join(parent, n);
  return {
    tmps: names.filter((n) => n.slice(name.length).match(/^\.tmp-\d+$/) && (any || leftBehind(n))).map(full),
    olds: names.filter((n) => n.slice(name.length).match(/^\.old-\d+$/) && (any || leftBehind(n))).map(full).sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs),
  };
}

/** The folder a reader should use for `dir`: `dir`, or its set-aside old copy when a crash fell between replaceFolder's renames. */
export function committedFolder(dir: string): string {
  if (existsSync(dir)) return dir;
  return leftoversOf(dir, true).olds[0] ?? dir;
}

/** Puts back a set-aside old copy of `dir` if `dir` is missing, and removes unfinished scratch copies. Only for a writer that owns `dir`. */
export function recoverFolder(dir: string): void {
  const { tmps, olds } = leftoversOf(dir);
  if (!existsSync(dir) && olds.length > 0) renameSync(olds.shift()!, dir);
  for (const d of [...tmps, ...olds]) rmSync(d, { recursive: true, force: true });
}

/** Removes `*.tmp-PID` files and folders directly in `dir` (left by a process killed mid-write); returns their names. Only for a writer that owns `dir`. */
export function removeTmpFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const gone = readdirSync(dir).filter(leftBehind);
  for (const n of gone) {
    const p = join(dir, n);
    if (OLD.test(n) && !existsSync(p.replace(OLD, ""))) continue; // recoverFolder's to put back
    rmSync(p, { recursive: true, force: true });
  }
  return gone;
}

/** Whether `name` is a scratch or set-aside copy made here (so a folder holding only those and ours counts as ours). */
export function isLeftover(name: string): boolean {
  return TMP.test(name) || OLD.test(name);
}

/** Removes the file if it exists (for cleanup paths that must not throw). */
export function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}

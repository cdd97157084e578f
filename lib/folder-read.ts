/**
 * Reading a file from a folder a user hands us (a model, a run, a checkpoint):
 * the folder may come from anyone, so what it names must stay inside it.
 * Every such read goes through here, and refuses:
 *  - a name that is absolute, holds `..`, or is not a plain relative path;
 *  - a file that is, or sits behind, a symlink leading out of the folder;
 *  - anything but a regular file (a FIFO would hang the read, /dev/zero never ends);
 *  - a file bigger than the caller allows (checked on the open file, before reading).
 * Errors are one line naming the file and what is allowed.
 */
import { closeSync, constants, fstatSync, openSync, readSync, realpathSync, type Stats } from "node:fs";
import { isAbsolute, join, relative, sep } from "node:path";

const MIB = 1024 * 1024;

/** Byte limits for the files of run folders and snapshots (a model's are in MODEL_LIMITS). */
export const FILE_LIMITS = {
  /** meta.json, config.json, summary.json, writer.lock. */
  smallJson: 1 * MIB,
  /** episodes.jsonl: 10^6 episodes take about 200 MB; a string cannot hold much more than 512 MiB. */
  episodeLog: 400 * MIB,
  /** snapshot.json holds every episode record too. */
  snapshotJson: 400 * MIB,
  /** snapshot.bin: networks, optimizer state and the replay memory. */
  snapshotBin: 2048 * MIB,
} as const;

/** Error codes callers can branch on (a missing file is often fine; a refused one never is). */
export type FolderReadCode = "ENOENT" | "EREFUSED";

function refuse(message: string, code: FolderReadCode = "EREFUSED"): Error {
  return Object.assign(new Error(message), { code });
}

const mib = (n: number) => (n >= MIB ? `${(n / MIB).toFixed(n % MIB === 0 ? 0 : 1)} MiB` : `${n} bytes`);

/** What is wrong with `name` as a path inside a folder, or null. */
export function relativeNameProblem(name: unknown): string | null {
  if (typeof name !== "string" || name === "") return "must be a non-empty file name";
  if (name.includes("\0")) return "must not hold a NUL character";
  if (isAbsolute(name) || /^[a-zA-Z]:/.test(name) || name.startsWith("\\")) return "must be relative to the folder, not an absolute path";
  if (name.split(/[\\/]/).some((part) => part === "..")) return "must not hold `..` (files outside the folder are not read)";
  return null;
}

/**
 * The real path of `name` inside `folder`, checked to stay inside it (also
 * through symlinks). Throws with code ENOENT when it does not exist.
 */
export function pathInFolder(folder: string, name: string): string {
  const problem = relativeNameProblem(name);
  if (problem !== null) throw refuse(`refusing to read ${JSON.stringify(name)} from ${folder}: the name ${problem}`);
  const given = join(folder, name);
  let root: string, real: string;
  try {
    root = realpathSync(folder);
    real = realpathSync(given);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") throw refuse(`${given} is missing`, "ENOENT");
    throw refuse(`cannot read ${given}: ${(e as Error).message}`);
  }
  const rel = relative(root, real);
  if (rel === "" || rel === ".." || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
    throw refuse(`refusing to read ${given}: it leads out of the folder ${folder} (to ${real}); only files inside the folder are read`);
  }
  return real;
}

/** Opens the checked path without following a last symlink and without blocking (a FIFO), and checks it is a regular file within `maxBytes`. */
function openChecked(folder: string, name: string, maxBytes: number): { fd: number; stat: Stats; path: string } {
  const real = pathInFolder(folder, name);
  const path = join(folder, name);
  let fd: number;
  try {
    fd = openSync(real, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
  } catch (e) {
    throw refuse(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw refuse(`refusing to read ${path}: it is ${kindOf(stat)}, not a regular file`);
    if (stat.size > maxBytes) throw refuse(`refusing to read ${path}: it holds ${mib(stat.size)}, more than the ${mib(maxBytes)} allowed for it`);
    return { fd, stat, path };
  } catch (e) {
    closeSync(fd);
    throw e;
  }
}

function kindOf(s: Stats): string {
  if (s.isDirectory()) return "a folder";
  if (s.isFIFO()) return "a pipe (FIFO)";
  if (s.isCharacterDevice() || s.isBlockDevice()) return "a device";
  if (s.isSocket()) return "a socket";
  return "not a file";
}

/** The size in bytes of `name` in `folder`, with every check of readFileInFolder but without reading it. */
export function fileSizeInFolder(folder: string, name: string, maxBytes: number): number {
  const { fd, stat } = openChecked(folder, name, maxBytes);
  closeSync(fd);
  return stat.size;
}

/** The bytes of `name` in `folder`: inside it, a regular file, at most `maxBytes` (see the module's comment). */
export function readFileInFolder(folder: string, name: string, maxBytes: number): Buffer {
  const { fd, stat, path } = openChecked(folder, name, maxBytes);
  try {
    // Read at most the limit plus one byte: a file that grows while read is still bounded.
    const out = Buffer.allocUnsafe(Math.min(stat.size, maxBytes) + 1);
    let done = 0;
    for (;;) {
      const n = readSync(fd, out, done, out.byteLength - done, null);
      if (n === 0) break;
      done += n;
      if (done > maxBytes) throw refuse(`refusing to read ${path}: it grew past the ${mib(maxBytes)} allowed for it while being read`);
      if (done === out.byteLength) break;
    }
    return out.subarray(0, done);
  } catch (e) {
    if ((e as { code?: string }).code === "EREFUSED") throw e;
    throw refuse(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  } finally {
    closeSync(fd);
  }
}

/** The text of `name` in `folder` (UTF-8), with readFileInFolder's checks. */
export function readTextInFolder(folder: string, name: string, maxBytes: number): string {
  return readFileInFolder(folder, name, maxBytes).toString("utf8");
}

/** Whether the error says the file is missing (as opposed to refused or unreadable). */
export function isMissing(e: unknown): boolean {
  return (e as { code?: string })?.code === "ENOENT";
}

/**
 * `sub` (a folder inside `folder`, e.g. a run's model/ or checkpoint/), refused
 * when it is a symlink or path leading out of `folder`: a run folder someone
 * hands us must not point our reads elsewhere. A missing `sub` is returned as is.
 */
export function subfolderOf(folder: string, sub: string): string {
  let root: string, real: string;
  try {
    root = realpathSync(folder);
    real = realpathSync(sub);
  } catch {
    return sub;
  }
  const rel = relative(root, real);
  if (rel === "" || rel === ".." || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
    throw refuse(`refusing to read ${sub}: it leads out of the folder ${folder} (to ${real}); only files inside the folder are read`);
  }
  return sub;
}

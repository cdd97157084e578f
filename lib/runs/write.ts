/**
 * Writing a run folder. JSON files are replaced whole (written beside, then
 * renamed), so a kill never leaves half a summary; the episode log is
 * appended one line per episode with a checked direct write, so a kill keeps
 * every episode that finished and a full disk never leaves a torn line
 * between two good ones.
 */
import { closeSync, existsSync, fstatSync, ftruncateSync, mkdirSync, openSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { EpisodeRecord } from "../train/trainer";
import { fileError, isLeftover, recoverFolder, removeTmpFiles, writeAll, writeFileAtomic } from "../files";
import { FILE_LIMITS, readTextInFolder } from "../folder-read";
import { FILES, type EpisodeLine, type EvaluationLine } from "./format";
import { LOCK_FILE, LOCK_GUARD_FILE } from "./lock";

/** The names a run folder of ours may hold: its files, its lock, and scratch copies a killed writer left. */
export function isRunFileName(name: string): boolean {
  return (Object.values(FILES) as string[]).includes(name) || name === LOCK_FILE || name === LOCK_GUARD_FILE || isLeftover(name);
}

/** Creates `dir` for a new run; refuses a folder that already holds files (a run to resume, or something else). */
export function createRunFolder(dir: string): void {
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    throw new Error(`${dir} already exists and is not empty: choose another --out, or continue that run with --resume ${dir}`);
  }
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw fileError(e, dir, "create");
  }
}

/**
 * Creates a new folder `base` (or `base-2`, `base-3`, ... if taken) and
 * returns it. Creation is exclusive, so two processes starting in the same
 * second never share a folder.
 */
export function claimNewFolder(base: string): string {
  for (let i = 1; ; i++) {
    const dir = i === 1 ? base : `${base}-${i}`;
    try {
      mkdirSync(join(dir, ".."), { recursive: true });
      mkdirSync(dir);
      return dir;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw fileError(e, dir, "create");
    }
  }
}

/** Writes JSON atomically: a reader sees the old file or the new one, never a torn one. */
export function writeJsonFile(path: string, value: unknown): void {
  writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Before a writer starts in a run folder it owns (holds its lock): puts back
 * a model or checkpoint folder a crash left set aside, and removes the
 * `*.tmp-PID` scratch files a killed process left. Returns the names removed.
 */
export function cleanRunFolder(dir: string): string[] {
  for (const f of [FILES.model, FILES.checkpoint]) recoverFolder(join(dir, f));
  return [...removeTmpFiles(dir), ...[FILES.model, FILES.checkpoint].flatMap((f) => removeTmpFiles(join(dir, f)).map((n) => `${f}/${n}`))];
}

/** A log file open for appending whole lines (episodes.jsonl, monitor.csv). */
export class LineLog {
  private fd: number | null;
  private size: number;

  constructor(readonly path: string) {
    try {
      this.fd = openSync(path, "a");
      this.size = fstatSync(this.fd).size;
    } catch (e) {
      throw fileError(e, path, "open");
    }
  }

  /**
   * One line, handed to the OS at once (a killed process loses nothing
   * written). A write that fails part way (a full disk) is cut back off, so
   * the log never holds a torn line before a good one, and throws.
   */
  appendLine(text: string): void {
    if (this.fd === null) throw new Error(`the log ${this.path} is closed`);
    const line = Buffer.from(`${text}\n`, "utf8");
    try {
      writeAll(this.fd, line, this.path);
    } catch (e) {
      try {
        ftruncateSync(this.fd, this.size);
      } catch {
        // the error below says what happened; the reader skips a torn last line
      }
      throw e;
    }
    this.size += line.byteLength;
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

/** episodes.jsonl (or evaluations.jsonl, as `EpisodeLog<EvaluationLine>`), open for appending: one JSON line per record. */
export class EpisodeLog<Line extends object = EpisodeLine> extends LineLog {
  append(record: Line): void {
    this.appendLine(JSON.stringify(record));
  }
}

/**
 * Makes the log agree with a checkpoint before resuming from it: keeps the
 * first `records.length` lines when they are episodes 1..K in order (the log
 * may have run ahead of the last checkpoint when the process was killed), or
 * rewrites the log from the checkpoint's records when it does not hold them
 * all. Returns how many lines were dropped.
 */
export function alignEpisodeLog(dir: string, records: readonly EpisodeRecord[]): number {
  const path = join(dir, FILES.episodes);
  const lines = existsSync(path) ? readTextInFolder(dir, FILES.episodes, FILE_LIMITS.episodeLog).split("\n").filter((l) => l.trim() !== "") : [];
  const keep = records.length;
  let intact = lines.length >= keep;
  for (let i = 0; intact && i < keep; i++) {
    try {
      intact = (JSON.parse(lines[i]) as EpisodeRecord).episode === i + 1;
    } catch {
      intact = false;
    }
  }
  const kept = intact ? lines.slice(0, keep) : records.map((r) => JSON.stringify(r));
  writeFileAtomic(path, kept.map((l) => `${l}\n`).join(""));
  return Math.max(0, lines.length - keep);
}

/**
 * Makes evaluations.jsonl agree with a checkpoint before resuming from it:
 * the checkpoint's evaluations, written whole (the log may have run ahead of
 * the checkpoint, and those evaluations will be made again).
 */
export function alignEvaluationLog(dir: string, evaluations: readonly EvaluationLine[]): void {
  const path = join(dir, FILES.evaluations);
  if (evaluations.length === 0 && !existsSync(path)) return;
  writeFileAtomic(path, evaluations.map((e) => `${JSON.stringify(e)}\n`).join(""));
}

/**
 * Writing a run folder. JSON files are replaced whole (written beside, then
 * renamed), so a kill never leaves half a summary; the episode log is
 * appended one line per episode with a direct write, so a kill keeps every
 * episode that finished.
 */
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import type { EpisodeRecord } from "../train/trainer";
import { FILES, type EpisodeLine } from "./format";

/** Creates `dir` for a new run; refuses a folder that already holds files (a run to resume, or something else). */
export function createRunFolder(dir: string): void {
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    throw new Error(`${dir} already exists and is not empty: choose another --out, or continue that run with --resume ${dir}`);
  }
  mkdirSync(dir, { recursive: true });
}

/** Writes JSON atomically: a reader sees the old file or the new one, never a torn one. */
export function writeJsonFile(path: string, value: unknown): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`);
  renameSync(tmp, path);
}

/** episodes.jsonl, open for appending. */
export class EpisodeLog {
  private fd: number | null;

  constructor(readonly path: string) {
    this.fd = openSync(path, "a");
  }

  /** One line per episode; writeSync hands it to the OS at once (a killed process loses nothing written). */
  append(record: EpisodeLine): void {
    if (this.fd === null) throw new Error(`the episode log ${this.path} is closed`);
    writeSync(this.fd, `${JSON.stringify(record)}\n`);
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
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
  const lines = existsSync(path) ? readFileSync(path, "utf8").split("\n").filter((l) => l.trim() !== "") : [];
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
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, kept.map((l) => `${l}\n`).join(""));
  renameSync(tmp, path);
  return Math.max(0, lines.length - keep);
}

/**
 * A run's episodes as Stable-Baselines3's `monitor.csv`, beside
 * episodes.jsonl, so that tools made for SB3 (its `load_results`, the
 * plotting in rl-zoo, pandas) read our runs:
 *
 *   #{"t_start": 1733380000.123, "env_id": "Acrobot-v1"}
 *   r,l,t
 *   -500,500,1.234567
 *
 * r is the environment's own return (what SB3's Monitor around Acrobot-v1
 * records, whatever reward the agent learns from), l the episode's length,
 * t wall-clock seconds since t_start. Lines are appended whole as episodes
 * end (see LineLog), so a kill keeps every finished episode; a resume keeps
 * the rows the checkpoint holds and goes on appending.
 */
import { existsSync, readFileSync } from "node:fs";
import type { EpisodeRecord } from "../train/trainer";
import { writeFileAtomic } from "../files";
import { LineLog } from "./write";

export const MONITOR_ENV_ID = "Acrobot-v1";
/** The header line is short; anything past this is not our file's header. */
const MAX_HEADER_CHARS = 4096;

/** The first line, as SB3 writes it (Python's json.dumps spacing). */
export function monitorHeader(tStart: number): string {
  return `#{"t_start": ${tStart}, "env_id": "${MONITOR_ENV_ID}"}\nr,l,t`;
}

/** A number as Python prints a rounded float: NaN as nan (pandas reads it back as NaN). */
function num(x: number, digits = 6): string {
  return Number.isFinite(x) ? String(Number(x.toFixed(digits))) : "nan";
}

/** One row: return, length, seconds since t_start. */
export function monitorRow(r: Pick<EpisodeRecord, "envReturn" | "steps">, t: number): string {
  return `${num(r.envReturn)},${r.steps},${num(t)}`;
}

/** The wall clock in seconds, as Python's time.time(). */
export const nowSeconds = () => Date.now() / 1000;

/** monitor.csv open for appending, with the t_start it counts from. */
export class MonitorLog {
  private readonly log: LineLog;
  constructor(path: string, readonly tStart: number) {
    this.log = new LineLog(path);
  }
  append(r: Pick<EpisodeRecord, "envReturn" | "steps">, at = nowSeconds()): void {
    this.log.appendLine(monitorRow(r, at - this.tStart));
  }
  /** A row `t` seconds after t_start (a finished result written afterwards: its training seconds). */
  appendSince(r: Pick<EpisodeRecord, "envReturn" | "steps">, t: number): void {
    this.log.appendLine(monitorRow(r, t));
  }
  close(): void {
    this.log.close();
  }
}

/** The t_start of an existing monitor.csv of ours, or null. */
function readTStart(lines: readonly string[]): number | null {
  const first = lines[0];
  if (first === undefined || !first.startsWith("#") || first.length > MAX_HEADER_CHARS || lines[1] !== "r,l,t") return null;
  try {
    const t = (JSON.parse(first.slice(1)) as { t_start?: unknown }).t_start;
    return typeof t === "number" && Number.isFinite(t) ? t : null;
  } catch {
    return null;
  }
}

/**
 * Makes monitor.csv hold exactly the first `records.length` episodes, then
 * returns its t_start for appending. Rows that match the records (same
 * lengths, in order) keep their times; otherwise (no file, a file from
 * before a crash that lost rows) the rows are rebuilt with the records'
 * training seconds. `tStart`: used when the file has none (a new file).
 */
export function alignMonitor(path: string, records: readonly EpisodeRecord[], tStart: number): number {
  const lines = existsSync(path) ? readFileSync(path, "utf8").split("\n").filter((l) => l !== "") : [];
  const start = readTStart(lines) ?? tStart;
  const rows = lines.slice(2);
  const intact = readTStart(lines) !== null && rows.length >= records.length && records.every((r, i) => rows[i].split(",")[1] === String(r.steps));
  const kept = intact ? rows.slice(0, records.length) : records.map((r) => monitorRow(r, r.seconds));
  writeFileAtomic(path, `${[monitorHeader(start), ...kept].join("\n")}\n`);
  return start;
}

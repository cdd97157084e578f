/**
 * Reading monitor.csv files the way Stable-Baselines3's
 * `stable_baselines3.common.monitor.load_results` does, step for step, so a
 * test can tell whether SB3's tools would read our runs: every file named
 * `*monitor.csv` in the folder; its first line must start with "#" and hold
 * JSON with t_start; the rest is a CSV with a header row (r, l, t); t is
 * shifted by t_start, rows of all files sorted by t, then shifted back by
 * the earliest t_start. Strict where pandas would fail or give NaN.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export interface MonitorRow {
  r: number;
  l: number;
  t: number;
}

export function loadResults(dir: string): { headers: { t_start: number; env_id: unknown }[]; rows: MonitorRow[] } {
  const files = readdirSync(dir).filter((n) => n.endsWith("monitor.csv"));
  if (files.length === 0) throw new Error(`no monitor files of the form *monitor.csv found in ${dir}`);
  const headers: { t_start: number; env_id: unknown }[] = [];
  const rows: MonitorRow[] = [];
  for (const name of files) {
    const lines = readFileSync(join(dir, name), "utf8").split("\n");
    const first = lines[0];
    if (first[0] !== "#") throw new Error(`${name}: the first line must start with #`);
    const header = JSON.parse(first.slice(1)) as { t_start: number; env_id: unknown };
    if (typeof header.t_start !== "number") throw new Error(`${name}: t_start must be a number`);
    headers.push(header);
    const columns = lines[1].split(",");
    for (const c of ["r", "l", "t"]) if (!columns.includes(c)) throw new Error(`${name}: no column ${c}`);
    for (const line of lines.slice(2)) {
      if (line === "") continue;
      const cells = line.split(",");
      if (cells.length !== columns.length) throw new Error(`${name}: a row with ${cells.length} cells under ${columns.length} columns: ${line}`);
      const value = (c: string) => {
        const x = Number(cells[columns.indexOf(c)]);
        if (!Number.isFinite(x)) throw new Error(`${name}: ${c} is not a number in ${line}`);
        return x;
      };
      if (!Number.isInteger(value("l"))) throw new Error(`${name}: l is not an integer in ${line}`);
      rows.push({ r: value("r"), l: value("l"), t: value("t") + header.t_start });
    }
  }
  // A stable sort by t, as pandas' sort_values on the concatenated frames.
  const sorted = rows.map((row, i) => ({ row, i })).sort((a, b) => a.row.t - b.row.t || a.i - b.i).map((x) => x.row);
  const start = headers.reduce((m, h) => Math.min(m, h.t_start), Infinity);
  return { headers, rows: sorted.map((row) => ({ ...row, t: row.t - start })) };
}

/**
 * `--config file.json` for `train` and `compare`: config fields from a file
 * (a run's config.json is valid input), checked as strictly as `--set`. The
 * file is read only if it is a regular file of at most MAX_CONFIG_BYTES, so a
 * FIFO, a device or a huge file is refused instead of hanging or filling memory.
 */
import { closeSync, fstatSync, openSync, readSync, constants } from "node:fs";
import { resolveConfig, type TrainConfig } from "../train/config";
import { UsageError } from "./errors";
import type { Overrides } from "./options";

/** A config is about 1 KB; anything past this is not one. */
export const MAX_CONFIG_BYTES = 64 * 1024;

function readBounded(path: string): string {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO with no writer would otherwise wait forever, before fstat can refuse it.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`--config ${path}: cannot read it (${code === "ENOENT" ? "no such file" : code ?? String(e)}); allowed: a JSON file of config fields`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new UsageError(`--config ${path}: not a regular file; allowed: a JSON file of config fields`);
    if (st.size > MAX_CONFIG_BYTES) throw new UsageError(`--config ${path}: ${st.size} bytes is too large for a config; allowed: at most ${MAX_CONFIG_BYTES} bytes`);
    const buf = Buffer.alloc(MAX_CONFIG_BYTES + 1);
    let n = 0;
    for (let got = 1; got > 0 && n < buf.length; n += got) got = readSync(fd, buf, n, buf.length - n, n);
    if (n > MAX_CONFIG_BYTES) throw new UsageError(`--config ${path}: too large for a config; allowed: at most ${MAX_CONFIG_BYTES} bytes`);
    return buf.subarray(0, n).toString("utf8");
  } finally {
    closeSync(fd);
  }
}

/**
 * The fields of a config file, each checked (unknown field, wrong type, out of
 * range: a UsageError naming the file and the field). Fields not in the file
 * are left to the preset and the defaults.
 */
export function readConfigFile(path: string): Overrides {
  const text = readBounded(path);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`--config ${path}: not valid JSON (${(e as Error).message}); allowed: a JSON object of config fields, such as a run's config.json`);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new UsageError(`--config ${path}: must hold a JSON object of config fields, such as a run's config.json`);
  const fields = value as Overrides;
  try {
    resolveConfig(fields as Partial<TrainConfig>);
  } catch (e) {
    if (e instanceof RangeError) throw new UsageError(`--config ${path}: ${e.message}`);
    throw e;
  }
  return fields;
}

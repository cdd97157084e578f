/**
 * Exit codes and the two kinds of failure the command line reports in one
 * line: a usage error (bad flag, unknown command or preset, bad value: exit 2)
 * and a runtime failure (missing model, corrupt run, diverged: exit 1).
 */
export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  /** 128 + the signal's number, as shells report a process killed by it. */
  SIGINT: 130,
  SIGTERM: 143,
  SIGHUP: 129,
} as const;

/** A mistake in the command line itself; the message names what is allowed. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** Runs `f`, turning a RangeError from the library (resolveConfig, preset) into a UsageError. */
export function asUsage<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof RangeError) throw new UsageError(e.message);
    throw e;
  }
}

/** The one line printed for an error (the stack only with DEBUG set). */
export function errorLine(e: unknown): string {
  if (process.env.DEBUG && e instanceof Error && e.stack) return e.stack;
  return e instanceof Error ? e.message : String(e);
}

/**
 * Ctrl-C, SIGTERM and SIGHUP (the terminal closed) for the command line. The first one asks the work to
 * stop cleanly (the trainer stops at its next check, the run is saved as
 * interrupted); a second one, a second or more later, exits at once. We
 * handle the signals here and pass the trainer an AbortSignal (with its own
 * handlers off), so one place knows which signal came and which exit code to
 * give: 130, 143 or 129.
 */
import { EXIT } from "./errors";

export type StopSignal = "SIGINT" | "SIGTERM" | "SIGHUP";
const SIGNALS: readonly StopSignal[] = ["SIGINT", "SIGTERM", "SIGHUP"];

/** The first stop signal this process received, through any StopRequests (see lateSignalExit). */
let firstSignal: StopSignal | null = null;
let active = 0;

/**
 * The exit code for a signal that came while a command was finishing: a
 * Ctrl-C during the last synchronous writes (the chart) is only delivered
 * once the event loop turns, which may be after the command returned 0.
 * Call after letting the loop turn once; null when no signal came.
 */
export function lateSignalExit(): number | null {
  return firstSignal === null ? null : EXIT[firstSignal];
}

/**
 * Between and after commands (no StopRequests listening), a stop signal ends
 * the process at once with its exit code, as the default action would, but
 * recorded, so the exit code is 128 + its number even when it arrives in
 * the last instant.
 */
export function installSignalFallback(exit: (code: number) => void = (code) => process.exit(code)): void {
  for (const s of SIGNALS) {
    process.on(s, () => {
      firstSignal ??= s;
      if (active === 0) exit(EXIT[s]);
    });
  }
}

/** Signals this close to the first one count as the same request. */
const SAME_PRESS_MS = 1000;

export class StopRequests {
  readonly controller = new AbortController();
  /** The first signal received, or null. */
  received: StopSignal | null = null;
  private readonly listeners: ((signal: StopSignal) => void)[] = [];

  private firstAt = 0;
  private disposed = false;

  private readonly handler = (signal: StopSignal) => {
    firstSignal ??= signal;
    if (this.received === null) {
      this.received = signal;
      this.firstAt = performance.now();
      this.controller.abort();
      for (const l of this.listeners) l(signal);
    } else if (performance.now() - this.firstAt < SAME_PRESS_MS) {
      // One Ctrl-C often arrives twice: from the terminal and passed on by a
      // parent (npm run-script forwards the signals it gets to its child).
      return;
    } else {
      this.onSecond(signal);
      this.exit(EXIT[signal]);
    }
  };

  /** `onSecond` runs just before the immediate exit (e.g. to pass the signal on to child processes). */
  constructor(
    private readonly onSecond: (signal: StopSignal) => void = () => {},
    private readonly exit: (code: number) => void = (code) => process.exit(code),
  ) {
    for (const s of SIGNALS) process.on(s, this.handler);
    active++;
  }

  /** Acts as if `signal` had arrived (e.g. when the parent of a compare job goes away). */
  request(signal: StopSignal): void {
    this.handler(signal);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Called once, on the first signal. */
  onStop(listener: (signal: StopSignal) => void): void {
    this.listeners.push(listener);
  }

  /** 130 after SIGINT, 143 after SIGTERM, 129 after SIGHUP, null when none came. */
  exitCode(): number | null {
    return this.received === null ? null : EXIT[this.received];
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    active--;
    for (const s of SIGNALS) process.off(s, this.handler);
  }
}

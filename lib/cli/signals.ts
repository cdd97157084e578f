/**
 * Ctrl-C and SIGTERM for the command line. The first one asks the work to
 * stop cleanly (the trainer finishes its step, the run is saved as
 * interrupted); a second one exits at once. We handle the signals here and
 * pass the trainer an AbortSignal (with its own handlers off), so one place
 * knows which signal came and which exit code to give: 130 or 143.
 */
import { EXIT } from "./errors";

export type StopSignal = "SIGINT" | "SIGTERM";

export class StopRequests {
  readonly controller = new AbortController();
  /** The first signal received, or null. */
  received: StopSignal | null = null;
  private readonly listeners: ((signal: StopSignal) => void)[] = [];

  private readonly handler = (signal: StopSignal) => {
    if (this.received === null) {
      this.received = signal;
      this.controller.abort();
      for (const l of this.listeners) l(signal);
    } else {
      this.onSecond(signal);
      process.exit(EXIT[signal]);
    }
  };

  /** `onSecond` runs just before the immediate exit (e.g. to pass the signal on to child processes). */
  constructor(private readonly onSecond: (signal: StopSignal) => void = () => {}) {
    process.on("SIGINT", this.handler);
    process.on("SIGTERM", this.handler);
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

  /** 130 after SIGINT, 143 after SIGTERM, null when none came. */
  exitCode(): number | null {
    return this.received === null ? null : EXIT[this.received];
  }

  dispose(): void {
    process.off("SIGINT", this.handler);
    process.off("SIGTERM", this.handler);
  }
}

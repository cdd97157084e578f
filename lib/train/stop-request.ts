/**
 * "Please stop": an AbortSignal, Ctrl-C, SIGTERM or Jupyter's stop button
 * (SIGINT to the kernel). A loop asks `requested` between steps and ends
 * itself, keeping what it has: an awaited notebook cell is not stopped by
 * the kernel, only abandoned (see docs/DESIGN.md, "Stopping a cell").
 */
export interface StopRequest {
  /** True once a stop was asked for. */
  readonly requested: boolean;
  /** Lets pending events (a stop button press, displays) run, then says whether to stop. */
  check(): Promise<boolean>;
  /** Removes the listeners (call it when the loop ends). */
  dispose(): void;
}

/**
 * Listens for a stop. Async on purpose: the SIGINT listener is added after an
 * await, because one added in a tslab cell's synchronous part makes the stop
 * button kill the kernel instead.
 */
export async function stopRequest(opts: { signal?: AbortSignal; handleSignals?: boolean; onStop?: () => void } = {}): Promise<StopRequest> {
  await new Promise((resolve) => setImmediate(resolve));
  let requested = opts.signal?.aborted ?? false;
  const onStop = () => {
    if (requested) return;
    requested = true;
    opts.onStop?.(); // e.g. pass the stop on to child processes at once
  };
  const signals = opts.handleSignals ?? true;
  opts.signal?.addEventListener("abort", onStop);
  if (signals) {
    process.on("SIGINT", onStop);
    process.on("SIGTERM", onStop);
  }
  return {
    get requested() {
      return requested;
    },
    async check() {
      await new Promise((resolve) => setImmediate(resolve));
      return requested;
    },
    dispose() {
      opts.signal?.removeEventListener("abort", onStop);
      if (signals) {
        process.off("SIGINT", onStop);
        process.off("SIGTERM", onStop);
      }
    },
  };
}

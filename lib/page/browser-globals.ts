/**
 * Node globals the library's loop uses, for the page's bundle (esbuild's
 * `inject`): the trainer yields to the event loop with setImmediate, which
 * browsers lack. A MessageChannel message runs as soon as the queue is free,
 * without setTimeout's 4 ms clamp.
 */
const queue: (() => void)[] = [];
let channel: MessageChannel | null = null;

export function setImmediate(fn: (...args: unknown[]) => void, ...args: unknown[]): number {
  if (channel === null) {
    channel = new MessageChannel();
    channel.port1.onmessage = () => queue.shift()?.();
  }
  queue.push(() => fn(...args));
  channel.port2.postMessage(null);
  return 0;
}

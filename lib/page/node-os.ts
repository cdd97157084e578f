/**
 * node:os for the page's bundle: config.ts sizes its memory check by
 * totalmem(). A browser tab gets far less than the machine: assume 2 GiB
 * (or what navigator.deviceMemory says, if less).
 */
export function totalmem(): number {
  const nav = (globalThis as { navigator?: { deviceMemory?: number } }).navigator;
  const gib = Math.min(2, nav?.deviceMemory ?? 2);
  return gib * 1024 ** 3;
}

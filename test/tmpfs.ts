/** A real small disk for the disk-full tests: a tmpfs mounted in a temporary folder (root only). */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A tmpfs of `kib` KiB, or the reason (a string) when this process may not mount one. */
export function tmpfs(kib: number): { dir: string; unmount(): void } | string {
  if (process.getuid?.() !== 0) return "not running as root: cannot mount a tmpfs to fill";
  const dir = mkdtempSync(join(tmpdir(), "acrobot-full-"));
  const r = spawnSync("mount", ["-t", "tmpfs", "-o", `size=${kib}k`, "tmpfs", dir]);
  if (r.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    return `mount failed: ${String(r.stderr).trim()}`;
  }
  return {
    dir,
    unmount: () => {
      spawnSync("umount", [dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

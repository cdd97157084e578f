/** `npm run bench -- --peer` without PyTorch: it says how to get it and skips (bench/torch-peer.ts). */
import { test } from "node:test";
import assert from "node:assert/strict";
import { benchPeer, findTorchPython, HOW_TO_GET_TORCH } from "../bench/torch-peer";

test("the PyTorch peer skips with instructions when no Python has torch", async () => {
  const missing = ["/nonexistent/python3", "/bin/false"];
  assert.equal(findTorchPython(missing), null);
  const lines: string[] = [];
  assert.equal(await benchPeer((l) => lines.push(l), missing), null);
  assert.deepEqual(lines, [HOW_TO_GET_TORCH]);
  assert.match(HOW_TO_GET_TORCH, /apt-get install -y python3-torch libopenblas0-pthread/);
});

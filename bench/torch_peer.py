"""PyTorch peer for `npm run bench -- --peer` (bench/torch-peer.ts drives it).

The same DQN update as lib/agent/td-update.ts's tdUpdate: a 6 -> hidden -> 3
ReLU network and a separate target network, the TD target
y = r + gamma (1 - done) max_a' Q_target(s', a') without gradient, Huber loss
(smooth_l1_loss, beta 1) on Q(s, a), gradient clipping by global norm, one
Adam step (tf.train.adam's betas and epsilon), and the loss read back as a
number. The batch is converted to tensors inside every update, as ours is.

Protocol, one JSON object per line on stdin, one answer per line on stdout:
  {"hidden": [256, 256], "batch": 128, "updates": 5}  ->  {"ms": 1.23, "cpuMs": 1.2}
(wall and process CPU milliseconds per update, averaged over `updates`; the
CPU time adds up all threads); {"info": true} ->
{"torch": ..., "threads": ..., "blas": ...}. The thread count is fixed at
start-up by the environment (OMP_NUM_THREADS, OPENBLAS_NUM_THREADS).

One-shot, for bench/side-by-side.ts (which pins it to one core beside ours):
  torch_peer.py HIDDEN BATCH BLOCK REPS   e.g. 256,256 128 5 31
times REPS blocks of BLOCK updates on one thread after 3 untimed ones and prints
{"ms": [...], "cpuMs": [...]} (per update, one entry per block), like bench/update-job.ts.
"""
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

GAMMA, LR, CLIP, EPS = 0.99, 1e-4, 10.0, 1e-7  # EPS: tf.train.adam's default on float32 backends


def mlp(hidden):
    layers, fan_in = [], 6
    for h in hidden:
        layers += [nn.Linear(fan_in, h), nn.ReLU()]
        fan_in = h
    return nn.Sequential(*layers, nn.Linear(fan_in, 3))


class Case:
    def __init__(self, hidden, batch):
        torch.manual_seed(1)
        self.online, self.target = mlp(hidden), mlp(hidden)
        self.optimizer = torch.optim.Adam(self.online.parameters(), lr=LR, betas=(0.9, 0.999), eps=EPS)
        rng = np.random.default_rng(42)
        self.states = rng.uniform(-1, 1, (batch, 6)).astype(np.float32)
        self.next_states = rng.uniform(-1, 1, (batch, 6)).astype(np.float32)
        self.actions = rng.integers(0, 3, batch).astype(np.int64)
        self.rewards = np.full(batch, -1, np.float32)
        self.dones = (rng.uniform(0, 1, batch) < 0.01).astype(np.float32)

    def update(self):
        s, s2 = torch.from_numpy(self.states), torch.from_numpy(self.next_states)
        a, r, d = torch.from_numpy(self.actions), torch.from_numpy(self.rewards), torch.from_numpy(self.dones)
        with torch.no_grad():
            y = r + GAMMA * (1 - d) * self.target(s2).max(1).values
        q = self.online(s).gather(1, a.unsqueeze(1)).squeeze(1)
        loss = F.smooth_l1_loss(q, y)
        self.optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(self.online.parameters(), CLIP)
        self.optimizer.step()
        return loss.item()


def blas_in_use():
    """The BLAS library this process mapped (Debian's torch links libblas.so.3: reference or OpenBLAS)."""
    try:
        with open("/proc/self/maps") as f:
            paths = {line.split()[-1] for line in f if "blas" in line.lower() and "/" in line}
        return sorted(paths)
    except OSError:
        return []


def main():
    cases = {}
    for line in sys.stdin:
        req = json.loads(line)
        if req.get("info"):
            out = {"torch": torch.__version__, "threads": torch.get_num_threads(), "blas": blas_in_use(),
                   "openblas_threads": os.environ.get("OPENBLAS_NUM_THREADS")}
        else:
            key = (tuple(req["hidden"]), req["batch"])
            if key not in cases:
                cases[key] = Case(*key)
                for _ in range(3):  # warm up: allocator, Adam's state
                    cases[key].update()
            case, n = cases[key], req["updates"]
            t0, c0 = time.perf_counter(), time.process_time()
            for _ in range(n):
                case.update()
            out = {"ms": (time.perf_counter() - t0) * 1000 / n, "cpuMs": (time.process_time() - c0) * 1000 / n}
        sys.stdout.write(json.dumps(out) + "\n")
        sys.stdout.flush()


def one_shot(args):
    hidden, batch, block, reps = [int(h) for h in args[0].split(",")], int(args[1]), int(args[2]), int(args[3])
    torch.set_num_threads(1)
    case = Case(hidden, batch)
    for _ in range(3):
        case.update()
    ms, cpu = [], []
    for _ in range(reps):
        t0, c0 = time.perf_counter(), time.process_time()
        for _ in range(block):
            case.update()
        ms.append((time.perf_counter() - t0) * 1000 / block)
        cpu.append((time.process_time() - c0) * 1000 / block)
    print(json.dumps({"ms": ms, "cpuMs": cpu, "torch": torch.__version__, "blas": blas_in_use()}), flush=True)


if __name__ == "__main__":
    if len(sys.argv) == 5:
        one_shot(sys.argv[1:])
    elif len(sys.argv) == 1:
        main()
    else:
        raise SystemExit("usage: torch_peer.py (requests on stdin) | torch_peer.py HIDDEN BATCH BLOCK REPS")

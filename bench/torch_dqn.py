"""PyTorch peer for time-to-bar (bench/side-by-side.ts drives it): the same DQN as
lib/train/trainer.ts with a step-unit setting (`improved`, `fast`), written the way
CleanRL's dqn.py writes it, trained on Acrobot-v1 until the 100-episode average of
the training returns reaches the bar.

    /usr/bin/python3 bench/torch_dqn.py '<resolved TrainConfig as JSON>'

prints one JSON line: {"solved", "episodes", "envSteps", "seconds", "cpuSeconds"}.
Torch runs on one thread (torch.set_num_threads(1); the driver also pins the process
to one core). The environment is Gymnasium's Acrobot-v1 ("book" dynamics, RK4, the
same constants, wrapping and bounds; reset draws from NumPy's PCG64 like Gymnasium's
reset(seed)), written with Python floats here because gymnasium is not installed.
The first reset uses the config's seed, so the first episode starts where ours does;
exploration, sampling and initial weights come from torch's and NumPy's generators
seeded with it, so the runs are not the same run as ours, only the same algorithm.
"""
import json
import math
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

DT = 0.2
MAX_VEL_1, MAX_VEL_2 = 4 * math.pi, 9 * math.pi
TORQUES = (-1.0, 0.0, 1.0)


def dsdt(s, a):
    # Gymnasium's _dsdt, book dynamics, all masses, lengths and inertias 1, centres at 0.5.
    m1 = m2 = l1 = 1.0
    lc1 = lc2 = 0.5
    I1 = I2 = 1.0
    g = 9.8
    theta1, theta2, dtheta1, dtheta2 = s
    d1 = m1 * lc1**2 + m2 * (l1**2 + lc2**2 + 2 * l1 * lc2 * math.cos(theta2)) + I1 + I2
    d2 = m2 * (lc2**2 + l1 * lc2 * math.cos(theta2)) + I2
    phi2 = m2 * lc2 * g * math.cos(theta1 + theta2 - math.pi / 2.0)
    phi1 = (-m2 * l1 * lc2 * dtheta2**2 * math.sin(theta2) - 2 * m2 * l1 * lc2 * dtheta2 * dtheta1 * math.sin(theta2)
            + (m1 * lc1 + m2 * l1) * g * math.cos(theta1 - math.pi / 2) + phi2)
    ddtheta2 = (a + d2 / d1 * phi1 - m2 * l1 * lc2 * dtheta1**2 * math.sin(theta2) - phi2) / (m2 * lc2**2 + I2 - d2**2 / d1)
    ddtheta1 = -(d2 * ddtheta2 + phi1) / d1
    return (dtheta1, dtheta2, ddtheta1, ddtheta2)


def wrap(x, m, M):
    diff = M - m
    while x > M:
        x -= diff
    while x < m:
        x += diff
    return x


class Acrobot:
    def __init__(self, max_steps=500):
        self.max_steps = max_steps
        self.rng = None

    def reset(self, seed=None):
        if seed is not None or self.rng is None:
            self.rng = np.random.default_rng(seed)
        self.s = [float(np.float32(x)) for x in self.rng.uniform(-0.1, 0.1, 4)]
        self.t = 0
        return self.obs()

    def obs(self):
        t1, t2, d1, d2 = self.s
        return np.array([math.cos(t1), math.sin(t1), math.cos(t2), math.sin(t2), d1, d2], np.float32)

    def step(self, action):
        s, a, h = self.s, TORQUES[action], DT
        k1 = dsdt(s, a)
        k2 = dsdt([s[i] + h / 2 * k1[i] for i in range(4)], a)
        k3 = dsdt([s[i] + h / 2 * k2[i] for i in range(4)], a)
        k4 = dsdt([s[i] + h * k3[i] for i in range(4)], a)
        ns = [s[i] + h / 6.0 * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]) for i in range(4)]
        ns[0] = wrap(ns[0], -math.pi, math.pi)
        ns[1] = wrap(ns[1], -math.pi, math.pi)
        ns[2] = min(max(ns[2], -MAX_VEL_1), MAX_VEL_1)
        ns[3] = min(max(ns[3], -MAX_VEL_2), MAX_VEL_2)
        self.s = ns
        self.t += 1
        terminated = -math.cos(ns[0]) - math.cos(ns[1] + ns[0]) > 1.0
        return self.obs(), (0.0 if terminated else -1.0), terminated, self.t >= self.max_steps


def q_network(hidden):
    layers, fan_in = [], 6
    for h in hidden:
        layers += [nn.Linear(fan_in, h), nn.ReLU()]
        fan_in = h
    return nn.Sequential(*layers, nn.Linear(fan_in, 3))


def train(c):
    for key, allowed in (("trainUnit", "steps"), ("targetSyncUnit", "steps"), ("memory", "replay"), ("reward", "env"), ("dynamics", "book")):
        if c.get(key, allowed) != allowed:
            raise SystemExit(f"torch_dqn.py: {key} must be {allowed!r} (the peer only runs step-unit settings like improved and fast), got {c.get(key)!r}")
    torch.set_num_threads(1)
    seed = c["seed"]
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed + 1)
    online, target = q_network(c["hiddenLayers"]), q_network(c["hiddenLayers"])
    target.load_state_dict(online.state_dict())
    optimizer = torch.optim.Adam(online.parameters(), lr=c["learningRate"], eps=1e-7)  # tf.train.adam's epsilon, as ours
    cap = c["memoryCapacity"]
    obs_buf, next_buf = np.zeros((cap, 6), np.float32), np.zeros((cap, 6), np.float32)
    act_buf, rew_buf, done_buf = np.zeros(cap, np.int64), np.zeros(cap, np.float32), np.zeros(cap, np.float32)
    size = pos = 0
    env = Acrobot(c["maxEpisodeSteps"])
    returns, env_steps, episode = [], 0, 0
    window, bar = c.get("solvedWindow", 100), c["solvedAt"]
    t0, c0 = time.perf_counter(), time.process_time()
    solved = False
    while not solved and env_steps < c["maxEnvSteps"] and episode < c["maxEpisodes"]:
        episode += 1
        obs = env.reset(seed if episode == 1 else None)
        total = 0.0
        while True:
            frac = min(1.0, env_steps / c["epsilonDecaySteps"]) if c["epsilonDecaySteps"] > 0 else 1.0
            epsilon = c["epsilonStart"] + (c["epsilonEnd"] - c["epsilonStart"]) * frac
            if rng.random() < epsilon:
                action = int(rng.integers(3))
            else:
                with torch.no_grad():
                    action = int(online(torch.from_numpy(obs)).argmax().item())
            next_obs, r, terminated, truncated = env.step(action)
            env_steps += 1
            total += r
            obs_buf[pos], next_buf[pos], act_buf[pos], rew_buf[pos] = obs, next_obs, action, r
            done_buf[pos] = float(terminated or (truncated and c["truncationIsTerminal"]))
            pos, size = (pos + 1) % cap, min(size + 1, cap)
            obs = next_obs
            if env_steps >= c["learningStarts"] and env_steps % c["trainEvery"] == 0:
                for _ in range(c["gradientSteps"]):
                    idx = rng.integers(0, size, c["batchSize"])
                    s, s2 = torch.from_numpy(obs_buf[idx]), torch.from_numpy(next_buf[idx])
                    a, rw, d = torch.from_numpy(act_buf[idx]), torch.from_numpy(rew_buf[idx]), torch.from_numpy(done_buf[idx])
                    with torch.no_grad():
                        next_q = target(s2)
                        if c["doubleDqn"]:
                            next_q = next_q.gather(1, online(s2).argmax(1, keepdim=True))
                            y = rw + c["gamma"] * (1 - d) * next_q.squeeze(1)
                        else:
                            y = rw + c["gamma"] * (1 - d) * next_q.max(1).values
                    q = online(s).gather(1, a.unsqueeze(1)).squeeze(1)
                    loss = F.smooth_l1_loss(q, y) if c["loss"] == "huber" else F.mse_loss(q, y)
                    optimizer.zero_grad()
                    loss.backward()
                    if c["gradClipNorm"] is not None:
                        nn.utils.clip_grad_norm_(online.parameters(), c["gradClipNorm"])
                    optimizer.step()
            if env_steps % c["targetSyncEvery"] == 0:
                target.load_state_dict(online.state_dict())
            if terminated or truncated:
                break
            if env_steps >= c["maxEnvSteps"]:
                total = None  # cut short: not a complete episode
                break
        if total is not None:
            returns.append(total)
            solved = len(returns) >= window and sum(returns[-window:]) / window >= bar
    return {"solved": solved, "episodes": episode, "envSteps": env_steps,
            "seconds": time.perf_counter() - t0, "cpuSeconds": time.process_time() - c0, "torch": torch.__version__}


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: python3 bench/torch_dqn.py '<resolved TrainConfig as JSON>'")
    print(json.dumps(train(json.loads(sys.argv[1]))), flush=True)

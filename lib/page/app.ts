/**
 * The web page that plays a trained agent (`acrobot-dqn page`). Everything
 * runs in the browser: the library's own Acrobot, the saved Q-network loaded
 * with tf.loadLayersModel, and for the training mode the library's own
 * `train()` on the fast preset. Three modes:
 *  - agent: greedy episodes one after another, the Q values as bars;
 *  - you: the keyboard drives the torque (left, none, right);
 *  - train: the fast preset trained live, with its learning curve.
 */
import { Acrobot, DT, tipHeight, type Dynamics } from "../env/acrobot";
import { tf, initBackend, describeBackend } from "./tf-browser";
import { argmax, qValues } from "../agent/q-network";
import { train } from "../train/trainer";
import { presets } from "../train/presets";
import { drawAcrobot, drawCurve, type CurvePoint } from "./draw";

/** facts.json, written by lib/page/build.ts. */
export interface PageFacts {
  format: string;
  run: {
    label: string | null;
    preset: string | null;
    seed: number | null;
    solvedAtEpisode: number | null;
    greedy: { episodes: number; mean: number; std: number | null } | null;
  };
  env: { id: string; dynamics: Dynamics; maxEpisodeSteps: number };
}

const TORQUE = [-1, 0, 1];
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

interface Episode {
  env: Acrobot;
  obs: Float32Array;
  steps: number;
  return: number;
  done: boolean;
  reached: boolean;
  lastAction: number;
}

/** A new environment reset with `seed`; or, with `after`, the next episode of that environment (its generator goes on, as in Gymnasium). */
function newEpisode(facts: PageFacts, seed: number, after?: Episode): Episode {
  const env = after?.env ?? new Acrobot({ dynamics: facts.env.dynamics, maxEpisodeSteps: facts.env.maxEpisodeSteps });
  const obs = after ? env.reset() : env.reset({ seed });
  return { env, obs, steps: 0, return: 0, done: false, reached: false, lastAction: 1 };
}

function stepEpisode(ep: Episode, action: number): void {
  const r = ep.env.step(action);
  ep.obs = r.observation;
  ep.steps++;
  ep.return += r.reward;
  ep.lastAction = action;
  ep.reached = r.terminated;
  ep.done = r.terminated || r.truncated;
  document.body.dataset.action = String(action); // for tests and curious readers of the DOM
}

/** The agent's greedy return on a seed, played out at once (for "your turn"'s comparison). */
function agentReturn(model: tf.LayersModel, facts: PageFacts, seed: number): number {
  const ep = newEpisode(facts, seed);
  while (!ep.done) stepEpisode(ep, argmax(qValues(model, ep.obs)));
  return ep.return;
}

const fmt = (x: number, d = 1) => (Number.isInteger(x) ? String(x) : x.toFixed(d));
const mean = (xs: readonly number[]) => (xs.length === 0 ? NaN : xs.reduce((a, b) => a + b, 0) / xs.length);

async function main(): Promise<void> {
  const status = $("status");
  await initBackend();
  const facts = (await (await fetch("facts.json")).json()) as PageFacts;
  const model = await tf.loadLayersModel("model/model.json");
  $("backend").textContent = describeBackend();
  showFacts(facts);

  const arm = $<HTMLCanvasElement>("arm");
  let mode: "agent" | "you" | "train" = "agent";
  let playing = true;
  let speed = 1;
  let seed = Number(($<HTMLInputElement>("seed")).value) || 0;
  let ep = newEpisode(facts, seed);
  let episodeNo = 1;
  const agentReturns: number[] = [];
  let held = 1; // the human's action: 0 left, 1 none, 2 right
  let qScale = { lo: Infinity, hi: -Infinity };

  const render = (q: Float32Array | null) => {
    drawAcrobot(arm, ep.env.state, TORQUE[ep.lastAction], ep.reached);
    const h = tipHeight(ep.env.state);
    $("tip").textContent = h.toFixed(2);
    $("tip-fill").style.height = `${Math.max(0, Math.min(100, ((h + 2) / 4) * 100))}%`;
    $("tip-gauge").classList.toggle("above", h > 1);
    $("steps").textContent = String(ep.steps);
    $("return").textContent = fmt(ep.return);
    $("episode").textContent = String(episodeNo);
    if (q !== null) showQ(q);
  };

  const showQ = (q: Float32Array) => {
    const best = argmax(q);
    for (let a = 0; a < 3; a++) {
      qScale = { lo: Math.min(qScale.lo, q[a]), hi: Math.max(qScale.hi, q[a]) };
    }
    const span = Math.max(1e-6, qScale.hi - qScale.lo);
    for (let a = 0; a < 3; a++) {
      const bar = $(`q${a}`);
      bar.style.width = `${10 + (90 * (q[a] - qScale.lo)) / span}%`;
      bar.classList.toggle("chosen", a === best);
      $(`q${a}-value`).textContent = q[a].toFixed(2);
    }
  };

  const finishEpisode = () => {
    if (mode === "agent") {
      agentReturns.push(ep.return);
      const li = document.createElement("li");
      li.textContent = `episode ${episodeNo}: ${fmt(ep.return)} in ${ep.steps} steps${ep.reached ? " (reached the line)" : " (time limit)"}`;
      $("episodes").prepend(li);
      $("running-mean").textContent = `${fmt(mean(agentReturns), 2)} over ${agentReturns.length} episode(s)`;
      episodeNo++;
      ep = newEpisode(facts, seed, ep);
    } else if (mode === "you") {
      const theirs = agentReturn(model, facts, seed);
      const li = document.createElement("li");
      li.textContent = `seed ${seed}: you ${fmt(ep.return)}${ep.reached ? " (reached the line)" : " (time limit)"}, the agent ${fmt(theirs)}`;
      $("your-results").prepend(li);
      $("your-last").textContent = `you ${fmt(ep.return)} vs the agent ${fmt(theirs)}`;
      playing = false;
      $("play").textContent = "Play";
    }
  };

  /** One environment step in the current mode. */
  const tick = () => {
    if (ep.done) return;
    let q: Float32Array | null = null;
    let action: number;
    if (mode === "agent") {
      q = qValues(model, ep.obs);
      action = argmax(q);
    } else {
      action = held;
    }
    stepEpisode(ep, action);
    render(q);
    if (ep.done) finishEpisode();
  };

  // The clock: one step per DT / speed seconds ("max": as many as a frame holds).
  let last = performance.now(), owed = 0;
  const frame = (now: number) => {
    if (playing && mode !== "train") {
      owed += ((now - last) / 1000) * (speed / DT);
      const budget = speed >= 1000 ? 200 : 20;
      let n = 0;
      while (owed >= 1 && n < budget) {
        tick();
        owed--;
        n++;
      }
      if (n === budget) owed = 0;
    }
    last = now;
    requestAnimationFrame(frame);
  };

  const reset = () => {
    seed = Math.max(0, Math.floor(Number(($<HTMLInputElement>("seed")).value) || 0));
    ep = newEpisode(facts, seed);
    owed = 0;
    render(mode === "agent" ? qValues(model, ep.obs) : null);
  };

  $("play").addEventListener("click", () => {
    if (ep.done && mode === "you") reset();
    playing = !playing;
    $("play").textContent = playing ? "Pause" : "Play";
  });
  $("step").addEventListener("click", () => {
    playing = false;
    $("play").textContent = "Play";
    tick();
  });
  $("reset").addEventListener("click", reset);
  $<HTMLSelectElement>("speed").addEventListener("change", (e) => (speed = Number((e.target as HTMLSelectElement).value)));

  const setMode = (m: typeof mode) => {
    mode = m;
    for (const id of ["agent", "you", "train"]) {
      $(`tab-${id}`).classList.toggle("active", id === m);
      $(`panel-${id}`).hidden = id !== m;
    }
    document.body.dataset.mode = m;
    if (m !== "train") {
      playing = m === "agent";
      $("play").textContent = playing ? "Pause" : "Play";
      reset();
    }
  };
  for (const id of ["agent", "you", "train"] as const) $(`tab-${id}`).addEventListener("click", () => setMode(id));

  // Your turn: hold left or right (or A / D) for torque -1 / +1; nothing held is no torque.
  const keyAction = (key: string) => (key === "ArrowLeft" || key === "a" ? 0 : key === "ArrowRight" || key === "d" ? 2 : null);
  window.addEventListener("keydown", (e) => {
    const a = keyAction(e.key);
    if (a === null || mode !== "you") return;
    e.preventDefault();
    held = a;
    if (!playing && !ep.done) {
      playing = true;
      $("play").textContent = "Pause";
    }
  });
  window.addEventListener("keyup", (e) => {
    if (keyAction(e.key) === held) held = 1;
  });
  for (const [id, a] of [["press-left", 0], ["press-right", 2]] as const) {
    const b = $(id);
    b.addEventListener("pointerdown", () => {
      held = a;
      if (mode === "you" && !ep.done) playing = true;
    });
    for (const ev of ["pointerup", "pointerleave"]) b.addEventListener(ev, () => (held = 1));
  }

  setUpTraining();
  reset();
  status.textContent = "ready";
  document.body.dataset.ready = "true";
  requestAnimationFrame(frame);
}

/** The training mode: the library's train() on the fast preset, here in the page. */
function setUpTraining(): void {
  const curve = $<HTMLCanvasElement>("curve");
  let stopper: AbortController | null = null;
  const points: CurvePoint[] = [];
  drawCurve(curve, points, presets.fast.solvedAt ?? -90);
  $("train-start").addEventListener("click", async () => {
    if (stopper !== null) return;
    stopper = new AbortController();
    points.length = 0;
    ($<HTMLButtonElement>("train-start")).disabled = true;
    ($<HTMLButtonElement>("train-stop")).disabled = false;
    const seed = Math.max(0, Math.floor(Number(($<HTMLInputElement>("train-seed")).value) || 1));
    $("train-status").textContent = `training fast (seed ${seed})...`;
    try {
      const result = await train({ ...presets.fast, seed }, {
        signal: stopper.signal,
        handleSignals: false,
        onEpisode: async (r) => {
          points.push({ episode: r.episode, return: r.return, average100: r.average100 });
          (window as unknown as { acrobotTraining?: unknown }).acrobotTraining = points; // the curve's data, for tests
          $("train-status").textContent =
            `episode ${r.episode} | return ${fmt(r.return)} | 100-episode average ${r.average100.toFixed(1)} (bar -90) | epsilon ${r.epsilon.toFixed(2)} | ${r.envSteps} env steps | ${r.seconds.toFixed(0)} s`;
          drawCurve(curve, points, presets.fast.solvedAt ?? -90);
          curve.dataset.points = String(points.length);
          await new Promise((resolve) => requestAnimationFrame(resolve)); // let the page paint
        },
      });
      $("train-status").textContent = `${result.message} (${result.envSteps} env steps, ${result.seconds.toFixed(0)} s)`;
      result.model.dispose();
    } catch (e) {
      $("train-status").textContent = `training failed: ${(e as Error).message}`;
    } finally {
      stopper = null;
      ($<HTMLButtonElement>("train-start")).disabled = false;
      ($<HTMLButtonElement>("train-stop")).disabled = true;
    }
  });
  $("train-stop").addEventListener("click", () => stopper?.abort());
}

function showFacts(facts: PageFacts): void {
  const r = facts.run;
  const parts = [
    r.label ?? r.preset ?? "a saved model",
    r.seed !== null ? `seed ${r.seed}` : null,
    r.solvedAtEpisode !== null ? `reached the -90 bar at episode ${r.solvedAtEpisode}` : "did not reach the bar",
    r.greedy ? `greedy mean ${r.greedy.mean.toFixed(1)}${r.greedy.std !== null ? ` ± ${r.greedy.std.toFixed(1)}` : ""} over ${r.greedy.episodes} episodes` : null,
  ].filter((x) => x !== null);
  $("facts").textContent = parts.join(" · ");
}

// The environment the page runs, reachable from the console (and by the browser test, which replays Gymnasium's trajectories on it).
(window as unknown as { acrobotDqn?: unknown }).acrobotDqn = { Acrobot };

main().catch((e: Error) => {
  const el = document.getElementById("status");
  if (el) el.textContent = `could not start: ${e.message}`;
  console.error(e);
});

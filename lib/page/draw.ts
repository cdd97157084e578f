/**
 * What the page draws on its canvases: the acrobot (as Gymnasium renders it:
 * two links from a fixed pivot, the goal line one link length above it) and
 * the learning curve of the training mode.
 */
import { linkPositions, LINK_LENGTH_1, LINK_LENGTH_2 } from "../env/acrobot";

/** Sizes a canvas's buffer to its CSS box at the screen's pixel ratio; returns its CSS width and height. */
function fit(canvas: HTMLCanvasElement): { ctx: CanvasRenderingContext2D; w: number; h: number } {
  const ratio = window.devicePixelRatio || 1;
  const w = canvas.clientWidth || 300, h = canvas.clientHeight || 300;
  if (canvas.width !== Math.round(w * ratio) || canvas.height !== Math.round(h * ratio)) {
    canvas.width = Math.round(w * ratio);
    canvas.height = Math.round(h * ratio);
  }
  const ctx = canvas.getContext("2d")!;
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  return { ctx, w, h };
}

/** The arm in state [t1, t2, ...]; `torque` -1, 0 or +1 marks the actuated joint. */
export function drawAcrobot(canvas: HTMLCanvasElement, state: ArrayLike<number>, torque: number, reached: boolean): void {
  const { ctx, w, h } = fit(canvas);
  const reach = LINK_LENGTH_1 + LINK_LENGTH_2 + 0.2;
  const scale = Math.min(w, h) / (2 * reach);
  const cx = w / 2, cy = h / 2;
  const px = (x: number) => cx + x * scale, py = (y: number) => cy - y * scale;
  const { elbow, tip } = linkPositions(state);
  ctx.clearRect(0, 0, w, h);
  ctx.fillStyle = "#fafafa";
  ctx.fillRect(0, 0, w, h);
  // The line the tip must rise above: one link length over the pivot.
  ctx.strokeStyle = reached ? "#2ca02c" : "#444";
  ctx.lineWidth = 2;
  ctx.setLineDash([8, 6]);
  ctx.beginPath();
  ctx.moveTo(0, py(1));
  ctx.lineTo(w, py(1));
  ctx.stroke();
  ctx.setLineDash([]);
  ctx.lineCap = "round";
  for (const [from, to, color] of [[[0, 0], elbow, "#1f77b4"], [elbow, tip, "#1f77b4"]] as const) {
    ctx.strokeStyle = color;
    ctx.lineWidth = Math.max(4, scale * 0.12);
    ctx.beginPath();
    ctx.moveTo(px(from[0]), py(from[1]));
    ctx.lineTo(px(to[0]), py(to[1]));
    ctx.stroke();
  }
  // Joints; the elbow carries the torque, drawn as an arc in its direction.
  ctx.fillStyle = "#333";
  for (const [x, y] of [[0, 0], elbow]) {
    ctx.beginPath();
    ctx.arc(px(x), py(y), Math.max(3, scale * 0.05), 0, 2 * Math.PI);
    ctx.fill();
  }
  if (torque !== 0) {
    ctx.strokeStyle = "#d62728";
    ctx.lineWidth = 3;
    ctx.beginPath();
    const r = Math.max(10, scale * 0.18);
    ctx.arc(px(elbow[0]), py(elbow[1]), r, torque > 0 ? 0 : Math.PI, torque > 0 ? Math.PI * 0.8 : Math.PI * 1.8);
    ctx.stroke();
  }
  ctx.fillStyle = reached ? "#2ca02c" : "#ff7f0e";
  ctx.beginPath();
  ctx.arc(px(tip[0]), py(tip[1]), Math.max(4, scale * 0.07), 0, 2 * Math.PI);
  ctx.fill();
}

export interface CurvePoint {
  episode: number;
  return: number;
  average100: number;
}

/** Each episode's return (faint) and the 100-episode average (thick), with the bar dashed. */
export function drawCurve(canvas: HTMLCanvasElement, points: readonly CurvePoint[], bar: number): void {
  const { ctx, w, h } = fit(canvas);
  ctx.clearRect(0, 0, w, h);
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, 0, w, h);
  const left = 44, right = 8, top = 8, bottom = 24;
  const n = Math.max(points.length, 10);
  let lo = bar, hi = bar;
  for (const p of points) {
    lo = Math.min(lo, p.return);
    hi = Math.max(hi, p.return);
  }
  lo = Math.min(lo, -500);
  hi = Math.max(hi, 0);
  const x = (i: number) => left + ((i - 1) / Math.max(1, n - 1)) * (w - left - right);
  const y = (v: number) => top + ((hi - v) / (hi - lo)) * (h - top - bottom);
  ctx.strokeStyle = "#ccc";
  ctx.fillStyle = "#555";
  ctx.font = "11px sans-serif";
  ctx.lineWidth = 1;
  for (const v of [0, -100, -200, -300, -400, -500]) {
    if (v < lo || v > hi) continue;
    ctx.beginPath();
    ctx.moveTo(left, y(v));
    ctx.lineTo(w - right, y(v));
    ctx.stroke();
    ctx.fillText(String(v), 4, y(v) + 4);
  }
  ctx.fillText(`episode ${points.length}`, w - right - 80, h - 6);
  ctx.setLineDash([6, 4]);
  ctx.strokeStyle = "#2ca02c";
  ctx.beginPath();
  ctx.moveTo(left, y(bar));
  ctx.lineTo(w - right, y(bar));
  ctx.stroke();
  ctx.setLineDash([]);
  const line = (value: (p: CurvePoint) => number, color: string, width: number) => {
    ctx.strokeStyle = color;
    ctx.lineWidth = width;
    ctx.beginPath();
    points.forEach((p, i) => (i === 0 ? ctx.moveTo(x(p.episode), y(value(p))) : ctx.lineTo(x(p.episode), y(value(p)))));
    ctx.stroke();
  };
  line((p) => p.return, "rgba(31,119,180,0.3)", 1);
  line((p) => p.average100, "#1f77b4", 2.5);
}

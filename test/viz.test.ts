/**
 * lib/viz: figures carry the right data, SVG fallbacks are well-formed and
 * show the same curves, chart HTML survives as a picture and draws with
 * Plotly when present, and the notebook helpers behave in and out of a kernel.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import * as vm from "node:vm";
import { linkPositions } from "../lib/env/acrobot";
import type { EpisodeRecord } from "../lib/train/trainer";
import { escapeXml, lineChartSvg, niceTicks, acrobotFrameSvg } from "../lib/viz/svg-chart";
import {
  acrossRuns, armPositions, compareFigure, episodeAnimationFigure, figureToSvg, frameIndices, learningCurveFigure, ARM_UID,
} from "../lib/viz/figures";
import { chartHtml, plotlyBundle, plotlyBundleScript, reportHtml, tableHtml, wrapPlotlyBundle, svgDataUri } from "../lib/viz/html";
import { inNotebook, lessonLine, liveTraining, pyFixed, setupPlotly, showChart, showEpisode, statusLine } from "../lib/viz/notebook";

// ---------------------------------------------------------------- helpers

function records(n: number, solvedFrom = Infinity): EpisodeRecord[] {
  const out: EpisodeRecord[] = [];
  const window: number[] = [];
  for (let e = 1; e <= n; e++) {
    const ret = e >= solvedFrom ? -80 : -500 + ((e * 37) % 23);
    window.push(ret);
    if (window.length > 100) window.shift();
    out.push({
      episode: e, steps: -ret, return: ret, average100: window.reduce((a, b) => a + b, 0) / window.length, envReturn: ret,
      terminated: ret > -500, epsilon: Math.max(0.05, 1 - e / 100), loss: e > 1 ? 1 / e : null, cut: false, envSteps: e * 400, seconds: e * 0.25,
    });
  }
  return out;
}

/** A swinging-up episode of internal states [t1, t2, dt1, dt2]. */
function episode(n: number): number[][] {
  return Array.from({ length: n }, (_, i) => [Math.PI * (i / Math.max(1, n - 1)) * 0.9 + 0.05, 0.3 * Math.sin(i / 5), 0, 0]);
}

/**
 * Minimal XML well-formedness: every tag balanced and properly nested,
 * attributes quoted, no stray "<" or unescaped "&" in text.
 */
function assertWellFormedXml(xml: string): void {
  const stack: string[] = [];
  const tag = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/y;
  let i = 0;
  while (i < xml.length) {
    const lt = xml.indexOf("<", i);
    const text = xml.slice(i, lt === -1 ? xml.length : lt);
    assert.doesNotMatch(text, /&(?!(amp|lt|gt|quot|apos|#\d+);)/, `unescaped & in text: ${text.slice(0, 60)}`);
    assert.doesNotMatch(text, />/, `stray > in text: ${text.slice(0, 60)}`);
    if (lt === -1) break;
    tag.lastIndex = lt;
    const m = tag.exec(xml);
    assert.ok(m, `malformed tag at ${lt}: ${xml.slice(lt, lt + 80)}`);
    const [, closing, name, , selfClosing] = m;
    if (closing) assert.equal(stack.pop(), name, `</${name}> closes the wrong element`);
    else if (!selfClosing) stack.push(name);
    i = tag.lastIndex;
  }
  assert.deepEqual(stack, [], "unclosed elements");
}

function assertCleanNumbers(svg: string): void {
  assert.doesNotMatch(svg, /NaN|Infinity|undefined/);
}

function attr(el: string, name: string): string {
  const m = new RegExp(`\\s${name}="([^"]*)"`).exec(el);
  assert.ok(m, `no ${name} in ${el.slice(0, 80)}`);
  return m[1];
}

/** Runs a chart's inline script against a fake page; returns what it did. */
async function runChartScript(html: string, plotly: boolean, page: Record<string, unknown> = {}) {
  const script = /<script type="text\/javascript">([\s\S]*)<\/script>/.exec(html)?.[1];
  assert.ok(script, "chart has a script");
  const id = attr(html, "id");
  const style = () => ({ display: "", cssText: "" });
  const img = { style: style() }, plot = { style: style() };
  const appended: { className: string; textContent: string }[] = [];
  const root = {
    querySelector: (sel: string) => (sel === ".acrobot-static" ? img : sel === ".acrobot-plot" ? plot : null),
    appendChild: (el: { className: string; textContent: string }) => appended.push(el),
  };
  const calls: { fn: string; args: unknown[] }[] = [];
  const Plotly = {
    newPlot: (...args: unknown[]) => (calls.push({ fn: "newPlot", args }), Promise.resolve()),
    addFrames: (...args: unknown[]) => (calls.push({ fn: "addFrames", args }), Promise.resolve()),
    purge: (...args: unknown[]) => calls.push({ fn: "purge", args }),
  };
  const timers: (() => void)[] = [];
  const ctx: Record<string, unknown> = Object.assign(page, {
    document: {
      getElementById: (x: string) => (x === id ? root : null),
      createElement: () => ({ className: "", textContent: "", style: style() }),
    },
    setTimeout: (f: () => void) => timers.push(f),
    console,
  });
  ctx.window = ctx;
  if (plotly) ctx.Plotly = Plotly;
  vm.runInNewContext(script, ctx);
  timers.shift()?.(); // the deferred first draw
  await new Promise((r) => setImmediate(r));
  return { calls, img, plot, appended, pendingRetries: timers.length };
}

// ---------------------------------------------------------------- svg-chart

describe("svg-chart", () => {
  test("escapeXml escapes the five XML specials", () => {
    assert.equal(escapeXml(`a<b>&"c"'`), "a&lt;b&gt;&amp;&quot;c&quot;&apos;");
  });

  test("niceTicks gives round steps inside the range", () => {
    assert.deepEqual(niceTicks(-500, 0, 5), [-500, -400, -300, -200, -100, 0]);
    assert.deepEqual(niceTicks(0, 1, 5), [0, 0.2, 0.4, 0.6, 0.8, 1]);
    assert.deepEqual(niceTicks(3, 3), [3]);
    const t = niceTicks(-512.3, -61.7, 6);
    assert.ok(t.every((v) => v >= -512.3 && v <= -61.7) && t.length >= 4);
  });

  test("line chart: one path per trace, bands, reference line with label, escaped title", () => {
    const svg = lineChartSvg({
      title: "A <b> & c", xLabel: "episode", yLabel: "return",
      lines: [
        { x: [1, 2, 3, 4], y: [-500, -400, null, -100], color: "#1f77b4", name: "avg" },
        { x: [1, 2, 3, 4], y: [-450, NaN, -300, -90], color: "#ff7f0e", name: "other", dash: "dash", opacity: 0.4 },
      ],
      bands: [{ x: [1, 2, 3, 4], lower: [-510, -420, -320, -120], upper: [-480, -380, -280, -80], color: "rgba(31,119,180,0.2)", name: "band" }],
      refLines: [{ y: -90, label: "solved: -90" }],
    });
    assertWellFormedXml(svg);
    assertCleanNumbers(svg);
    assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="760" height="380"/);
    assert.equal(svg.match(/<path class="trace"/g)?.length, 2);
    assert.equal(svg.match(/<polygon class="band"/g)?.length, 1);
    assert.match(svg, /<line class="refline"/);
    assert.match(svg, />solved: -90</);
    assert.match(svg, />A &lt;b&gt; &amp; c</);
    // the gap (null / NaN) restarts the path with a new "M"
    const first = attr(svg.match(/<path class="trace"[^>]*>/)![0], "d");
    assert.equal(first.match(/M/g)?.length, 2);
  });

  test("long series are reduced per pixel column but keep their extremes", () => {
    const n = 20000;
    const y = Array.from({ length: n }, (_, i) => (i === 12345 ? -1000 : Math.sin(i / 100)));
    const svg = lineChartSvg({ lines: [{ x: Array.from({ length: n }, (_, i) => i), y, color: "#000" }] });
    const d = attr(svg.match(/<path class="trace"[^>]*>/)![0], "d");
    const points = d.split(/[ML]/).filter(Boolean).map((p) => p.split(",").map(Number));
    assert.ok(points.length < 4 * 760, `${points.length} points`);
    const lowest = Math.max(...points.map((p) => p[1])); // screen y grows downwards
    const plotBottom = Math.max(...[...svg.matchAll(/<rect x="[\d.]+" y="([\d.]+)" width="[\d.]+" height="([\d.]+)" fill="#fafafa"/g)].map((m) => Number(m[1]) + Number(m[2])));
    assert.ok(Math.abs(lowest - plotBottom) < plotBottom * 0.06, "the -1000 spike is still drawn");
  });

  test("acrobot frame: links from the pivot, joints, tip, dashed target at height 1", () => {
    const pos = linkPositions([0.4, 0.7, 0, 0]);
    const svg = acrobotFrameSvg(pos, { title: "t", caption: "step 3", trail: [[0, -2], [0.5, -1.5]] });
    assertWellFormedXml(svg);
    assertCleanNumbers(svg);
    assert.equal(svg.match(/<circle class="joint"/g)?.length, 2);
    assert.equal(svg.match(/<circle class="tip"/g)?.length, 1);
    const target = svg.match(/<line class="target"[^>]*>/)![0];
    assert.match(target, /stroke-dasharray/);
    // 380 px for 4.4 link lengths, 30 px of title: y = 1 sits at 30 + 190 - 190/2.2
    assert.equal(Number(attr(target, "y1")), Math.round((30 + 190 - 190 / 2.2) * 10) / 10);
    const pts = attr(svg.match(/<polyline class="arm"[^>]*>/)![0], "points").split(" ").map((p) => p.split(",").map(Number));
    const X = (v: number) => Math.round((190 + (v / 2.2) * 190) * 10) / 10;
    assert.deepEqual(pts.map((p) => p[0]), [X(0), X(pos.elbow[0]), X(pos.tip[0])]);
  });
});

// ---------------------------------------------------------------- figures

describe("figures", () => {
  test("learning curve: the average trace is the records' average100, returns behind it, solved bar", () => {
    const rs = records(250, 120);
    const fig = learningCurveFigure(rs, { solvedAt: -90, title: "Chapter 3" });
    const avg = fig.data.find((t) => t.name === "100-episode average")!;
    const ret = fig.data.find((t) => t.name === "return of each episode")!;
    assert.deepEqual(avg.y, rs.map((r) => r.average100));
    assert.deepEqual(avg.x, rs.map((r) => r.episode));
    assert.deepEqual(ret.y, rs.map((r) => r.return));
    assert.ok(fig.data.indexOf(ret) < fig.data.indexOf(avg), "returns drawn first (behind)");
    assert.ok((ret.opacity ?? 1) < 1);
    const bar = fig.layout.shapes![0];
    assert.equal(bar.y0, -90);
    assert.equal(bar.y1, -90);
    assert.equal(bar.xref, "paper");
    assert.equal(fig.layout.annotations![0].text, "solved: -90");
    assert.equal(fig.layout.title?.text, "Chapter 3");
    assert.equal(learningCurveFigure(rs).layout.shapes!.length, 0);
  });

  test("learning curve SVG shows both curves and the bar", () => {
    const fig = learningCurveFigure(records(300, 150), { solvedAt: -90 });
    const svg = figureToSvg(fig);
    assertWellFormedXml(svg);
    assertCleanNumbers(svg);
    assert.equal(svg.match(/<path class="trace"/g)?.length, 2);
    assert.match(svg, />solved: -90</);
    assert.match(svg, />100-episode average</);
  });

  test("acrossRuns: runs of different lengths are averaged over the runs still going (or held)", () => {
    const a = [1, 2, 3, 4], b = [3, 4];
    const drop = acrossRuns([a, b]);
    assert.deepEqual(drop.episode, [1, 2, 3, 4]);
    assert.deepEqual(drop.mean, [2, 3, 3, 4]);
    assert.deepEqual(drop.runs, [2, 2, 1, 1]);
    assert.deepEqual(drop.lower, [1, 2, 3, 4]);
    assert.deepEqual(drop.upper, [3, 4, 3, 4]);
    const hold = acrossRuns([a, b], "minmax", "hold");
    assert.deepEqual(hold.mean, [2, 3, 3.5, 4]);
    assert.deepEqual(hold.runs, [2, 2, 2, 2]);
    const std = acrossRuns([[0], [2]], "std");
    assert.deepEqual([std.lower[0], std.mean[0], std.upper[0]], [0, 1, 2]);
  });

  test("compare: per group a mean line with a band that brackets it, legend says which band", () => {
    const run = (shift: number, len: number) => ({ average100: Array.from({ length: len }, (_, i) => -500 + i * 2 + shift) });
    const groups = [
      { name: "chapter 2", runs: [run(0, 200), run(10, 180), run(-15, 150)] },
      { name: "chapter 4", runs: [run(40, 120), run(30, 100)] },
      { name: "single", runs: [run(5, 50)] },
    ];
    const fig = compareFigure(groups, { solvedAt: -90 });
    for (const g of groups) {
      const mean = fig.data.find((t) => t.legendgroup === g.name && t.showlegend !== false)!;
      assert.match(mean.name!, new RegExp(`^${g.name} \\(${g.runs.length} seeds?\\)$`));
      const band = fig.data.filter((t) => t.legendgroup === g.name && t.showlegend === false);
      if (g.runs.length < 2) {
        assert.equal(band.length, 0);
        continue;
      }
      const [lower, upper] = band;
      assert.equal(upper.fill, "tonexty");
      assert.equal(fig.data.indexOf(upper), fig.data.indexOf(lower) + 1, "upper fills down to the lower edge");
      assert.equal(mean.x.length, Math.max(...g.runs.map((r) => r.average100.length)));
      mean.y.forEach((m, i) => {
        assert.ok(lower.y[i]! <= m! + 1e-9 && m! <= upper.y[i]! + 1e-9, `episode ${i + 1}`);
      });
    }
    assert.match(fig.layout.legend!.title!.text, /band: min to max/);
    assert.match(compareFigure(groups, { band: "std" }).layout.legend!.title!.text, /std/);
    const svg = figureToSvg(fig);
    assertWellFormedXml(svg);
    assertCleanNumbers(svg);
    assert.equal(svg.match(/<polygon class="band"/g)?.length, 2);
    assert.equal(svg.match(/<path class="trace"/g)?.length, 3);
    assert.match(svg, /band: min to max/);
  });

  test("frameIndices: every k-th, the last and the kept ones, within the budget", () => {
    assert.deepEqual(frameIndices(5, 1, 300), [0, 1, 2, 3, 4]);
    assert.deepEqual(frameIndices(10, 4, 300, [5]), [0, 4, 5, 8, 9]);
    const many = frameIndices(5001, 1, 300, [4321]);
    assert.ok(many.length <= 300, `${many.length}`);
    assert.ok(many.includes(5000) && many.includes(4321) && many[0] === 0);
  });

  test("episode animation: frames, first frame at linkPositions, Play/Pause, slider, fixed square axes", () => {
    const states = episode(120);
    const fig = episodeAnimationFigure(states, { title: "greedy episode" });
    assert.equal(fig.frames!.length, 120);
    const arm = fig.data.findIndex((t) => t.uid === ARM_UID);
    const p0 = linkPositions(states[0]);
    assert.deepEqual(fig.data[arm].x, [0, p0.elbow[0], p0.tip[0]]);
    assert.deepEqual(fig.data[arm].y, [0, p0.elbow[1], p0.tip[1]]);
    const f0 = fig.frames![0];
    const armData = f0.data[f0.traces.indexOf(arm)];
    assert.deepEqual(armData.x, [0, p0.elbow[0], p0.tip[0]]);
    assert.deepEqual(armData.y, [0, p0.elbow[1], p0.tip[1]]);
    assert.deepEqual(fig.layout.xaxis!.range, [-2.2, 2.2]);
    assert.deepEqual(fig.layout.yaxis!.range, [-2.2, 2.2]);
    assert.equal(fig.layout.yaxis!.scaleanchor, "x");
    assert.equal(fig.layout.shapes![0].y0, 1);
    const buttons = fig.layout.updatemenus![0].buttons;
    assert.deepEqual(buttons.map((b) => b.label), ["Play", "Pause"]);
    assert.equal(buttons[0].args[0], null);
    assert.equal(buttons[0].args[1].fromcurrent, true);
    assert.deepEqual(buttons[1].args[0], [null]);
    const steps = fig.layout.sliders![0].steps;
    assert.equal(steps.length, fig.frames!.length);
    assert.deepEqual(steps.map((s) => s.args[0]), fig.frames!.map((f) => [f.name]));
    assert.equal(steps[10].label, "10 \u00b7 2.0 s"); // dt = 0.2 s per step
    assert.equal(fig.layout.title?.text, "greedy episode");
  });

  test("episode animation subsamples long episodes to at most 300 frames, keeping the last", () => {
    const fig = episodeAnimationFigure(episode(1000));
    assert.ok(fig.frames!.length <= 300);
    assert.equal(fig.frames![fig.frames!.length - 1].name, "999");
    assert.equal(episodeAnimationFigure(episode(100), { every: 10 }).frames!.length, 11);
  });

  test("observations draw the same arm as internal states", () => {
    const s = [0.7, -1.2, 0.3, 0.1];
    const obs = [Math.cos(s[0]), Math.sin(s[0]), Math.cos(s[1]), Math.sin(s[1]), s[2], s[3]];
    const a = armPositions(obs), b = linkPositions(s);
    for (let k = 0; k < 2; k++) {
      assert.ok(Math.abs(a.tip[k] - b.tip[k]) < 1e-12 && Math.abs(a.elbow[k] - b.elbow[k]) < 1e-12);
    }
  });

  test("the animation's static picture is the frame with the highest tip", () => {
    const states = episode(60);
    const fig = episodeAnimationFigure(states);
    const svg = figureToSvg(fig);
    assertWellFormedXml(svg);
    assertCleanNumbers(svg);
    let best = 0;
    states.forEach((s, i) => {
      if (linkPositions(s).tip[1] > linkPositions(states[best]).tip[1]) best = i;
    });
    const p = linkPositions(states[best]);
    const tip = svg.match(/<circle class="tip"[^>]*>/)![0];
    const Y = (v: number) => Math.round((30 + 190 - (v / 2.2) * 190) * 10) / 10;
    assert.equal(Number(attr(tip, "cy")), Y(p.tip[1]));
    assert.match(svg, new RegExp(`highest tip: step ${best} `));
  });
});

// ---------------------------------------------------------------- html

describe("html", () => {
  const fig = learningCurveFigure(records(30), { solvedAt: -90, title: "</script><b>x</b>" });
  const svg = figureToSvg(fig);

  test("chartHtml carries the SVG as a base64 data URI, and the figure for newPlot", () => {
    const html = chartHtml(fig, svg, { id: "curve" });
    const uri = attr(html.match(/<img class="acrobot-static"[^>]*>/)![0], "src");
    assert.ok(uri.startsWith("data:image/svg+xml;base64,"));
    assert.equal(Buffer.from(uri.slice(uri.indexOf(",") + 1), "base64").toString("utf8"), svg);
    assert.equal(uri, svgDataUri(svg));
    assert.match(html, /class="acrobot-plot"/);
    assert.match(html, /Plotly\.newPlot\(/);
    assert.equal(html.match(/<\/script>/g)?.length, 1, "the title cannot end the script early");
    assert.ok(html.startsWith('<div class="acrobot-chart"') && html.endsWith("</div>"));
  });

  test("the chart script draws with Plotly (and adds animation frames), hiding the picture", async () => {
    const r = await runChartScript(chartHtml(fig, svg, { id: "curve" }), true);
    assert.deepEqual(r.calls.map((c) => c.fn), ["newPlot"]);
    const [, data, layout, config] = r.calls[0].args as [unknown, typeof fig.data, typeof fig.layout, Record<string, unknown>];
    assert.deepEqual(JSON.parse(JSON.stringify(data)), JSON.parse(JSON.stringify(fig.data))); // across vm realms
    assert.equal(layout.title?.text, "</script><b>x</b>");
    assert.equal(config.responsive, true);
    assert.equal(r.img.style.display, "none");
    assert.equal(r.plot.style.display, "block");

    const anim = episodeAnimationFigure(episode(20));
    const a = await runChartScript(chartHtml(anim, figureToSvg(anim)), true);
    assert.deepEqual(a.calls.map((c) => c.fn), ["newPlot", "addFrames"]);
    assert.equal((a.calls[1].args[1] as unknown[]).length, 20);
  });

  test("redrawing a named chart purges its previous plot; unnamed charts leave each other alone", async () => {
    const page: Record<string, unknown> = {};
    const calls = async (html: string) => (await runChartScript(html, true, page)).calls.map((c) => c.fn);
    assert.deepEqual(await calls(chartHtml(fig, svg)), ["newPlot"]);
    assert.deepEqual(await calls(chartHtml(fig, svg)), ["newPlot"]);
    assert.deepEqual(await calls(chartHtml(fig, svg, { id: "live" })), ["newPlot"]);
    assert.deepEqual(await calls(chartHtml(fig, svg, { id: "live" })), ["purge", "newPlot"]);
  });

  test("without Plotly on the page the picture stays and a note says to run the setup cell", async () => {
    const r = await runChartScript(chartHtml(fig, svg), false);
    assert.equal(r.calls.length, 0);
    assert.notEqual(r.img.style.display, "none");
    assert.equal(r.appended.length, 1);
    assert.match(r.appended[0].textContent, /run the setup cell/);
    assert.equal(r.pendingRetries, 1, "keeps checking for Plotly for a while");
  });

  test("the bundle wrapper defines window.Plotly despite RequireJS, and only once", () => {
    // A UMD header of the kind that prefers AMD when `define.amd` exists.
    const fakeBundle = `(function (root, factory) {
      if (typeof define === "function" && define.amd) define([], factory);
      else if (typeof module === "object" && module.exports) module.exports = factory();
      else root.Plotly = factory();
    })(this, function () { loads++; return { version: "fake" }; });`;
    let defined = 0;
    const ctx: Record<string, unknown> = { loads: 0 };
    ctx.window = ctx;
    ctx.define = Object.assign(() => defined++, { amd: {} });
    ctx.module = { exports: {} };
    const script = wrapPlotlyBundle(fakeBundle);
    vm.runInNewContext(script, ctx);
    assert.equal((ctx.Plotly as { version: string }).version, "fake");
    assert.equal(defined, 0);
    vm.runInNewContext(script, ctx);
    assert.equal(ctx.loads, 1, "does nothing when window.Plotly exists");
    assert.match(wrapPlotlyBundle("a = '</script>'; // <!-- x"), /'\\x3C\/script>'.*\\x3C!--/);
  });

  test("plotlyBundleScript inlines the installed bundle, guarded, as valid JavaScript", () => {
    const b = plotlyBundle();
    const html = plotlyBundleScript();
    assert.ok(html.startsWith('<script type="text/javascript">') && html.endsWith("</script>"));
    assert.equal(html.match(/<\/script/gi)?.length, 1);
    assert.match(html, /!window\.Plotly/);
    assert.match(html, /\(function \(define, module, exports, require\) \{/);
    assert.ok(html.includes(b.source.slice(0, 2000)) && html.length > b.source.length);
    assert.match(b.source, new RegExp(`plotly\\.js v${b.version.replace(/\./g, "\\.")}`));
    assert.equal(plotlyBundleScript(), html, "cached");
    const body = html.slice(html.indexOf("\n") + 1, -"</script>".length);
    assert.doesNotThrow(() => new vm.Script(body), "the wrapped bundle parses");
  });

  test("reportHtml is a complete standalone document", () => {
    const page = reportHtml("Report <1>", [{ heading: "Curve & more", html: chartHtml(fig, svg) }, { html: tableHtml([{ a: 1 }]) }], { inlinePlotly: false });
    assert.match(page, /^<!DOCTYPE html>\n<html lang="en">/);
    assert.match(page, /<meta charset="utf-8">/);
    assert.match(page, /<title>Report &lt;1&gt;<\/title>/);
    assert.match(page, /<h2>Curve &amp; more<\/h2>/);
    assert.match(page, /<script type="text\/javascript" src="https:\/\/cdn\.plot\.ly\/plotly-[\d.]+\.min\.js"><\/script>/);
    const body = page.slice(page.indexOf("<body>"));
    assert.ok(body.indexOf('class="acrobot-chart"') < body.indexOf('class="acrobot-table"'), "sections in order");
    assert.ok(page.trimEnd().endsWith("</html>"));
    const inline = reportHtml("r", []);
    assert.ok(inline.length > plotlyBundle().source.length, "plotly inlined by default");
    assert.ok(inline.indexOf("window.Plotly") < inline.indexOf("<body>"));
  });

  test("tableHtml escapes cells and headers, formats numbers and nulls", () => {
    const html = tableHtml([{ "preset <x>": "a<b>&c", episodes: 120, seconds: 12.3456, solved: null }, { "preset <x>": "d", episodes: 99 }]);
    assert.match(html, /<th style="text-align:left">preset &lt;x&gt;<\/th>/);
    assert.match(html, /<td style="text-align:left">a&lt;b&gt;&amp;c<\/td>/);
    assert.match(html, /<td style="text-align:right">12\.35<\/td>/);
    assert.equal(html.match(/\u2014/g)?.length, 3, "null and missing cells show a dash");
    assert.doesNotMatch(html.replace(/<\/?(table|thead|tbody|tr|th|td)( style="text-align:(left|right)")?[^>]*>/g, ""), /[<>]/);
  });
});

// ---------------------------------------------------------------- notebook

describe("notebook", () => {
  const capture = async (f: () => void | Promise<void>) => {
    const lines: string[] = [];
    const log = console.log;
    console.log = (...a: unknown[]) => lines.push(a.join(" "));
    try {
      await f();
    } finally {
      console.log = log;
    }
    return lines;
  };

  test("pyFixed matches Python's {:.3f}, including exact ties and negative zero", () => {
    // python3 -c 'print(["{:.3f}".format(x) for x in (-95.0625, 0.0625, 0.0005, -0.0, -0.0001, 123.4565, -500)])'
    assert.deepEqual([-95.0625, 0.0625, 0.0005, -0, -0.0001, 123.4565, -500].map((x) => pyFixed(x)), [
      "-95.062", "0.062", "0.001", "-0.000", "-0.000", "123.457", "-500.000",
    ]);
    assert.deepEqual([NaN, Infinity, -Infinity].map((x) => pyFixed(x)), ["nan", "inf", "-inf"]);
  });

  test("lessonLine is the lesson's exact line", () => {
    const r = records(3)[2];
    assert.equal(lessonLine({ ...r, episode: 7, return: -500, average100: -487.123456 }), "[Episode 7] Reward : -500.000, Average reward : -487.123");
  });

  test("statusLine reports episode, return, average, epsilon, rate and elapsed time", () => {
    const line = statusLine(records(40), -90);
    assert.match(line, /^episode 40 \| return -?\d+\.\d \| 100-episode average -?\d+\.\d\d \(bar -90\) \| epsilon 0\.600 \| 4\.00 episodes\/s \| elapsed 0:10$/);
  });

  test("outside a kernel: text lines instead of displays, a status line every `every` episodes", async () => {
    assert.equal(inNotebook(), false);
    const rs = records(25);
    const lines = await capture(() => {
      const live = liveTraining({ every: 10, solvedAt: -90 });
      for (const r of rs) live.onEpisode(r);
      live.finish({ message: "reached the episode budget (25)" });
      assert.equal(live.records.length, 25);
    });
    assert.equal(lines.length, 3);
    assert.match(lines[0], /^episode 10 /);
    assert.match(lines[2], /^episode 25 .*\| reached the episode budget \(25\)$/);

    const lesson = await capture(() => {
      const live = liveTraining({ lessonLog: true });
      for (const r of rs.slice(0, 3)) live.onEpisode(r);
    });
    assert.deepEqual(lesson, rs.slice(0, 3).map(lessonLine));

    const other = await capture(() => {
      setupPlotly();
      showChart(learningCurveFigure(rs));
      showEpisode(episode(10));
    });
    assert.equal(other.length, 3);
    assert.match(other[1], /^\[chart\] Learning curve: 2 trace\(s\)/);
  });

  test("inside a (simulated) tslab kernel: bundle once, one status line and one chart updated in place", async () => {
    // tslab's display writes through jupyter.lastWriteDisplayData, set by the kernel per execution.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const jupyter = require("tslab/dist/jupyter") as { lastWriteDisplayData: unknown };
    type Msg = { data: Record<string, string>; transient: { display_id?: string } };
    const sent: { msg: Msg; update: boolean }[] = [];
    const g = globalThis as unknown as Record<string, unknown>;
    g.__tslab__ = {};
    jupyter.lastWriteDisplayData = (msg: Msg, update: boolean) => sent.push({ msg, update: Boolean(update) });
    try {
      assert.equal(inNotebook(), true);
      setupPlotly();
      assert.ok(sent[0].msg.data["text/html"].length > plotlyBundle().source.length);
      assert.equal(sent[0].update, false);
      // The bundle's output is then replaced by a small one: that is what a saved notebook keeps.
      assert.equal(sent[1].update, true);
      assert.equal(sent[1].msg.transient.display_id, sent[0].msg.transient.display_id);
      assert.ok(sent[1].msg.data["text/html"].length < 3000, `status output is ${sent[1].msg.data["text/html"].length} characters`);
      assert.match(sent[1].msg.data["text/html"], /plotly\.js [\d.]+ loaded: charts below are interactive/);
      assert.match(sent[1].msg.data["text/html"], /<div[^>]*>plotly\.js [\d.]+ was sent to the page when this cell ran; it is not saved/);
      setupPlotly();
      assert.equal(sent.length, 3, "not sent twice");
      assert.match(sent[2].msg.data["text/plain"], /already sent/);
      sent.length = 0;

      const live = liveTraining({ every: 10, solvedAt: -90 });
      for (const r of records(35)) live.onEpisode(r);
      live.finish({ message: "done" });
      const ids = new Set(sent.map((s) => s.msg.transient.display_id));
      assert.equal(ids.size, 2, "one status display and one chart display");
      const [statusId, chartId] = [...ids];
      const charts = sent.filter((s) => s.msg.transient.display_id === chartId);
      assert.equal(charts.length, 1 + 3 + 1, "placeholder, every 10 episodes, final");
      assert.ok(charts.slice(1).every((s) => s.update && /Plotly\.newPlot/.test(s.msg.data["text/html"])));
      const status = sent.filter((s) => s.msg.transient.display_id === statusId);
      assert.ok(status.length < 35, "status line throttled");
      assert.match(status[status.length - 1].msg.data["text/plain"], /^episode 35 .*\| done$/);

      sent.length = 0;
      showEpisode(episode(30));
      assert.equal(sent.length, 1);
      assert.match(sent[0].msg.data["text/html"], /data:image\/svg\+xml;base64,.*Plotly\.addFrames/s);
    } finally {
      jupyter.lastWriteDisplayData = null;
      delete g.__tslab__;
      delete g.__acrobotDqnPlotlySent;
    }
  });
});

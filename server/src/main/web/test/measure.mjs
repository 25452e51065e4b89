// Rough figures for docs/browser.md, not a test: (1) how many frames per second the page draws for
// 16 samples with every step streamed (DELIVERY_ALL, state + denoised), (2) the server's CPU time
// per stream when the same request comes from the page (gRPC-Web over HTTP/1.1) or from a native
// gRPC client (HTTP/2). CPU is the server process's utime + stime from /proc (Linux), so other
// processes on the machine do not count. Usage, after mvn package:
//   node test/measure.mjs [--steps=300] [--streams=3]
import { readFileSync } from "node:fs";
import { create } from "@bufbuild/protobuf";
import { Delivery, GenerateRequestSchema, StepContentSchema } from "../gen/pfgm/v1/generator_pb.js";
import { launchBrowser, nativeClient, startServer } from "./harness.mjs";

const arg = (name, fallback) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? fallback);
const STEPS = arg("steps", 300);
const STREAMS = arg("streams", 3);
const MODEL = "mnist-exact-d128";
const TICK = 100; // USER_HZ: /proc/<pid>/stat counts CPU time in 1/100 s

function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) / TICK; // utime, stime
}

const server = await startServer();
let browser = null;
let page = null;

/** One run from the page; returns its frames drawn per second and wall time. */
async function pageRun() {
  await page.evaluate(() => {
    const w = window;
    w.__m = { frames: 0, first: 0, last: 0, stop: false };
    let previous = null;
    const tick = (now) => {
      const c = document.querySelector('.panel[data-panel="a"] canvas[data-kind="denoised"]');
      if (c !== null) {
        const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
        let h = 0;
        for (let i = 0; i < d.length; i += 4) {
          h = (Math.imul(h, 31) + d[i]) | 0;
        }
        if (h !== previous) {
          previous = h;
          w.__m.frames++;
          w.__m.first ||= now;
          w.__m.last = now;
        }
      }
      if (!w.__m.stop) {
        requestAnimationFrame(tick);
      }
    };
    requestAnimationFrame(tick);
  });
  const t0 = Date.now();
  await page.click("#start");
  await page.waitForSelector('.panel[data-panel="a"][data-phase="done"]', { timeout: 120_000 });
  const m = await page.evaluate(() => {
    window.__m.stop = true;
    return window.__m;
  });
  return { fps: (m.frames - 1) / ((m.last - m.first) / 1000), wall: (Date.now() - t0) / 1000 };
}

/** One native stream; previewEvery 0 streams no Step event (what the engine costs without them). */
async function nativeRun(previewEvery = 1) {
  const t0 = Date.now();
  let steps = 0;
  for await (const res of nativeClient(server).generate(create(GenerateRequestSchema, {
    model: MODEL, numSamples: 16, seed: 7n, steps: STEPS, previewEvery, delivery: Delivery.ALL,
    stepContent: create(StepContentSchema, { state: true, denoised: true }) }))) {
    steps += res.event.case === "step" ? 1 : 0;
  }
  if (steps !== (previewEvery === 0 ? 0 : STEPS)) {
    throw new Error(`native stream delivered ${steps} of ${STEPS} steps`);
  }
  return { wall: (Date.now() - t0) / 1000 };
}

async function measure(what, run) {
  await run(); // warm-up: JIT, ONNX Runtime on this batch size
  const cpu0 = cpuSeconds(server.proc.pid);
  const results = [];
  for (let i = 0; i < STREAMS; i++) {
    results.push(await run());
  }
  const cpu = (cpuSeconds(server.proc.pid) - cpu0) / STREAMS;
  const wall = results.reduce((s, r) => s + r.wall, 0) / STREAMS;
  const fps = results[0].fps === undefined ? "" : ` | ${(results.reduce((s, r) => s + r.fps, 0) / STREAMS).toFixed(1)}`;
  console.log(`| ${what} | ${cpu.toFixed(2)} | ${wall.toFixed(2)} | ${(STEPS / wall).toFixed(0)}${fps || " | –"} |`);
}

try {
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.goto(server.url);
  await page.waitForSelector('#server-status[data-state="up"]');
  await page.selectOption("#model", MODEL);
  await page.fill("#steps", String(STEPS));
  await page.fill("#num_samples", "16");
  await page.fill("#preview_every", "1");
  await page.selectOption("#delivery", String(Delivery.ALL));
  console.log(`${MODEL}, 16 samples, ${STEPS} steps (Heun), every step streamed with state and denoised`
    + ` (DELIVERY_ALL, ${(16 * 784 * 4 * 2 / 1024).toFixed(0)} KiB a step); mean of ${STREAMS} streams after one warm-up`);
  console.log("| client | server CPU s / stream | wall s / stream | steps/s | frames/s drawn |");
  console.log("|---|---|---|---|---|");
  await measure("page (gRPC-Web, HTTP/1.1, headless Chromium)", pageRun);
  await measure("native gRPC (HTTP/2, connect-node)", () => nativeRun(1));
  await measure("native gRPC, no Step events (the engine alone)", () => nativeRun(0));
} finally {
  await browser?.close();
  await server.stop();
}

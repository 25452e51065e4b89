// End to end: the packaged server (with a bearer token) serves the page; headless Chromium drives it
// over gRPC-Web; a native gRPC client and the server's /metrics check what the page shows.
// Run after `mvn package`: npm run test:browser (scripts/test.sh does).
import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { create } from "@bufbuild/protobuf";
import { Delivery, GenerateRequestSchema, Solver, StepContentSchema } from "../gen/pfgm/v1/generator_pb.js";
import { ROOT, floats, launchBrowser, metric, nativeClient, pixel, startServer } from "./harness.mjs";

const TOKEN = "browser-test-token-0123456789";
const MODEL = "mnist-exact-d128";
const ROWS = `pfgm_engine_active_rows`;
let server;
let browser;
let page;
const pageErrors = [];

before(async () => {
  // 16 active rows a model: a second 16-sample request waits in the queue.
  const [s, b] = await Promise.allSettled([startServer([`--auth-tokens=${TOKEN}`, "--max-active-rows=16",
    "--max-samples=16"]), launchBrowser()]);
  server = s.value;
  browser = b.value;
  for (const r of [s, b]) {
    if (r.status === "rejected") {
      throw r.reason;
    }
  }
  page = await browser.newPage({ viewport: { width: 1500, height: 1000 } });
  page.on("pageerror", (e) => pageErrors.push(e.message));
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function until(what, check, timeoutMs = 10_000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) {
      return value;
    }
    if (Date.now() > end) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function fillRequest({ steps, samples = 16, seed = 7, delivery = "2", compare = "", solver = "0",
  rtol = "", atol = "" }) {
  await page.selectOption("#model", MODEL);
  await page.selectOption("#compare", compare);
  await page.fill("#steps", String(steps));
  await page.selectOption("#solver", solver);
  await page.fill("#rtol", rtol);
  await page.fill("#atol", atol);
  await page.fill("#num_samples", String(samples));
  await page.fill("#seed", String(seed));
  await page.selectOption("#delivery", delivery);
}

/** Reads a native gRPC stream to its end: the Completed samples and the number of Step events. */
async function nativeRun(fields) {
  let samples = null;
  let stepEvents = 0;
  for await (const res of nativeClient(server, TOKEN).generate(create(GenerateRequestSchema, {
    ...fields, stepContent: create(StepContentSchema, {}) }))) {
    if (res.event.case === "completed") {
      samples = res.event.value.samples;
    } else if (res.event.case === "step") {
      stepEvents++;
    }
  }
  return { samples, stepEvents };
}

/** Asserts that panel a's denoised canvas shows exactly these samples; returns the pixels compared. */
async function canvasMatches(samples) {
  const shown = await page.$eval('.panel[data-panel="a"] canvas[data-kind="denoised"]', (c) => ({
    width: c.width, cols: Number(c.dataset.cols), gap: Number(c.dataset.gap),
    red: Array.from(c.getContext("2d").getImageData(0, 0, c.width, c.height).data.filter((_, i) => i % 4 === 0)),
  }));
  const [n, , h, w] = samples.shape;
  const x = floats(samples);
  let compared = 0;
  for (let i = 0; i < n; i++) {
    const left = shown.gap + (i % shown.cols) * (w + shown.gap);
    const top = shown.gap + Math.floor(i / shown.cols) * (h + shown.gap);
    for (let y = 0; y < h; y++) {
      for (let xx = 0; xx < w; xx++) {
        const want = pixel(x[i * h * w + y * w + xx]);
        const got = shown.red[(top + y) * shown.width + left + xx];
        assert.equal(got, want, `sample ${i} pixel (${xx}, ${y})`);
        compared++;
      }
    }
  }
  return compared;
}

const fieldError = (field) => page.textContent(`.field[data-field="${field}"] .field-error`);
const phase = (panel = "a") => page.getAttribute(`.panel[data-panel="${panel}"]`, "data-phase");

test("the page is served without a token, and its calls need one", async () => {
  await page.goto(server.url);
  await until("the token error", async () => (await fieldError("token")).length > 0);
  assert.match(await fieldError("token"), /^ListModels: UNAUTHENTICATED: missing credentials/);

  await page.fill("#token", TOKEN);
  await page.click("#connect");
  await page.waitForSelector('#server-status[data-state="up"]');
  const ids = await page.$$eval("#model option", (os) => os.map((o) => o.value));
  // Every shipped model folder, in the server's order (by id).
  const shipped = readdirSync(join(ROOT, "models"))
    .filter((d) => existsSync(join(ROOT, "models", d, "model.json")))
    .sort();
  assert.ok(shipped.length >= 6, shipped.join(","));
  assert.deepEqual(ids, shipped);
  await page.selectOption("#model", "mnist-exact-edm");
  assert.match(await page.textContent("#model-info"), /D∞shape1 × 28 × 28classesunconditional/);
  await page.selectOption("#model", "mnist-unet-cond-edm");
  assert.equal(await page.$$eval("#class_label option", (os) => os.length), 10);
});

test("a generation redraws the canvas as steps stream and ends on the server's samples", async (t) => {
  const steps = 300;
  await fillRequest({ steps });
  // Counts distinct contents of the denoised canvas, once per animation frame, from outside the page's code.
  await page.evaluate(() => {
    const w = window;
    w.__distinct = 0;
    let last = null;
    const tick = () => {
      const c = document.querySelector('.panel[data-panel="a"] canvas[data-kind="denoised"]');
      if (c !== null) {
        const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
        let h = 0;
        for (let i = 0; i < d.length; i += 4) {
          h = (Math.imul(h, 31) + d[i]) | 0;
        }
        if (h !== last) {
          last = h;
          w.__distinct++;
        }
      }
      if (!w.__stop) {
        requestAnimationFrame(tick);
      }
    };
    requestAnimationFrame(tick);
  });
  await page.click("#start");
  await page.waitForSelector('.panel[data-panel="a"][data-phase="done"]', { timeout: 30_000 });
  const distinct = await page.evaluate(() => {
    window.__stop = true;
    return window.__distinct;
  });
  t.diagnostic(`the denoised canvas showed ${distinct} distinct contents`);
  assert.ok(distinct >= 5, `the canvas changed ${distinct} times`);

  // The same request over native gRPC: the same seeds give the same samples.
  const { samples } = await nativeRun({ model: MODEL, numSamples: 16, seed: 7n, steps });
  assert.equal(await canvasMatches(samples), 16 * 28 * 28);
  assert.equal(await page.getAttribute("#scrub", "max"), String(steps));
  assert.equal(await page.isDisabled("#scrub"), false);
});

test("a bad value shows the server's message beside its field", async () => {
  await fillRequest({ steps: 5000 });
  await page.click("#start");
  await until("the steps error", async () => (await fieldError("steps")).length > 0);
  assert.equal(await fieldError("steps"), "INVALID_ARGUMENT: steps must be in 1..1000, was 5000");
  await until("phase failed", async () => (await phase()) === "failed"); // drawn on the next frame
});

test("an adaptive RK45 solve streams its accepted steps and ends on the server's samples", async () => {
  await fillRequest({ steps: "", samples: 4, solver: String(Solver.RK45), rtol: "1e-2" });
  await page.click("#start");
  await page.waitForSelector('.panel[data-panel="a"][data-phase="done"]', { timeout: 30_000 });
  const readout = await page.textContent('.panel[data-panel="a"] .r-step');
  const taken = /^final \((\d+) \/ \1\)$/.exec(readout);
  assert.ok(taken, readout);
  const { samples, stepEvents } = await nativeRun({ model: MODEL, numSamples: 4, seed: 7n,
    solver: Solver.RK45, rtol: 1e-2, previewEvery: 1 });
  assert.equal(Number(taken[1]), stepEvents, "one frame per accepted step");
  assert.equal(await canvasMatches(samples), 4 * 28 * 28);
  assert.equal(await page.getAttribute("#scrub", "max"), taken[1]);
  assert.notEqual(await page.textContent('.panel[data-panel="a"] .r-sigma'), "–");
});

test("RK45 tolerances: a non-number is caught on the page, a value out of range by the server", async () => {
  await fillRequest({ steps: "", solver: String(Solver.RK45), rtol: "tight" });
  await page.click("#start");
  assert.equal(await fieldError("rtol"), 'rtol must be a number (e.g. 1e-3), was "tight"');
  await fillRequest({ steps: "", solver: String(Solver.RK45), atol: "2" });
  await page.click("#start");
  await until("the atol error", async () => (await fieldError("atol")).length > 0);
  assert.equal(await fieldError("atol"), "INVALID_ARGUMENT: atol must be in [1.0E-8, 1.0] for SOLVER_RK45, was 2.0");
});

test("Cancel ends the job on the server: its rows leave the batch", async (t) => {
  const cancelledBefore = await metric(server, "pfgm_streams_total", 'status="CANCELLED"') ?? 0;
  await fillRequest({ steps: 1000, delivery: "1" });
  await page.click("#start");
  await until("active rows", async () => (await metric(server, ROWS, `model="${MODEL}"`)) === 16);
  await until("a running stream", async () => (await phase()) === "running");
  await page.click("#cancel");
  const clicked = Date.now();
  await until("rows back to 0", async () => (await metric(server, ROWS, `model="${MODEL}"`)) === 0, 5_000);
  t.diagnostic(`16 active rows went to 0 within ${Date.now() - clicked} ms of Cancel`);
  await until("no open stream", async () => (await metric(server, "pfgm_streams_open")) === 0, 5_000);
  await until("the cancel counted", async () =>
    (await metric(server, "pfgm_streams_total", 'status="CANCELLED"')) === cancelledBefore + 1, 5_000);
  await until("phase cancelled", async () => (await phase()) === "cancelled"); // drawn on the next frame
});

test("a request that waits for rows shows its place in the queue", async () => {
  const hold = new AbortController();
  const holding = (async () => {
    for await (const _ of nativeClient(server, TOKEN).generate(create(GenerateRequestSchema, {
      model: MODEL, numSamples: 16, seed: 1n, steps: 1000 }), { signal: hold.signal })) {
      // reads to the end
    }
  })().catch(() => {});
  await until("the native stream's rows", async () => (await metric(server, ROWS, `model="${MODEL}"`)) === 16);
  await fillRequest({ steps: 20 });
  await page.click("#start");
  await until("the queued phase", async () => (await phase()) === "queued");
  assert.equal(await page.textContent('.panel[data-panel="a"] .phase'), "queued: 1st in line");
  hold.abort();
  await holding;
  await page.waitForSelector('.panel[data-panel="a"][data-phase="done"]', { timeout: 30_000 });
});

test("two models side by side share the seed and schedule and replay in lock-step", async () => {
  await fillRequest({ steps: 30, compare: "mnist-exact-edm" });
  await page.click("#start");
  await page.waitForSelector('.panel[data-panel="a"][data-phase="done"]', { timeout: 30_000 });
  await page.waitForSelector('.panel[data-panel="b"][data-phase="done"]', { timeout: 30_000 });
  await page.$eval("#scrub", (s) => {
    s.value = "9";
    s.dispatchEvent(new Event("input"));
  });
  await until("both panels at step 10", async () =>
    (await page.$$eval(".panel .r-step", (es) => es.map((e) => e.textContent))).every((t) => t === "10 / 30"));
  const sigmas = await page.$$eval(".panel .r-sigma", (es) => es.map((e) => e.textContent));
  assert.equal(sigmas[0], sigmas[1]);
});

test("a server that goes away mid-stream is shown, not a silent freeze", async () => {
  await fillRequest({ steps: 1000, delivery: "1", compare: "" });
  await page.click("#start");
  await until("a running stream", async () => (await phase()) === "running");
  await server.stop("SIGKILL");
  await page.waitForSelector("#banner:not([hidden])", { timeout: 10_000 });
  assert.match(await page.textContent("#banner"), /^stream broken: /);
  // The banner and the run's phase are two updates of the same failure: wait for the second too.
  await until("the run marked failed", async () => (await phase()) === "failed");
  assert.deepEqual(pageErrors, []);
});

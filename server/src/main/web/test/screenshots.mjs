// Takes the screenshots in docs/ from a real run: the page mid-way through a generation, and a
// side-by-side D comparison in lock-step. Not a test. Usage, after mvn package:
//   node test/screenshots.mjs        (writes docs/browser-run.png and docs/browser-compare.png)
import { resolve } from "node:path";
import { launchBrowser, ROOT, startServer } from "./harness.mjs";

/** Starts a run and waits until the (lock-step) display shows step `at` or later. */
async function runUntil(page, { model, compare = "", steps, at }) {
  await page.selectOption("#model", model);
  await page.selectOption("#compare", compare);
  await page.fill("#steps", String(steps));
  await page.fill("#seed", "7");
  await page.fill("#num_samples", "16");
  await page.click("#start");
  await page.waitForFunction(([n, count]) => {
    const shown = [...document.querySelectorAll(".panel")].map((p) => Number(p.dataset.index));
    return shown.length === count && shown.every((i) => i >= n);
  }, [at, compare === "" ? 1 : 2], { timeout: 120_000, polling: 5 });
}

async function shoot(page) {
  await page.goto(server.url);
  await page.waitForSelector('#server-status[data-state="up"]');
  await runUntil(page, { model: "mnist-exact-d128", steps: 1000, at: 550 });
  await page.screenshot({ path: resolve(ROOT, "docs/browser-run.png") });
  await page.click("#cancel");
  await page.waitForSelector('.panel[data-phase="cancelled"]');
  await runUntil(page, { model: "mnist-unet-d128", compare: "mnist-unet-edm", steps: 200, at: 110 });
  await page.screenshot({ path: resolve(ROOT, "docs/browser-compare.png") });
  await page.click("#cancel");
}

const server = await startServer();
let browser = null;
try {
  browser = await launchBrowser();
  await shoot(await browser.newPage({ viewport: { width: 1440, height: 900 } }));
  console.log("wrote docs/browser-run.png and docs/browser-compare.png");
} finally {
  await browser?.close();
  await server.stop();
}

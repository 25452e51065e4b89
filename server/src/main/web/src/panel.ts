// One stream on screen: its readout and two canvases, x̂₀ (denoised) and x_σ (state).
import type { ModelInfo } from "../gen/pfgm/v1/generator_pb.js";
import { dimension } from "./form.js";
import { grid, paint, type Grid } from "./pixels.js";
import type { Frame, Run } from "./run.js";

const TARGET_CSS_WIDTH = 250; // px a grid is scaled to (nearest neighbour)

function ordinal(n: number): string {
  const s = n % 100 >= 11 && n % 100 <= 13 ? "th" : ["th", "st", "nd", "rd"][n % 10] ?? "th";
  return `${n}${s}`;
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls: string, text = ""): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  e.className = cls;
  e.textContent = text;
  return e;
}

export class Panel {
  readonly root: HTMLElement;
  readonly denoised: HTMLCanvasElement;
  readonly state: HTMLCanvasElement;
  private readonly grid: Grid;
  private readonly image: ImageData;
  private readonly readout = new Map<string, HTMLElement>();
  private readonly download: HTMLButtonElement;
  private shown: Frame | null | undefined = undefined; // undefined: nothing painted yet

  constructor(host: HTMLElement, readonly key: string, readonly run: Run, readonly model: ModelInfo) {
    const n = Math.max(1, run.request.numSamples);
    this.grid = grid(n, model.shape);
    this.root = el("section", "panel");
    this.root.dataset.panel = key;
    const title = el("h2", "panel-title", `${model.id}`);
    title.append(el("span", "dim", `  D = ${dimension(model.augmentDim)}`));
    this.download = el("button", "download", "Download PNG");
    this.download.type = "button";
    this.download.disabled = true;
    this.download.title = "the final samples, one pixel per pixel";
    this.download.addEventListener("click", () => void this.save());
    title.append(this.download);
    const phase = el("p", "phase", "–");
    this.readout.set("phase", phase);
    const readout = el("dl", "readout");
    for (const [k, label] of [["step", "step"], ["sigma", "σ"], ["r", "r = σ√D"], ["nfe", "NFE"],
        ["rate", "steps/s"], ["skipped", "skipped"]]) {
      const v = el("dd", `r-${k}`, "–");
      const pair = el("div", "");
      pair.append(el("dt", "", label), v);
      readout.append(pair);
      this.readout.set(k, v);
    }
    const canvases = el("div", "canvases");
    this.denoised = this.canvas(canvases, "denoised", "x̂₀ (denoised)");
    this.state = this.canvas(canvases, "state", "x_σ (state)");
    this.root.append(title, phase, readout, canvases);
    host.append(this.root);
    this.image = new ImageData(this.grid.width, this.grid.height);
  }

  private canvas(host: HTMLElement, kind: string, caption: string): HTMLCanvasElement {
    const fig = el("figure", `view-${kind}`);
    const c = el("canvas", "grid");
    c.width = this.grid.width;
    c.height = this.grid.height;
    c.dataset.kind = kind;
    c.dataset.cols = String(this.grid.cols);
    c.dataset.gap = String(this.grid.gap);
    const scale = Math.max(1, Math.round(TARGET_CSS_WIDTH / this.grid.width));
    c.style.width = `${this.grid.width * scale}px`;
    c.style.height = `${this.grid.height * scale}px`;
    fig.append(c, el("figcaption", "", caption));
    host.append(fig);
    return c;
  }

  /** Shows the newest frame at or before index k; true when the canvases changed. */
  show(k: number): boolean {
    const frame = this.run.frameAt(k);
    if (frame === this.shown) {
      return false;
    }
    this.shown = frame;
    this.root.dataset.index = String(frame?.index ?? -2); // -1: the prior x₀; steps: the final samples
    this.draw(this.denoised, frame?.denoised ?? null);
    this.draw(this.state, frame?.state ?? null);
    return true;
  }

  private draw(canvas: HTMLCanvasElement, pixels: Uint8Array | null): void {
    paint(this.grid, pixels, this.image);
    canvas.getContext("2d")!.putImageData(this.image, 0, 0);
  }

  /** Updates the readout from the shown frame and the run's state. */
  update(now: number): void {
    const run = this.run;
    const f = this.shown ?? null;
    this.set("phase", this.phaseText());
    this.root.dataset.phase = run.phase;
    this.set("step", f === null ? "–" : run.stepText(f.index));
    this.set("sigma", f === null ? "–" : f.sigma.toPrecision(4));
    this.set("r", f === null ? "–" : f.r.toPrecision(4));
    this.set("nfe", f === null ? "–" : `${f.nfe}${run.started?.nfe ? ` / ${run.started.nfe}` : ""}`);
    this.set("rate", run.ended ? "–" : String(run.stepsPerSecond(now)));
    this.set("skipped", String(run.completed?.skippedSteps ?? run.skipped));
    this.download.disabled = run.completed === null;
  }

  private phaseText(): string {
    const run = this.run;
    switch (run.phase) {
      case "connecting": return "connecting…";
      case "queued": return `queued: ${ordinal(run.started?.queuePosition ?? 0)} in line`;
      case "running": return `running (seed ${run.started?.seeds[0] ?? "?"})`;
      case "done": {
        const c = run.completed!;
        return `done in ${c.totalMs.toFixed(0)} ms (queued ${c.queueMs.toFixed(0)}, compute ${c.computeMs.toFixed(0)})`;
      }
      case "cancelled": return "cancelled";
      case "failed": return `failed: ${run.error?.text ?? "?"}`;
    }
  }

  private set(key: string, text: string): void {
    const e = this.readout.get(key)!;
    if (e.textContent !== text) {
      e.textContent = text;
    }
  }

  /** The final samples as a PNG grid (native resolution), or null before completion. */
  async finalPng(): Promise<Blob | null> {
    const last = this.run.completed ? this.run.frames[this.run.frames.length - 1] : null;
    if (last === null) {
      return null;
    }
    const c = document.createElement("canvas");
    c.width = this.grid.width;
    c.height = this.grid.height;
    const image = new ImageData(this.grid.width, this.grid.height);
    paint(this.grid, last.denoised, image);
    c.getContext("2d")!.putImageData(image, 0, 0);
    return new Promise((resolve) => c.toBlob(resolve, "image/png"));
  }

  private async save(): Promise<void> {
    const png = await this.finalPng();
    if (png === null) {
      return;
    }
    const s = this.run.started;
    const a = document.createElement("a");
    a.href = URL.createObjectURL(png);
    a.download = `${this.model.id}-seed${s?.seeds[0] ?? 0}-${this.run.steps ?? 0}steps.png`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
  }
}

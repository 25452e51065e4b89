// The page: the form, one or two streams (lock-step), the render loop and the replay scrubber.
import { create } from "@bufbuild/protobuf";
import { GenerateRequestSchema, StepContentSchema, type GenerateRequest, type ListModelsResponse,
  type ModelInfo } from "../gen/pfgm/v1/generator_pb.js";
import { generatorClient, problem, type Problem } from "./client.js";
import { Panel } from "./panel.js";
import { Run } from "./run.js";
import { form, showModel, type Form } from "./form.js";

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

const f: Form = form();
const client = generatorClient(() => f.token.value);
const panelsHost = $<HTMLDivElement>("panels");
const banner = $<HTMLDivElement>("banner");
const scrubber = $<HTMLInputElement>("scrub");
const scrubLabel = $<HTMLOutputElement>("scrub-label");
const play = $<HTMLButtonElement>("play");
const fpsOut = $<HTMLSpanElement>("fps");
const serverStatus = $<HTMLSpanElement>("server-status");

let catalog: ListModelsResponse | null = null;
let panels: Panel[] = [];
let scrub: number | null = null; // index picked on the scrubber; null: live
let replay: number[] | null = null; // indices left to replay
const paints: number[] = []; // times of the last second's canvas updates

function say(text: string | null, kind: "error" | "info" = "error"): void {
  banner.hidden = text === null;
  banner.textContent = text ?? "";
  banner.dataset.kind = kind;
}

function show(p: Problem, prefix = ""): void {
  if (p.field !== null && f.errorSlot(p.field) !== null) {
    f.fieldError(p.field, prefix + p.text);
  } else {
    say(prefix + p.text);
  }
}

async function loadModels(): Promise<void> {
  f.clearErrors();
  say(null);
  serverStatus.textContent = "connecting…";
  try {
    catalog = await client.listModels({});
    f.fillModels(catalog);
    serverStatus.textContent = `connected: ${catalog.models.length} models`;
    serverStatus.dataset.state = "up";
    f.start.disabled = running();
  } catch (e) {
    catalog = null;
    serverStatus.textContent = "not connected";
    serverStatus.dataset.state = "down";
    f.start.disabled = true;
    show(problem(e), "ListModels: ");
  }
}

function model(id: string): ModelInfo {
  return catalog!.models.find((m) => m.id === id)!;
}

function running(): boolean {
  return panels.some((p) => !p.run.ended);
}

/** The request the form describes, or null after marking the fields that cannot be sent. */
function request(): GenerateRequest | null {
  const v = f.values();
  if (v === null) {
    return null;
  }
  return create(GenerateRequestSchema, { ...v, stepContent: create(StepContentSchema, { state: true, denoised: true }) });
}

function start(): void {
  if (catalog === null || running()) {
    return;
  }
  f.clearErrors();
  say(null);
  const ids = [f.model.value, f.compare.value].filter((id) => id !== "");
  if (ids.length === 2 && ids[0] === ids[1]) {
    f.fieldError("model", "pick two different models to compare");
    return;
  }
  if (ids.length === 2 && f.seed.value.trim().replace(/^0+$/, "") === "") {
    // Both streams must share the seed; the server would pick a different one for each.
    f.seed.value = String(1 + Math.floor(Math.random() * 2 ** 31));
  }
  const req = request();
  if (req === null) {
    return;
  }
  panelsHost.replaceChildren();
  panelsHost.dataset.count = String(ids.length);
  panels = ids.map((id, i) => {
    const run = new Run(client, create(GenerateRequestSchema, { ...req, model: id }), model(id).sigmaMax);
    return new Panel(panelsHost, "ab"[i], run, model(id));
  });
  scrub = null;
  replay = null;
  scrubber.disabled = play.disabled = true;
  f.start.disabled = true;
  f.cancel.disabled = false;
  for (const p of panels) {
    void p.run.read().then(() => ended(p));
  }
}

function ended(p: Panel): void {
  if (p.run.error !== null) {
    show(p.run.error, panels.length > 1 ? `${p.model.id}: ` : "");
  }
  if (running()) {
    return;
  }
  f.start.disabled = catalog === null;
  f.cancel.disabled = true;
  const last = Math.max(...panels.map((p) => p.run.latest));
  if (last > -2) {
    scrubber.min = "-1";
    scrubber.max = String(last);
    scrubber.value = String(last);
    scrubber.disabled = play.disabled = false;
  }
}

/** Lock-step: the newest index every live stream has reached (ended ones keep their last frame). */
function liveIndex(): number {
  const going = panels.filter((p) => p.run.phase !== "failed" && p.run.phase !== "cancelled");
  const from = going.length > 0 ? going : panels;
  return Math.min(...from.map((p) => p.run.latest));
}

function render(now: number): void {
  if (panels.length > 0) {
    if (replay !== null) {
      scrub = replay.shift() ?? null;
      if (replay.length === 0) {
        replay = null;
        play.textContent = "▶ Replay";
      }
      if (scrub !== null) {
        scrubber.value = String(scrub);
      }
    }
    const k = scrub ?? liveIndex();
    let changed = false;
    for (const p of panels) {
      changed = p.show(k) || changed;
      p.update(now);
    }
    if (changed) {
      paints.push(now);
    }
    while (paints.length > 0 && now - paints[0] > 1000) {
      paints.shift();
    }
    fpsOut.textContent = `${paints.length} frames/s drawn`;
    scrubLabel.textContent = scrubber.disabled ? "" : panels[0].run.stepText(k);
  }
  requestAnimationFrame(render);
}

function startReplay(): void {
  if (replay !== null) {
    replay = null;
    play.textContent = "▶ Replay";
    return;
  }
  const indices = new Set<number>();
  panels.forEach((p) => p.run.frames.forEach((fr) => indices.add(fr.index)));
  replay = [...indices].sort((a, b) => a - b);
  play.textContent = "❚❚ Pause";
}

f.root.addEventListener("submit", (e) => {
  e.preventDefault();
  start();
});
f.cancel.addEventListener("click", () => panels.forEach((p) => p.run.cancel()));
f.connect.addEventListener("click", () => void loadModels());
f.token.addEventListener("keydown", (e) => {
  if (e.key === "Enter") {
    e.preventDefault();
    void loadModels();
  }
});
f.model.addEventListener("change", () => catalog && showModel(f, model(f.model.value)));
scrubber.addEventListener("input", () => {
  replay = null;
  play.textContent = "▶ Replay";
  scrub = Number(scrubber.value);
});
play.addEventListener("click", startReplay);
document.querySelectorAll<HTMLInputElement>("input[name=view]").forEach((r) =>
  r.addEventListener("change", () => (document.body.dataset.view = r.value)));

requestAnimationFrame(render);
void loadModels();

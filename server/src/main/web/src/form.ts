// The request form: its fields, what they hold as request values, and the errors shown beside them.
import type { Delivery, ListModelsResponse, ModelInfo, Solver } from "../gen/pfgm/v1/generator_pb.js";

const UINT32_MAX = 2 ** 32 - 1;
const UINT64_MAX = 2n ** 64n - 1n;

/** The request fields the form sets (model is set per stream). */
export interface Values {
  seed: bigint;
  steps: number;
  solver: Solver;
  /** RK45's tolerances; absent: the server's defaults (only sent when given). */
  rtol?: number;
  atol?: number;
  numSamples: number;
  classLabel?: number;
  previewEvery: number;
  delivery: Delivery;
}

export interface Form {
  readonly root: HTMLFormElement;
  readonly token: HTMLInputElement;
  readonly model: HTMLSelectElement;
  readonly compare: HTMLSelectElement;
  readonly seed: HTMLInputElement;
  readonly start: HTMLButtonElement;
  readonly cancel: HTMLButtonElement;
  readonly connect: HTMLButtonElement;
  /** The values to send, or null after marking fields that no request can carry. */
  values(): Values | null;
  errorSlot(field: string): HTMLElement | null;
  fieldError(field: string, text: string): void;
  clearErrors(): void;
  fillModels(catalog: ListModelsResponse): void;
}

function byId<T extends HTMLElement>(id: string): T {
  return document.getElementById(id) as T;
}

export function form(): Form {
  const root = byId<HTMLFormElement>("form");
  const input = (id: string) => byId<HTMLInputElement>(id);
  const select = (id: string) => byId<HTMLSelectElement>(id);
  const self: Form = {
    root,
    token: input("token"),
    model: select("model"),
    compare: select("compare"),
    seed: input("seed"),
    start: byId("start"),
    cancel: byId("cancel"),
    connect: byId("connect"),
    errorSlot: (field) => root.querySelector<HTMLElement>(`.field[data-field="${field}"] .field-error`),
    fieldError(field, text) {
      const slot = self.errorSlot(field);
      if (slot !== null) {
        slot.textContent = text;
        slot.closest(".field")!.classList.add("invalid");
      }
    },
    clearErrors() {
      root.querySelectorAll(".field.invalid").forEach((e) => e.classList.remove("invalid"));
      root.querySelectorAll(".field-error").forEach((e) => (e.textContent = ""));
    },
    fillModels(catalog) {
      const previous = self.model.value;
      const options = catalog.models.map((m) => new Option(m.id, m.id));
      self.model.replaceChildren(...options);
      self.compare.replaceChildren(new Option("none", ""), ...catalog.models.map((m) => new Option(m.id, m.id)));
      const keep = catalog.models.some((m) => m.id === previous) ? previous : catalog.defaultModel;
      self.model.value = keep;
      self.model.disabled = self.compare.disabled = false;
      const info = catalog.models.find((m) => m.id === keep);
      if (info !== undefined) {
        showModel(self, info);
      }
    },
    values() {
      let ok = true;
      // Only what a request cannot carry is checked here; ranges are the server's to judge.
      const uint = (field: string, fallback: number): number => {
        const text = input(field).value.trim();
        if (text === "") {
          return fallback;
        }
        const n = Number(text);
        if (!Number.isInteger(n) || n < 0 || n > UINT32_MAX) {
          self.fieldError(field, `${field} must be a whole number in 0..${UINT32_MAX}, was "${text}"`);
          ok = false;
        }
        return n;
      };
      // A tolerance the field cannot carry as a number; its range is the server's to judge.
      const tolerance = (field: string): { [k: string]: number } => {
        const text = input(field).value.trim();
        const n = Number(text);
        if (text !== "" && !Number.isFinite(n)) {
          self.fieldError(field, `${field} must be a number (e.g. 1e-3), was "${text}"`);
          ok = false;
        }
        return text === "" || !Number.isFinite(n) ? {} : { [field]: n };
      };
      let seed = 0n;
      const seedText = self.seed.value.trim();
      if (!/^\d*$/.test(seedText) || BigInt(seedText || "0") > UINT64_MAX) {
        self.fieldError("seed", `seed must be a whole number in 0..${UINT64_MAX}, was "${seedText}"`);
        ok = false;
      } else {
        seed = BigInt(seedText || "0");
      }
      const label = select("class_label").value;
      const v: Values = {
        seed,
        steps: uint("steps", 0),
        solver: Number(select("solver").value) as Solver,
        ...tolerance("rtol"),
        ...tolerance("atol"),
        numSamples: uint("num_samples", 0),
        previewEvery: uint("preview_every", 1),
        delivery: Number(select("delivery").value) as Delivery,
        ...(label === "" ? {} : { classLabel: Number(label) }),
      };
      return ok ? v : null;
    },
  };
  return self;
}

const SOLVERS = ["unspecified", "Heun", "Euler", "RK45"];

/** D as shown: a number, or ∞ for diffusion (EDM). */
export function dimension(d: number): string {
  return Number.isFinite(d) ? String(d) : "∞";
}

/** Fills the model's facts and defaults in beside the form. */
export function showModel(f: Form, m: ModelInfo): void {
  const info = byId<HTMLDListElement>("model-info");
  const facts: [string, string][] = [
    ["D", dimension(m.augmentDim)],
    ["shape", m.shape.join(" × ")],
    ["classes", m.classLabels.length === 0 ? "unconditional" : m.classLabels.join(", ")],
    ["default steps", String(m.defaultSteps)],
    ["default solver", SOLVERS[m.defaultSolver] ?? String(m.defaultSolver)],
    ["σ range", `${m.sigmaMin} … ${m.sigmaMax}`],
    ["ρ", String(m.rho)],
    ["data", `${m.dataset} (${m.license})`],
    ["about", m.description],
  ];
  info.replaceChildren(...facts.flatMap(([k, v]) => {
    const dt = document.createElement("dt");
    const dd = document.createElement("dd");
    dt.textContent = k;
    dd.textContent = v;
    return [dt, dd];
  }));
  byId<HTMLInputElement>("steps").placeholder = `default ${m.defaultSteps}`;
  const label = byId<HTMLSelectElement>("class_label");
  label.replaceChildren(...(m.classLabels.length === 0 ? [new Option("unconditional model", "")]
    : m.classLabels.map((name, i) => new Option(`${i}: ${name}`, String(i)))));
  label.disabled = m.classLabels.length === 0;
  f.compare.querySelectorAll("option").forEach((o) => (o.disabled = o.value === m.id));
  if (f.compare.value === m.id) {
    f.compare.value = "";
  }
}

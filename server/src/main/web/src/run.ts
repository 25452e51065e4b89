// One Generate stream: its events recorded as frames of 8-bit pixels, for live view and replay.
import type { Completed, GenerateRequest, Started } from "../gen/pfgm/v1/generator_pb.js";
import { problem, type GeneratorClient, type Problem } from "./client.js";
import { tensorBytes } from "./pixels.js";

/** One point of the trajectory as drawn: index -1 is the prior x₀, steps is the final samples. */
export interface Frame {
  readonly index: number;
  readonly sigma: number;
  readonly r: number;
  readonly nfe: number;
  readonly denoised: Uint8Array | null; // [n][C*H*W] bytes
  readonly state: Uint8Array | null; // [n][C*H*W] bytes
}

export type Phase = "connecting" | "queued" | "running" | "done" | "cancelled" | "failed";

/** r = σ√D; for D = ∞ (diffusion) the contract reports r = σ. */
export function radius(sigma: number, augmentDim: number): number {
  return Number.isFinite(augmentDim) ? sigma * Math.sqrt(augmentDim) : sigma;
}

export class Run {
  readonly frames: Frame[] = []; // ascending index
  phase: Phase = "connecting";
  started: Started | null = null;
  completed: Completed | null = null;
  error: Problem | null = null;
  skipped = 0;
  private readonly abort = new AbortController();
  private readonly arrivals: number[] = []; // ms of the last second's Step events

  /** @param sigmaMax the model's σ_max: where an adaptive solve starts when the request sets none */
  constructor(private readonly client: GeneratorClient, readonly request: GenerateRequest,
    private readonly sigmaMax: number) {}

  /** Reads the stream to its end; never throws (a failure is the phase "failed" and its problem). */
  async read(): Promise<void> {
    try {
      for await (const res of this.client.generate(this.request, { signal: this.abort.signal })) {
        const e = res.event;
        if (e.case === "started") {
          this.onStarted(e.value);
        } else if (e.case === "step") {
          const s = e.value;
          this.skipped += s.skipped;
          this.phase = "running";
          this.arrivals.push(performance.now());
          this.frames.push({ index: s.index, sigma: s.sigma, r: s.r, nfe: s.nfe,
            denoised: s.denoised ? tensorBytes(s.denoised) : null, state: s.state ? tensorBytes(s.state) : null });
        } else if (e.case === "completed") {
          this.onCompleted(e.value);
        }
      }
      if (this.completed === null) {
        throw new Error("stream broken: it ended without a Completed event");
      }
      this.phase = "done";
    } catch (err) {
      if (this.abort.signal.aborted) {
        this.phase = "cancelled";
      } else {
        this.phase = "failed";
        this.error = problem(err);
      }
    }
  }

  /** Aborts the fetch: the server sees the stream close and drops the job's rows. */
  cancel(): void {
    this.abort.abort();
  }

  get ended(): boolean {
    return this.phase === "done" || this.phase === "cancelled" || this.phase === "failed";
  }

  /** Index of the newest frame; -2 before any. */
  get latest(): number {
    return this.frames.length === 0 ? -2 : this.frames[this.frames.length - 1].index;
  }

  /** The newest frame at or before index k (lock-step with a stream that is ahead or skipped). */
  frameAt(k: number): Frame | null {
    let lo = 0;
    let hi = this.frames.length - 1;
    let found: Frame | null = null;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.frames[mid].index <= k) {
        found = this.frames[mid];
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  /** Number of steps: the schedule's, or for an adaptive (RK45) solve the count taken, once
   * Completed has said it ended (until then null). */
  get steps(): number | null {
    const n = this.started?.steps ?? 0; // no frame is shown before Started
    return n > 0 ? n : this.completed !== null ? this.latest : null;
  }

  /** What frame index k is, as shown beside the scrubber and in the panel. */
  stepText(k: number): string {
    const n = this.steps;
    const of = n === null ? " (adaptive)" : ` / ${n}`;
    return k < 0 ? "prior x₀" : n !== null && k >= n ? `final (${n}${of})` : `${k + 1}${of}`;
  }

  /** Step events received in the last second. */
  stepsPerSecond(now: number): number {
    while (this.arrivals.length > 0 && now - this.arrivals[0] > 1000) {
      this.arrivals.shift();
    }
    return this.arrivals.length;
  }

  private onStarted(s: Started): void {
    this.started = s;
    this.phase = s.queuePosition > 0 ? "queued" : "running";
    const sigma0 = s.sigmas[0] ?? (this.request.sigmaMax || this.sigmaMax); // RK45: no schedule
    this.frames.push({ index: -1, sigma: sigma0, r: radius(sigma0, s.augmentDim), nfe: 0, denoised: null,
      state: s.initialState ? tensorBytes(s.initialState) : null });
  }

  private onCompleted(c: Completed): void {
    this.completed = c;
    const samples = c.samples ? tensorBytes(c.samples) : null;
    // After the schedule's last step; an adaptive solve has no schedule: after its last accepted step.
    const steps = this.started?.steps ?? 0;
    this.frames.push({ index: steps > 0 ? steps : this.latest + 1, sigma: 0, r: 0, nfe: c.nfe,
      denoised: samples, state: samples });
  }
}

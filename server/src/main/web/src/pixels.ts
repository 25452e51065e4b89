// Tensors to pixels, and pixels to a grid of samples on a canvas.
import type { Tensor } from "../gen/pfgm/v1/generator_pb.js";

/** The contract's 8-bit mapping of a model-scale value: floor(clip(127.5·x + 128, 0, 255)). */
export function toByte(x: number): number {
  const v = Math.floor(127.5 * x + 128);
  return v < 0 ? 0 : v > 255 ? 255 : v; // NaN stores as 0
}

/** A little-endian float32 tensor mapped to 8-bit pixels, same order. */
export function tensorBytes(t: Tensor): Uint8Array {
  const data = t.data;
  const n = data.byteLength >>> 2;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const out = new Uint8Array(n);
  for (let k = 0; k < n; k++) {
    out[k] = toByte(view.getFloat32(4 * k, true));
  }
  return out;
}

/** Where the samples of a [n, C, H, W] batch go on one canvas: a near-square grid with gaps. */
export interface Grid {
  readonly n: number;
  readonly c: number;
  readonly h: number;
  readonly w: number;
  readonly cols: number;
  readonly rows: number;
  readonly gap: number;
  readonly width: number;
  readonly height: number;
}

export const GAP = 2;
const GAP_GREY = 72;

export function grid(n: number, shape: readonly number[]): Grid {
  const [c, h, w] = shape.length === 3 ? shape : [1, shape[0] ?? 1, shape[1] ?? 1];
  const cols = Math.max(1, Math.ceil(Math.sqrt(n)));
  const rows = Math.max(1, Math.ceil(n / cols));
  return { n, c, h, w, cols, rows, gap: GAP,
    width: cols * w + (cols + 1) * GAP, height: rows * h + (rows + 1) * GAP };
}

/** Top-left pixel of sample i. */
export function origin(g: Grid, i: number): [number, number] {
  const col = i % g.cols;
  const row = Math.floor(i / g.cols);
  return [g.gap + col * (g.w + g.gap), g.gap + row * (g.h + g.gap)];
}

/**
 * Paints NCHW bytes into RGBA (one channel: grey; three: RGB). Without pixels the cells are left
 * black, as before the first step.
 */
export function paint(g: Grid, pixels: Uint8Array | null, image: ImageData): void {
  const rgba = image.data;
  for (let o = 0; o < rgba.length; o += 4) {
    rgba[o] = rgba[o + 1] = rgba[o + 2] = GAP_GREY;
    rgba[o + 3] = 255;
  }
  const plane = g.h * g.w;
  for (let i = 0; i < g.n; i++) {
    const [x0, y0] = origin(g, i);
    const base = i * g.c * plane;
    for (let y = 0; y < g.h; y++) {
      let o = 4 * ((y0 + y) * g.width + x0);
      for (let x = 0; x < g.w; x++, o += 4) {
        const p = y * g.w + x;
        if (pixels === null) {
          rgba[o] = rgba[o + 1] = rgba[o + 2] = 0;
        } else if (g.c === 3) {
          rgba[o] = pixels[base + p];
          rgba[o + 1] = pixels[base + plane + p];
          rgba[o + 2] = pixels[base + 2 * plane + p];
        } else {
          rgba[o] = rgba[o + 1] = rgba[o + 2] = pixels[base + p];
        }
      }
    }
  }
}

// The drawing pad's pure parts: a large RGBA canvas sampled down to the model's small grey image, and
// that image shaped as one JSON sample for the input.

/** The pad's drawing resolution per model pixel: a 28x28 input is drawn on 280x280. */
export const PAD_SCALE = 10;

/** Brush widths in model pixels: at 28x28 a stroke of ~2.2 pixels looks like an MNIST pen stroke. */
export const BRUSHES = { thin: 1.4, medium: 2.2, thick: 3.4 } as const;
export type Brush = keyof typeof BRUSHES;

/**
 * RGBA pixels (`width` x `height`, row-major, as ImageData holds them) averaged down to `outW` x `outH`
 * grey values in [0, 1]: each output pixel is the mean luminance of the source area it covers, partly
 * covered source pixels weighted by their overlap (so any ratio works, not just whole multiples).
 */
export function downsample(
  rgba: ArrayLike<number>,
  width: number,
  height: number,
  outW: number,
  outH: number,
): Float32Array {
  if (rgba.length < width * height * 4) throw new Error(`expected ${width * height * 4} RGBA values`);
  const out = new Float32Array(outW * outH);
  const sx = width / outW;
  const sy = height / outH;
  for (let oy = 0; oy < outH; oy++) {
    const y0 = oy * sy;
    const y1 = y0 + sy;
    for (let ox = 0; ox < outW; ox++) {
      const x0 = ox * sx;
      const x1 = x0 + sx;
      let sum = 0;
      let area = 0;
      for (let y = Math.floor(y0); y < Math.min(height, Math.ceil(y1)); y++) {
        const wy = Math.min(y + 1, y1) - Math.max(y, y0);
        for (let x = Math.floor(x0); x < Math.min(width, Math.ceil(x1)); x++) {
          const w = wy * (Math.min(x + 1, x1) - Math.max(x, x0));
          const i = (y * width + x) * 4;
          const alpha = rgba[i + 3] / 255;
          // luminance of the pixel over a black background (an unpainted pad is transparent)
          sum += w * alpha * (0.299 * rgba[i] + 0.587 * rgba[i + 1] + 0.114 * rgba[i + 2]);
          area += w;
        }
      }
      out[oy * outW + ox] = area > 0 ? Math.min(1, Math.max(0, sum / area / 255)) : 0;
    }
  }
  return out;
}

/** Rounds to 4 decimals: a JSON sample of 784 numbers stays small. */
function short(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}

/**
 * The grey image (height x width, values in [0, 1]) as one sample of an input of `shape`: nested to
 * the shape when it holds exactly the image's pixels (grey repeated over 3 channels for an RGB input),
 * else height x width (the server also takes the dataset field's shape).
 */
export function asSample(grey: ArrayLike<number>, width: number, height: number, shape: (number | null)[]) {
  const dims = shape.map((d) => (d === null ? NaN : d));
  const pixels = width * height;
  const count = dims.reduce((a, b) => a * b, 1);
  const channels = count === pixels * 3 ? 3 : 1;
  const flat: number[] = [];
  for (let i = 0; i < pixels; i++) for (let c = 0; c < channels; c++) flat.push(short(grey[i]));
  if (!Number.isFinite(count) || count !== flat.length || dims.length === 0) {
    return nest(flat, [height, width]);
  }
  return nest(flat, dims);
}

/** A flat list as nested lists of `dims` (row-major). */
export function nest(flat: number[], dims: number[]): unknown {
  if (dims.length <= 1) return flat.slice();
  const size = dims.slice(1).reduce((a, b) => a * b, 1);
  const out: unknown[] = [];
  for (let i = 0; i < dims[0]; i++) out.push(nest(flat.slice(i * size, (i + 1) * size), dims.slice(1)));
  return out;
}

/** Every number of a nested list, in order (a test sample's pixels, for the pad). */
export function flatten(value: unknown, into: number[] = []): number[] {
  if (Array.isArray(value)) for (const v of value) flatten(v, into);
  else if (typeof value === "number") into.push(value);
  return into;
}

/** True when nothing is drawn (every value ~0): no request is worth sending. */
export function isBlank(grey: ArrayLike<number>): boolean {
  for (let i = 0; i < grey.length; i++) if (grey[i] > 0.02) return false;
  return true;
}

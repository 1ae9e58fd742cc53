import { describe, expect, it } from "vitest";
import { asSample, downsample, flatten, isBlank, nest, PAD_SCALE } from "./pad";

/** An RGBA canvas of w x h, every pixel (r, g, b, a) = paint(x, y), else transparent. */
function canvas(w: number, h: number, paint: (x: number, y: number) => number[] | null): Uint8ClampedArray {
  const data = new Uint8ClampedArray(w * h * 4);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const px = paint(x, y);
      if (px) data.set(px, (y * w + x) * 4);
    }
  return data;
}

describe("downsample", () => {
  it("averages each 10x10 block of a 280x280 pad into one of 28x28 grey pixels", () => {
    const size = 28 * PAD_SCALE;
    // white in the block at model pixel (3, 5), half of the block at (10, 0) painted white
    const data = canvas(size, size, (x, y) => {
      if (Math.floor(x / 10) === 3 && Math.floor(y / 10) === 5) return [255, 255, 255, 255];
      if (Math.floor(x / 10) === 10 && y < 10 && x % 10 < 5) return [255, 255, 255, 255];
      return [0, 0, 0, 255];
    });
    const grey = downsample(data, size, size, 28, 28);
    expect(grey).toHaveLength(784);
    expect(grey[5 * 28 + 3]).toBeCloseTo(1, 6);
    expect(grey[0 * 28 + 10]).toBeCloseTo(0.5, 6);
    const others = Array.from(grey).filter((_, i) => i !== 5 * 28 + 3 && i !== 10);
    expect(Math.max(...others)).toBe(0);
  });

  it("reads luminance, treats transparent as black and clamps to [0, 1]", () => {
    const red = downsample(
      canvas(2, 2, () => [255, 0, 0, 255]),
      2,
      2,
      1,
      1,
    );
    expect(red[0]).toBeCloseTo(0.299, 3);
    const clear = downsample(
      canvas(2, 2, () => [255, 255, 255, 0]),
      2,
      2,
      1,
      1,
    );
    expect(clear[0]).toBe(0);
    const halfAlpha = downsample(
      canvas(2, 2, () => [255, 255, 255, 255 / 2]),
      2,
      2,
      1,
      1,
    );
    expect(halfAlpha[0]).toBeCloseTo(0.5, 2);
  });

  it("weights partly covered pixels at ratios that are not whole", () => {
    // 3 source columns into 2: output 0 covers column 0 and half of column 1
    const data = canvas(3, 1, (x) => (x === 1 ? [255, 255, 255, 255] : [0, 0, 0, 255]));
    const grey = downsample(data, 3, 1, 2, 1);
    expect(grey[0]).toBeCloseTo(0.5 / 1.5, 6);
    expect(grey[1]).toBeCloseTo(0.5 / 1.5, 6);
  });

  it("refuses a buffer too small for its size", () => {
    expect(() => downsample(new Uint8ClampedArray(10), 4, 4, 2, 2)).toThrow(/64 RGBA/);
  });
});

describe("asSample", () => {
  const grey = Float32Array.from({ length: 4 }, (_, i) => i / 3);
  it("nests to the input's shape when it holds the image", () => {
    expect(asSample(grey, 2, 2, [2, 2])).toEqual([
      [0, 0.3333],
      [0.6667, 1],
    ]);
    expect(asSample(grey, 2, 2, [2, 2, 1])).toEqual([
      [[0], [0.3333]],
      [[0.6667], [1]],
    ]);
    expect(asSample(grey, 2, 2, [4])).toEqual([0, 0.3333, 0.6667, 1]);
  });
  it("repeats grey over three channels for an RGB input", () => {
    expect(asSample(grey, 2, 2, [2, 2, 3])).toEqual([
      [
        [0, 0, 0],
        [0.3333, 0.3333, 0.3333],
      ],
      [
        [0.6667, 0.6667, 0.6667],
        [1, 1, 1],
      ],
    ]);
  });
  it("falls back to height x width for shapes it cannot fill", () => {
    expect(asSample(grey, 2, 2, [null, 2])).toEqual([
      [0, 0.3333],
      [0.6667, 1],
    ]);
  });
});

describe("helpers", () => {
  it("nest and flatten are inverses", () => {
    const flat = Array.from({ length: 24 }, (_, i) => i);
    expect(flatten(nest(flat, [2, 3, 4]))).toEqual(flat);
  });
  it("isBlank sees faint noise as blank and a stroke as not", () => {
    expect(isBlank(new Float32Array(784))).toBe(true);
    const drawn = new Float32Array(784);
    drawn[400] = 0.6;
    expect(isBlank(drawn)).toBe(false);
  });
});

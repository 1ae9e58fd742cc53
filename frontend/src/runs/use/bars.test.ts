import { describe, expect, it } from "vitest";
import { formatBytes, formatLabel, formatPercent, formatValue, probabilityBars } from "./bars";

const CLASSES = [
  "T-shirt/top",
  "Trouser",
  "Pullover",
  "Dress",
  "Coat",
  "Sandal",
  "Shirt",
  "Sneaker",
  "Bag",
  "Ankle boot",
];

describe("probabilityBars", () => {
  it("shows the top five, most likely first, and the rest as one bar: they add up to 100%", () => {
    const top = [
      { class: 3, name: "Dress", probability: 0.1 },
      { class: 1, name: "Trouser", probability: 0.6 },
      { class: 0, name: "T-shirt/top", probability: 0.15 },
      { class: 6, name: "Shirt", probability: 0.05 },
      { class: 4, name: "Coat", probability: 0.04 },
    ];
    const bars = probabilityBars(top, CLASSES);
    expect(bars.map((b) => b.name)).toEqual([
      "Trouser",
      "T-shirt/top",
      "Dress",
      "Shirt",
      "Coat",
      "5 other classes",
    ]);
    expect(bars.map((b) => b.label)).toEqual(["60.0%", "15.0%", "10.0%", "5.0%", "4.0%", "6.0%"]);
    expect(bars[0].width).toBe("60.0%");
    expect(bars[5].other).toBe(true);
    expect(bars.reduce((s, b) => s + b.probability, 0)).toBeCloseTo(1, 6);
  });

  it("names classes from the output when the answer has no name, and adds no empty rest", () => {
    const bars = probabilityBars(
      [
        { class: 1, name: "", probability: 0.75 },
        { class: 0, name: "", probability: 0.25 },
      ],
      ["cat", "dog"],
    );
    expect(bars.map((b) => [b.name, b.label])).toEqual([
      ["dog", "75.0%"],
      ["cat", "25.0%"],
    ]);
  });

  it("keeps at most `most` bars", () => {
    const top = CLASSES.map((name, i) => ({ class: i, name, probability: 0.1 }));
    const bars = probabilityBars(top, CLASSES, 5);
    expect(bars).toHaveLength(6);
    expect(bars[5]).toMatchObject({ name: "5 other classes", label: "50.0%" });
  });
});

describe("formatting", () => {
  it("percentages", () => {
    expect(formatPercent(0.9123)).toBe("91.2%");
    expect(formatPercent(1)).toBe("100%");
    expect(formatPercent(0.99996)).toBe(">99.9%");
    expect(formatPercent(0.0004)).toBe("<0.1%");
    expect(formatPercent(0)).toBe("0%");
    expect(formatPercent(NaN)).toBe("–");
  });
  it("values, labels, bytes", () => {
    expect(formatValue(3.14159265)).toBe("3.142");
    expect(formatValue(123456)).toBe("123500");
    expect(formatValue(0.00001234)).toBe("1.234e-5");
    expect(formatValue(null)).toBe("–");
    expect(formatLabel(3, "Dress")).toBe("Dress (3)");
    expect(formatLabel([1.5, 2])).toBe("1.5, 2");
    expect(formatLabel(0.25)).toBe("0.25");
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(1536)).toBe("1.5 KB");
    expect(formatBytes(5 * 1024 * 1024)).toBe("5.0 MB");
  });
});

import { describe, expect, it } from "vitest";
import { catalog } from "../test-fixtures";
import { formatCompact, formatCount, formatShape, summariseParams } from "./format";
import { paletteGroups } from "./palette";

describe("formatting", () => {
  it("formats counts with thousands separators", () => {
    expect(formatCount(407050)).toBe("407,050");
    expect(formatCount(14146316)).toBe("14,146,316");
    expect(formatCount(0)).toBe("0");
    expect(formatCount(undefined)).toBe("—");
  });

  it("formats large numbers compactly", () => {
    expect(formatCompact(950)).toBe("950");
    expect(formatCompact(1234)).toBe("1.23 K");
    expect(formatCompact(12_345_678)).toBe("12.3 M");
    expect(formatCompact(2_000_000_000)).toBe("2 G");
  });

  it("formats shapes the way Keras prints them", () => {
    expect(formatShape([null, 512])).toBe("(None, 512)");
    expect(formatShape([null, 28, 28, 1])).toBe("(None, 28, 28, 1)");
    expect(formatShape([null])).toBe("(None,)");
    expect(
      formatShape([
        [null, 4],
        [null, 4],
      ]),
    ).toBe("[(None, 4), (None, 4)]");
    expect(formatShape(null)).toBe("?");
  });

  it("summarises the params set on a block", () => {
    expect(summariseParams({ units: 512, activation: "relu" })).toBe("units=512 · relu");
    expect(summariseParams({ kernel_size: [3, 3] })).toBe("kernel_size=3×3");
    expect(summariseParams({ layer: { type: "GRU", params: { units: 64 } } })).toBe("GRU(units=64)");
  });
});

describe("palette", () => {
  it("groups every block by category in catalog order", () => {
    const groups = paletteGroups(catalog);
    expect(groups.map((g) => g.name)).toEqual(
      catalog.categories.map((c) => c.name).filter((n) => groups.some((g) => g.name === n)),
    );
    expect(groups.flatMap((g) => g.layers).length).toBe(catalog.layers.length);
    expect(groups[0].layers.map((l) => l.type)).toEqual(["Input", "Output"]);
  });

  it("searches by name, case-insensitively", () => {
    const groups = paletteGroups(catalog, "conv2d");
    const types = groups.flatMap((g) => g.layers.map((l) => l.type));
    expect(types).toContain("Conv2D");
    expect(types).toContain("SeparableConv2D");
    expect(types).not.toContain("Dense");
    expect(paletteGroups(catalog, "zzz")).toEqual([]);
  });
});

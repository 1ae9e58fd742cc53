import { describe, expect, it } from "vitest";
import { MIN_CANVAS, MIN_TRAIN, PALETTE_WIDTH, editorColumns } from "./layout";

const canvasWidth = (width: number, columns: string) =>
  width -
  columns
    .split(" ")
    .filter((c) => c.endsWith("px"))
    .reduce((sum, c) => sum + parseFloat(c), 0);

describe("editor columns with the Train panel", () => {
  it("keeps the canvas at least MIN_CANVAS wide at 1024 by stacking the inspector", () => {
    const layout = editorColumns(1024, true, 370, false);
    expect(layout.stacked).toBe(true);
    expect(canvasWidth(1024, layout.columns)).toBeGreaterThanOrEqual(MIN_CANVAS);
    expect(layout.train).toBe(1024 - PALETTE_WIDTH - MIN_CANVAS);
  });

  it("puts the inspector and the panel side by side when there is room, at the remembered width", () => {
    const layout = editorColumns(1920, true, 450, false);
    expect(layout.stacked).toBe(false);
    expect(layout.train).toBe(450);
    expect(layout.columns).toBe("210px minmax(0, 1fr) 280px 450px");
  });

  it("clamps a remembered width to what leaves the canvas its minimum", () => {
    const layout = editorColumns(1440, true, 2000, false);
    expect(canvasWidth(1440, layout.columns)).toBe(MIN_CANVAS);
    expect(editorColumns(1440, true, 10, false).train).toBe(MIN_TRAIN);
  });

  it("collapses to a strip and closes to the three columns", () => {
    expect(editorColumns(1024, true, 370, true).columns).toBe("210px minmax(0, 1fr) 280px 36px");
    expect(editorColumns(1024, false, 370, false).columns).toBe("210px minmax(0, 1fr) 300px");
  });
});

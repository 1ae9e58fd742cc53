import { describe, expect, it } from "vitest";
import { clickRow, EMPTY_SELECTION, keepShown, toggleAll } from "./selection";

const order = [9, 7, 5, 3, 1];

describe("clickRow", () => {
  it("toggles one row and keeps the order of selection", () => {
    let s = clickRow(EMPTY_SELECTION, 5, order);
    s = clickRow(s, 9, order);
    expect(s).toEqual({ ids: [5, 9], anchor: 9 });
    s = clickRow(s, 5, order);
    expect(s).toEqual({ ids: [9], anchor: 5 });
  });

  it("shift-click selects the range from the anchor, in the order shown", () => {
    let s = clickRow(EMPTY_SELECTION, 7, order);
    s = clickRow(s, 1, order, true);
    expect(s.ids).toEqual([7, 5, 3, 1]);
    expect(s.anchor).toBe(1);
  });

  it("shift-click upwards works too and does not duplicate rows already selected", () => {
    let s = clickRow(EMPTY_SELECTION, 3, order);
    s = clickRow(s, 9, order);
    s = clickRow(s, 1, order); // anchor 1
    s = clickRow(s, 5, order, true);
    expect(s.ids).toEqual([3, 9, 1, 5]);
    // From the anchor towards the row clicked: the newest-first table's bottom row, then upwards.
    let t = clickRow(EMPTY_SELECTION, 1, order);
    t = clickRow(t, 7, order, true);
    expect(t.ids).toEqual([1, 3, 5, 7]);
  });

  it("shift-click on a selected row clears the range", () => {
    let s = clickRow(EMPTY_SELECTION, 9, order);
    s = clickRow(s, 1, order, true); // all five
    expect(s.ids).toHaveLength(5);
    s = clickRow(s, 5, order); // unselects 5, anchor 5
    s = clickRow(s, 5, order); // selects 5 again, anchor 5
    s = clickRow(s, 3, order, true); // 3 is selected: the range 5..3 is cleared
    expect(s.ids).toEqual([9, 7, 1]);
  });

  it("a shift-click without an anchor (or one no longer shown) is a plain click", () => {
    expect(clickRow(EMPTY_SELECTION, 3, order, true)).toEqual({ ids: [3], anchor: 3 });
    expect(clickRow({ ids: [], anchor: 42 }, 3, order, true)).toEqual({ ids: [3], anchor: 3 });
  });
});

describe("keepShown and toggleAll", () => {
  it("drops rows no longer shown, and the same object when nothing changes", () => {
    const s = { ids: [9, 2, 3], anchor: 2 };
    expect(keepShown(s, order)).toEqual({ ids: [9, 3], anchor: null });
    const same = { ids: [9], anchor: 9 };
    expect(keepShown(same, order)).toBe(same);
  });

  it("selects every shown row, then none", () => {
    const s = toggleAll({ ids: [5], anchor: 5 }, order);
    expect(s.ids).toEqual([5, 9, 7, 3, 1]);
    expect(toggleAll(s, order)).toEqual(EMPTY_SELECTION);
  });
});

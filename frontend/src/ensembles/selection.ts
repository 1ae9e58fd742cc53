// Selecting rows of a table with checkboxes: a click toggles one row; a shift-click sets every row
// from the last one clicked (the anchor) to this one to the state the clicked row takes, as mail
// clients do. `order` is the rows as shown, so a range follows what the person sees; its rows join
// the selection from the anchor towards the row clicked.

export interface Selection {
  /** the selected ids, in the order they were selected */
  ids: number[];
  /** the row clicked last (the start of the next shift-click range) */
  anchor: number | null;
}

export const EMPTY_SELECTION: Selection = { ids: [], anchor: null };

export function clickRow(selection: Selection, id: number, order: number[], shift = false): Selection {
  const on = !selection.ids.includes(id);
  const from = selection.anchor === null ? -1 : order.indexOf(selection.anchor);
  const to = order.indexOf(id);
  if (!shift || from < 0 || to < 0) {
    const ids = on ? [...selection.ids, id] : selection.ids.filter((x) => x !== id);
    return { ids, anchor: id };
  }
  // From the anchor towards the row clicked: the rows join the selection in that order.
  const range = from <= to ? order.slice(from, to + 1) : order.slice(to, from + 1).reverse();
  if (on) {
    const added = range.filter((x) => !selection.ids.includes(x));
    return { ids: [...selection.ids, ...added], anchor: id };
  }
  const dropped = new Set(range);
  return { ids: selection.ids.filter((x) => !dropped.has(x)), anchor: id };
}

/** The selection without rows that are no longer shown (a filter changed, a run was deleted). */
export function keepShown(selection: Selection, order: number[]): Selection {
  const shown = new Set(order);
  const ids = selection.ids.filter((x) => shown.has(x));
  const anchor = selection.anchor !== null && shown.has(selection.anchor) ? selection.anchor : null;
  if (ids.length === selection.ids.length && anchor === selection.anchor) return selection;
  return { ids, anchor };
}

/** Every shown row selected, or (when they all are) none. */
export function toggleAll(selection: Selection, order: number[]): Selection {
  const all = order.length > 0 && order.every((x) => selection.ids.includes(x));
  return all ? EMPTY_SELECTION : clickRowsOn(selection, order);
}

function clickRowsOn(selection: Selection, order: number[]): Selection {
  const added = order.filter((x) => !selection.ids.includes(x));
  return { ids: [...selection.ids, ...added], anchor: selection.anchor };
}

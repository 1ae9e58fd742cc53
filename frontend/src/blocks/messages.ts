// The messages a block shows on the canvas: one item per problem (never run together), a few at most.
import type { Problem } from "../api/types";

export const SHOWN_MESSAGES = 3;

export interface BlockMessages {
  /** the items shown on the block */
  shown: string[];
  /** how many more there are (the inspector and the status bar list them all) */
  more: number;
  /** every message, one a line: the block's tooltip */
  all: string;
}

export function blockMessages(problems: Problem[]): BlockMessages {
  const lines = problems.map((p) => (p.param ? `${p.param}: ${p.message}` : p.message));
  const shown = lines.length > SHOWN_MESSAGES ? lines.slice(0, SHOWN_MESSAGES - 1) : lines;
  return { shown, more: lines.length - shown.length, all: lines.join("\n") };
}

// One row per Input and Output block of the graph: the dataset field the server bound it to
// (POST /api/runs/check) and the problems it reported for that block.
import { useMemo } from "react";
import type { DatasetInfo } from "../../api/runs";
import { useGraph } from "../../graph/store";
import { graphBlocks, type GraphBlock } from "../binding";
import { useTrain } from "../store";
import { useChosenDataset } from "./useDatasets";

export interface BindingRow extends GraphBlock {
  /** the bound field's name (the server's answer), or null */
  field: string | null;
  how: "name" | "only" | null;
  problems: string[];
}

export function useBinding(): { info: DatasetInfo | null; rows: BindingRow[] } {
  const info = useChosenDataset();
  const nodes = useGraph((s) => s.nodes);
  const edges = useGraph((s) => s.edges);
  const validation = useGraph((s) => s.validation);
  const check = useTrain((s) => s.check);
  const refusal = useTrain((s) => s.refusal);
  const rows = useMemo(() => {
    if (!info) return [];
    const bound = new Map((check?.bindings ?? []).map((b) => [b.node, b]));
    const errors = [...(refusal?.errors ?? []), ...(check?.refusal?.errors ?? [])].filter((e) => e.node);
    return graphBlocks(nodes, edges, validation).map((block) => {
      const mine = errors.filter((e) => e.node === block.node);
      const binding = bound.get(block.node);
      return {
        ...block,
        field: binding?.field ?? mine.find((e) => e.field)?.field ?? null,
        how: binding?.how ?? null,
        problems: [...new Set(mine.map((e) => e.message))],
      };
    });
  }, [info, nodes, edges, validation, check, refusal]);
  return { info, rows };
}

// Editor commands shared by the toolbar, the keyboard and the menus.
import { api, ApiError, safeName, type ExportFormat } from "../api/client";
import type { GraphDocument } from "../api/types";
import { useSession } from "../auth/session";
import { useImportOffer } from "../blocks/importOffer";
import { blockOf, useMyBlocks } from "../blocks/savedBlocks";
import { innerOf } from "../graph/groups";
import { layoutNodes } from "../graph/layout";
import { fromDocument, nodeToDocument, toDocument } from "../graph/serialise";
import { graphStore } from "../graph/store";
import type { BlockNode } from "../graph/types";
import { notify } from "../ui/toast";
import { useSaved } from "./dirty";
import { downloadBlob } from "./download";
import { useEditorUi } from "./ui";

/** Replaces the canvas with a document (undoable), laid out when its nodes have no positions. */
export async function loadDocument(
  doc: unknown,
  { undoable = true, projectId = null as number | null } = {},
) {
  const loaded = fromDocument(doc);
  const placed = loaded.needsLayout ? await layoutNodes(loaded.nodes, loaded.edges) : loaded.nodes;
  const nodes = await layoutGroups(placed);
  graphStore.getState().loadGraph({ ...loaded, nodes }, { undoable });
  graphStore.getState().setProject(projectId);
  // a project just opened is as saved; anything else loaded (a template, an import) is not
  if (projectId !== null) useSaved.getState().markSaved(graphStore.getState());
  useEditorUi.getState().requestFit({ animate: false });
}

/** The nodes with every group's inner graph laid out where it came without positions (nested too). */
export async function layoutGroups(nodes: BlockNode[]): Promise<BlockNode[]> {
  if (!nodes.some((n) => n.data.graph)) return nodes;
  return Promise.all(
    nodes.map(async (node) => {
      const inner = node.data.graph;
      if (!inner) return node;
      const placed = inner.needsLayout ? await layoutNodes(inner.nodes, inner.edges) : inner.nodes;
      const laid = await layoutGroups(placed);
      return { ...node, data: { ...node.data, graph: { nodes: laid, edges: inner.edges } } };
    }),
  );
}

export function currentDocument(): GraphDocument {
  return toDocument(graphStore.getState());
}

export async function autoLayout() {
  const { nodes, edges } = graphStore.getState();
  if (!nodes.length) return;
  const placed = await layoutNodes(nodes, edges);
  graphStore.getState().setPositions(Object.fromEntries(placed.map((n) => [n.id, n.position])));
  useEditorUi.getState().requestFit();
}

export function newGraph() {
  graphStore.getState().loadGraph({ nodes: [], edges: [], name: "untitled" });
  graphStore.getState().setProject(null);
}

function problemText(error: unknown): string {
  if (error instanceof ApiError) {
    const errors = (error.body as { errors?: { node?: string | null; message: string }[] } | null)?.errors;
    if (errors?.length && !error.message.includes(errors[0].message)) {
      const first = errors[0];
      return `${error.message}: ${first.node ? `${first.node}: ` : ""}${first.message}`;
    }
    return error.message;
  }
  return (error as Error)?.message ?? String(error);
}

export async function exportAs(format: ExportFormat) {
  const doc = currentDocument();
  if (!doc.nodes.length) {
    notify("Nothing to export: the canvas is empty.", "error");
    return;
  }
  try {
    const { blob, filename } = await api.exportGraph(doc, format);
    downloadBlob(blob, filename || `${safeName(doc.name)}.${format === "python" ? "py" : format}`);
  } catch (error) {
    notify(`Export failed: ${problemText(error)}`, "error");
  }
}

/** A .keras file or Keras model JSON goes to the server; our own graph JSON loads directly. */
export async function importFile(file: File) {
  useImportOffer.getState().set(null);
  try {
    if (/\.json$/i.test(file.name)) {
      const text = await file.text();
      let parsed: unknown = null;
      try {
        parsed = JSON.parse(text);
      } catch {
        throw new Error(`${file.name} is not valid JSON`);
      }
      const maybe = parsed as { nodes?: unknown; edges?: unknown };
      if (maybe && Array.isArray(maybe.nodes) && Array.isArray(maybe.edges)) {
        await loadDocument(parsed);
        notify(`Opened ${file.name}`, "success");
        return;
      }
    }
    const { notice, ...doc } = await api.importModel(file);
    await loadDocument(doc);
    // ... and the Inspector offers to place the file as a Pretrained block instead, weights and all.
    if (notice && /\.keras$/i.test(file.name)) useImportOffer.getState().set({ file, doc });
    // A trained model's weights are dropped: the server says so, and how to keep them (a Pretrained block).
    notify(
      notice ? `Imported ${file.name}: ${notice}` : `Imported ${file.name}`,
      notice ? "info" : "success",
    );
  } catch (error) {
    notify(`Import failed: ${problemText(error)}`, "error");
  }
}

export async function saveProject({ asNew = false } = {}) {
  if (!useSession.getState().username) {
    useEditorUi.getState().setOpen("projects");
    notify("Log in to save projects.", "info");
    return;
  }
  const state = graphStore.getState();
  const doc = toDocument(state);
  try {
    if (state.projectId !== null && !asNew) {
      await api.updateProject(state.projectId, { name: doc.name, graph: doc });
      useSaved.getState().markSaved(state);
      notify(`Saved “${doc.name}”`, "success");
    } else {
      const project = await api.createProject(doc.name, doc);
      graphStore.getState().setProject(project.id);
      useSaved.getState().markSaved(state);
      notify(`Saved as new project “${project.name}”`, "success");
    }
  } catch (error) {
    if (error instanceof ApiError && error.status === 404 && state.projectId !== null) {
      graphStore.getState().setProject(null);
      notify("That project no longer exists; save again to create a new one.", "error");
      return;
    }
    notify(`Save failed: ${problemText(error)}`, "error");
  }
}

export async function openProject(id: number) {
  try {
    const project = await api.project(id);
    await loadDocument({ ...project.graph, name: project.name }, { projectId: project.id });
    useEditorUi.getState().setOpen(null);
  } catch (error) {
    notify(`Could not open the project: ${problemText(error)}`, "error");
  }
}

export function undo() {
  graphStore.getState().undo();
}

export function redo() {
  graphStore.getState().redo();
}

/** Ctrl+G: the selected blocks become one Group block. */
export function groupSelection() {
  const problem = graphStore.getState().groupSelected();
  if (problem) notify(`Cannot group: ${problem}`, "error");
}

/** Ctrl+Shift+G: the selected Group's blocks go back in its place. */
export function ungroupSelection(id?: string) {
  const problem = graphStore.getState().ungroupSelected(id);
  if (problem) notify(`Cannot ungroup: ${problem}`, "error");
}

/**
 * Opens a group in place (double-click): the canvas shows its inner graph, with a breadcrumb back
 * (the canvas fits the level shown whenever it changes, also on undo).
 */
export function openGroup(id: string) {
  graphStore.getState().openGroup(id);
}

/** Goes back out to `depth` groups open (0: the project's graph). */
export function closeGroupTo(depth: number) {
  graphStore.getState().closeTo(depth);
}

/** Saves a Group (with its inner graph; a sharing group: the shared one's) to the person's My blocks. */
export async function saveToMyBlocks(id: string) {
  if (!useSession.getState().username) {
    notify("Log in to keep blocks in My blocks.", "info");
    return;
  }
  const { nodes } = graphStore.getState();
  const group = nodes.find((n) => n.id === id && n.data.type === "Group");
  const inner = group && innerOf(group.data, nodes);
  if (!group || !inner) {
    notify("Only a Group block can be saved to My blocks.", "error");
    return;
  }
  const name = window.prompt("Save to My blocks as:", id)?.trim();
  if (!name) return;
  const node = nodeToDocument(
    { ...group, data: { type: "Group", params: {}, graph: { nodes: inner.nodes, edges: inner.edges } } },
    { positions: true },
  );
  delete node.position;
  try {
    await useMyBlocks.getState().save(name, node);
    notify(`Saved “${name}” to My blocks`, "success");
  } catch (error) {
    notify(`Could not save to My blocks: ${problemText(error)}`, "error");
  }
}

/** The copy a saved block drops as (fresh id), for the canvas's drop. */
export function savedBlockById(id: string): BlockNode | null {
  const entry = useMyBlocks.getState().entries.find((e) => String(e.id) === id);
  return entry ? blockOf(entry) : null;
}

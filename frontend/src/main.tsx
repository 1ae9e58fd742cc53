import "@xyflow/react/dist/style.css";
import "./ui/base.css";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { readWork, startPersistence } from "./graph/persist";
import { fromDocument } from "./graph/serialise";
import { graphStore } from "./graph/store";

// Bring back the work in progress from the last visit, then keep saving it.
const work = readWork(window.localStorage);
if (work) {
  try {
    const loaded = fromDocument(work.graph);
    graphStore.getState().loadGraph(loaded, { undoable: false });
    graphStore.getState().setProject(work.projectId);
  } catch {
    // unreadable: start empty
  }
}
startPersistence(graphStore, window.localStorage);

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);

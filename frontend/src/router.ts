// A very small client-side router: the path in a store, pushState to move.
import { create } from "zustand";

interface RouterState {
  path: string;
}

export const useRouter = create<RouterState>()(() => ({ path: window.location.pathname }));

window.addEventListener("popstate", () => useRouter.setState({ path: window.location.pathname }));

export function navigate(path: string, { replace = false } = {}) {
  if (replace) window.history.replaceState(null, "", path);
  else window.history.pushState(null, "", path);
  useRouter.setState({ path });
}

export type Route =
  | { page: "editor" }
  | { page: "login" }
  | { page: "run"; id: string }
  | { page: "runs" }
  | { page: "sweep"; id: string }
  | { page: "sweeps" }
  | { page: "ensemble"; id: string }
  | { page: "crossval"; id: string }
  | { page: "not-found" };

export function matchRoute(fullPath: string): Route {
  const path = fullPath.split(/[?#]/, 1)[0];
  if (path === "/" || path === "") return { page: "editor" };
  if (path === "/runs" || path === "/runs/") return { page: "runs" };
  if (path === "/login" || path === "/login/") return { page: "login" };
  const run = /^\/runs\/([^/]+)\/?$/.exec(path);
  if (run) return { page: "run", id: decodeURIComponent(run[1]) };
  if (path === "/sweeps" || path === "/sweeps/") return { page: "sweeps" };
  const sweep = /^\/sweeps\/([^/]+)\/?$/.exec(path);
  if (sweep) return { page: "sweep", id: decodeURIComponent(sweep[1]) };
  const ensemble = /^\/ensembles\/([^/]+)\/?$/.exec(path);
  if (ensemble) return { page: "ensemble", id: decodeURIComponent(ensemble[1]) };
  const crossval = /^\/crossval\/([^/]+)\/?$/.exec(path);
  if (crossval) return { page: "crossval", id: decodeURIComponent(crossval[1]) };
  return { page: "not-found" };
}

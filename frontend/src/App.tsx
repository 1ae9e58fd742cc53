import { lazy, Suspense, useEffect } from "react";
import { useSession } from "./auth/session";
import { EditorPage } from "./pages/EditorPage";
import { LoginPage } from "./pages/LoginPage";
import { matchRoute, navigate, useRouter } from "./router";
import { Toasts } from "./ui/Toasts";

// The run pages (uPlot and the charts) load on first visit, not with the editor.
const RunPage = lazy(() => import("./pages/RunPage").then((m) => ({ default: m.RunPage })));
const RunsPage = lazy(() => import("./pages/RunsPage").then((m) => ({ default: m.RunsPage })));
const SweepPage = lazy(() => import("./pages/SweepPage").then((m) => ({ default: m.SweepPage })));
const SweepsPage = lazy(() => import("./pages/SweepsPage").then((m) => ({ default: m.SweepsPage })));
const EnsemblePage = lazy(() => import("./pages/EnsemblePage").then((m) => ({ default: m.EnsemblePage })));
const CrossvalPage = lazy(() => import("./pages/CrossvalPage").then((m) => ({ default: m.CrossvalPage })));

export function App() {
  const path = useRouter((s) => s.path);
  const route = matchRoute(path);
  useEffect(() => {
    useSession.getState().refresh();
  }, []);
  return (
    <>
      {route.page === "editor" && <EditorPage />}
      {route.page === "login" && <LoginPage />}
      {(route.page === "run" ||
        route.page === "runs" ||
        route.page === "sweep" ||
        route.page === "sweeps" ||
        route.page === "ensemble" ||
        route.page === "crossval") && (
        <Suspense fallback={<div className="centered-page muted">Loading…</div>}>
          {route.page === "run" && <RunPage key={route.id} id={route.id} />}
          {route.page === "runs" && <RunsPage />}
          {route.page === "sweep" && <SweepPage key={route.id} id={route.id} />}
          {route.page === "sweeps" && <SweepsPage />}
          {route.page === "ensemble" && <EnsemblePage key={route.id} id={route.id} />}
          {route.page === "crossval" && <CrossvalPage key={route.id} id={route.id} />}
        </Suspense>
      )}
      {route.page === "not-found" && (
        <div className="centered-page">
          <div className="card">
            <h2>Page not found</h2>
            <button onClick={() => navigate("/")}>Open the editor</button>
          </div>
        </div>
      )}
      <Toasts />
    </>
  );
}

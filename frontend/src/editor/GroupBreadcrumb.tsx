// Where the canvas is while groups are open in place: "Project > encoder > block", each step a way back out.
import { useGraph } from "../graph/store";
import { closeGroupTo } from "./commands";

export function GroupBreadcrumb() {
  const frames = useGraph((s) => s.frames);
  const name = useGraph((s) => s.name);
  if (!frames.length) return null;
  const steps = [name || "Project", ...frames.map((f) => f.groupId)];
  return (
    <nav className="group-breadcrumb" aria-label="Open groups" data-testid="group-breadcrumb">
      {steps.map((step, depth) => (
        <span key={depth} className="group-crumb">
          {depth > 0 && <span className="group-crumb-sep">›</span>}
          {depth < frames.length ? (
            <button
              type="button"
              data-testid={`group-crumb-${depth}`}
              title={depth === 0 ? "Back to the whole graph" : `Back to group ${step}`}
              onClick={() => closeGroupTo(depth)}
            >
              {step}
            </button>
          ) : (
            <strong data-testid={`group-crumb-${depth}`} aria-current="location">
              {step}
            </strong>
          )}
        </span>
      ))}
      <button
        type="button"
        className="group-crumb-up"
        data-testid="group-close"
        title="Back out of this group"
        onClick={() => closeGroupTo(frames.length - 1)}
      >
        ↖ Out
      </button>
    </nav>
  );
}

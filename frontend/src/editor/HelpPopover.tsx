import { SHORTCUT_HELP } from "./shortcuts";
import { useEditorUi } from "./ui";

export function HelpPopover() {
  const open = useEditorUi((s) => s.open === "help");
  const toggle = useEditorUi((s) => s.toggle);
  return (
    <div className="menu-wrap">
      <button
        data-testid="help"
        className="icon"
        title="Keyboard shortcuts (?)"
        onClick={() => toggle("help")}
        aria-expanded={open}
      >
        ?
      </button>
      {open && (
        <div
          className="popover help-popover"
          data-testid="help-popover"
          role="dialog"
          aria-label="Keyboard shortcuts"
        >
          <h3>Keyboard shortcuts</h3>
          <table>
            <tbody>
              {SHORTCUT_HELP.map((row) => (
                <tr key={row.keys}>
                  <td>
                    <kbd>{row.keys}</kbd>
                  </td>
                  <td>{row.what}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

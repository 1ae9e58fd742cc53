import { describe, expect, it } from "vitest";
import { blocksText, editorUrl, parseEditorQuery, projectVersionText, viewingText } from "./history";

describe("the editor's address for a project's version", () => {
  it("reads the project and the version", () => {
    expect(parseEditorQuery("?project=3&version=2")).toEqual({ project: 3, version: 2 });
    expect(parseEditorQuery("?version=2&project=14")).toEqual({ project: 14, version: 2 });
    expect(parseEditorQuery("?project=3")).toEqual({ project: 3, version: null });
  });

  it("ignores an address naming no project, or nonsense", () => {
    expect(parseEditorQuery("")).toBeNull();
    expect(parseEditorQuery("?version=2")).toBeNull();
    expect(parseEditorQuery("?project=abc&version=2")).toBeNull();
    expect(parseEditorQuery("?project=0")).toBeNull();
    expect(parseEditorQuery("?project=-1")).toBeNull();
    expect(parseEditorQuery("?project=1.5")).toBeNull();
    expect(parseEditorQuery("?project=3&version=x")).toEqual({ project: 3, version: null });
    expect(parseEditorQuery("?project=3&version=0")).toEqual({ project: 3, version: null });
  });

  it("writes what it reads back", () => {
    expect(editorUrl(3, 2)).toBe("/?project=3&version=2");
    expect(editorUrl(3)).toBe("/?project=3");
    expect(editorUrl(3, null)).toBe("/?project=3");
    expect(parseEditorQuery(editorUrl(7, 12).slice(1))).toEqual({ project: 7, version: 12 });
  });
});

describe("the words", () => {
  it("counts blocks", () => {
    expect(blocksText(1)).toBe("1 block");
    expect(blocksText(0)).toBe("0 blocks");
    expect(blocksText(4)).toBe("4 blocks");
  });

  it("names a run's project and version, or its unsaved changes", () => {
    expect(projectVersionText("mlp", 3, 2)).toBe("project mlp, version 2");
    expect(projectVersionText(null, 3, 2)).toBe("project #3, version 2");
    expect(projectVersionText("mlp", 3, null)).toBe("project mlp (unsaved changes, no saved version)");
  });

  it("says a version is read only", () => {
    expect(viewingText(3)).toBe("Viewing version 3 — read only");
  });
});

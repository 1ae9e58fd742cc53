import { describe, expect, it } from "vitest";
import { csvHeader, fileProblem, kindOf, stampOf } from "./upload";

describe("upload helpers", () => {
  it("reads a CSV header with quotes and other delimiters", () => {
    expect(csvHeader('a,b,"c, d",species\n1,2,3,x')).toEqual(["a", "b", "c, d", "species"]);
    expect(csvHeader('x;y;"say ""hi"""\r\n1;2;3')).toEqual(["x", "y", 'say "hi"']);
    expect(csvHeader("x\ty\n")).toEqual(["x", "y"]);
  });

  it("knows the upload kinds", () => {
    expect(kindOf("Data.CSV")).toBe("csv");
    expect(kindOf("arrays.npz")).toBe("npz");
    expect(kindOf("flowers.zip")).toBe("zip");
    expect(kindOf("model.keras")).toBeNull();
  });
});

describe("a file that changed while uploading", () => {
  it("says nothing of a file that still reads as it was", async () => {
    const file = new File(["a,b\n1,2\n"], "data.csv", { lastModified: 1000 });
    expect(await fileProblem(file, stampOf(file))).toBeNull();
  });

  it("says so when the file's size or date changed", async () => {
    const file = new File(["a,b\n1,2\n"], "data.csv", { lastModified: 1000 });
    expect(await fileProblem(file, { size: 3, lastModified: 1000 })).toMatch(
      /data.csv changed or was removed/,
    );
    expect(await fileProblem(file, { size: file.size, lastModified: 5 })).toMatch(/choose it again/);
  });

  it("says so when the file can no longer be read (edited or deleted on disk)", async () => {
    const gone = new File(["a,b\n"], "gone.csv", { lastModified: 7 });
    const unreadable = {
      name: gone.name,
      size: gone.size,
      lastModified: gone.lastModified,
      // what Chromium's File does once the file on disk changed: reading rejects (NotReadableError)
      slice: () => ({ arrayBuffer: () => Promise.reject(new DOMException("", "NotReadableError")) }),
    } as unknown as File;
    expect(await fileProblem(unreadable, stampOf(gone))).toBe(
      "gone.csv changed or was removed while uploading: choose it again",
    );
  });
});

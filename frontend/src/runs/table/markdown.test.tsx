import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { NoteMarkdown, safeUrl } from "./markdown";

const html = (text: string) =>
  renderToStaticMarkup(<NoteMarkdown text={text} />)
    .replace(/^<div class="note-markdown" data-testid="note-markdown">/, "")
    .replace(/<\/div>$/, "")
    .replace(/\n/g, "");

describe("a run's note", () => {
  it("renders paragraphs, bold, italic, code and lists", () => {
    expect(html("Tried **lr 0.01**, *worse*.\n\nUse `adam`:\n\n- one\n- two\n\n1. first")).toBe(
      "<p>Tried <strong>lr 0.01</strong>, <em>worse</em>.</p><p>Use <code>adam</code>:</p>" +
        "<ul><li>one</li><li>two</li></ul><ol><li>first</li></ol>",
    );
  });

  it("shows raw HTML as text, never as markup", () => {
    const out = html('<script>alert(1)</script> <b onclick="x()">hi</b> <img src=x onerror=alert(1)>');
    expect(out).not.toMatch(/<script|<b |<img/);
    expect(out).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(out).toContain("&lt;b onclick=&quot;x()&quot;&gt;hi&lt;/b&gt;");
  });

  it("links only to http(s); any other link is its text", () => {
    expect(html("[docs](https://keras.io/api/)")).toBe(
      '<p><a href="https://keras.io/api/" target="_blank" rel="noopener noreferrer nofollow">docs</a></p>',
    );
    for (const bad of [
      "javascript:alert(1)",
      "data:text/html,x",
      "/runs/3",
      "mailto:a@b.c",
      "JaVaScRiPt:x",
    ]) {
      const out = html(`[click](${bad})`);
      expect(out).toBe("<p><span>click</span></p>");
    }
  });

  it("does not load images: their description stands in", () => {
    expect(html("![the curve](https://example.com/pixel.png)")).toBe(
      '<p><span class="note-image">[image: the curve]</span></p>',
    );
  });

  it("safeUrl keeps http(s) addresses only", () => {
    expect(safeUrl(" https://a.b/c?d=1 ")).toBe("https://a.b/c?d=1");
    expect(safeUrl("HTTP://A.B")).toBe("HTTP://A.B");
    expect(safeUrl("javascript:alert(1)")).toBeNull();
    expect(safeUrl("https://a b")).toBeNull();
    expect(safeUrl(undefined)).toBeNull();
  });
});

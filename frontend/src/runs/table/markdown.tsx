// A run's note as Markdown, safely: raw HTML is shown as text (never parsed), images are not
// loaded (their description is shown), and a link goes somewhere only when it is http(s); any other link is its text alone.
import Markdown, { type Components } from "react-markdown";

/** The link's address when it is http(s), else null. */
export function safeUrl(url: string | null | undefined): string | null {
  const trimmed = (url ?? "").trim();
  return /^https?:\/\/[^\s]+$/i.test(trimmed) ? trimmed : null;
}

const COMPONENTS: Components = {
  a: ({ href, children }) => {
    const url = safeUrl(href);
    return url ? (
      <a href={url} target="_blank" rel="noopener noreferrer nofollow">
        {children}
      </a>
    ) : (
      <span>{children}</span>
    );
  },
  // An image is not loaded (a tracker's pixel, a huge file): its description stands in for it.
  img: ({ alt }) => <span className="note-image">[image{alt ? `: ${alt}` : ""}]</span>,
};

/** Elements no note needs (Markdown never makes them: raw HTML stays text; this is a second lock). */
const DISALLOWED = ["iframe", "script", "style", "object", "embed"];

export function NoteMarkdown({ text }: { text: string }) {
  return (
    <div className="note-markdown" data-testid="note-markdown">
      <Markdown
        skipHtml={false}
        disallowedElements={DISALLOWED}
        unwrapDisallowed
        urlTransform={(url) => safeUrl(url) ?? ""}
        components={COMPONENTS}
      >
        {text}
      </Markdown>
    </div>
  );
}

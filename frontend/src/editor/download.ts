/** Hands a blob (or data URL) to the browser as a download with a filename. */
export function downloadBlob(data: Blob | string, filename: string) {
  const url = typeof data === "string" ? data : URL.createObjectURL(data);
  const anchor = document.createElement("a");
  anchor.href = url;
  anchor.download = filename;
  anchor.rel = "noopener";
  anchor.style.display = "none";
  document.body.appendChild(anchor);
  anchor.click();
  anchor.remove();
  if (typeof data !== "string") setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

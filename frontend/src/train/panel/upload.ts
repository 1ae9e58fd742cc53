// Pure helpers of the upload form: the kind of a file, a CSV's header, a size in bytes.
export type Kind = "csv" | "npz" | "zip" | null;

export function kindOf(filename: string): Kind {
  const lower = filename.toLowerCase();
  if (lower.endsWith(".csv")) return "csv";
  if (lower.endsWith(".npz")) return "npz";
  if (lower.endsWith(".zip")) return "zip";
  return null;
}

/** The column names of a CSV's header line (quoted names, commas or semicolons or tabs). */
export function csvHeader(text: string): string[] {
  const line = text.split(/\r?\n/, 1)[0] ?? "";
  const delimiter = [",", ";", "\t"].reduce(
    (best, d) => (line.split(d).length > line.split(best).length ? d : best),
    ",",
  );
  const out: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === delimiter) {
      out.push(cell.trim());
      cell = "";
    } else cell += c;
  }
  out.push(cell.trim());
  return out.filter((c) => c !== "");
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 ** 2).toFixed(1)} MB`;
}

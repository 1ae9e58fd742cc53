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

/** What a chosen file was when the upload started: a File whose size or date changed was edited. */
export interface FileStamp {
  size: number;
  lastModified: number;
}

export const stampOf = (file: Pick<File, "size" | "lastModified">): FileStamp => ({
  size: file.size,
  lastModified: file.lastModified,
});

/**
 * Why a file can no longer be uploaded, or null when it still reads as it was: the browser's File is
 * a snapshot, so a file edited, moved or deleted on disk since it was chosen fails to read (or
 * reports another size or date). An upload that failed for that reason must say so, not blame the
 * network.
 */
export async function fileProblem(
  file: Pick<File, "size" | "lastModified" | "slice" | "name">,
  stamp: FileStamp,
): Promise<string | null> {
  const changed = `${file.name} changed or was removed while uploading: choose it again`;
  if (file.size !== stamp.size || file.lastModified !== stamp.lastModified) return changed;
  try {
    await file.slice(0, 1).arrayBuffer();
    if (file.size > 1) await file.slice(file.size - 1).arrayBuffer();
  } catch {
    return changed;
  }
  return null;
}

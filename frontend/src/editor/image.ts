// PNG / SVG pictures of the whole graph (html-to-image, loaded on first use).
import type { Rect } from "@xyflow/react";
import { downloadBlob } from "./download";

const PADDING = 40;

export async function exportPicture(format: "png" | "svg", bounds: Rect, filename: string): Promise<void> {
  const viewport = document.querySelector<HTMLElement>(".react-flow__viewport");
  if (!viewport) throw new Error("the canvas is not on the page");
  const { toPng, toSvg } = await import("html-to-image");
  const width = Math.ceil(bounds.width + PADDING * 2);
  const height = Math.ceil(bounds.height + PADDING * 2);
  const background =
    getComputedStyle(document.documentElement).getPropertyValue("--canvas-bg").trim() || "#ffffff";
  const options = {
    backgroundColor: background,
    width,
    height,
    style: {
      width: `${width}px`,
      height: `${height}px`,
      transform: `translate(${PADDING - bounds.x}px, ${PADDING - bounds.y}px) scale(1)`,
    },
  };
  const dataUrl =
    format === "png" ? await toPng(viewport, { ...options, pixelRatio: 2 }) : await toSvg(viewport, options);
  downloadBlob(dataUrl, filename);
}

// @vitest-environment jsdom
import { cleanup, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import type { SamplePrediction } from "../api/runs";
import { SampleGrid } from "./results";

afterEach(cleanup);

// A tabular dataset's samples: no picture, a class name and the predicted class's probability.
const samples: SamplePrediction[] = [
  { index: 4, true: "yes", pred: "yes", correct: true, confidence: 0.9731, image: null },
  { index: 9, true: "no", pred: "yes", correct: false, confidence: 0.5149, image: null },
  { index: 12, true: "no", pred: "no", correct: true, confidence: 0.9996, image: null },
  { index: 15, true: "no", pred: "no", correct: true, confidence: 1, image: null },
];

describe("the sample predictions of a tabular run", () => {
  it("show each confidence as a whole percentage, 100% only when certain", () => {
    render(<SampleGrid samples={samples} />);
    const text = (i: number) => screen.getByTestId(`sample-confidence-${i}`).textContent?.trim();
    expect(text(4)).toBe("97%");
    expect(text(9)).toBe("51%");
    expect(text(12)).toBe(">99%");
    expect(text(15)).toBe("100%");
    for (const s of samples)
      expect(screen.getByTestId(`sample-${s.index}`).textContent).not.toMatch(/\d\.\d+%/);
  });
});

// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { param, specs } from "../test-fixtures";
import { Field } from "./fields";

afterEach(cleanup);

function renderField(type: string, name: string, setValue: unknown, onChange = vi.fn()) {
  const p = param(type, name);
  render(
    <Field param={p} setValue={setValue} storedError={null} path="" specs={specs} onChange={onChange} />,
  );
  return onChange;
}

describe("inspector fields", () => {
  it("sends a valid number and marks a wrong one without sending it", () => {
    const onChange = renderField("Dense", "units", 512);
    const input = screen.getByTestId("field-units") as HTMLInputElement;
    expect(input.value).toBe("512");
    fireEvent.change(input, { target: { value: "64" } });
    expect(onChange).toHaveBeenLastCalledWith(64);
    fireEvent.change(input, { target: { value: "0" } });
    expect(onChange).toHaveBeenCalledTimes(1);
    expect(screen.getByTestId("field-error-units").textContent).toBe(
      "units must be an integer between 1 and 1000000; got 0",
    );
    expect(input.getAttribute("aria-invalid")).toBe("true");
    fireEvent.change(input, { target: { value: "1.5" } });
    expect(screen.getByTestId("field-error-units").textContent).toBe(
      "units must be an integer between 1 and 1000000; got 1.5",
    );
  });

  it("renders int tuples as one small field per axis", () => {
    const onChange = renderField("Conv2D", "kernel_size", 3);
    expect((screen.getByTestId("field-kernel_size-0") as HTMLInputElement).value).toBe("3");
    expect((screen.getByTestId("field-kernel_size-1") as HTMLInputElement).value).toBe("3");
    fireEvent.change(screen.getByTestId("field-kernel_size-1"), { target: { value: "5" } });
    expect(onChange).toHaveBeenLastCalledWith([3, 5]);
  });

  it("renders choices as a menu with None and the default", () => {
    const onChange = renderField("Dense", "activation", undefined);
    const select = screen.getByTestId("field-activation") as HTMLSelectElement;
    expect(select.value).toBe("");
    expect([...select.options].map((o) => o.textContent)).toContain("relu");
    fireEvent.change(select, { target: { value: "relu" } });
    expect(onChange).toHaveBeenLastCalledWith("relu");
  });

  it("renders booleans as checkboxes", () => {
    const onChange = renderField("Dense", "use_bias", undefined);
    const box = screen.getByTestId("field-use_bias") as HTMLInputElement;
    expect(box.checked).toBe(true);
    fireEvent.click(box);
    expect(onChange).toHaveBeenLastCalledWith(false);
  });

  it("reads shapes as text", () => {
    const onChange = renderField("Input", "shape", [28, 28, 1]);
    const input = screen.getByTestId("field-shape") as HTMLInputElement;
    expect(input.value).toBe("28, 28, 1");
    fireEvent.change(input, { target: { value: "None, 64" } });
    expect(onChange).toHaveBeenLastCalledWith([null, 64]);
  });

  it("offers metric choices as checkboxes", () => {
    const onChange = renderField("Output", "metrics", ["accuracy"]);
    expect((screen.getByTestId("field-metrics-accuracy") as HTMLInputElement).checked).toBe(true);
    fireEvent.click(screen.getByTestId("field-metrics-mae"));
    expect(onChange).toHaveBeenLastCalledWith(["accuracy", "mae"]);
  });

  it("edits a wrapper: inner type, then its params", () => {
    const onChange = renderField("Bidirectional", "layer", { type: "GRU", params: { units: 64 } });
    expect((screen.getByTestId("field-layer") as HTMLSelectElement).value).toBe("GRU");
    fireEvent.change(screen.getByTestId("field-layer.units"), { target: { value: "32" } });
    expect(onChange).toHaveBeenLastCalledWith({ type: "GRU", params: { units: 32 } });
    fireEvent.change(screen.getByTestId("field-layer"), { target: { value: "LSTM" } });
    expect(onChange).toHaveBeenLastCalledWith({ type: "LSTM", params: {} });
  });
});

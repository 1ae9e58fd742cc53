// The settings form against the real declaration: test-fixtures/training-settings.json is what
// GET /api/training/settings answers (`make fixtures` writes it from trainer/settings.py), so no
// default, bound or choice is copied here.
import { describe, expect, it } from "vitest";
import declarationJson from "../test-fixtures/training-settings.json";
import { restoreValues, settingsField, summariseSettings, validateSettings } from "./settings";
import {
  applies,
  nest,
  toParamSpec,
  valueOf,
  type SettingDecl,
  type SettingValues,
  type SettingsDeclaration,
} from "./settingsSchema";

const declaration = declarationJson as SettingsDeclaration;
const fields = declaration.fields;
const numeric = fields.filter((f) => f.kind === "int" || f.kind === "float");
const defaults = () => nest(Object.fromEntries(fields.map((f) => [f.name, f.default])));
const field = (name: string) => {
  const found = fields.find((f) => f.name === name);
  if (!found) throw new Error(`no ${name} in the declaration`);
  return found;
};

/** The values that make `decl` apply (its `applies_when`), plus `extra`. */
function applying(decl: SettingDecl, extra: SettingValues = {}): SettingValues {
  return { ...(decl.applies_when ?? {}), ...extra };
}

function leaf(settings: unknown, name: string): unknown {
  return name.split(".").reduce((node, key) => (node as Record<string, unknown>)[key], settings);
}

describe("the declaration", () => {
  it("has groups for every setting and conditions on declared settings", () => {
    const groups = new Set(declaration.groups.map((g) => g.name));
    expect(fields.length).toBeGreaterThan(0);
    for (const f of fields) {
      expect(groups.has(f.group)).toBe(true);
      for (const name of Object.keys(f.applies_when ?? {})) expect(field(name).name).toBe(name);
    }
  });

  it("gives the field widgets a block param", () => {
    for (const f of fields) {
      const param = toParamSpec(f);
      expect(param).toMatchObject({ name: f.name, kind: f.kind, default: f.default, required: false });
      expect([param.min, param.max, param.choices]).toEqual([f.min, f.max, f.choices]);
    }
  });
});

describe("training settings form", () => {
  it("sends the declared defaults when nothing is set", () => {
    const { settings, errors } = validateSettings(declaration, {});
    expect(errors).toEqual({});
    expect(settings).toEqual(defaults());
    for (const f of fields) expect(leaf(settings, f.name)).toEqual(f.default);
  });

  it.each(numeric.map((f) => [f.name, f] as const))("checks %s against its declared bounds", (_, f) => {
    const step = f.kind === "int" ? 1 : 1e-6;
    const low = f.min_open ? f.min! + step : f.min!;
    const high = f.max_open ? f.max! - step : f.max!;
    for (const value of [low, high]) {
      const { settings, errors } = validateSettings(declaration, applying(f, { [f.name]: value }));
      expect(errors).toEqual({});
      expect(leaf(settings, f.name)).toBe(value);
    }
    for (const value of [f.min_open ? f.min! : f.min! - step, f.max_open ? f.max! : f.max! + step]) {
      const { settings, errors } = validateSettings(declaration, applying(f, { [f.name]: value }));
      expect(settings).toBeNull();
      expect(Object.keys(errors)).toEqual([f.name]);
      expect(errors[f.name]).toContain(String(f.min));
    }
  });

  it("refuses a fraction for a whole number and a choice not declared", () => {
    for (const f of fields.filter((f) => f.kind === "int")) {
      expect(validateSettings(declaration, applying(f, { [f.name]: f.min! + 0.5 })).errors[f.name]).toMatch(
        /whole number/,
      );
    }
    for (const f of fields.filter((f) => f.kind === "choice")) {
      expect(f.choices!.length).toBeGreaterThan(1);
      for (const choice of f.choices!) {
        expect(validateSettings(declaration, applying(f, { [f.name]: choice })).errors).toEqual({});
      }
      expect(validateSettings(declaration, applying(f, { [f.name]: "nope" })).errors[f.name]).toContain(
        f.choices!.join(", "),
      );
    }
  });

  it("checks a string against its declared pattern", () => {
    const patterned = fields.filter((f) => f.pattern);
    expect(patterned.length).toBeGreaterThan(0);
    for (const f of patterned) {
      expect(validateSettings(declaration, applying(f, { [f.name]: "val loss!" })).errors[f.name]).toBe(
        f.pattern_hint,
      );
      expect(validateSettings(declaration, applying(f, { [f.name]: f.default })).errors).toEqual({});
    }
  });

  it("lets null through only where the declaration says so", () => {
    for (const f of fields) {
      const errors = validateSettings(declaration, applying(f, { [f.name]: null })).errors;
      expect(Object.keys(errors)).toEqual(f.nullable ? [] : [f.name]);
    }
  });

  it("checks and sends a setting only while its applies_when holds", () => {
    const conditional = fields.filter((f) => f.applies_when && (f.kind === "int" || f.kind === "float"));
    expect(conditional.length).toBeGreaterThan(0);
    for (const f of conditional) {
      const bad = { [f.name]: f.max! + 1 };
      expect(applies(declaration, f, {})).toBe(
        Object.entries(f.applies_when!).every(([n, v]) => field(n).default === v),
      );
      const off = validateSettings(declaration, bad);
      if (!applies(declaration, f, bad)) {
        expect(off.errors).toEqual({});
        expect(leaf(off.settings, f.name)).toEqual(f.default);
      }
      const on = validateSettings(declaration, applying(f, bad));
      expect(Object.keys(on.errors)).toEqual([f.name]);
      const quarter = f.min! + (f.max! - f.min!) / 4;
      const inside = f.kind === "int" ? Math.round(quarter) : quarter;
      const good = validateSettings(declaration, applying(f, { [f.name]: inside }));
      expect(leaf(good.settings, f.name)).toBe(inside);
    }
  });

  it("counts text that does not parse as an error, only where the setting applies", () => {
    const f = fields.find((f) => f.applies_when)!;
    const drafts = { [f.name]: "not a number", epochs: "not an integer" };
    expect(Object.keys(validateSettings(declaration, {}, drafts).errors)).toEqual(["epochs"]);
    expect(Object.keys(validateSettings(declaration, applying(f), drafts).errors).sort()).toEqual(
      ["epochs", f.name].sort(),
    );
  });

  it("restores stored values, dropping what is odd", () => {
    expect(restoreValues(null)).toEqual({});
    expect(restoreValues([1])).toEqual({});
    const restored = restoreValues({ epochs: 7, optimizer: "sgd", max_samples: null, weird: { a: 1 } });
    expect(restored).toEqual({ epochs: 7, optimizer: "sgd", max_samples: null });
    expect(valueOf(field("epochs"), restored)).toBe(7);
    expect(valueOf(field("seed"), restored)).toBe(field("seed").default);
  });

  it("maps server fields to form fields and summarises settings", () => {
    expect(settingsField("training.callbacks.reduce_lr.factor")).toBe("callbacks.reduce_lr.factor");
    expect(settingsField("dataset")).toBeNull();
    const { settings } = validateSettings(declaration, {
      max_samples: 512,
      "callbacks.early_stopping.enabled": true,
    });
    const d = defaults() as { optimizer: string; learning_rate: number; batch_size: number; epochs: number };
    expect(summariseSettings(settings)).toBe(
      `${d.optimizer} ${d.learning_rate} · bs ${d.batch_size} · ${d.epochs} ep · 512 samples · early stop`,
    );
  });
});

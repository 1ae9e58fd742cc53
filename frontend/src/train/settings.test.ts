import { describe, expect, it } from "vitest";
import { defaultForm, restoreForm, settingsField, summariseSettings, validateSettings } from "./settings";

describe("training settings form", () => {
  it("defaults to trainer/settings.py DEFAULTS", () => {
    const { settings, errors } = validateSettings(defaultForm());
    expect(errors).toEqual({});
    expect(settings).toEqual({
      optimizer: "adam",
      learning_rate: 0.001,
      batch_size: 32,
      epochs: 5,
      validation_split: 0.1,
      max_samples: null,
      seed: 0,
      callbacks: {
        early_stopping: { enabled: false, monitor: "val_loss", patience: 3 },
        reduce_lr: { enabled: false, factor: 0.5, patience: 2 },
        checkpoint_best: { enabled: false, monitor: "val_loss" },
        lr_schedule: { enabled: false, kind: "cosine", step_size: 10, gamma: 0.5 },
        terminate_on_nan: true,
        tensorboard: true,
      },
    });
  });

  it("parses typed numbers and a sample limit", () => {
    const form = {
      ...defaultForm(),
      learning_rate: " 3e-4 ",
      batch_size: "64",
      epochs: "2",
      max_samples: "512",
      seed: "42",
      validation_split: "0",
    };
    const { settings } = validateSettings(form);
    expect(settings).toMatchObject({
      learning_rate: 0.0003,
      batch_size: 64,
      epochs: 2,
      max_samples: 512,
      seed: 42,
      validation_split: 0,
    });
  });

  it.each([
    ["learning_rate", "0"],
    ["learning_rate", "11"],
    ["learning_rate", "fast"],
    ["batch_size", "0"],
    ["batch_size", "2.5"],
    ["batch_size", "65537"],
    ["epochs", "1001"],
    ["epochs", ""],
    ["validation_split", "0.6"],
    ["validation_split", "-0.1"],
    ["max_samples", "0"],
    ["seed", "-1"],
    ["seed", String(2 ** 31)],
  ] as const)("refuses %s = %j with a message at that field", (field, value) => {
    const { settings, errors } = validateSettings({ ...defaultForm(), [field]: value });
    expect(settings).toBeNull();
    expect(Object.keys(errors)).toEqual([field]);
    expect(errors[field]).toMatch(/from|in|number/);
  });

  it("accepts the bounds themselves", () => {
    const { errors } = validateSettings({
      ...defaultForm(),
      learning_rate: "1e-7",
      batch_size: "65536",
      epochs: "1000",
      validation_split: "0.5",
      seed: String(2 ** 31 - 1),
    });
    expect(errors).toEqual({});
  });

  it("checks a callback only when it is switched on", () => {
    const off = { ...defaultForm(), reduce_lr: { enabled: false, factor: "2", patience: "x" } };
    expect(validateSettings(off).errors).toEqual({});
    const on = { ...off, reduce_lr: { enabled: true, factor: "1", patience: "-1" } };
    expect(validateSettings(on).errors).toEqual({
      "callbacks.reduce_lr.factor": expect.stringContaining("(0, 1)"),
      "callbacks.reduce_lr.patience": expect.any(String),
    });
    const good = { ...off, reduce_lr: { enabled: true, factor: "0.2", patience: "4" } };
    expect(validateSettings(good).settings?.callbacks.reduce_lr).toEqual({
      enabled: true,
      factor: 0.2,
      patience: 4,
    });
  });

  it("checks monitors and step schedules", () => {
    const form = {
      ...defaultForm(),
      early_stopping: { enabled: true, monitor: "val loss", patience: "3" },
      lr_schedule: { enabled: true, kind: "step" as const, step_size: "0", gamma: "0" },
    };
    const { errors } = validateSettings(form);
    expect(Object.keys(errors).sort()).toEqual([
      "callbacks.early_stopping.monitor",
      "callbacks.lr_schedule.gamma",
      "callbacks.lr_schedule.step_size",
    ]);
  });

  it("needs validation data for a val_ monitor", () => {
    const form = {
      ...defaultForm(),
      validation_split: "0",
      checkpoint_best: { enabled: true, monitor: "val_accuracy" },
    };
    expect(validateSettings(form).errors["callbacks.checkpoint_best.monitor"]).toMatch(
      /validation split.*'accuracy'/,
    );
    expect(
      validateSettings({ ...form, checkpoint_best: { enabled: true, monitor: "accuracy" } }).errors,
    ).toEqual({});
  });

  it("restores a stored form over the defaults, dropping what is odd", () => {
    expect(restoreForm(null)).toEqual(defaultForm());
    const restored = restoreForm({
      epochs: 7,
      optimizer: "sgd",
      early_stopping: { enabled: true, patience: "9" },
      lr_schedule: { kind: "weird" },
      tensorboard: "yes",
    });
    expect(restored.epochs).toBe("7");
    expect(restored.optimizer).toBe("sgd");
    expect(restored.early_stopping).toEqual({ enabled: true, monitor: "val_loss", patience: "9" });
    expect(restored.lr_schedule.kind).toBe("cosine");
    expect(restored.tensorboard).toBe(true);
  });

  it("maps server fields to form fields and summarises settings", () => {
    expect(settingsField("training.callbacks.reduce_lr.factor")).toBe("callbacks.reduce_lr.factor");
    expect(settingsField("dataset")).toBeNull();
    const { settings } = validateSettings({
      ...defaultForm(),
      max_samples: "512",
      early_stopping: { enabled: true, monitor: "val_loss", patience: "3" },
    });
    expect(summariseSettings(settings)).toBe("adam 0.001 · bs 32 · 5 ep · 512 samples · early stop");
  });
});

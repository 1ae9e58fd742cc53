// One input per parameter kind. Each field keeps the text being typed as a draft,
// checks it with the pure parsers in form.ts, and only sends values that pass.
import { useId, useState } from "react";
import type { ParamSpec, Params } from "../api/types";
import { useGraph } from "../graph/store";
import type { SpecMap } from "../graph/types";
import { paramBounds, type Bounds } from "../sweeps/space";
import { DimensionEditor, TuneToggle } from "../sweeps/TuneControl";
import "./fields.css";
import {
  NONE_OPTION,
  formatList,
  formatNumber,
  formatShapeValue,
  formFor,
  parseChoice,
  parseFloatOrTuple,
  parseIntList,
  parseList,
  parseNumber,
  parseShape,
  parseText,
  parseTuple,
  setParam,
  tupleValues,
  widgetFor,
  type Parsed,
} from "./form";

export interface FieldProps {
  param: ParamSpec;
  /** The value set in the node's params, or undefined when it takes the default. */
  setValue: unknown;
  /** The problem with the stored value (required and missing, out of bounds...). */
  storedError: string | null;
  serverError?: string;
  /** Server errors of nested params by their dotted name ("layer.units"). */
  serverErrors?: ReadonlyMap<string, string>;
  /** Prefix of data-testids for nested forms: "" or "layer.". */
  path: string;
  specs: SpecMap;
  onChange(value: unknown): void;
  /** Shown instead of the param's name (the Train panel's settings). */
  label?: string;
  /** Told when the text being typed stops or starts parsing (the value sent stays the last good one). */
  onDraftError?(error: string | null): void;
  /** Where fields get a "tune" toggle (sweeps): the Inspector's blocks, the Train panel's settings. */
  tuning?: FieldTuning;
}

/** How a form's fields become sweep dimensions. */
export interface FieldTuning {
  /** The dimension's target for a param at `path` ("" or "layer."), or null where it cannot be tuned. */
  target(path: string, param: ParamSpec): string | null;
  /** Its bounds; by default the catalog param's rules (min, max, choices). */
  bounds?(param: ParamSpec): Bounds | null;
}

function describeDefault(param: ParamSpec): string {
  if (param.required && (param.default === null || param.default === undefined)) return "required";
  const d = param.default;
  if (d === null || d === undefined) return "None";
  if (Array.isArray(d)) return formatList(d);
  if (typeof d === "object") return String((d as { type?: string }).type ?? "");
  return String(d);
}

export function Field(props: FieldProps) {
  const { param, storedError, serverError, path } = props;
  const inputId = useId();
  const [draftError, setDraftError] = useState<string | null>(null);
  const widget = widgetFor(param);
  const error = draftError ?? storedError ?? serverError ?? null;
  const testId = `field-${path}${param.name}`;
  const tunableWidget = ["number", "select", "tuple", "checkbox"].includes(widget);
  const tuneTarget = tunableWidget ? (props.tuning?.target(path, param) ?? null) : null;
  const tuneBounds = tuneTarget ? ((props.tuning?.bounds ?? paramBounds)(param) ?? null) : null;
  const tunable = tuneTarget !== null && tuneBounds !== null;
  const tuned = useGraph((s) => tuneTarget !== null && tunable && tuneTarget in s.space);

  const apply = (parsed: Parsed) => {
    if (parsed.ok) {
      setDraftError(null);
      props.onDraftError?.(null);
      props.onChange(parsed.value);
    } else {
      setDraftError(parsed.error);
      props.onDraftError?.(parsed.error);
    }
  };

  let control: React.ReactNode;
  switch (widget) {
    case "number":
      control = (
        <DraftInput
          id={inputId}
          testId={testId}
          initial={formatNumber(props.setValue)}
          placeholder={describeDefault(param)}
          inputMode={param.kind === "int" ? "numeric" : "decimal"}
          invalid={!!error}
          onText={(text) => apply(parseNumber(param, text))}
        />
      );
      break;
    case "shape":
      control = (
        <DraftInput
          id={inputId}
          testId={testId}
          initial={props.setValue === null ? "None" : formatShapeValue(props.setValue)}
          placeholder={param.required ? "e.g. 28, 28, 1" : describeDefault(param)}
          invalid={!!error}
          onText={(text) => apply(parseShape(param, text))}
        />
      );
      break;
    case "list":
      control = (
        <DraftInput
          id={inputId}
          testId={testId}
          initial={formatList(props.setValue)}
          placeholder={describeDefault(param)}
          invalid={!!error}
          onText={(text) =>
            apply(
              param.kind === "int_tuple"
                ? parseIntList(param, text)
                : param.kind === "float_or_tuple"
                  ? parseFloatOrTuple(param, text)
                  : parseList(param, text),
            )
          }
        />
      );
      break;
    case "text":
      control = (
        <DraftInput
          id={inputId}
          testId={testId}
          initial={props.setValue === undefined || props.setValue === null ? "" : String(props.setValue)}
          placeholder={describeDefault(param)}
          invalid={!!error}
          onText={(text) => apply(parseText(param, text))}
        />
      );
      break;
    case "checkbox": {
      const checked = props.setValue === undefined ? param.default === true : props.setValue === true;
      control = (
        <input
          id={inputId}
          type="checkbox"
          data-testid={testId}
          checked={checked}
          onChange={(e) => props.onChange(e.target.checked)}
        />
      );
      break;
    }
    case "select":
      control = (
        <ChoiceSelect
          id={inputId}
          testId={testId}
          param={param}
          setValue={props.setValue}
          invalid={!!error}
          onPick={(v) => apply(parseChoice(param, v))}
        />
      );
      break;
    case "tuple":
      control = (
        <TupleInputs
          id={inputId}
          testId={testId}
          param={param}
          setValue={props.setValue}
          invalid={!!error}
          onTexts={(texts) => apply(parseTuple(param, texts))}
        />
      );
      break;
    case "checklist": {
      const current = Array.isArray(props.setValue)
        ? (props.setValue as string[])
        : Array.isArray(param.default)
          ? (param.default as string[])
          : [];
      control = (
        <div className="checklist" data-testid={testId} id={inputId}>
          {(param.choices ?? []).map((choice) => {
            const name = String(choice);
            return (
              <label key={name} className="check">
                <input
                  type="checkbox"
                  data-testid={`${testId}-${name}`}
                  checked={current.includes(name)}
                  onChange={(e) => {
                    const next = (param.choices ?? [])
                      .map(String)
                      .filter((c) => (c === name ? e.target.checked : current.includes(c)));
                    props.onChange(next);
                  }}
                />
                {name}
              </label>
            );
          })}
        </div>
      );
      break;
    }
    case "layer":
      control = <LayerEditor {...props} testId={testId} invalid={!!error} />;
      break;
  }

  const label = (
    <label htmlFor={inputId} title={param.doc}>
      <span className="field-name">{props.label ?? param.name}</span>
      {param.required && (
        <span className="field-required" title="required">
          *
        </span>
      )}
      {widget === "checkbox" && control}
    </label>
  );
  const tuneProps =
    tuneTarget !== null && tuneBounds !== null
      ? { target: tuneTarget, bounds: tuneBounds, testPath: `${path}${param.name}` }
      : null;
  return (
    <div className={`field field-${widget}${error ? " field-invalid" : ""}${tuned ? " field-tuned" : ""}`}>
      {tuneProps ? (
        <div className="field-head">
          {label}
          <TuneToggle {...tuneProps} value={props.setValue !== undefined ? props.setValue : param.default} />
        </div>
      ) : (
        label
      )}
      {widget !== "checkbox" && control}
      {tuneProps && tuned && <DimensionEditor {...tuneProps} />}
      {error ? (
        <div className="field-error" data-testid={`field-error-${path}${param.name}`}>
          {error}
        </div>
      ) : param.doc && widget !== "checkbox" && !tuned ? (
        <div className="field-doc">{param.doc}</div>
      ) : null}
    </div>
  );
}

function DraftInput(props: {
  id: string;
  testId: string;
  initial: string;
  placeholder: string;
  invalid: boolean;
  inputMode?: "numeric" | "decimal";
  onText(text: string): void;
}) {
  const [draft, setDraft] = useState<string | null>(null);
  return (
    <input
      id={props.id}
      className="nodrag"
      data-testid={props.testId}
      type="text"
      inputMode={props.inputMode}
      spellCheck={false}
      autoComplete="off"
      aria-invalid={props.invalid}
      placeholder={props.placeholder}
      value={draft ?? props.initial}
      onChange={(e) => {
        setDraft(e.target.value);
        props.onText(e.target.value);
      }}
    />
  );
}

function ChoiceSelect(props: {
  id: string;
  testId: string;
  param: ParamSpec;
  setValue: unknown;
  invalid: boolean;
  onPick(value: string): void;
}) {
  const { param, setValue } = props;
  const choices = (param.choices ?? []).filter((c) => c !== null);
  // None is offered once: as the default entry when the default is None, else as its own entry.
  const allowNone = param.nullable || (param.choices ?? []).includes(null);
  const needsPick = param.required && (param.default === null || param.default === undefined);
  let selected = "";
  if (setValue === null) selected = param.default === null ? "" : NONE_OPTION;
  else if (setValue !== undefined) selected = String(setValue);
  return (
    <select
      id={props.id}
      className="nodrag"
      data-testid={props.testId}
      aria-invalid={props.invalid}
      value={selected}
      onChange={(e) => props.onPick(e.target.value)}
    >
      <option value="" disabled={needsPick}>
        {needsPick ? "— choose —" : `default (${describeDefault(param)})`}
      </option>
      {allowNone && param.default !== null && param.default !== undefined && (
        <option value={NONE_OPTION}>None</option>
      )}
      {choices.map((c) => (
        <option key={String(c)} value={String(c)}>
          {String(c)}
        </option>
      ))}
    </select>
  );
}

function TupleInputs(props: {
  id: string;
  testId: string;
  param: ParamSpec;
  setValue: unknown;
  invalid: boolean;
  onTexts(texts: string[]): void;
}) {
  const { param } = props;
  const [drafts, setDrafts] = useState<string[] | null>(null);
  const shown = drafts ?? tupleValues(param, props.setValue);
  const placeholders =
    param.default === null || param.default === undefined
      ? Array(shown.length).fill(param.required ? "req." : "None")
      : tupleValues(param, param.default);
  return (
    <div className="tuple" data-testid={props.testId}>
      {shown.map((text, i) => (
        <input
          key={i}
          id={i === 0 ? props.id : undefined}
          className="nodrag"
          data-testid={`${props.testId}-${i}`}
          type="text"
          inputMode="numeric"
          aria-label={`${param.name} axis ${i}`}
          aria-invalid={props.invalid}
          placeholder={placeholders[i]}
          value={text}
          onChange={(e) => {
            const next = shown.slice();
            next[i] = e.target.value;
            setDrafts(next);
            props.onTexts(next);
          }}
        />
      ))}
    </div>
  );
}

function LayerEditor(props: FieldProps & { testId: string; invalid: boolean }) {
  const { param, specs } = props;
  const value = (props.setValue ?? param.default) as { type?: string; params?: Params } | null | undefined;
  const innerType = value && typeof value === "object" ? (value.type ?? "") : "";
  const innerParams = (value && typeof value === "object" && value.params) || {};
  const innerSpec = innerType ? specs[innerType] : undefined;
  const choices = (param.choices ?? []).map(String);
  return (
    <div className="layer-editor">
      <select
        className="nodrag"
        data-testid={props.testId}
        aria-invalid={props.invalid}
        value={innerType}
        onChange={(e) => props.onChange(e.target.value ? { type: e.target.value, params: {} } : undefined)}
      >
        <option value="" disabled={param.required}>
          — choose a layer —
        </option>
        {choices.map((c) => (
          <option key={c} value={c}>
            {c}
          </option>
        ))}
      </select>
      {innerSpec && (
        <div className="nested-fields">
          {formFor(innerSpec, innerParams).map((field) => (
            <Field
              key={field.param.name}
              param={field.param}
              setValue={field.isSet ? innerParams[field.param.name] : undefined}
              storedError={field.error}
              serverError={props.serverErrors?.get(`${props.path}${param.name}.${field.param.name}`)}
              serverErrors={props.serverErrors}
              path={`${props.path}${param.name}.`}
              specs={specs}
              tuning={props.tuning}
              onChange={(v) =>
                props.onChange({ type: innerType, params: setParam(innerParams, field.param, v) })
              }
            />
          ))}
        </div>
      )}
      {innerType && !innerSpec && <div className="field-doc">Unknown layer type “{innerType}”.</div>}
    </div>
  );
}

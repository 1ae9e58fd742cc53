// "Try it": the trained model on the person's own input (a drawing, an image file, a row of a table,
// token ids), answered as they draw; and on a random test sample with its true label.
import { useEffect, useRef, useState } from "react";
import { ApiError } from "../../api/client";
import type { Run } from "../../api/runs";
import { modelApi } from "./api";
import { formatLabel, formatValue, probabilityBars } from "./bars";
import { asBatch, errorPlace } from "./describe";
import type { PadHandle } from "./DrawingPad";
import { InputEditor, type InputError, type InputValue } from "./inputs";
import { LatestRequest } from "./latest";
import { flatten } from "./pad";
import type {
  PredictAnswer,
  PredictBody,
  PredictDescription,
  PredictOutput,
  TestSample,
  TopClass,
} from "./types";
import "./use.css";

function message(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof TypeError) return "the server could not be reached";
  return String((error as Error)?.message ?? error);
}

export function TryIt({ run }: { run: Run }) {
  const [description, setDescription] = useState<PredictDescription | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  useEffect(() => {
    const controller = new AbortController();
    modelApi
      .describe(run.id, controller.signal)
      .then(setDescription)
      .catch((e: unknown) => {
        if (!controller.signal.aborted) setFailure(message(e));
      });
    return () => controller.abort();
  }, [run.id]);

  return (
    <section className="card-section try-it" data-testid="try-it" aria-labelledby="try-it-title">
      {failure ? (
        <>
          <h3 id="try-it-title">Try it</h3>
          <p className="muted" data-testid="try-unavailable">
            The model cannot be tried here: {failure}
          </p>
        </>
      ) : !description ? (
        <>
          <h3 id="try-it-title">Try it</h3>
          <p className="muted">Loading the model…</p>
        </>
      ) : (
        <TryItBody id={run.id} description={description} />
      )}
    </section>
  );
}

interface Errors {
  byInput: Record<string, InputError>;
  general: string | null;
}
const NO_ERRORS: Errors = { byInput: {}, general: null };

/** The request for the inputs' values, or why there is none yet. */
function requestFor(
  description: PredictDescription,
  values: Record<string, InputValue | undefined>,
):
  | { body: PredictBody }
  | { file: File; input: string; inputs: Record<string, unknown> }
  | { wait: string; input?: string; invalid?: boolean } {
  const inputs: Record<string, unknown> = {};
  let columns: Record<string, unknown[]> | null = null;
  let file: { file: File; input: string } | null = null;
  for (const input of description.inputs) {
    const value = values[input.name];
    if (!value) return { wait: "Give the model an input." };
    if (value.kind === "empty") return { wait: value.hint, input: input.name };
    if (value.kind === "invalid") return { wait: value.message, input: input.name, invalid: true };
    if (value.kind === "file") file = { file: value.file, input: input.name };
    else if (value.kind === "columns")
      columns = {
        ...(columns ?? {}),
        ...Object.fromEntries(Object.entries(value.columns).map(([k, v]) => [k, [v]])),
      };
    else inputs[input.name] = [value.sample];
  }
  if (file) return { ...file, inputs };
  if (columns) return { body: { columns } };
  return { body: { inputs } };
}

function TryItBody({ id, description }: { id: number; description: PredictDescription }) {
  const values = useRef<Record<string, InputValue | undefined>>({});
  const pad = useRef<PadHandle>(null);
  const [answer, setAnswer] = useState<PredictAnswer | null>(null);
  const [busy, setBusy] = useState(false);
  const [wait, setWait] = useState<string | null>("Give the model an input.");
  const [errors, setErrors] = useState<Errors>(NO_ERRORS);
  const latest = useRef<LatestRequest<PredictAnswer> | null>(null);
  if (latest.current === null) {
    latest.current = new LatestRequest<PredictAnswer>({
      delayMs: 150,
      maxWaitMs: 450,
      onStart: () => setBusy(true),
      onResult: (result) => {
        setAnswer(result);
        setErrors(NO_ERRORS);
        setBusy(latest.current?.busy ?? false);
      },
      onError: (error) => {
        setBusy(latest.current?.busy ?? false);
        const field = error instanceof ApiError ? (error.body as { field?: unknown } | null)?.field : null;
        const place = errorPlace(field, description.inputs);
        if (place.input)
          setErrors({
            byInput: { [place.input]: { message: message(error), column: place.column } },
            general: null,
          });
        else setErrors({ byInput: {}, general: message(error) });
        setAnswer(null);
      },
    });
  }
  useEffect(() => () => latest.current?.cancel(), []);

  function changed(name: string, value: InputValue) {
    values.current = { ...values.current, [name]: value };
    const next = requestFor(description, values.current);
    const requests = latest.current!;
    if ("wait" in next) {
      requests.cancel();
      setBusy(false);
      setWait(next.wait);
      setAnswer(null);
      setErrors(
        next.invalid && next.input
          ? { byInput: { [next.input]: { message: next.wait } }, general: null }
          : NO_ERRORS,
      );
      return;
    }
    setWait(null);
    if ("file" in next) {
      requests.now((signal) =>
        modelApi.predictFiles(id, [next.file], { input: next.input, inputs: next.inputs }, signal),
      );
    } else {
      requests.schedule((signal) => modelApi.predict(id, next.body, signal));
    }
  }

  const image = description.inputs.find((i) => i.kind === "image" && i.image);
  return (
    <>
      <header className="chart-head">
        <h3 id="try-it-title">
          Try it <span className="muted small">the trained model on an input of yours</span>
        </h3>
      </header>
      <div className="try-grid">
        <div className="try-inputs">
          {description.inputs.map((input) => (
            <InputEditor
              key={input.name}
              input={input}
              error={errors.byInput[input.name]}
              onChange={(value) => changed(input.name, value)}
              padRef={input === image ? pad : undefined}
            />
          ))}
        </div>
        <div
          className="try-answer"
          data-testid="try-answer"
          data-busy={busy}
          aria-live="polite"
          aria-busy={busy}
        >
          <div className="try-answer-head">
            <h4>Prediction</h4>
            {busy && <span className="use-spinner" role="status" aria-label="predicting" />}
          </div>
          {errors.general && (
            <div className="form-error" role="alert" data-testid="try-error">
              {errors.general}
            </div>
          )}
          {!answer && !errors.general && <p className="muted try-wait">{wait ?? "Predicting…"}</p>}
          {answer && <AnswerView answer={answer} outputs={description.outputs} testId="try-result" />}
        </div>
        <TestSamplePanel
          id={id}
          description={description}
          onEdit={
            image && image.image?.channels === 1
              ? (sample) => {
                  const pixels = flatten(sample.inputs[image.name]);
                  if (pixels.length) pad.current?.load(pixels);
                }
              : undefined
          }
        />
      </div>
    </>
  );
}

function AnswerView({
  answer,
  outputs,
  testId,
}: {
  answer: PredictAnswer;
  outputs: PredictOutput[];
  testId: string;
}) {
  const known: PredictOutput[] = outputs.length
    ? outputs
    : Object.keys(answer.outputs).map((name) => ({
        name,
        kind: "regression",
        shape: [],
        target: null,
        task: null,
      }));
  return (
    <div className="answer" data-testid={testId}>
      {known.map((output) => {
        const result = answer.outputs[output.name];
        if (!result) return null;
        const top = result.top?.[0];
        return (
          <div className="answer-output" key={output.name} data-testid={`${testId}-${output.name}`}>
            {known.length > 1 && <h5 className="answer-output-name">{output.name}</h5>}
            {top ? (
              <ProbabilityBars top={top} classes={output.classes} />
            ) : (
              <RegressionValues values={flatValues(result.values[0])} />
            )}
          </div>
        );
      })}
    </div>
  );
}

function ProbabilityBars({ top, classes }: { top: TopClass[]; classes?: string[] | null }) {
  const bars = probabilityBars(top, classes);
  const best = bars[0];
  return (
    <>
      {best && (
        <p className="answer-best">
          <strong data-testid="try-best">{best.name}</strong> <span className="muted">{best.label}</span>
        </p>
      )}
      <ol className="prob-bars" aria-label="class probabilities">
        {bars.map((bar, i) => (
          <li
            key={bar.key}
            className={`prob-bar${i === 0 ? " best" : ""}${bar.other ? " other" : ""}`}
            data-testid="prob-bar"
            data-name={bar.name}
            data-probability={bar.probability}
            aria-label={`${bar.name}: ${bar.label}`}
          >
            <span className="prob-name" title={bar.name}>
              {bar.name}
            </span>
            <span className="prob-track" aria-hidden="true">
              <span className="prob-fill" style={{ width: bar.width }} />
            </span>
            <span className="prob-value">{bar.label}</span>
          </li>
        ))}
      </ol>
    </>
  );
}

const MOST_VALUES = 12;

/** One sample's output values, flat; null where the server had NaN. */
function flatValues(value: unknown, into: (number | null)[] = []): (number | null)[] {
  if (Array.isArray(value)) for (const v of value) flatValues(v, into);
  else into.push(typeof value === "number" ? value : null);
  return into;
}

function RegressionValues({ values }: { values: (number | null)[] }) {
  return (
    <div className="regression" data-testid="try-values">
      {values.slice(0, MOST_VALUES).map((v, i) => (
        <span className="regression-value" key={i}>
          {values.length > 1 && <span className="muted small">[{i}] </span>}
          <strong>{formatValue(v)}</strong>
        </span>
      ))}
      {values.length > MOST_VALUES && <span className="muted">… {values.length - MOST_VALUES} more</span>}
    </div>
  );
}

function TestSamplePanel({
  id,
  description,
  onEdit,
}: {
  id: number;
  description: PredictDescription;
  onEdit?: (sample: TestSample) => void;
}) {
  const [sample, setSample] = useState<TestSample | null>(null);
  const [answer, setAnswer] = useState<PredictAnswer | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const controller = useRef<AbortController | null>(null);
  useEffect(() => () => controller.current?.abort(), []);

  async function random() {
    controller.current?.abort();
    const mine = new AbortController();
    controller.current = mine;
    setLoading(true);
    setError(null);
    try {
      const next = await modelApi.testSample(id, undefined, mine.signal);
      setSample(next);
      setAnswer(null);
      setAnswer(await modelApi.predict(id, { inputs: asBatch(next.inputs, description) }, mine.signal));
    } catch (e) {
      if (!mine.signal.aborted) setError(message(e));
    } finally {
      if (controller.current === mine) setLoading(false);
    }
  }

  const primary = description.outputs.find((o) => o.kind === "classification") ?? description.outputs[0];
  const predicted = primary && answer?.outputs[primary.name]?.top?.[0]?.[0];
  const correct = predicted && typeof sample?.label === "number" ? predicted.class === sample.label : null;
  return (
    <div className="try-sample" data-testid="try-sample-panel">
      <div className="try-answer-head">
        <h4>Test sample</h4>
        <button data-testid="try-random" onClick={random} disabled={loading} aria-busy={loading}>
          {loading && <span className="use-spinner" aria-hidden="true" />}{" "}
          {sample ? "Another one" : "Random test sample"}
        </button>
      </div>
      {error && (
        <div className="form-error" role="alert" data-testid="try-sample-error">
          {error}
        </div>
      )}
      {!sample && !error && (
        <p className="muted small">
          A sample the model never trained on, with its true label and the model's answer.
        </p>
      )}
      {sample && (
        <figure
          className="try-sample-card"
          data-testid="try-sample"
          data-index={sample.index}
          data-correct={correct ?? undefined}
        >
          {sample.image && (
            <img src={sample.image} alt={`test sample ${sample.index}`} className="try-sample-image" />
          )}
          <figcaption>
            <div className="muted small">#{sample.index}</div>
            <div>
              <span className="muted">True</span>{" "}
              <strong data-testid="try-sample-label">{formatLabel(sample.label, sample.name)}</strong>
            </div>
            {predicted && (
              <div data-testid="try-sample-prediction">
                <span className="muted">Predicted</span> <strong>{predicted.name}</strong>{" "}
                <span className={correct ? "good" : correct === false ? "bad" : "muted"}>
                  {correct ? "✓ right" : correct === false ? "✗ wrong" : ""}
                </span>
              </div>
            )}
          </figcaption>
          {answer && <AnswerView answer={answer} outputs={description.outputs} testId="try-sample-result" />}
          {onEdit && (
            <button className="link" data-testid="try-sample-edit" onClick={() => onEdit(sample)}>
              Draw over it on the pad
            </button>
          )}
        </figure>
      )}
    </div>
  );
}

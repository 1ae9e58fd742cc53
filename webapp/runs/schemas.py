"""The answers of "use the trained model" (webapp/runs/use.py): what a run's model takes, its
predictions, a test sample, the export formats. The house rules are webapp/schemas.py's."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, create_model
from pydantic.json_schema import SkipJsonSchema

from webapp.schemas import Json, Out

Absent = SkipJsonSchema[None]
"""A key that is either absent or set, never null."""

ExportFormat = Literal["keras", "savedmodel", "onnx", "tflite"]


# --- GET /api/runs/{id}/predict ----------------------------------------------------------------------


class ImageSpec(Out):
    width: int
    height: int
    channels: int = Field(description="1 (grey) or 3 (RGB)")


class ColumnSpec(Out):
    """A CSV column an input is made of, as a raw row names it."""

    name: str
    kind: Literal["number", "category", "text"]
    choices: list[str] | Absent = Field(None, description="categories: the values seen at upload (at most 500)")


class PredictInput(Out):
    name: str = Field(description="the Input block's id: the key in POST predict's `inputs`")
    kind: Literal["image", "tabular", "sequence", "array"]
    shape: list[int | None] = Field(description="one sample's shape (no batch axis); null: any length")
    dtype: str
    field: str | None = Field(description="the dataset field it was trained on")
    modality: str | None
    accepts: list[Literal["samples", "files", "rows"]] = Field(
        description="samples: JSON arrays; files: image files (multipart); rows: raw CSV rows"
    )
    image: ImageSpec | Absent = None
    columns: list[ColumnSpec] | Absent = None
    length: int | None = Field(None, description="sequences: the padded length (null: any)")
    vocabulary_size: int | Absent = Field(None, description="sequences: token ids are below this")


class PredictOutput(Out):
    name: str = Field(description="the Output block's id: the key in the answer's `outputs`")
    kind: Literal["classification", "regression"]
    shape: list[int | None]
    target: str | None
    task: str | None
    classes: list[str] | Absent = Field(None, description="classification: the class names, by class index")


class PredictDescription(Out):
    inputs: list[PredictInput]
    outputs: list[PredictOutput]
    max_samples: int = Field(description="the most samples (images, rows) one request may send")


# --- POST /api/runs/{id}/predict ---------------------------------------------------------------------

_TOP_FIELDS: dict[str, Any] = {  # "class" is no Python name: the model is made, not declared
    "class": (int, Field(description="the class index")),
    "name": (str | None, Field(description="its name, where the dataset names its classes")),
    "probability": (float, ...),
}
TopClass = create_model("TopClass", __base__=Out, **_TOP_FIELDS)


class OutputPrediction(Out):
    values: list[Json] = Field(description="the model's output, one entry per sample (null where NaN)")
    top: list[list[TopClass]] | Absent = Field(  # type: ignore[valid-type]  # a model made by create_model
        None, description="classification only: up to five classes per sample, most probable first"
    )


class PredictAnswer(Out):
    outputs: dict[str, OutputPrediction]


# --- GET /api/runs/{id}/test-sample ------------------------------------------------------------------


class SampleTarget(Out):
    label: Json = Field(description="the class index, or the value(s) of a regression target")
    name: str | None


class TestSample(Out):
    index: int
    inputs: dict[str, Json] = Field(description="ready for POST predict's `inputs`")
    label: Json
    name: str | None
    targets: dict[str, SampleTarget]
    image: str | Absent = Field(None, description="image datasets: the sample as a PNG data URL")


# --- exports -----------------------------------------------------------------------------------------


class ExportEntry(Out):
    format: ExportFormat
    filename: str
    size: int | None = Field(description="bytes; null: not converted yet")
    error: str | None = Field(description="why this model cannot be written in the format")


class ExportList(Out):
    formats: list[ExportEntry]

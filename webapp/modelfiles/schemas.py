"""The model uploads API's answers (the house rules are webapp/schemas.py's)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from webapp.schemas import Out

Shape = list[int | None]


class UploadedModelInfo(Out):
    id: int = Field(description='what a Pretrained block\'s "upload" takes')
    name: str
    filename: str = Field(description="the uploaded file's name")
    size: int = Field(description="bytes of the stored .keras")
    created_at: str
    layers: int = Field(description="its top-level layers, the input layers left out")
    params: int = Field(description="its weights, trainable or not")
    input_shapes: list[Shape] = Field(description="one shape per input, batch axis first")
    output_shapes: list[Shape] = Field(description="one shape per output, batch axis first")


class InnerLayersRequest(Out):
    type: str = Field(description="a model block: Pretrained or a Keras Application (MobileNetV2, ResNet50, ...)")
    params: dict[str, Any] = Field(default_factory=dict, description="the block's params, as in a graph")
    input_shape: Shape = Field(description="the block's input shape without the batch axis, e.g. [32, 32, 3]")
    dtype: str = Field("float32", description="the input's dtype")

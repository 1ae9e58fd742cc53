"""Image preprocessing and augmentation blocks. The Random* blocks act only
while training; at inference they pass the image through."""

from __future__ import annotations

from typing import Any

from ..messages import IMAGE
from .common import AFFINE_INTERPOLATIONS, FILL_MODES, INCREASING, MAX_IMAGE_SIDE, RESIZE_INTERPOLATIONS, P, data_format
from .specs import BlockDef, declare_block


def _side(name: str, doc: str) -> Any:
    return P(name, "int", doc, min=1, max=MAX_IMAGE_SIDE)


def _factor(name: str, doc: str, lo: float = -1.0, hi: float = 1.0, **kw: Any) -> Any:
    return P(name, "float_or_tuple", doc, length=2, min=lo, max=hi, **kw)


def _affine_fill() -> list:
    return [
        P("fill_mode", "choice", "How points outside the image are filled.", choices=FILL_MODES),
        P("interpolation", "choice", "How pixels are sampled.", choices=AFFINE_INTERPOLATIONS),
        P("fill_value", "float", 'Value used outside the image when fill_mode is "constant".'),
        data_format(),
    ]


def _value_range() -> Any:
    return P(
        "value_range",
        "float_or_tuple",
        "[low, high] range of the pixel values, e.g. [0, 255] or [0, 1].",
        length=2,
        check=INCREASING,
    )


def blocks() -> list[BlockDef]:
    from keras import layers

    return [
        declare_block(
            "Rescaling",
            layers.Rescaling,
            "preprocessing",
            "Multiplies by scale and adds offset, e.g. scale 1/255 maps pixels to [0, 1].",
            [
                P("scale", "float", "Factor the inputs are multiplied by."),
                P("offset", "float", "Value added after scaling."),
            ],
        ),
        declare_block(
            "Resizing",
            layers.Resizing,
            "preprocessing",
            "Resizes images to height x width.",
            [
                _side("height", "Output height in pixels."),
                _side("width", "Output width in pixels."),
                P("interpolation", "choice", "Resampling method.", choices=RESIZE_INTERPOLATIONS),
                P("crop_to_aspect_ratio", "bool", "Crop to the target aspect ratio first instead of distorting."),
                P("pad_to_aspect_ratio", "bool", "Pad to the target aspect ratio first instead of distorting."),
                P("fill_value", "float", "Value of the padding when pad_to_aspect_ratio is set."),
                P("antialias", "bool", "Smooth when downsampling."),
                data_format(),
            ],
            hidden=("fill_mode",),  # Keras supports only "constant",
            layout=IMAGE,
        ),
        declare_block(
            "CenterCrop",
            layers.CenterCrop,
            "preprocessing",
            "Crops the centre height x width of each image (resizes smaller ones).",
            [_side("height", "Output height in pixels."), _side("width", "Output width in pixels."), data_format()],
            layout=IMAGE,
        ),
        declare_block(
            "RandomCrop",
            layers.RandomCrop,
            "preprocessing",
            "Crops a random height x width window while training, the centre at inference.",
            [_side("height", "Output height in pixels."), _side("width", "Output width in pixels."), data_format()],
            hidden=("seed",),
            layout=IMAGE,
        ),
        declare_block(
            "RandomFlip",
            layers.RandomFlip,
            "preprocessing",
            "Randomly flips images while training.",
            [
                P(
                    "mode",
                    "choice",
                    "Which flips to apply.",
                    choices=("horizontal", "vertical", "horizontal_and_vertical"),
                ),
                data_format(),
            ],
            hidden=("seed",),
            layout=IMAGE,
        ),
        declare_block(
            "RandomRotation",
            layers.RandomRotation,
            "preprocessing",
            "Randomly rotates images while training.",
            [
                _factor(
                    "factor",
                    "Rotation as a fraction of a full turn: 0.1 means up to +-36 degrees, or [lower, upper].",
                ),
                *_affine_fill(),
            ],
            hidden=("seed",),
            layout=IMAGE,
        ),
        declare_block(
            "RandomZoom",
            layers.RandomZoom,
            "preprocessing",
            "Randomly zooms images while training.",
            [
                _factor(
                    "height_factor",
                    "Vertical zoom as a fraction, above -1: 0.2 means -20% to +20% (positive zooms out), or [lower, upper].",
                ),
                _factor(
                    "width_factor",
                    "Horizontal zoom, as height_factor; null: keep the aspect ratio.",
                    nullable=True,
                ),
                *_affine_fill(),
            ],
            hidden=("seed",),
            layout=IMAGE,
        ),
        declare_block(
            "RandomTranslation",
            layers.RandomTranslation,
            "preprocessing",
            "Randomly shifts images while training.",
            [
                _factor("height_factor", "Vertical shift as a fraction of the height, e.g. 0.1, or [lower, upper]."),
                _factor("width_factor", "Horizontal shift as a fraction of the width, e.g. 0.1, or [lower, upper]."),
                *_affine_fill(),
            ],
            hidden=("seed",),
            layout=IMAGE,
        ),
        declare_block(
            "RandomContrast",
            layers.RandomContrast,
            "preprocessing",
            "Randomly changes the contrast of images while training.",
            [_factor("factor", "Contrast change, 0 to 1, or [lower, upper].", lo=0.0), _value_range()],
            hidden=("seed",),
        ),
        declare_block(
            "RandomBrightness",
            layers.RandomBrightness,
            "preprocessing",
            "Randomly brightens or darkens images while training.",
            [
                _factor("factor", "Brightness change as a fraction of value_range, -1 to 1, or [lower, upper]."),
                _value_range(),
            ],
            hidden=("seed",),
        ),
    ]

"""Keras Applications as blocks: a whole image network (MobileNetV2, ResNet50, ...) as one block.

They are no single Keras class: builder/pretrained.py builds the network (`keras.applications.<Name>`) at
the block's input shape, always with `include_top=False` and `weights=None` (random weights: nothing is ever
downloaded), or with the weights of one of the person's runs trained with the same block (`weights_run`).
The checking walk, the build and the script export call it for these block types.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

from ..messages import IMAGE
from .common import P
from .specs import BlockDef, ParamDef, declare_block

CATEGORY = "applications"

NO_DOWNLOAD = (
    " Built with include_top=False and weights=None: random weights (nothing is downloaded), or those of one "
    "of your runs trained with this block (weights_run)."
)

# A network's smallest height and width (Keras refuses less), by block type; filled as blocks() declares them.
_MIN_SIZE: dict[str, int] = {}


def _networks() -> list[tuple[Callable, int, str, tuple[str, ...]]]:
    """(keras.applications function, smallest height and width, what it is, its own parameters). The block
    type is the function's name."""
    from keras import applications as apps

    mobile_v3 = ("alpha", "minimalistic", "include_preprocessing")
    return [
        (apps.MobileNetV2, 32, "Inverted-residual mobile network (2018), 2.3M parameters at alpha 1.", ("alpha",)),
        (
            apps.MobileNetV3Small,
            32,
            "Small MobileNetV3 (2019), hard-swish and squeeze-excite, 0.9M parameters at alpha 1.",
            mobile_v3,
        ),
        (apps.MobileNetV3Large, 32, "Large MobileNetV3 (2019), 3.0M parameters at alpha 1.", mobile_v3),
        (apps.ResNet50, 32, "50-layer residual network (2015), 23.6M parameters.", ()),
        (apps.EfficientNetB0, 32, "EfficientNet B0 (2019), compound-scaled, 4.0M parameters.", ()),
        (apps.EfficientNetV2B0, 32, "EfficientNetV2 B0 (2021), 5.9M parameters.", ("include_preprocessing",)),
        (apps.DenseNet121, 32, "121-layer densely connected network (2017), 7.0M parameters.", ()),
        (apps.VGG16, 32, "16-layer plain convolutional network (2014), 14.7M parameters.", ()),
        (apps.Xception, 71, "Depthwise-separable Inception (2017), 20.9M parameters; inputs of at least 71x71.", ()),
        (
            apps.ConvNeXtTiny,
            32,
            "ConvNeXt Tiny (2022), a modernised ResNet, 27.8M parameters.",
            ("include_preprocessing",),
        ),
    ]


_DOCS = {
    "alpha": "Width multiplier: scales every layer's filters (1: the paper's network; 0.35 to 1.4 are usual).",
    "minimalistic": "Plain 3x3 convolutions and ReLU: no squeeze-excite, no hard-swish, no 5x5 kernels.",
    "include_preprocessing": "Rescale pixels from [0, 255] inside the network (false: feed it already scaled inputs).",
}


def blocks() -> list[BlockDef]:
    return [_declare(*network) for network in _networks()]


def _declare(fn: Callable, smallest: int, what: str, own: tuple[str, ...]) -> BlockDef:
    name = fn.__name__
    _MIN_SIZE[name] = smallest
    defaults = {k: p.default for k, p in inspect.signature(fn).parameters.items()}
    params: list[ParamDef] = []
    for key in own:
        if key == "alpha":
            params.append(P(key, "float", _DOCS[key], default=defaults[key], min=0.1, max=2.0))
        else:
            params.append(P(key, "bool", _DOCS[key], default=defaults[key]))
    params += [
        P(
            "pooling",
            "choice",
            'Pool the last feature map: "avg" or "max" to one vector per image; null: keep the feature map '
            "(then add GlobalAveragePooling2D or Flatten).",
            choices=(None, "avg", "max"),
            default=defaults["pooling"],
        ),
        P(
            "include_top",
            "choice",
            "Always false: the network without its 1000-class ImageNet head (add your own head after it).",
            choices=(False,),
            default=False,
        ),
        P(
            "weights",
            "choice",
            "Always null: random initial weights (nothing is ever downloaded; set weights_run to start from "
            "one of your runs' trained weights).",
            choices=(None,),
            default=None,
        ),
        P(
            "weights_run",
            "int",
            "Id of one of your succeeded runs trained with this block and these settings: start from its "
            "weights (null: random weights; nothing is ever downloaded).",
            nullable=True,
            min=1,
            default=None,
        ),
    ]
    return declare_block(name, None, CATEGORY, f"{what}{NO_DOWNLOAD}", params, layout=IMAGE)


def min_size(type_name: str) -> int:
    from .registry import block_defs

    block_defs()  # declares the networks
    return _MIN_SIZE[type_name]


@functools.cache
def application_types() -> frozenset[str]:
    from .registry import block_defs

    return frozenset(t for t, d in block_defs().items() if d.spec.category == CATEGORY)


def is_application(type_name: Any) -> bool:
    return isinstance(type_name, str) and type_name in application_types()


@functools.cache
def inner_classes() -> tuple[type, ...]:
    """Keras classes the networks use inside that are no block of their own (EfficientNet's input
    Normalization, ConvNeXt's LayerScale): accepted inside a nested model of a saved run or upload."""
    import keras
    from keras.src.applications.convnext import LayerScale

    return (keras.layers.Normalization, LayerScale)


def keras_arguments(type_name: str, params: dict, input_shape: tuple) -> dict[str, Any]:
    """The keyword arguments of keras.applications.<type_name>, the block's defaults filled in."""
    from .registry import require_spec

    spec = require_spec(type_name)
    kwargs: dict[str, Any] = {"input_shape": tuple(input_shape), "include_top": False, "weights": None}
    for p in spec.params:
        if p.name == "weights_run":
            continue
        kwargs[p.name] = params.get(p.name, p.default)
    return kwargs

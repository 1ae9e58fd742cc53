"""Image augmentation blocks (Keras 3's colour, geometry and mixing layers).
They act only while training; at inference they pass the image through.
Pixel values are assumed in `value_range`, as Keras does ([0, 255] unless set)."""

from __future__ import annotations

from typing import Any

from ..messages import IMAGE
from .common import AFFINE_INTERPOLATIONS, FILL_MODES, INCREASING, MAX_KERNEL, P, data_format
from .specs import BlockDef, ParamDef, declare_block


def _from_zero(value: Any, config: dict) -> Any:
    """Keras stores a single factor f as the range (0, f): the block shows f."""
    if isinstance(value, list | tuple) and len(value) == 2 and value[0] == 0:
        return value[1]
    return value


def _chance(name: str = "factor", doc: str = "Probability of applying it to each image, 0 to 1.") -> ParamDef:
    return P(name, "float", doc, min=0.0, max=1.0)


def _amount(name: str, doc: str, lo: float = 0.0, hi: float = 1.0, **kw: Any) -> ParamDef:
    kw.setdefault("from_keras", _from_zero)
    return P(name, "float_or_tuple", doc, length=2, min=lo, max=hi, **kw)


def _bits(value: Any, config: dict) -> Any:
    """Keras stores RandomPosterization's factor f as the range (1, f)."""
    if isinstance(value, list | tuple) and len(value) == 2 and value[0] == 1:
        return int(value[1])
    return value


def _square(value: Any, config: dict) -> Any:
    """Keras stores a kernel side k as (k, k)."""
    if isinstance(value, list | tuple) and len(value) == 2 and value[0] == value[1]:
        return value[0]
    return value


def _shear_range(value: Any) -> tuple[float, float]:
    """A shear factor f as the range (0, f), as Keras documents it. Keras 3.15.1 itself turns a number f into
    (-f, f), a config its own range check refuses when the layer is loaded again (so a saved model with it
    could not be read back); a range [lower, upper] within [0, 1] is kept as it is."""
    if isinstance(value, list | tuple):
        return (float(value[0]), float(value[1]))
    return (0.0, float(value))


def _shear(name: str, axis: str) -> ParamDef:
    return _amount(
        name,
        f"Largest {axis} shear, 0 to 1 (a random amount from 0 up to it), or [lower, upper] within [0, 1].",
        to_keras=_shear_range,
    )


def _value_range() -> ParamDef:
    return P(
        "value_range",
        "float_or_tuple",
        "[low, high] range of the pixel values, e.g. [0, 255] or [0, 1].",
        length=2,
        check=INCREASING,
    )


def _interpolation() -> ParamDef:
    return P("interpolation", "choice", "How pixels are sampled.", choices=AFFINE_INTERPOLATIONS)


def _image(cls: Any, doc: str, params: list[ParamDef], hidden: tuple[str, ...] = ("seed",)) -> BlockDef:
    return declare_block(cls.__name__, cls, "augmentation", doc, params, hidden=hidden, layout=IMAGE)


def blocks() -> list[BlockDef]:
    from keras import layers

    return [
        _image(
            layers.RandomGrayscale,
            "Turns images grey at random while training (the channels are kept).",
            [_chance(), data_format()],
        ),
        _image(
            layers.RandomHue,
            "Shifts the hue of images at random while training.",
            [_amount("factor", "Hue shift, 0 to 1 (1: any hue), or [lower, upper]."), _value_range(), data_format()],
        ),
        _image(
            layers.RandomSaturation,
            "Changes the colour saturation of images at random while training.",
            [
                _amount("factor", "Saturation change, 0 to 1 (0.5: unchanged), or [lower, upper]."),
                _value_range(),
                data_format(),
            ],
        ),
        _image(
            layers.RandomSharpness,
            "Sharpens or blurs images at random while training.",
            [
                _amount("factor", "Sharpness change, 0 to 1 (0.5: unchanged), or [lower, upper]."),
                _value_range(),
                data_format(),
            ],
        ),
        _image(
            layers.RandomColorJitter,
            "Random brightness, contrast, saturation and hue changes in one block, while training.",
            [
                _value_range(),
                _amount(
                    "brightness_factor",
                    "Brightness change, -1 to 1, or [lower, upper]; null: none.",
                    lo=-1.0,
                    nullable=True,
                ),
                _amount("contrast_factor", "Contrast change, 0 to 1, or [lower, upper]; null: none.", nullable=True),
                _amount(
                    "saturation_factor", "Saturation change, 0 to 1, or [lower, upper]; null: none.", nullable=True
                ),
                _amount("hue_factor", "Hue shift, 0 to 1, or [lower, upper]; null: none.", nullable=True),
                data_format(),
            ],
        ),
        _image(
            layers.RandomPerspective,
            "Applies a random perspective warp while training.",
            [
                _amount("factor", "Probability of warping, 0 to 1, or [lower, upper]."),
                P("scale", "float", "Strength of the warp, 0 to 1.", min=0.0, max=1.0),
                _interpolation(),
                P("fill_value", "float", "Value of the pixels the warp uncovers."),
                data_format(),
            ],
        ),
        _image(
            layers.RandomShear,
            "Shears images by a random amount along x and y while training (one way: Keras 3.15.1 cannot reload "
            "a shear range below 0).",
            [
                _shear("x_factor", "horizontal"),
                _shear("y_factor", "vertical"),
                _interpolation(),
                P("fill_mode", "choice", "How points outside the image are filled.", choices=FILL_MODES),
                P("fill_value", "float", 'Value used outside the image when fill_mode is "constant".'),
                data_format(),
            ],
        ),
        _image(
            layers.RandomErasing,
            "Erases a random rectangle of each image while training (cutout).",
            [
                _amount("factor", "Probability of erasing, 0 to 1, or [lower, upper]."),
                _amount(
                    "scale",
                    "[min, max] area of the rectangle as a fraction of the image.",
                    check=INCREASING,
                    from_keras=None,
                ),
                P("fill_value", "float", "Value of the erased pixels; null: random noise.", nullable=True),
                _value_range(),
                data_format(),
            ],
        ),
        _image(
            layers.RandomGaussianBlur,
            "Blurs images with a random Gaussian kernel while training.",
            [
                _amount("factor", "Probability of blurring, 0 to 1, or [lower, upper]."),
                P(
                    "kernel_size",
                    "int",
                    "Side of the blur kernel, in pixels.",
                    min=1,
                    max=MAX_KERNEL,
                    from_keras=_square,
                ),
                _amount("sigma", "Standard deviation of the blur, or [lower, upper].", hi=1e3),
                _value_range(),
                data_format(),
            ],
        ),
        _image(
            layers.RandomInvert,
            "Inverts the colours of images at random while training.",
            [_amount("factor", "Probability of inverting, 0 to 1, or [lower, upper]."), _value_range(), data_format()],
        ),
        _image(
            layers.RandomPosterization,
            "Reduces each channel to fewer bits at random while training.",
            [
                P(
                    "factor",
                    "int",
                    "Bits kept per channel, 1 to 8 (a random number up to it).",
                    min=1,
                    max=8,
                    from_keras=_bits,
                ),
                _value_range(),
                data_format(),
            ],
        ),
        declare_block(
            "Solarization",
            layers.Solarization,
            "augmentation",
            "Inverts the pixels above a random threshold and adds a random offset, while training.",
            [
                _amount(
                    "addition_factor", "Offset added before solarizing, as a fraction of the range, or [lower, upper]."
                ),
                _amount("threshold_factor", "Threshold as a fraction of the range, or [lower, upper]."),
                _value_range(),
            ],
            hidden=("seed",),
            layout=IMAGE,
        ),
        declare_block(
            "AutoContrast",
            layers.AutoContrast,
            "augmentation",
            "Stretches each image's pixel values to the whole value_range (always, training or not).",
            [_value_range()],
            layout=IMAGE,
        ),
        _image(
            layers.Equalization,
            "Equalizes each image's histogram (always, training or not).",
            [_value_range(), P("bins", "int", "Number of histogram bins.", min=2, max=65_536), data_format()],
            hidden=(),
        ),
        _image(
            layers.RandomElasticTransform,
            "Applies a random elastic distortion while training.",
            [
                _amount("factor", "Probability of distorting, 0 to 1, or [lower, upper]."),
                _amount("scale", "Strength of the distortion, 0 to 1, or [lower, upper]."),
                _interpolation(),
                P("fill_mode", "choice", "How points outside the image are filled.", choices=FILL_MODES),
                P("fill_value", "float", 'Value used outside the image when fill_mode is "constant".'),
                _value_range(),
                data_format(),
            ],
        ),
        _image(
            layers.MixUp,
            "Blends pairs of images of a batch while training (images only: the labels are not mixed here).",
            [P("alpha", "float", "Beta distribution parameter of the mixing weight.", min=0.0, max=1e3), data_format()],
        ),
        _image(
            layers.CutMix,
            "Pastes a patch of another image of the batch into each image while training (images only).",
            [
                _amount("factor", "Beta distribution parameter of the patch size, or [lower, upper].", hi=1e3),
                data_format(),
            ],
        ),
        _image(
            layers.RandAugment,
            "Applies num_ops random augmentations of random strength to each image while training.",
            [
                _value_range(),
                P("num_ops", "int", "Augmentations applied to each image.", min=1, max=16),
                _amount("factor", "Strength of the augmentations, 0 to 1, or [lower, upper]."),
                _interpolation(),
                data_format(),
            ],
        ),
        _image(
            layers.AugMix,
            "Mixes several chains of random augmentations of each image while training.",
            [
                _value_range(),
                P("num_chains", "int", "Augmentation chains mixed.", min=1, max=16),
                P("chain_depth", "int", "Augmentations in each chain.", min=1, max=16),
                _amount("factor", "Strength of the augmentations, 0 to 1, or [lower, upper]."),
                P("alpha", "float", "Dirichlet parameter of the mixing weights.", min=0.0, max=1e3),
                P("all_ops", "bool", "Use every augmentation, including those that change colours strongly."),
                _interpolation(),
                data_format(),
            ],
        ),
    ]

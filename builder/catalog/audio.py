"""Audio blocks: spectrograms computed inside the model (no weights)."""

from __future__ import annotations

from typing import Any

from ..messages import STEPS, VECTOR
from .common import MAX_DIM, P, data_format
from .specs import BlockDef, ParamDef, declare_block

MAX_FFT = 65_536
WINDOWS = (None, "hann", "hamming")


def _length(name: str, doc: str, **kw: Any) -> ParamDef:
    return P(name, "int", doc, min=1, max=MAX_FFT, **kw)


def _sequence_length_from_keras(value: Any, config: dict) -> Any:
    # Keras stores sequence_length=None as a copy of fft_length.
    return None if value == config.get("fft_length") else value


def _max_freq_from_keras(value: Any, config: dict) -> Any:
    # Keras stores max_freq=None as half the sampling rate.
    return None if value == config.get("sampling_rate", 0) / 2 else value


def blocks() -> list[BlockDef]:
    from keras import layers

    return [
        declare_block(
            "MelSpectrogram",
            layers.MelSpectrogram,
            "audio",
            "Mel spectrogram of raw audio (batch, samples) -> (batch, num_mel_bins, frames).",
            [
                _length("fft_length", "Size of each FFT, in samples."),
                _length("sequence_stride", "Samples between the starts of two frames."),
                _length(
                    "sequence_length",
                    "Window length in samples; null: fft_length.",
                    nullable=True,
                    from_keras=_sequence_length_from_keras,
                ),
                P("window", "choice", "Window applied to each frame (null: none).", choices=WINDOWS),
                P("sampling_rate", "int", "Samples per second of the audio.", min=1, max=MAX_DIM),
                P("num_mel_bins", "int", "Number of mel bands.", min=1, max=MAX_FFT),
                P("min_freq", "float", "Lowest frequency of the mel bands, in Hz.", min=0.0, max=1e6),
                P(
                    "max_freq",
                    "float",
                    "Highest frequency, in Hz; null: sampling_rate / 2.",
                    nullable=True,
                    min=0.0,
                    max=1e6,
                    from_keras=_max_freq_from_keras,
                ),
                P("power_to_db", "bool", "Convert the power to decibels."),
                P("top_db", "float", "Dynamic range kept below the peak, in dB.", min=0.0, max=1e4),
                P("mag_exp", "float", "Exponent of the magnitude: 1 amplitude, 2 power.", min=0.0, max=10.0),
                P("min_power", "float", "Smallest power before the logarithm.", min=0.0, max=1.0),
                P("ref_power", "float", "Power taken as 0 dB.", min=0.0, max=1e12),
            ],
            layout=VECTOR,
        ),
        declare_block(
            "STFTSpectrogram",
            layers.STFTSpectrogram,
            "audio",
            "Short-time Fourier transform of signals (batch, samples, channels) -> (batch, frames, frequencies).",
            [
                P(
                    "mode",
                    "choice",
                    "What each frequency gives: log power, magnitude, power (psd), real/imaginary parts, angle, or all (stft).",
                    choices=("log", "magnitude", "psd", "real", "imag", "angle", "stft"),
                ),
                _length("frame_length", "Samples in each frame."),
                _length(
                    "frame_step", "Samples between the starts of two frames; null: frame_length / 4.", nullable=True
                ),
                _length("fft_length", "Size of each FFT; null: frame_length.", nullable=True),
                P("window", "choice", "Window applied to each frame (null: none).", choices=WINDOWS),
                P("periodic", "bool", "Use a periodic window rather than a symmetric one."),
                P("scaling", "choice", "Scaling of the output (null: none).", choices=("density", "spectrum", None)),
                P(
                    "padding",
                    "choice",
                    '"valid": no padding; "same": pad so that frames cover the ends.',
                    choices=("valid", "same"),
                ),
                P("expand_dims", "bool", "Add a channel axis to the output, for a Conv2D after it."),
                data_format(),
            ],
            layout=STEPS,
        ),
    ]

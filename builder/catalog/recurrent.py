"""Recurrent blocks (LSTM, GRU, SimpleRNN) and the wrappers Bidirectional and
TimeDistributed, whose `layer` parameter is a nested block."""

from __future__ import annotations

from ..macs import per_input_position, per_output_position, per_time_step
from ..messages import SEQUENCE, TIMESTEPS
from .common import MAX_UNITS, P, activation, data_format, initializer, rate, regularizer, use_bias
from .specs import BlockDef, declare_block

RECURRENT = ("LSTM", "GRU", "SimpleRNN")

# What TimeDistributed may wrap: layers that make sense once per time step.
TIME_DISTRIBUTABLE = (
    "Dense",
    "Activation",
    "Dropout",
    "Flatten",
    "Reshape",
    "RepeatVector",
    "Conv1D",
    "Conv2D",
    "SeparableConv1D",
    "SeparableConv2D",
    "DepthwiseConv1D",
    "DepthwiseConv2D",
    "Conv1DTranspose",
    "Conv2DTranspose",
    "MaxPooling1D",
    "MaxPooling2D",
    "AveragePooling1D",
    "AveragePooling2D",
    "GlobalMaxPooling1D",
    "GlobalMaxPooling2D",
    "GlobalAveragePooling1D",
    "GlobalAveragePooling2D",
    "BatchNormalization",
    "LayerNormalization",
    "SpatialDropout1D",
    "SpatialDropout2D",
    "ZeroPadding1D",
    "ZeroPadding2D",
    "Cropping1D",
    "Cropping2D",
    "UpSampling1D",
    "UpSampling2D",
    "Rescaling",
    "LSTM",
    "GRU",
    "SimpleRNN",
    "Bidirectional",
)

# State handling the canvas cannot express (extra outputs, a fixed batch).
RNN_HIDDEN = (
    "kernel_constraint",
    "recurrent_constraint",
    "bias_constraint",
    "seed",
    "return_state",
    "stateful",
    "use_cudnn",
)


def _rnn(cls, extra: list, doc: str) -> BlockDef:
    gated = cls.__name__ != "SimpleRNN"
    return declare_block(
        cls.__name__,
        cls,
        "recurrent",
        doc,
        [
            P("units", "int", "Size of the hidden state (and of the output).", min=1, max=MAX_UNITS),
            activation(doc="Activation of the candidate state (null: linear)."),
            *([activation("recurrent_activation", "Activation of the gates (null: linear).")] if gated else []),
            use_bias(),
            initializer("kernel_initializer", "Initializer of the input kernel."),
            initializer("recurrent_initializer", "Initializer of the recurrent kernel."),
            initializer("bias_initializer", "Initializer of the bias."),
            *extra,
            regularizer("kernel_regularizer", "Penalty on the input kernel."),
            regularizer("recurrent_regularizer", "Penalty on the recurrent kernel."),
            regularizer("bias_regularizer", "Penalty on the bias."),
            regularizer("activity_regularizer", "Penalty on the layer's output."),
            rate("dropout", "Fraction of the inputs dropped, 0 to 1."),
            rate("recurrent_dropout", "Fraction of the recurrent state dropped, 0 to 1."),
            P("return_sequences", "bool", "Output every time step (batch, steps, units) instead of the last one."),
            P("go_backwards", "bool", "Read the sequence backwards (and return it reversed)."),
            P("unroll", "bool", "Unroll the loop: faster for short fixed-length sequences, more memory."),
        ],
        hidden=RNN_HIDDEN if gated else tuple(h for h in RNN_HIDDEN if h != "use_cudnn"),
        layout=SEQUENCE,
        macs=per_time_step,
    )


def blocks() -> list[BlockDef]:
    from keras import layers

    return [
        _rnn(
            layers.LSTM,
            [P("unit_forget_bias", "bool", "Start the forget gate's bias at 1.")],
            "Long short-term memory recurrent layer.",
        ),
        _rnn(
            layers.GRU,
            [P("reset_after", "bool", "Apply the reset gate after the matrix product (cuDNN compatible).")],
            "Gated recurrent unit layer.",
        ),
        _rnn(layers.SimpleRNN, [], "Fully connected recurrent layer: output fed back as the next input."),
        declare_block(
            "Bidirectional",
            layers.Bidirectional,
            "recurrent",
            "Runs a recurrent layer forwards and backwards and merges the two outputs.",
            [
                P("layer", "layer", "The recurrent layer to run both ways.", choices=RECURRENT),
                P(
                    "merge_mode",
                    "choice",
                    "How the two directions' outputs are combined.",
                    choices=("concat", "sum", "mul", "ave"),
                ),
            ],
            hidden=("weights", "backward_layer"),
            layout=SEQUENCE,
            macs=per_time_step,
        ),
        declare_block(
            "TimeDistributed",
            layers.TimeDistributed,
            "recurrent",
            "Applies a layer to every time step (axis 1) of the input.",
            [P("layer", "layer", "The layer applied at each step.", choices=TIME_DISTRIBUTABLE)],
            layout=TIMESTEPS,
            macs=per_output_position,
        ),
        *conv_lstm_blocks(),
    ]


def _conv_lstm(cls, rank: int) -> BlockDef:
    from .convolution import filters, padding, size

    layouts = {1: "(batch, time, steps, channels)", 2: "(batch, time, height, width, channels)"}
    return declare_block(
        cls.__name__,
        cls,
        "recurrent",
        f"{rank}-D convolutional LSTM: an LSTM whose gates are {rank}-D convolutions, "
        f"over a sequence of {'sequences' if rank == 1 else 'images' if rank == 2 else 'volumes'} "
        f"{layouts.get(rank, '(batch, time, depth, height, width, channels)')}.",
        [
            filters(),
            size("kernel_size", rank, "Size of the convolution window."),
            size("strides", rank, "Step of the window."),
            padding(rank),
            data_format("Axis order of each frame; null: Keras's image_data_format (channels_last)."),
            size("dilation_rate", rank, "Spacing between the kernel's taps (atrous convolution)."),
            activation(doc="Activation of the candidate state (null: linear)."),
            activation("recurrent_activation", "Activation of the gates (null: linear)."),
            use_bias(),
            initializer("kernel_initializer", "Initializer of the input kernel."),
            initializer("recurrent_initializer", "Initializer of the recurrent kernel."),
            initializer("bias_initializer", "Initializer of the bias."),
            P("unit_forget_bias", "bool", "Start the forget gate's bias at 1."),
            regularizer("kernel_regularizer", "Penalty on the input kernel."),
            regularizer("recurrent_regularizer", "Penalty on the recurrent kernel."),
            regularizer("bias_regularizer", "Penalty on the bias."),
            regularizer("activity_regularizer", "Penalty on the layer's output."),
            rate("dropout", "Fraction of the inputs dropped, 0 to 1."),
            rate("recurrent_dropout", "Fraction of the recurrent state dropped, 0 to 1."),
            P("return_sequences", "bool", "Output every frame instead of the last one."),
            P("go_backwards", "bool", "Read the sequence backwards (and return it reversed)."),
        ],
        hidden=tuple(h for h in RNN_HIDDEN if h != "use_cudnn"),
        macs=per_input_position,
    )


def conv_lstm_blocks() -> list[BlockDef]:
    from keras import layers

    return [_conv_lstm(layers.ConvLSTM1D, 1), _conv_lstm(layers.ConvLSTM2D, 2), _conv_lstm(layers.ConvLSTM3D, 3)]

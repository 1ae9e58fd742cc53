import keras

from trainer import device


def test_cpu_configuration_is_idempotent():
    device._reset_for_tests()
    try:
        first = device.configure_device()
        assert first == {"device": "CPU", "mixed_precision": False}  # this machine has no GPU
        assert device.configure_device() == first
        assert keras.mixed_precision.global_policy().name == "float32"
    finally:
        device._reset_for_tests()


def test_mixed_precision_can_be_forced_and_undone():
    try:
        assert device.configure_device(mixed_precision=True)["mixed_precision"] is True
        assert keras.mixed_precision.global_policy().name == "mixed_float16"
        assert device.configure_device()["mixed_precision"] is True  # None keeps what was configured
        assert device.configure_device(mixed_precision=False)["mixed_precision"] is False
        assert keras.mixed_precision.global_policy().name == "float32"
    finally:
        device._reset_for_tests()

import numpy as np

from trainer.datasets import load_builtin, subsample


def test_max_samples_is_stratified_for_one_class_target():
    ds = load_builtin("digits")
    small = subsample(ds, 100, seed=0)
    assert small.train_size == 100 and small.info["train_size"] == 100
    counts = np.bincount(small.y_train["target"], minlength=10)
    assert counts.min() >= 9 and counts.max() <= 11
    assert small.x_test is ds.x_test  # the test split stays whole


def test_max_samples_takes_the_first_rows_for_regression():
    ds = load_builtin("diabetes")
    small = subsample(ds, 50)
    np.testing.assert_array_equal(small.y_train["target"], ds.y_train["target"][:50])


def test_no_cap_keeps_the_dataset():
    ds = load_builtin("iris")
    assert subsample(ds, None) is ds and subsample(ds, 10_000) is ds

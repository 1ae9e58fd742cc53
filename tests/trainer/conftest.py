import os

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


@pytest.fixture(scope="session", autouse=True)
def dataset_cache(tmp_path_factory):
    """A fresh on-disk dataset cache for the session (never the repository's var/)."""
    path = tmp_path_factory.mktemp("dataset-cache")
    old = os.environ.get("DATASET_CACHE_DIR")
    os.environ["DATASET_CACHE_DIR"] = str(path)
    yield path
    if old is None:
        os.environ.pop("DATASET_CACHE_DIR", None)
    else:
        os.environ["DATASET_CACHE_DIR"] = old

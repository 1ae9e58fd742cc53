"""Datasets: the built-in ones, uploads (CSV, NPZ, ZIP of images) and their storage as .npz."""

from .base import Dataset, DatasetError, UploadError, subsample
from .builtin import clear_memory_cache, list_builtin, load_builtin
from .limits import UploadLimits
from .storage import dataset_from_npz, dataset_to_npz
from .upload import parse_upload

__all__ = [
    "Dataset",
    "DatasetError",
    "UploadError",
    "UploadLimits",
    "clear_memory_cache",
    "dataset_from_npz",
    "dataset_to_npz",
    "list_builtin",
    "load_builtin",
    "parse_upload",
    "subsample",
]

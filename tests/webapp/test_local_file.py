"""webapp.files.local_file: a stored file as a local path for Keras, from a storage with local paths and
from one without (Django's InMemoryStorage with no local paths, as an object store)."""

from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, InMemoryStorage, Storage
from django.db.models.fields.files import FieldFile

from webapp.files import local_file, storage_path


class ObjectStore(Storage):
    """A storage without local paths (`path` is the base Storage's, which refuses), as an object store
    (S3 and the like) is: its files kept in Django's InMemoryStorage behind it."""

    def __init__(self):
        self.inner = InMemoryStorage()

    def _save(self, name, content):
        return self.inner.save(name, content)

    def _open(self, name, mode="rb"):
        return self.inner.open(name, mode)

    def exists(self, name):
        return self.inner.exists(name)

    def size(self, name):
        return self.inner.size(name)


class Stored(FieldFile):
    def __init__(self, storage, name):  # a FieldFile without a model instance: what local_file reads
        self.storage, self.name = storage, name


def test_a_file_system_storage_gives_its_own_path(tmp_path):
    storage = FileSystemStorage(location=tmp_path)
    name = storage.save("models/1/a.keras", ContentFile(b"weights"))
    assert local_file(Stored(storage, name), "upload1") == (str(tmp_path / name), None)
    (tmp_path / name).unlink()
    with pytest.raises(FileNotFoundError):
        local_file(Stored(storage, name), "upload1")


def test_a_storage_without_paths_is_copied_once_into_the_cache(tmp_path, settings):
    settings.VAR_DIR = tmp_path
    storage = ObjectStore()
    name = storage.save("runs/7/model.keras", ContentFile(b"weights"))
    assert storage_path(storage, name) is None
    path, stamp = local_file(Stored(storage, name), "run7")
    assert Path(path).parent == tmp_path / "model-cache" and Path(path).read_bytes() == b"weights"
    assert stamp == (name, 7)
    Path(path).write_bytes(b"kept")  # a second ask uses the copy, not the storage
    assert local_file(Stored(storage, name), "run7") == (path, stamp)
    assert Path(path).read_bytes() == b"kept"
    assert [p.name for p in (tmp_path / "model-cache").iterdir()] == [Path(path).name]  # no temporary left
    with pytest.raises(FileNotFoundError):
        local_file(Stored(storage, "runs/8/model.keras"), "run8")

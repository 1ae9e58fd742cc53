"""Datasets over HTTP: the built-in list, CSV/NPZ/ZIP uploads, bad and too-large files, previews, deletes."""

import io
import json
import zipfile

import numpy as np
import pytest
from PIL import Image

from webapp.datasets.models import UploadedDataset

pytestmark = pytest.mark.django_db


def stored_files(media_root):
    return (
        sorted(p.relative_to(media_root).as_posix() for p in media_root.rglob("*") if p.is_file())
        if media_root.exists()
        else []
    )


def named(data: bytes, name: str) -> io.BytesIO:
    f = io.BytesIO(data)
    f.name = name
    return f


def csv_file() -> io.BytesIO:
    rows = ["size,weight,species"] + [f"{i % 7 + 0.5},{(i * 3) % 11},{'ab'[i % 2]}" for i in range(40)]
    return named("\n".join(rows).encode(), "animals.csv")


def npz_file() -> io.BytesIO:
    buffer = io.BytesIO()
    rng = np.random.default_rng(0)
    np.savez(buffer, x=rng.random((30, 5)).astype("float32"), y=np.arange(30) % 3)
    return named(buffer.getvalue(), "points.npz")


def zip_file() -> io.BytesIO:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for label, color in (("red", (255, 0, 0)), ("blue", (0, 0, 255))):
            for i in range(5):
                img = io.BytesIO()
                Image.new("RGB", (12, 10), color).save(img, "PNG")
                zf.writestr(f"{label}/{i}.png", img.getvalue())
    return named(buffer.getvalue(), "colors.zip")


def upload(client, f, options=None, name=""):
    return client.post("/api/datasets", {"file": f, "name": name, "options": json.dumps(options or {})})


def test_builtins_are_listed_with_inputs_and_targets(api):
    listed = api.get("/api/datasets").json()
    by_name = {d["name"]: d for d in listed}
    fashion = by_name["fashion_mnist"]
    assert fashion["kind"] == "builtin" and fashion["id"] is None and fashion["ref"] == "fashion_mnist"
    assert fashion["inputs"][0]["shape"] == [28, 28] and fashion["targets"][0]["classes"] == 10
    assert {"iris", "digits", "wine", "breast_cancer", "diabetes"} <= set(by_name)
    assert api.get("/api/datasets/iris").json()["title"] == "Iris"
    assert api.get("/api/datasets/nope").status_code == 404


def test_builtin_previews(api):
    images = api.get("/api/datasets/fashion_mnist/preview").json()
    assert images["kind"] == "images" and images["images"][0]["src"].startswith("data:image/png;base64,")
    table = api.get("/api/datasets/iris/preview").json()
    assert table["kind"] == "table" and table["columns"][-1] == "target" and len(table["rows"]) == 10
    assert table["rows"][0][-1] in ("setosa", "versicolor", "virginica")


@pytest.mark.parametrize(
    "make, options, kind",
    [
        (csv_file, {"targets": ["species"]}, "table"),
        (npz_file, {}, "table"),
        (zip_file, {"image_size": [8, 8]}, "images"),
    ],
)
def test_good_uploads_are_stored_listed_previewed_and_deleted(api, other, media_root, make, options, kind):
    r = upload(api, make(), options, name="My data")
    assert r.status_code == 201, r.content
    created = r.json()
    assert created["kind"] == "upload" and created["title"] == "My data" and created["inputs"] and created["targets"]
    did = created["id"]
    files = stored_files(media_root)
    assert len(files) == 1 and files[0].endswith(".npz")

    assert [d["id"] for d in api.get("/api/datasets").json() if d["kind"] == "upload"] == [did]
    assert api.get(f"/api/datasets/{did}").json()["id"] == did
    preview = api.get(f"/api/datasets/{did}/preview").json()
    assert preview["kind"] == kind
    assert all(d["kind"] == "builtin" for d in other.get("/api/datasets").json())  # not bob's

    assert api.delete(f"/api/datasets/{did}").status_code == 204
    assert stored_files(media_root) == []
    assert api.get(f"/api/datasets/{did}").status_code == 404


@pytest.mark.parametrize(
    "f, options, field",
    [
        (lambda: named(b"a,b\n1,2\n3,4\n", "t.csv"), {"targets": ["nope"]}, "targets"),
        (lambda: named(b"a,b\n1,2\n3,4\n", "t.csv"), {}, "targets"),
        (lambda: named(b"not a zip", "x.zip"), {}, "file"),
        (lambda: named(b"\x00\x01", "x.exe"), {}, "file"),
        (lambda: named(b"a,b\n1,2\n", "t.csv"), "not json", "options"),
    ],
)
def test_bad_uploads_are_400_with_field_and_leave_nothing(api, media_root, f, options, field):
    data = {"file": f(), "options": options if isinstance(options, str) else json.dumps(options)}
    r = api.post("/api/datasets", data)
    assert r.status_code == 400, r.content
    assert r.json()["field"] == field and r.json()["detail"]
    assert stored_files(media_root) == []
    assert not UploadedDataset.objects.exists()


@pytest.mark.parametrize("rows", [30_000, 60_000])  # 120 kB: cut while read; 240 kB: refused by its length
def test_too_large_upload_is_413_while_streaming(api, media_root, settings, rows):
    settings.MAX_UPLOAD_BYTES = 100_000
    big = named(b"a,b\n" + b"1,2\n" * rows, "big.csv")
    r = upload(api, big, {"targets": ["b"]})
    assert r.status_code == 413
    assert r.json()["field"] == "file" and "limit" in r.json()["detail"]
    assert stored_files(media_root) == [] and not UploadedDataset.objects.exists()


def test_stream_without_content_length_is_cut_at_the_limit(settings):
    """The handler counts the bytes it is given: a body past the limit stops at the first chunk over it."""
    from webapp.datasets.uploads import MaxSizeUploadHandler, UploadTooLarge

    settings.MAX_UPLOAD_BYTES = 10_000
    handler = MaxSizeUploadHandler()
    handler.handle_raw_input(None, {}, None, b"b")
    handler.receive_data_chunk(b"x" * 6000, 0)
    with pytest.raises(UploadTooLarge):
        handler.receive_data_chunk(b"x" * 6000, 6000)

import io
import zipfile

import numpy as np
import pytest
from PIL import Image

from trainer.datasets import UploadError, UploadLimits, parse_upload


def png(color=(200, 10, 10), size=(20, 12)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


def jpeg(size=(40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (0, 120, 240)).save(out, "JPEG")
    return out.getvalue()


def archive(members: dict[str, bytes | None], compression=zipfile.ZIP_DEFLATED) -> io.BytesIO:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as zf:
        for name, data in members.items():
            if data is None:
                zf.writestr(zipfile.ZipInfo(name), b"")  # a folder entry
            else:
                zf.writestr(name, data)
    buffer.seek(0)
    return buffer


def pets(extra: dict | None = None, top: str = "") -> io.BytesIO:
    members = {f"{top}cats/{i}.png": png((255, 255, 255)) for i in range(5)}
    members |= {f"{top}dogs/{i}.jpg": jpeg() for i in range(5)}
    members |= {"__MACOSX/._junk": b"junk", f"{top}cats/.DS_Store": b"junk"}
    return archive(members | (extra or {}))


def test_class_folders_become_labels():
    ds = parse_upload(pets(top="pets/"), "pets.zip", {"image_size": [16, 24], "color": "rgb"})
    assert ds.info["inputs"] == [{"name": "image", "shape": [16, 24, 3], "dtype": "float32", "modality": "image"}]
    assert ds.info["targets"][0]["class_names"] == ["cats", "dogs"]
    assert ds.train_size == 8 and ds.test_size == 2
    assert ds.x_train["image"].dtype == np.float32
    assert ds.x_train["image"].min() >= 0 and ds.x_train["image"].max() <= 1
    whites = ds.x_train["image"][ds.y_train["label"] == 0]
    np.testing.assert_allclose(whites, 1.0)


def test_grayscale_default_size():
    ds = parse_upload(pets(), "pets.zip", {"color": "grayscale"})
    assert ds.x_train["image"].shape[1:] == (64, 64, 1)


@pytest.mark.parametrize("name", ["../evil.png", "cats/../../evil.png", "/etc/evil.png", "C:/evil.png"])
def test_path_traversal_is_refused(name):
    with pytest.raises(UploadError, match="unsafe path"):
        parse_upload(pets({name: png()}), "pets.zip", {})


def test_non_image_is_refused_by_name():
    with pytest.raises(UploadError, match=r"'cats/notes\.txt' is not an image"):
        parse_upload(pets({"cats/notes.txt": b"just some notes"}), "pets.zip", {})


def test_empty_class_folder():
    with pytest.raises(UploadError, match="class folder 'birds' is empty") as e:
        parse_upload(pets({"birds/": None}), "pets.zip", {})
    assert e.value.field == "birds"


def test_one_class_is_not_enough():
    with pytest.raises(UploadError, match="at least 2"):
        parse_upload(archive({f"cats/{i}.png": png() for i in range(3)}), "cats.zip", {})


def test_loose_file_outside_class_folders():
    with pytest.raises(UploadError, match="not inside a class folder"):
        parse_upload(pets({"readme.png": png()}), "pets.zip", {})


def test_corrupt_zip():
    with pytest.raises(UploadError, match="not a valid ZIP"):
        parse_upload(io.BytesIO(b"garbage" * 10), "pets.zip", {})


def test_bad_options():
    with pytest.raises(UploadError, match="image_size") as e:
        parse_upload(pets(), "pets.zip", {"image_size": [0, 5000]})
    assert e.value.field == "image_size"
    with pytest.raises(UploadError, match="color"):
        parse_upload(pets(), "pets.zip", {"color": "sepia"})


def test_zip_bomb_is_refused_before_decompressing(monkeypatch):
    bomb = pets({"cats/bomb.png": b"\0" * (60 * 1024 * 1024)})  # 60 MB of zeros deflate ~1000:1
    opened = []
    real_open = zipfile.ZipFile.open
    monkeypatch.setattr(zipfile.ZipFile, "open", lambda self, *a, **k: opened.append(a) or real_open(self, *a, **k))
    with pytest.raises(UploadError, match="ZIP bomb"):
        parse_upload(bomb, "pets.zip", {})
    assert opened == []  # refused from the table of contents alone


def test_total_uncompressed_limit():
    with pytest.raises(UploadError, match="past the limit"):
        parse_upload(pets(), "pets.zip", {"image_size": [8, 8]}, UploadLimits(max_uncompressed=2000))


def test_image_count_and_pixel_limits():
    with pytest.raises(UploadError, match="more than the limit of 5 images"):
        parse_upload(pets(), "pets.zip", {}, UploadLimits(max_images=5))
    with pytest.raises(UploadError, match="more than the limit of 100 pixels"):
        parse_upload(pets(), "pets.zip", {}, UploadLimits(max_image_pixels=100))


def test_member_lying_about_its_size_is_cut_off():
    buffer = pets()
    data = bytearray(buffer.getvalue())
    # Shrink the declared size of the first member in the central directory: reading must stop there.
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as zf:
        first = zf.infolist()[0]
    offset = data.rfind(b"PK\x01\x02", 0)  # scan central directory entries
    while offset != -1:
        name_len = int.from_bytes(data[offset + 28 : offset + 30], "little")
        if data[offset + 46 : offset + 46 + name_len].decode() == first.filename:
            data[offset + 24 : offset + 28] = (10).to_bytes(4, "little")
            break
        offset = data.rfind(b"PK\x01\x02", 0, offset)
    with pytest.raises(UploadError, match=r"corrupt|not an image"):
        parse_upload(io.BytesIO(bytes(data)), "pets.zip", {})

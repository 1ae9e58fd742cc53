"""The run page's "Try it" and Downloads, and the editor's model-format exports, on the real stack: a
tiny Fashion-MNIST run trained through the API, then drawn on with the mouse, a test sample, image
files (a bad one's error at its input), ONNX downloads loaded with onnxruntime."""

import io
import json
import time
from pathlib import Path

import numpy as np
import onnxruntime
import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from tests.e2e.conftest import ARTIFACTS, sign_up
from tests.services import ROOT

pytestmark = [
    pytest.mark.browser,
    pytest.mark.services,
    pytest.mark.timeout(420),
    pytest.mark.usefixtures("no_page_errors"),
]

FASHION = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
SLOW = 20_000


def train_tiny_run(page: Page) -> int:
    """mnist_mlp_tiny on 300 Fashion-MNIST samples for one epoch, through POST /api/runs."""
    graph = json.loads((ROOT / "builder" / "examples" / "mnist_mlp_tiny.json").read_text())
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    response = page.request.post(
        "/api/runs",
        data={"graph": graph, "dataset": "fashion_mnist", "training": {"epochs": 1, "max_samples": 300}},
        headers={"X-CSRFToken": token},
    )
    assert response.ok, response.text()
    run_id = response.json()["id"]
    deadline = time.monotonic() + 240
    while True:
        run = page.request.get(f"/api/runs/{run_id}").json()
        if run["status"] in ("succeeded", "failed", "cancelled"):
            break
        assert time.monotonic() < deadline, f"run {run_id} still {run['status']}"
        time.sleep(0.5)
    assert run["status"] == "succeeded", run.get("error")
    return run_id


def bars(page: Page, scope: str) -> list[tuple[str, float]]:
    return (
        page.get_by_test_id(scope)
        .get_by_test_id("prob-bar")
        .evaluate_all("els => els.map(e => [e.dataset.name, Number(e.dataset.probability)])")
    )


def expect_class_bars(page: Page, scope: str) -> list[tuple[str, float]]:
    expect(page.get_by_test_id(scope).get_by_test_id("prob-bar").first).to_be_visible(timeout=SLOW)
    shown = bars(page, scope)
    named = [name for name, _ in shown if not name.endswith("classes")]
    assert 1 <= len(named) <= 5, shown
    assert set(named) <= set(FASHION), shown
    assert sum(p for _, p in shown) == pytest.approx(1, abs=0.01), shown
    assert [p for _, p in shown[: len(named)]] == sorted((p for _, p in shown[: len(named)]), reverse=True)
    return shown


def check_onnx(path: Path) -> None:
    """A real ONNX model: onnxruntime loads it and maps a batch of Fashion-MNIST-sized images to 10
    class probabilities."""
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    (entry,) = session.get_inputs()
    assert entry.shape[-1] == 784, entry.shape
    x = np.random.default_rng(0).random((3, 784), dtype=np.float32)
    (probs,) = session.run(None, {entry.name: x})
    assert probs.shape == (3, 10)
    np.testing.assert_allclose(probs.sum(axis=1), 1, atol=1e-4)


def png(array: np.ndarray) -> bytes:
    out = io.BytesIO()
    Image.fromarray(array.astype(np.uint8)).save(out, format="PNG")
    return out.getvalue()


def test_try_it_draw_sample_files_and_onnx_download(page: Page, stack, tmp_path):
    ARTIFACTS.mkdir(exist_ok=True)
    sign_up(page, "try")
    run_id = train_tiny_run(page)
    predicts: list[str] = []
    page.on("request", lambda r: r.method == "POST" and r.url.endswith("/predict") and predicts.append(r.url))

    page.goto(f"/runs/{run_id}")
    section = page.get_by_test_id("try-it")
    expect(section).to_be_visible(timeout=SLOW)
    pad = page.get_by_test_id("try-pad")
    expect(pad).to_be_visible(timeout=SLOW)
    expect(pad).to_have_attribute("data-empty", "true")
    expect(page.get_by_test_id("try-answer")).to_contain_text("Draw something")
    assert predicts == []

    # Mouse strokes: a trouser-like shape (a waistband and two legs), 3 strokes of 40 moves each. The pad
    # is below the charts (and the system chart): in view first, or the mouse lands outside the window.
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    assert box and box["width"] >= 250, box  # shown large

    def at(fx: float, fy: float) -> tuple[float, float]:
        return box["x"] + fx * box["width"], box["y"] + fy * box["height"]

    for start, end in [((0.3, 0.15), (0.7, 0.15)), ((0.33, 0.15), (0.3, 0.9)), ((0.67, 0.15), (0.7, 0.9))]:
        page.mouse.move(*at(*start))
        page.mouse.down()
        page.mouse.move(*at(*end), steps=40)
        page.mouse.up()
    expect(pad).to_have_attribute("data-empty", "false")
    drawn = expect_class_bars(page, "try-result")
    expect(page.get_by_test_id("try-best")).to_have_text(drawn[0][0])
    page.wait_for_timeout(800)  # anything still debounced has gone out
    expect(page.get_by_test_id("try-answer")).to_have_attribute("data-busy", "false", timeout=SLOW)
    # 120 mouse moves, a handful of requests: debounced, one at a time.
    assert 1 <= len(predicts) <= 12, len(predicts)
    # What the model sees: the 28x28 preview is not black.
    lit = page.get_by_test_id("try-pad-preview").evaluate(
        "c => { const d = c.getContext('2d').getImageData(0, 0, 28, 28).data;"
        " let n = 0; for (let i = 0; i < d.length; i += 4) if (d[i] > 60) n++; return n; }"
    )
    assert 30 <= lit <= 500, lit

    # A random test sample: its image, true label and the model's answer on it.
    page.get_by_test_id("try-random").click()
    sample = page.get_by_test_id("try-sample")
    expect(sample).to_be_visible(timeout=SLOW)
    label = page.get_by_test_id("try-sample-label").inner_text()
    assert any(label.startswith(name) for name in FASHION), label
    expect(sample.locator("img")).to_be_visible()
    expect(page.get_by_test_id("try-sample-prediction")).to_be_visible(timeout=SLOW)
    expect_class_bars(page, "try-sample-result")
    assert sample.get_attribute("data-correct") in ("true", "false")

    def shoot(name: str) -> None:
        # below the sticky header, whole in the viewport, after the bars' transitions
        section.evaluate("e => window.scrollTo(0, e.getBoundingClientRect().top + window.scrollY - 60)")
        page.wait_for_timeout(300)
        section.screenshot(path=str(ARTIFACTS / name))

    shoot("try_it.png")
    page.set_viewport_size({"width": 1024, "height": 1000})
    shoot("try_it_1024.png")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1024  # no sideways scrolling
    page.set_viewport_size({"width": 1400, "height": 900})

    # Clear empties the pad and the answer.
    page.get_by_test_id("try-clear").click()
    expect(pad).to_have_attribute("data-empty", "true")
    expect(page.get_by_test_id("try-result")).to_have_count(0)

    # The keyboard draws too: Space lowers the pen, arrows move it, Delete clears.
    pad.focus()
    page.keyboard.press("Space")
    for _ in range(8):
        page.keyboard.press("Shift+ArrowDown")
    expect(pad).to_have_attribute("data-empty", "false")
    expect_class_bars(page, "try-result")
    page.keyboard.press("Delete")
    expect(pad).to_have_attribute("data-empty", "true")
    expect(page.get_by_test_id("try-result")).to_have_count(0)

    # Image files: a file that is no image gets the server's error at the input; a real PNG an answer.
    page.get_by_test_id("try-mode-file").click()
    page.get_by_test_id("try-file-input").set_input_files(
        {"name": "notes.png", "mimeType": "image/png", "buffer": b"this is not a picture"}
    )
    error = page.get_by_test_id("try-error-pixels")
    expect(error).to_be_visible(timeout=SLOW)
    expect(error).to_contain_text("notes.png")
    boot = np.zeros((28, 28))
    boot[8:22, 6:12] = 230
    boot[16:22, 6:24] = 230
    page.get_by_test_id("try-file-input").set_input_files(
        {"name": "boot.png", "mimeType": "image/png", "buffer": png(boot)}
    )
    expect(error).to_have_count(0, timeout=SLOW)
    expect_class_bars(page, "try-result")

    # Downloads: ONNX converted on its first download, then its size is known.
    onnx_size = page.get_by_test_id("export-onnx-size")
    expect(onnx_size).to_have_text("converted on first download", timeout=SLOW)
    expect(page.get_by_test_id("download-notebook")).to_be_visible()
    expect(page.get_by_test_id("download-script")).to_be_visible()
    with page.expect_download(timeout=180_000) as info:
        page.get_by_test_id("download-onnx").click()
        expect(page.get_by_test_id("export-onnx")).to_have_attribute("data-state", "running")
    download = info.value
    assert download.suggested_filename.endswith(".onnx"), download.suggested_filename
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    check_onnx(path)
    expect(onnx_size).to_have_text(f"{path.stat().st_size / 1024:.1f} KB", timeout=SLOW)
    expect(page.get_by_test_id("export-onnx")).to_have_attribute("data-state", "idle")
    page.get_by_test_id("downloads").screenshot(path=str(ARTIFACTS / "downloads.png"))


def test_editor_exports_the_untrained_graph_as_onnx(page: Page, stack, tmp_path):
    page.goto("/")
    expect(page.get_by_test_id("palette-Dense")).to_be_visible(timeout=SLOW)
    page.get_by_test_id("templates").click()
    page.get_by_test_id("template-mnist_mlp_tiny").click()
    expect(page.get_by_test_id("status-state")).to_have_text("Model builds", timeout=SLOW)

    # (at 1024 px the export group folds into the toolbar's "⋯" menu: tests/e2e/test_layout.py)
    menu = page.get_by_test_id("export-model-menu")
    menu.click()
    expect(page.get_by_test_id("export-model-list")).to_be_visible()
    expect(page.get_by_test_id("export-savedmodel")).to_be_focused()  # the keyboard is in the menu
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("export-model-list")).to_have_count(0)
    expect(menu).to_be_focused()

    menu.press("Enter")
    with page.expect_download(timeout=180_000) as info:
        page.get_by_test_id("export-onnx").click()
    download = info.value
    assert download.suggested_filename.endswith(".onnx"), download.suggested_filename
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    check_onnx(path)
    expect(menu).to_be_enabled()

"""Training from the browser, on the real stack (redis-server, daphne, a Celery worker): sign up, open
the mnist_mlp template, train it on Fashion-MNIST from the Train panel, watch the charts fill, reload
mid-run, read the results, download and load the trained model, and cancel a second run."""

import re
import time
import uuid

import numpy as np
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.services, pytest.mark.timeout(300)]

# Records, every 40 ms and across reloads, what the run page shows: the status and the loss chart's
# point counts. The test reads it back to prove the chart grew while the run was still running.
RECORDER = """
(() => {
  const key = '__run_samples';
  const samples = JSON.parse(sessionStorage.getItem(key) || '[]');
  window.__runSamples = samples;
  setInterval(() => {
    const chart = document.querySelector('[data-testid="chart-loss"]');
    const status = document.querySelector('[data-testid="run-status"]');
    if (!chart || !status) return;
    const batch = Number(chart.dataset.batchPoints || 0);
    const epoch = Number(chart.dataset.epochPoints || 0);
    const last = samples[samples.length - 1];
    const s = {status: status.dataset.status, batch, epoch, load: performance.timeOrigin};
    if (!last || last.status !== s.status || last.batch !== batch || last.epoch !== epoch || last.load !== s.load) {
      samples.push(s);
      sessionStorage.setItem(key, JSON.stringify(samples));
    }
  }, 40);
})();
"""


def points(page: Page) -> dict:
    return page.get_by_test_id("chart-loss").evaluate(
        "el => ({batch: Number(el.dataset.batchPoints || 0), epoch: Number(el.dataset.epochPoints || 0),"
        " val: Number(el.dataset.valPoints || 0)})"
    )


def status_of(page: Page) -> str:
    return page.get_by_test_id("run-status").get_attribute("data-status")


def open_train_panel(page: Page, epochs: int, max_samples: int = 512, batch_size: int = 32):
    panel = page.get_by_test_id("train-panel")
    if not panel.is_visible():  # it stays open across visits
        page.get_by_test_id("train-open").click()
    expect(panel).to_be_visible()
    dataset = page.get_by_test_id("train-dataset")
    expect(dataset).to_be_enabled(timeout=20_000)
    dataset.select_option("fashion_mnist")
    page.get_by_test_id("field-train.max_samples").fill(str(max_samples))
    page.get_by_test_id("field-train.epochs").fill(str(epochs))
    page.get_by_test_id("field-train.batch_size").fill(str(batch_size))
    return panel


def test_train_watch_reload_download_and_cancel(page: Page, stack, tmp_path):
    started = time.monotonic()
    ARTIFACTS.mkdir(exist_ok=True)
    page.add_init_script(RECORDER)
    # Every run websocket goes through here, so the test can cut one (and refuse reconnects for a while).
    sockets, refuse = [], {"on": False}

    def on_socket(route):
        if refuse["on"]:
            route.close(code=4000, reason="refused by the test")
            return
        route.connect_to_server()
        sockets.append(route)

    page.route_web_socket(re.compile(r"/ws/runs/\d+/$"), on_socket)
    page.goto("/")

    # The mnist_mlp template: pixels (784,) -> Dense 512 -> Dense 10 softmax -> Output "label".
    page.get_by_test_id("templates").click()
    page.get_by_test_id("template-mnist_mlp").click()
    expect(page.get_by_test_id("status-state")).to_have_text(re.compile("Model builds"), timeout=30_000)

    # Nobody logged in: Train is disabled and says why; signing up in the panel enables it.
    page.get_by_test_id("train-open").click()
    panel = page.get_by_test_id("train-panel")
    reason = page.get_by_test_id("train-disabled-reason")
    expect(reason).to_contain_text("Log in")
    expect(page.get_by_test_id("train-submit")).to_be_disabled()
    panel.get_by_test_id("auth-username").fill(f"trainer-{uuid.uuid4().hex[:8]}")
    panel.get_by_test_id("auth-password").fill("correct horse battery staple")
    panel.get_by_test_id("auth-signup").click()
    expect(page.get_by_test_id("train-dataset")).to_be_enabled(timeout=20_000)
    expect(reason).to_have_count(0)

    # A graph with an error: disabled again, with the error as the reason, until it is undone.
    page.get_by_test_id("node-hidden").click()
    page.keyboard.press("Delete")
    expect(reason).to_contain_text("error")
    expect(page.get_by_test_id("train-submit")).to_be_disabled()
    page.get_by_test_id("undo").click()
    expect(reason).to_have_count(0)

    # A dataset the graph does not fit: the server's check (POST /api/runs/check) explains the mismatch
    # per block before training, and Train stays disabled with its reason.
    open_train_panel(page, epochs=2, batch_size=4)
    page.get_by_test_id("train-dataset").select_option("iris")
    expect(page.get_by_test_id("train-bind-problem-pixels")).to_contain_text("(4,)")
    # more units than classes is a warning now, not one of the problems (the pixels' one refuses)
    expect(page.get_by_test_id("train-bind-warning-label")).to_contain_text("3 classes")
    expect(reason).to_contain_text("does not fit")
    expect(page.get_by_test_id("train-submit")).to_be_disabled()
    expect(page).to_have_url(re.compile(r"/$"))
    page.screenshot(path=str(ARTIFACTS / "train-refused.png"))

    # Uploads: the server's error shown at its field, then a CSV that becomes the chosen dataset.
    page.get_by_test_id("train-upload-open").click()
    upload_file = page.get_by_test_id("train-upload-file")
    upload_file.set_input_files({"name": "tiny.csv", "mimeType": "text/csv", "buffer": b"a,b,kind\n1,2,x\n"})
    expect(page.get_by_test_id("train-upload-target-kind")).to_be_checked()
    page.get_by_test_id("train-upload-submit").click()
    upload_error = page.get_by_test_id("train-upload-error")
    expect(upload_error).to_contain_text("at least 2")
    expect(upload_error).to_have_attribute("data-field", "file")
    rows = "\n".join(f"{i % 7},{(i * 3) % 11},{'xy'[i % 2]}" for i in range(40))
    upload_file.set_input_files({"name": "tiny.csv", "mimeType": "text/csv", "buffer": f"a,b,kind\n{rows}\n".encode()})
    page.get_by_test_id("train-upload-submit").click()
    expect(page.get_by_test_id("train-upload")).to_have_count(0, timeout=20_000)
    expect(page.get_by_test_id("train-dataset")).to_have_value(re.compile(r"^\d+$"))
    expect(page.get_by_test_id("train-field-kind")).to_contain_text("2 classes")
    expect(page.get_by_test_id("train-preview")).to_contain_text("kind")

    # Fashion-MNIST: its fields and a preview with class names; the blocks bound to its fields.
    page.get_by_test_id("train-dataset").select_option("fashion_mnist")
    expect(page.get_by_test_id("node-error-pixels")).to_have_count(0)
    expect(page.get_by_test_id("train-errors")).to_have_count(0)
    expect(page.get_by_test_id("train-field-image")).to_contain_text("(28, 28)")
    expect(page.get_by_test_id("train-field-label")).to_contain_text("10 classes")
    expect(page.get_by_test_id("train-preview").locator("img").first).to_be_visible(timeout=20_000)
    expect(page.get_by_test_id("train-preview")).to_contain_text(
        re.compile("T-shirt/top|Trouser|Pullover|Dress|Coat|Sandal|Shirt|Sneaker|Bag|Ankle boot")
    )
    expect(page.get_by_test_id("train-bind-pixels")).to_have_value("image")
    expect(page.get_by_test_id("train-bind-label")).to_have_value("label")
    expect(page.get_by_test_id("train-bind-problem-pixels")).to_have_count(0)
    expect(page.get_by_test_id("train-disabled-reason")).to_have_count(0)
    submit = page.get_by_test_id("train-submit")
    expect(submit).to_be_enabled()
    expect(page.get_by_test_id("toast")).to_have_count(0, timeout=10_000)
    page.screenshot(path=str(ARTIFACTS / "train-panel.png"))

    submit.click()
    expect(page).to_have_url(re.compile(r"/runs/\d+$"), timeout=20_000)
    run_id = int(page.url.rstrip("/").rsplit("/", 1)[1])

    # The loss chart gains points while the run is still running: batches first, then epoch 1.
    page.wait_for_function(
        """() => {
          const c = document.querySelector('[data-testid="chart-loss"]');
          const s = document.querySelector('[data-testid="run-status"]');
          return c && s && s.dataset.status === 'running' && Number(c.dataset.batchPoints || 0) >= 2;
        }""",
        timeout=120_000,
    )
    first = points(page)
    page.wait_for_function(
        """(batch) => {
          const c = document.querySelector('[data-testid="chart-loss"]');
          const s = document.querySelector('[data-testid="run-status"]');
          return s.dataset.status !== 'running' || (Number(c.dataset.epochPoints || 0) >= 1
            && Number(c.dataset.batchPoints || 0) > batch);
        }""",
        arg=first["batch"],
        timeout=120_000,
    )
    page.screenshot(path=str(ARTIFACTS / "run-training.png"))
    before = points(page)
    assert before["batch"] > first["batch"], (first, before)

    # Reload mid-run: the points seen so far come back, epochs and batches alike from the server's
    # snapshot (the page keeps none of its own: nothing of the run is left in sessionStorage).
    page.reload()
    expect(page.get_by_test_id("run-status")).to_be_visible(timeout=20_000)
    page.wait_for_function(
        """([batch, epoch]) => {
          const c = document.querySelector('[data-testid="chart-loss"]');
          return c && Number(c.dataset.batchPoints || 0) >= batch && Number(c.dataset.epochPoints || 0) >= epoch;
        }""",
        arg=[before["batch"], before["epoch"]],
        timeout=20_000,
    )
    assert page.evaluate("() => Object.keys(sessionStorage).filter((k) => k.startsWith('run-batches:'))") == []

    # Done: test accuracy, the confusion matrix with class names, sample predictions.
    expect(page.get_by_test_id("run-status")).to_have_attribute("data-status", "succeeded", timeout=120_000)
    expect(page.get_by_test_id("run-test-metrics")).to_contain_text("accuracy", timeout=20_000)
    matrix = page.get_by_test_id("confusion-matrix")
    expect(matrix).to_be_visible()
    expect(matrix).to_contain_text("Ankle boot")
    expect(page.get_by_test_id("run-samples").locator("figure").first).to_be_visible()
    final = points(page)
    assert final["epoch"] == 2 and final["val"] == 2, final
    stored = page.request.get(f"/api/runs/{run_id}").json()["batches"]
    assert {b["epoch"] for b in stored} == {1, 2} and final["batch"] >= len(stored), (final, len(stored))
    assert final["batch"] >= before["batch"]
    samples = page.evaluate("() => window.__runSamples")
    running = [s for s in samples if s["status"] == "running"]
    assert running and max(s["batch"] for s in running) >= 2, samples
    assert len({s["load"] for s in samples}) >= 2, "the page was reloaded"
    page.screenshot(path=str(ARTIFACTS / "run-done.png"), full_page=True)
    # The log scale redraws the loss chart with the same points.
    page.get_by_test_id("chart-loss-log").check()
    expect(page.get_by_test_id("chart-loss").locator("canvas")).to_be_visible()
    assert points(page) == final

    # The trained model: downloaded through the page, loaded here, and it predicts.
    with page.expect_download() as info:
        page.get_by_test_id("download-model").click()
    path = tmp_path / "model.keras"
    info.value.save_as(path)
    import keras

    model = keras.saving.load_model(path)
    predicted = model.predict({"pixels": np.zeros((3, 784), "float32")}, verbose=0)
    if isinstance(predicted, dict):
        predicted = predicted["label"]
    assert predicted.shape == (3, 10)
    assert np.allclose(predicted.sum(axis=1), 1.0, atol=1e-4)

    # A second run, cancelled while it trains, ends `cancelled`.
    page.get_by_test_id("run-back-editor").click()
    open_train_panel(page, epochs=1000, max_samples=256, batch_size=32)
    page.get_by_test_id("train-submit").click()
    expect(page).to_have_url(re.compile(r"/runs/\d+$"), timeout=20_000)
    assert int(page.url.rstrip("/").rsplit("/", 1)[1]) != run_id
    expect(page.get_by_test_id("run-status")).to_have_attribute("data-status", "running", timeout=60_000)
    expect(page.get_by_test_id("chart-loss")).to_have_attribute(
        "data-epoch-points", re.compile(r"^[1-9]"), timeout=60_000
    )

    # The connection drops: "reconnecting...", then back with the chart whole from a new snapshot.
    refuse["on"] = True
    sockets[-1].close(code=4000, reason="connection lost (test)")
    expect(page.get_by_test_id("run-reconnecting")).to_be_visible(timeout=10_000)
    refuse["on"] = False
    run_page = page.get_by_test_id("run-page")
    expect(run_page).to_have_attribute("data-snapshots", re.compile(r"^([2-9]|\d\d)"), timeout=30_000)
    expect(run_page).to_have_attribute("data-connection", "open")
    expect(page.get_by_test_id("run-reconnecting")).to_have_count(0)
    expect(page.get_by_test_id("chart-loss")).to_have_attribute("data-epoch-points", re.compile(r"^[1-9]"))

    page.get_by_test_id("run-cancel").click()
    expect(page.get_by_test_id("run-status")).to_have_attribute("data-status", "cancelled", timeout=60_000)
    expect(page.get_by_test_id("run-cancel")).to_have_count(0)

    cancelled_id = int(page.url.rstrip("/").rsplit("/", 1)[1])

    # Both runs are in the table; selected together, their curves overlay on one chart.
    page.get_by_test_id("runs-link").click()
    expect(page.get_by_test_id("runs-table")).to_be_visible()
    expect(page.get_by_test_id(f"run-row-status-{run_id}")).to_have_attribute("data-status", "succeeded")
    expect(page.get_by_test_id(f"run-row-status-{cancelled_id}")).to_have_attribute("data-status", "cancelled")
    expect(page.get_by_test_id(f"run-best-{run_id}")).to_contain_text("val_accuracy")
    page.get_by_test_id(f"run-select-{run_id}").check()
    page.get_by_test_id(f"run-select-{cancelled_id}").check()
    expect(page.get_by_test_id("compare-chart").locator("canvas")).to_be_visible()
    expect(page.get_by_test_id("runs-compare")).to_contain_text(f"#{cancelled_id}")
    page.screenshot(path=str(ARTIFACTS / "runs-compare.png"), full_page=True)
    assert not page.console_errors, page.console_errors
    assert time.monotonic() - started < 180, f"took {time.monotonic() - started:.0f}s"

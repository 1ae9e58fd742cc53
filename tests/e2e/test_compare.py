"""Comparing runs in the browser, on the real stack: two tiny digits runs of different learning rates
(and hidden widths) trained through the API, ticked in the runs table: the settings table highlights
learning_rate (and not batch_size), the graph difference names the changed block and its parameter,
the metrics table has each run's best, final and test values; then a run still training, ticked with
them, grows on the comparison chart while it trains (read from the chart's data attributes). A finished
run's page charts the worker's CPU and memory samples."""

import re
import time

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import ARTIFACTS, csrf, sign_up
from tests.e2e.test_ensemble_ui import mlp, wait_finished

pytestmark = [pytest.mark.browser, pytest.mark.services, pytest.mark.timeout(300)]

SCREENSHOTS = ARTIFACTS  # the committed docs/screenshots/compare.png is a copy of this one
SLOW = 30_000


def start_run(page: Page, graph: dict, **training) -> int:
    body = {"epochs": 4, "batch_size": 32, "validation_split": 0.2, "callbacks": {"tensorboard": False}, **training}
    response = page.request.post(
        "/api/runs", data={"graph": graph, "dataset": "digits", "training": body}, headers=csrf(page)
    )
    assert response.ok, response.text()
    return response.json()["id"]


def set_range(slider, value: str) -> None:
    """A range input's value, as a person dragging it sets it (React reads the input event)."""
    slider.evaluate(
        """(el, v) => {
            Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value").set.call(el, v);
            el.dispatchEvent(new Event("input", { bubbles: true }));
        }""",
        value,
    )


def points(page: Page) -> list[int]:
    value = page.get_by_test_id("compare-chart").get_attribute("data-points") or ""
    return [int(v) for v in value.split(",") if v]


def test_compare_settings_graphs_and_a_live_run(page: Page, stack):
    started = time.monotonic()
    sign_up(page, "comparer", start="/runs")
    slow = start_run(page, mlp("digits_mlp", 64, 10, units=32), learning_rate=0.001)
    fast = start_run(page, mlp("digits_mlp", 64, 10, units=48), learning_rate=0.01)
    for run_id in (slow, fast):
        assert wait_finished(page, f"/api/runs/{run_id}")["status"] == "succeeded"

    page.goto("/runs")
    page.get_by_test_id(f"run-select-{slow}").check()
    page.get_by_test_id(f"run-select-{fast}").check()
    compare = page.get_by_test_id("runs-compare")
    expect(compare).to_contain_text(f"#{fast}")
    chart = page.get_by_test_id("compare-chart")
    expect(chart.locator("canvas")).to_be_visible()
    expect(chart).to_have_attribute("data-points", "4,4")  # one value per epoch, each run
    expect(chart).to_have_attribute("data-x", "1,2,3,4")

    lr = page.get_by_test_id("compare-setting-learning_rate")
    expect(lr).to_have_attribute("data-differs", "true")
    expect(lr).to_have_class(re.compile(r"\bdiffers\b"))
    expect(lr).to_contain_text("0.001")
    expect(lr).to_contain_text("0.01")
    expect(page.get_by_test_id("compare-setting-batch_size")).to_have_attribute("data-differs", "false")
    expect(page.get_by_test_id("compare-setting-callbacks.early_stopping.patience")).to_be_attached()
    changed = page.get_by_test_id("compare-graph-diff-" + str(fast)).get_by_test_id("graph-changed-hidden")
    expect(changed).to_contain_text("units: 32 → 48")
    for row in ("best-val_accuracy", "final-val_loss", "test-accuracy"):
        expect(page.get_by_test_id(f"compare-metric-{row}").locator("td")).to_have_count(3)

    # x by step: each epoch at its last training step; smoothing adds the moving averages, the raw
    # values unchanged.
    page.get_by_test_id("compare-x").select_option("step")
    expect(chart).to_have_attribute("data-x", re.compile(r"^\d+,\d+,\d+,\d+$"))
    steps = [int(v) for v in chart.get_attribute("data-x").split(",")]
    assert steps == [steps[0] * k for k in (1, 2, 3, 4)] and steps[0] > 2, steps
    page.get_by_test_id("compare-x").select_option("epoch")
    set_range(page.get_by_test_id("compare-smoothing"), "0.6")
    expect(chart).to_have_attribute("data-series", "4")  # each run's raw line and its moving average
    expect(chart).to_have_attribute("data-points", "4,4")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1500, "height": 1000})
    compare.screenshot(path=str(SCREENSHOTS / "compare.png"))

    # A run still training, ticked with the others: its line grows while it trains.
    live = start_run(page, mlp("digits_mlp", 64, 10, units=16), epochs=500, batch_size=64, max_samples=400)
    page.goto("/runs")
    expect(page.get_by_test_id(f"run-select-{live}")).to_be_visible(timeout=SLOW)
    for run_id in (slow, fast, live):
        page.get_by_test_id(f"run-select-{run_id}").check()
    expect(page.get_by_test_id("compare-live")).to_be_visible(timeout=SLOW)
    expect(chart).to_have_attribute("data-lines", "3")
    deadline = time.monotonic() + 30
    while sum(points(page)) <= 8 + 1 and time.monotonic() < deadline:  # the live run's first epochs
        page.wait_for_timeout(200)
    first = sum(points(page))
    assert first > 9, points(page)
    deadline = time.monotonic() + 20
    while sum(points(page)) < first + 2 and time.monotonic() < deadline:
        page.wait_for_timeout(200)
    assert sum(points(page)) >= first + 2, (first, points(page))
    assert page.request.get(f"/api/runs/{live}").json()["status"] == "running"
    assert page.request.post(f"/api/runs/{live}/cancel", headers=csrf(page)).ok

    # A finished run's page charts the worker's samples of its CPU and memory.
    deadline = time.monotonic() + 10
    while not page.request.get(f"/api/runs/{slow}").json()["system"] and time.monotonic() < deadline:
        time.sleep(0.2)
    page.goto(f"/runs/{slow}")
    system = page.get_by_test_id("chart-system")
    expect(system.locator("canvas")).to_be_visible()
    expect(system).to_have_attribute("data-points", re.compile(r"^[1-9]\d*$"))
    expect(page.get_by_test_id("system-now")).to_contain_text("MB")
    page.screenshot(path=str(ARTIFACTS / "run-system.png"), full_page=True)
    assert time.monotonic() - started < 40, f"took {time.monotonic() - started:.0f}s"
    assert not page.console_errors, page.console_errors

"""The runs table as a workspace, on the real stack: two tiny runs trained through the API, then in the
table: columns chosen (kept over a reload), one run renamed, tagged and annotated (Markdown), the
table filtered and sorted, the other run deleted through a confirm dialog, and the first opened in the
editor with its graph's blocks and its training settings."""

import json
import re
import time

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import ARTIFACTS, csrf, sign_up
from tests.services import ROOT

pytestmark = [
    pytest.mark.browser,
    pytest.mark.services,
    pytest.mark.timeout(300),
    pytest.mark.usefixtures("no_page_errors"),
]

SLOW = 20_000
SCREENSHOT = ARTIFACTS / "runs-workspace.png"  # docs/screenshots/runs-workspace.png is a copy of this one


def start_tiny_run(page: Page, learning_rate: float) -> int:
    graph = json.loads((ROOT / "builder" / "examples" / "mnist_mlp_tiny.json").read_text())
    training = {"epochs": 1, "max_samples": 200, "learning_rate": learning_rate}
    response = page.request.post(
        "/api/runs", data={"graph": graph, "dataset": "fashion_mnist", "training": training}, headers=csrf(page)
    )
    assert response.ok, response.text()
    return response.json()["id"]


def wait_finished(page: Page, run_ids: list[int]) -> None:
    deadline = time.monotonic() + 120
    for run_id in run_ids:
        while (run := page.request.get(f"/api/runs/{run_id}").json())["status"] not in ("succeeded", "failed"):
            assert time.monotonic() < deadline, f"run {run_id} still {run['status']}"
            time.sleep(0.3)
        assert run["status"] == "succeeded", run.get("error")


def test_rename_tag_note_filter_delete_and_open_in_editor(page: Page, stack):
    started = time.monotonic()
    sign_up(page, "ws")
    first = start_tiny_run(page, 0.003)
    second = start_tiny_run(page, 0.01)
    wait_finished(page, [first, second])

    page.goto("/runs")
    expect(page.get_by_test_id(f"run-row-status-{second}")).to_have_attribute("data-status", "succeeded")
    expect(page.get_by_test_id(f"run-best-{first}")).to_contain_text("val_")

    # Columns: a setting (dotted) and a last-epoch metric, kept over a reload.
    page.get_by_test_id("runs-columns").click()
    page.get_by_test_id("runs-columns-find").fill("learning_rate")
    page.get_by_test_id("runs-column-training.learning_rate").check()
    page.get_by_test_id("runs-columns-find").fill("final val_loss")
    page.get_by_test_id("runs-column-final.val_loss").check()
    page.get_by_test_id("runs-columns-find").fill("worker")
    page.get_by_test_id("runs-column-worker").check()
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("runs-columns-menu")).to_have_count(0)
    page.reload()
    lr = page.get_by_test_id(f"run-row-{first}").locator('td[data-column="training.learning_rate"]')
    expect(lr).to_have_text("0.003")
    final = page.get_by_test_id(f"run-row-{first}").locator('td[data-column="final.val_loss"]')
    expect(final).to_have_text(re.compile(r"^\d+\.\d{4}$"))  # the last epoch's, as the API lists it
    expect(page.get_by_test_id(f"run-row-{first}").locator('td[data-column="worker"]')).not_to_have_text("–")

    # Rename in place.
    page.get_by_test_id(f"run-rename-{first}").click()
    page.get_by_test_id(f"run-name-input-{first}").fill("Slow and steady")
    page.get_by_test_id(f"run-name-input-{first}").press("Enter")
    expect(page.get_by_test_id(f"run-open-{first}")).to_have_text(f"Slow and steady #{first}")

    # Tags: two typed at once, one removed, one added again.
    page.get_by_test_id(f"run-tag-add-{first}").click()
    page.get_by_test_id(f"run-tag-input-{first}").fill("baseline, tiny, oops")
    page.get_by_test_id(f"run-tag-input-{first}").press("Enter")
    page.get_by_test_id(f"run-tag-input-{first}").press("Escape")
    tags = page.get_by_test_id(f"run-tags-{first}").get_by_test_id(f"run-tag-{first}")
    expect(tags).to_have_count(3)
    page.get_by_test_id(f"run-tags-{first}").get_by_role("button", name="remove tag oops").click()
    expect(tags).to_have_count(2)

    # A Markdown note: shown formatted, raw HTML as text.
    page.get_by_test_id(f"run-note-toggle-{first}").click()
    note = "**Under-sized** on purpose: `hidden` has 2 units.\n\n- lr 0.003\n- <b>not bold</b>"
    page.get_by_test_id(f"run-note-input-{first}").fill(note)
    page.get_by_test_id(f"run-note-save-{first}").click()
    shown = page.get_by_test_id(f"run-note-{first}").get_by_test_id("note-markdown")
    expect(shown.locator("strong")).to_have_text("Under-sized")
    expect(shown.locator("li")).to_have_text(["lr 0.003", "<b>not bold</b>"])
    saved = page.request.get(f"/api/runs/{first}").json()
    assert (saved["name"], saved["tags"], saved["note"]) == ("Slow and steady", ["baseline", "tiny"], note)

    # Filters: by text, by tag (a chip click), by status; sorting by a column, reversed.
    page.get_by_test_id("runs-filter").fill("steady")
    expect(page.get_by_test_id(f"run-row-{second}")).to_have_count(0)
    expect(page.get_by_test_id(f"run-row-{first}")).to_be_visible()
    page.get_by_test_id("runs-filter").fill("")
    expect(page.get_by_test_id(f"run-row-{second}")).to_be_visible()
    page.get_by_test_id(f"run-tags-{first}").get_by_role("button", name="tiny", exact=True).click()
    expect(page.get_by_test_id("runs-filter-tag")).to_have_value("tiny")
    expect(page.get_by_test_id(f"run-row-{second}")).to_have_count(0)
    page.get_by_test_id("runs-filter-clear").click()
    page.get_by_test_id("runs-filter-status").select_option("failed")
    expect(page.get_by_test_id("runs-none-match")).to_be_visible()
    page.get_by_test_id("runs-filter-status").select_option("")
    rows = page.locator('[data-testid="runs-table"] tbody tr[data-testid^="run-row-"]')
    page.get_by_test_id("runs-sort-training.learning_rate").click()
    expect(rows).to_have_count(2)
    assert rows.evaluate_all("rs => rs.map(r => r.dataset.testid)") == [f"run-row-{first}", f"run-row-{second}"]
    page.get_by_test_id("runs-sort-training.learning_rate").click()
    expect(rows.first).to_have_attribute("data-testid", f"run-row-{second}")

    expect(shown.locator("strong")).to_have_text("Under-sized")  # the note row stays open through the filters
    page.set_viewport_size({"width": 1600, "height": 900})
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.get_by_test_id("runs-table").locator("xpath=ancestor::section[1]").screenshot(path=str(SCREENSHOT))

    # Delete the other one: ticked, "Delete selected", cancelled once, then confirmed.
    page.get_by_test_id(f"run-select-{second}").check()
    page.get_by_test_id("runs-delete-selected").click()
    expect(page.get_by_test_id("confirm-dialog")).to_contain_text(f"#{second}")
    page.get_by_test_id("confirm-cancel").click()
    expect(page.get_by_test_id("confirm-dialog")).to_have_count(0)
    expect(page.get_by_test_id(f"run-row-{second}")).to_be_visible()
    page.get_by_test_id("runs-delete-selected").click()
    page.get_by_test_id("confirm-ok").click()
    expect(page.get_by_test_id(f"run-row-{second}")).to_have_count(0)
    assert page.request.get(f"/api/runs/{second}").status == 404
    expect(page.get_by_test_id(f"run-row-{first}")).to_be_visible()

    # Open the first in the editor: its graph's blocks and its settings, as a new unsaved project.
    page.get_by_test_id(f"run-open-editor-{first}").click()
    page.wait_for_url("**/")
    for block in ("pixels", "hidden", "probs"):
        expect(page.get_by_test_id(f"node-{block}")).to_be_visible(timeout=SLOW)
    panel = page.get_by_test_id("train-panel")
    expect(panel.get_by_test_id("field-train.learning_rate")).to_have_value("0.003")
    expect(panel.get_by_test_id("field-train.max_samples")).to_have_value("200")
    assert time.monotonic() - started < 60, f"took {time.monotonic() - started:.0f}s"

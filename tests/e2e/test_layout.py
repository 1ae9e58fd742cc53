"""The editor's layout at 1024x700, 1440x900 and 1920x1080 in a real headless Chromium: every toolbar
control on screen or in its "⋯" menu, the page itself never scrolling (only panels scroll inside), the
canvas at least 480 px wide beside the Train panel, which resizes, remembers its width and collapses;
the minimap hiding on a narrow canvas; the run, sweep and runs pages without horizontal overflow."""

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import ARTIFACTS, csrf, sign_up
from tests.e2e.test_sweep_ui import DIGITS_MLP

SLOW = 20_000
SIZES = [(1024, 700), (1440, 900), (1920, 1080)]
TOOLBAR_CONTROLS = [
    "graph-name",
    "new-graph",
    "templates",
    "import",
    "undo",
    "redo",
    "layout",
    "fit-view",
    "export-python",
    "export-keras",
    "export-json",
    "export-png",
    "export-svg",
    "export-model-menu",
    "train-open",
    "save",
    "projects",
    "help",
]

pytestmark = pytest.mark.usefixtures("no_page_errors")


def open_editor(page: Page, width: int, height: int) -> None:
    page.set_viewport_size({"width": width, "height": height})
    page.goto("/")
    expect(page.get_by_test_id("palette-Dense")).to_be_visible(timeout=SLOW)
    page.get_by_test_id("templates").or_(page.get_by_test_id("toolbar-more")).first.click()
    if page.get_by_test_id("toolbar-more-panel").is_visible():
        page.get_by_test_id("templates").click()
    page.get_by_test_id("template-mnist_mlp").click()
    expect(page.locator(".react-flow__node")).to_have_count(4, timeout=SLOW)
    page.keyboard.press("Escape")


def on_screen(page: Page, test_id: str, width: int, height: int) -> bool:
    locator = page.get_by_test_id(test_id)
    if not locator.is_visible():
        return False
    box = locator.bounding_box()
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width and box["y"] + box["height"] <= height


def page_extent(page: Page) -> dict:
    return page.evaluate(
        """() => ({height: document.scrollingElement.scrollHeight, width: document.scrollingElement.scrollWidth,
                   innerHeight: window.innerHeight, innerWidth: window.innerWidth,
                   toolbarTop: document.querySelector('.toolbar').getBoundingClientRect().top})"""
    )


@pytest.mark.parametrize(("width", "height"), SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_editor_holds_at_window_size(page: Page, width: int, height: int):
    sign_up(page, "layout", start="/runs")
    open_editor(page, width, height)

    # every toolbar control is on screen, or in the "⋯" menu
    folded = [c for c in TOOLBAR_CONTROLS if not on_screen(page, c, width, height)]
    if folded:
        page.get_by_test_id("toolbar-more").click()
        expect(page.get_by_test_id("toolbar-more-panel")).to_be_visible()
        missing = [c for c in folded if not on_screen(page, c, width, height)]
        assert not missing, f"not reachable at {width}x{height}: {missing}"
        page.keyboard.press("Escape")
        expect(page.get_by_test_id("toolbar-more-panel")).to_have_count(0)
    if width >= 1920:
        assert not folded, folded  # a wide window folds nothing
    else:
        # the name, Projects and ? are never the ones cut off
        for c in ("graph-name", "projects", "help", "save", "train-open"):
            assert on_screen(page, c, width, height), c
    page.screenshot(path=f"{ARTIFACTS}/layout-{width}x{height}-closed.png")

    extent = page_extent(page)
    assert extent["height"] == height and extent["width"] == width, extent

    page.get_by_test_id("train-open").click()
    expect(page.get_by_test_id("train-dataset")).to_be_visible(timeout=SLOW)
    page.wait_for_timeout(300)
    extent = page_extent(page)
    assert extent["height"] == height and extent["width"] == width, extent
    assert extent["toolbarTop"] == 0, extent
    canvas = page.get_by_test_id("canvas").bounding_box()
    assert canvas is not None and canvas["width"] >= 480, canvas
    panel = page.get_by_test_id("train-panel").bounding_box()
    assert panel is not None and panel["x"] + panel["width"] <= width, panel
    # the panel scrolls inside itself: its Train button stays on screen
    assert on_screen(page, "train-submit", width, height)
    page.screenshot(path=f"{ARTIFACTS}/layout-{width}x{height}-train.png")

    # the minimap hides rather than covering blocks on a narrow canvas
    minimap = page.locator(".react-flow__minimap")
    if canvas["width"] < 640:
        expect(minimap).to_have_count(0)
    else:
        expect(minimap).to_be_visible()


def test_train_panel_resizes_remembers_and_collapses(page: Page):
    sign_up(page, "layout", start="/runs")
    open_editor(page, 1440, 900)
    page.get_by_test_id("train-open").click()
    panel = page.get_by_test_id("train-panel")
    expect(panel).to_be_visible()
    before = panel.bounding_box()["width"]
    handle = page.get_by_test_id("train-resize").bounding_box()
    x, y = handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x - 60, y, steps=5)
    page.mouse.up()
    wider = panel.bounding_box()["width"]
    assert abs(wider - (before + 60)) <= 2, (before, wider)

    # dragging far left stops where the canvas keeps 480 px
    handle = page.get_by_test_id("train-resize").bounding_box()
    x = handle["x"] + handle["width"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(5, y, steps=5)
    page.mouse.up()
    assert page.get_by_test_id("canvas").bounding_box()["width"] >= 479.5

    page.reload()
    expect(page.get_by_test_id("train-panel")).to_be_visible(timeout=SLOW)
    assert page.get_by_test_id("train-panel").bounding_box()["width"] > wider  # remembered

    canvas_open = page.get_by_test_id("canvas").bounding_box()["width"]
    page.get_by_test_id("train-collapse").click()
    expect(page.get_by_test_id("train-panel")).to_have_count(0)
    expect(page.get_by_test_id("train-expand")).to_be_visible()
    assert page.get_by_test_id("canvas").bounding_box()["width"] > canvas_open + 200
    page.get_by_test_id("train-expand").click()
    expect(page.get_by_test_id("train-panel")).to_be_visible()


def test_run_sweep_and_runs_pages_do_not_overflow_at_1024(page: Page):
    sign_up(page, "layout", start="/runs")
    page.set_viewport_size({"width": 1024, "height": 700})
    run = page.request.post(
        "/api/runs",
        data={"graph": DIGITS_MLP, "dataset": "digits", "training": {"epochs": 1}},
        headers=csrf(page),
    )
    assert run.ok, run.text()
    sweep = page.request.post(
        "/api/sweeps",
        headers=csrf(page),
        data={
            "graph": DIGITS_MLP,
            "dataset": "digits",
            "training": {"epochs": 1, "validation_split": 0.2},
            "space": [{"target": "nodes.hidden.units", "kind": "int", "low": 4, "high": 128, "log": True}],
            "objectives": [{"metric": "val_accuracy", "direction": "maximize", "at": "best"}],
            "sampler": "random",
            "trials": 2,
            "seed": 3,
        },
    )
    assert sweep.ok, sweep.text()
    for path, ready in (
        (f"/runs/{run.json()['id']}", ".run-page, main"),
        (f"/sweeps/{sweep.json()['id']}", ".sweep-page, main"),
        ("/runs", "table, main"),
    ):
        page.goto(path)
        expect(page.locator(ready).first).to_be_visible(timeout=SLOW)
        page.wait_for_timeout(1500)
        name = path.strip("/").replace("/", "-")
        page.screenshot(path=f"{ARTIFACTS}/layout-1024-{name}.png", full_page=True)
        extent = page_extent_any(page)
        assert extent["width"] <= 1024, (path, extent)


def page_extent_any(page: Page) -> dict:
    return page.evaluate(
        """() => ({width: document.scrollingElement.scrollWidth,
                   wide: [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 1025
                         && !e.closest('[style*=overflow], .table-wrap')).slice(0, 5).map(e => e.className || e.tagName)})"""
    )
